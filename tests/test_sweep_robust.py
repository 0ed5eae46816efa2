"""Robustness of ``offshoring sweep`` under bad input (issue 14).

The contract: a one-line error naming what is wrong and what is allowed, exit
status 2, no traceback, nothing written before validation passes (not even the
``--out`` folder), a damaged store refused and left byte-identical (``--repair``
moves damaged chunks aside), and no process left behind when the sweep is killed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments.sweeps.designs import build_design
from experiments.sweeps.executors import run_sweep
from experiments.sweeps.spec import MAX_RUNS, design_size, load_spec, parse_spec
from experiments.sweeps.store import VOLATILE_COLUMNS, read_runs, read_timeseries
from model.params import ParameterError
from offshoring.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPEC = """
name = "robust"
customers = 300
weeks = 10
design = "grid"
levels = 2
replicates = 2
seed = 5
outcomes = ["market_share", "csat"]
[base]
"policy.week" = 2
burn_in_weeks = 4
[parameters]
"policy.share" = { values = [0.4, 0.8] }
"customers.awareness_bias" = { range = [0.0, 0.5] }
[timeseries]
kpis = ["market_share"]
"""
GOOD = tomllib.loads(SPEC)


def with_(**changes: object) -> dict:
    data = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def param(**leaf: object) -> dict:
    return {"policy.share": leaf, "customers.awareness_bias": {"range": [0.0, 0.5]}}


# ------------------------------------------------------------------ class 2: strict specs
@pytest.mark.parametrize(("data", "field"), [
    (with_(replicates="3"), "replicates"),
    (with_(replicates=True), "replicates"),
    (with_(replicates=2.0), "replicates"),
    (with_(customers="300"), "customers"),
    (with_(weeks=1.5), "weeks"),
    (with_(seed=False), "seed"),
    (with_(samples="8", design="lhs", levels=None), "samples"),
    (with_(common_random_numbers="yes"), "common_random_numbers"),
    (with_(parameters=param(range=[0.2, float("nan")])), "range"),
    (with_(parameters=param(range=[float("-inf"), 0.5])), "range"),
    (with_(parameters=param(range=["0.2", 0.5])), "range"),
    (with_(parameters=param(range=[True, 0.5])), "range"),
    (with_(parameters=param(values=[0.2, float("nan")])), "finite"),
    (with_(parameters=param(values=[float("inf")])), "finite"),
    (with_(parameters=param(range=[0.2, 0.5], levels="3")), "levels"),
])
def test_spec_fields_are_strict(data: dict, field: str) -> None:
    with pytest.raises(ParameterError, match=field) as err:
        parse_spec(data)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(("data", "runs"), [
    (with_(levels=1000, parameters={  # a grid of 1000^4 points
        "policy.share": {"range": [0.1, 0.9]}, "customers.awareness_bias": {"range": [0, 0.5]},
        "customers.wom_influence": {"range": [0.1, 0.9]},
        "customers.image_memory": {"range": [0.1, 0.9]}}), 10**12 * 2),
    (with_(design="lhs", samples=10**9, levels=None), 10**9 * 2),
    (with_(replicates=10**9), 4 * 10**9),
    (with_(design="sobol", samples=2**40, levels=None), 2**40 * 4 * 2),
])
def test_huge_designs_are_refused_with_their_run_count(data: dict, runs: int) -> None:
    t0 = time.perf_counter()
    with pytest.raises(ParameterError, match=f"implies {runs:,} runs.*at most {MAX_RUNS:,}"):
        parse_spec(data)
    assert time.perf_counter() - t0 < 2  # counted, not built


@pytest.mark.parametrize("changes", [
    {}, {"design": "lhs", "samples": 5}, {"design": "sobol", "samples": 4},
    {"design": "morris", "samples": 3, "levels": 4}])
def test_design_size_is_the_number_of_points_built(changes: dict) -> None:
    spec = parse_spec(with_(**changes, parameters=param(range=[0.2, 0.6]) | (
        {} if changes else {"customers.awareness_bias": {"range": [0, 0.5], "levels": 3}})))
    assert design_size(spec) == len(build_design(spec))


def cli(args: list[str], capsys) -> tuple[int, str]:
    status = main(["sweep", *args])
    return status, capsys.readouterr().err


@pytest.mark.parametrize(("spec_text", "extra", "expect"), [
    (SPEC.replace("replicates = 2", 'replicates = "3"'), [], "replicates = '3'"),
    (SPEC.replace("customers = 300", 'customers = "300"'), [], "customers"),
    (SPEC.replace("[0.0, 0.5]", "[0.0, nan]"), [], "finite"),
    (SPEC.replace("replicates = 2", "replicates = 1000000000"), ["--dry-run"],
     "implies 4,000,000,000 runs"),
    (SPEC, ["--chunk-seconds", "nan"], "--chunk-seconds"),
    (SPEC, ["--chunk-seconds", "inf"], "--chunk-seconds"),
    (SPEC, ["--scheduler", "foo://bar"], "--scheduler expects tcp://HOST:PORT"),
    (SPEC, ["--scheduler", "tcp://host"], "--scheduler"),
    (SPEC, ["--scheduler", "tcp://host:99999"], "--scheduler"),
])
def test_bad_input_writes_nothing(tmp_path: Path, capsys, spec_text: str, extra: list[str],
                                  expect: str) -> None:
    spec, out = tmp_path / "s.toml", tmp_path / "out"
    spec.write_text(spec_text)
    status, err = cli([str(spec), "--out", str(out), "--quiet", *extra], capsys)
    assert status == 2 and expect in err and err.count("\n") == 1, err
    assert not out.exists()


# ------------------------------------------------------------------ class 4: damaged stores
def sweep(spec: Path, out: Path, repair: bool = False):
    with ThreadPoolExecutor(2) as ex:
        return run_sweep(load_spec(spec), out, ex, progress=False, chunk_runs=3, repair=repair)


def stable(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_runs(out).drop(columns=list(VOLATILE_COLUMNS)), read_timeseries(out)


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "dir" for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("robust")
    (tmp / "spec.toml").write_text(SPEC)
    report = sweep(tmp / "spec.toml", tmp / "ref")
    assert report.complete and len(list((tmp / "ref" / "runs").iterdir())) == 3
    return tmp / "spec.toml", tmp / "ref"


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _manifest(out: Path, edit) -> None:
    path = out / "manifest.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps(edit(data)))


DAMAGE = {
    "design.parquet": lambda out: (out / "design.parquet").write_bytes(b"PAR1garbagePAR1"),
    "manifest.json:not-json": lambda out: (out / "manifest.json").write_text("{'x': 1"),
    "manifest.json:list": lambda out: (out / "manifest.json").write_text("[1, 2]"),
    "manifest.json:types": lambda out: _manifest(out, lambda m: m | {"outcomes": "csat"}),
    "manifest.json:keys": lambda out: _manifest(
        out, lambda m: {k: v for k, v in m.items() if k != "parameter_types"}),
    "manifest.json:runs": lambda out: _manifest(out, lambda m: m | {"runs": "8"}),
    "part-000002.parquet:runs": lambda out: _truncate(out / "runs" / "part-000002.parquet"),
    "part-000001.parquet:series": lambda out: _truncate(
        out / "timeseries" / "part-000001.parquet"),
}


@pytest.mark.parametrize("case", DAMAGE)
def test_a_damaged_store_is_refused_and_left_as_found(finished, tmp_path: Path, capsys,
                                                      case: str) -> None:
    spec, ref = finished
    out = tmp_path / "out"
    shutil.copytree(ref, out)
    DAMAGE[case](out)
    before = snapshot(out)
    status, err = cli([str(spec), "--out", str(out), "--quiet", "--workers", "1"], capsys)
    assert status == 2 and err.count("\n") == 1, err
    assert case.partition(":")[0] in err and "damaged" in err or "not valid JSON" in err
    assert snapshot(out) == before
    with pytest.raises(ParameterError):  # the library refuses too, under the lock
        sweep(spec, out)
    assert snapshot(out) == before


def test_repair_quarantines_bad_chunks_and_reruns_their_runs(finished, tmp_path: Path,
                                                             capsys) -> None:
    spec, ref = finished
    out = tmp_path / "out"
    shutil.copytree(ref, out)
    _truncate(out / "runs" / "part-000002.parquet")
    _truncate(out / "timeseries" / "part-000003.parquet")
    report = sweep(spec, out, repair=True)
    assert report.complete and report.ok == 5 and report.skipped == 3  # chunks of 3, 3, 2
    for got, want in zip(stable(out), stable(ref), strict=True):
        pd.testing.assert_frame_equal(got, want)
    (quarantine,) = (out / "quarantine").iterdir()
    note = (quarantine / "NOTE.txt").read_text()
    assert "runs/part-000002.parquet:" in note and "timeseries/part-000003.parquet:" in note
    assert sorted(p.name for p in (quarantine / "runs").iterdir()) == [
        "part-000002.parquet", "part-000003.parquet"]
    assert main(["sweep", str(spec), "--out", str(out), "--quiet", "--dry-run"]) == 0
    capsys.readouterr()


# ------------------------------------------------------------------ class 6: orphans
def _session(sid: int, skip: int) -> list[str]:
    import psutil

    left = []
    for proc in psutil.process_iter(["pid", "status", "cmdline"]):
        try:
            if (proc.pid != skip and os.getsid(proc.pid) == sid
                    and proc.info["status"] != psutil.STATUS_ZOMBIE):
                left.append(" ".join(proc.info["cmdline"] or [])[:100])
        except (OSError, psutil.Error):
            continue
    return left


def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    pytest.importorskip("psutil")
    spec, out = tmp_path / "s.toml", tmp_path / "out"
    spec.write_text(SPEC.replace('design = "grid"\nlevels = 2', 'design = "lhs"\nsamples = 200'))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "offshoring", "sweep", str(spec),
                             "--out", str(out), "--workers", "2", "--chunk-runs", "1",
                             "--quiet"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        t_end = time.monotonic() + 120
        while not (out / "runs").is_dir() or not any((out / "runs").iterdir()):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < t_end, "the sweep made no progress"
            time.sleep(0.05)
        assert _session(proc.pid, proc.pid), "no worker processes seen"
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, not its process group
        t_end = time.monotonic() + 10
        while (left := _session(proc.pid, proc.pid)) and time.monotonic() < t_end:
            time.sleep(0.2)
        assert not left, f"processes outlived the killed sweep: {left}"
    finally:
        with_group_killed(proc)


def with_group_killed(proc: subprocess.Popen) -> None:
    """Clean up after a failed assertion: end this test's own session and reap the parent."""
    if proc.poll() is None or _session(proc.pid, -1):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    if proc.stderr:
        proc.stderr.close()


# ------------------------------------------------------------------ class 7: fuzzing
KNOWN = ["name", "scenario", "customers", "weeks", "base", "design", "samples", "levels",
         "replicates", "seed", "common_random_numbers", "outcomes", "timeseries",
         "parameters"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["grid", "lhs", "sobol", "morris", "a\nb", "\x00\x1b[31m", "policy.share"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
LEAF = st.fixed_dictionaries({}, optional={
    "range": st.one_of(st.lists(SCALARS, max_size=3),
                       st.tuples(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9)).map(list)),
    "values": st.lists(SCALARS, max_size=4), "levels": SCALARS})
PARAMS = st.dictionaries(
    st.sampled_from(["policy.share", "customers.awareness_bias", "workforce.notice_weeks",
                     "policy.kind", "practices.procedures", "nope\n.x", ""]), LEAF, max_size=3)


@st.composite
def malformed_specs(draw) -> dict:
    data = json.loads(json.dumps(GOOD))
    for key in draw(st.lists(st.sampled_from(KNOWN), max_size=3, unique=True)):
        data[key] = draw(VALUES)
    if draw(st.booleans()):
        data["parameters"] = draw(PARAMS)
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
    if draw(st.booleans()):
        data["levels"] = draw(st.integers(2, 1000))
        data["replicates"] = draw(st.integers(1, 10**12))
    return {k: v for k, v in data.items() if v is not None}


@given(malformed_specs())
def test_fuzz_spec_parser_accepts_or_says_one_line(data: dict) -> None:
    try:
        spec = parse_spec(data)
    except ParameterError as err:
        text = str(err)
        assert text and "\n" not in text and "\r" not in text and "Traceback" not in text
        assert text.isprintable(), repr(text)
    else:
        assert design_size(spec) * spec.replicates <= MAX_RUNS


@pytest.mark.parametrize("spec_text", [
    SPEC.replace("replicates = 2", "replicates = inf"),
    SPEC.replace('"policy.share"', '"policy.share\\n\\u001b[31m"'),
    SPEC.replace("[parameters]", 'unknown_key = "\\u0000"\n[parameters]'),
])
def test_cli_on_malformed_specs(tmp_path: Path, spec_text: str) -> None:
    spec, out = tmp_path / "s.toml", tmp_path / "out"
    spec.write_text(spec_text)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "offshoring", "sweep", str(spec),
                           "--out", str(out)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.strip().isprintable()
    assert not out.exists()
