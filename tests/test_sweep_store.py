"""Sweep storage and failure isolation: resume, refusal, cleanup, plain-Parquet output."""

from __future__ import annotations

import concurrent.futures as cf
import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from experiments.sweeps.designs import build_design
from experiments.sweeps.executors import run_sweep
from experiments.sweeps.spec import load_spec, param_type
from experiments.sweeps.store import (
    VOLATILE_COLUMNS,
    Store,
    read_manifest,
    read_runs,
    read_timeseries,
)
from model import simulate
from model.params import ParameterError
from offshoring.cli import main

SPEC = """
name = "store"
customers = 300
weeks = 12
design = "grid"
replicates = 2
seed = 8
outcomes = ["market_share", "csat", "cum_profit"]
[base]
"policy.week" = 2
burn_in_weeks = 8
[parameters]
"policy.share" = { values = [0.4, 0.8] }
"customers.dissatisfied_below" = { values = [0.4, 0.8] }
[timeseries]
kpis = ["market_share", "csat"]
firms = "all"
"""
# customers.satisfied_above is 0.75: the Params validator refuses dissatisfied_below = 0.8
# inside the worker, so half of the runs raise (a real failure, not a test hook).


def spec_file(tmp_path: Path, text: str = SPEC) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


def sweep(tmp_path: Path, out: Path, text: str = SPEC, **kw):
    with ThreadPoolExecutor(2) as ex:
        return run_sweep(load_spec(spec_file(tmp_path, text)), out, ex, progress=False,
                         chunk_runs=kw.pop("chunk_runs", 3), **kw)


@pytest.fixture(scope="module")
def done(tmp_path_factory) -> tuple[Path, object]:
    """One finished sweep (8 runs, 4 of which fail), shared by the read-only tests."""
    tmp = tmp_path_factory.mktemp("store")
    report = sweep(tmp, tmp / "out")
    return tmp / "out", report


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(done) -> None:
    out, report = done
    runs = read_runs(out)
    bad = runs["customers.dissatisfied_below"] == 0.8
    assert len(runs) == 8 and report.ok == 4 and report.failed == 4
    assert (runs.loc[bad, "status"] == "error").all() and (runs.loc[~bad, "status"] == "ok").all()
    assert runs.loc[bad, "error"].str.contains("must be below customers.satisfied_above").all()
    assert runs.loc[bad, "csat"].isna().all() and runs.loc[~bad, "csat"].notna().all()
    assert report.exit_status == 1 and "4 failed" in report.line(out)


def test_timeseries_is_long_and_only_for_successful_runs(done) -> None:
    out, _ = done
    ts, runs = read_timeseries(out), read_runs(out)
    ok_ids = set(runs.loc[runs["status"] == "ok", "run_id"])
    assert set(ts["run_id"]) == ok_ids
    assert len(ts) == len(ok_ids) * 12 * 3 * 2  # weeks x firms x KPIs
    assert not ts.duplicated(["run_id", "week", "firm", "kpi"]).any()


def test_a_row_reproduces_with_its_seed(done) -> None:
    """The runs table alone is enough to repeat a run: scenario + parameters + seed."""
    out, _ = done
    runs, spec = read_runs(out), read_manifest(out)["spec"]
    row = runs[runs["status"] == "ok"].iloc[-1]
    p = load_spec(Path(out).parent / "spec.toml").base_params().replace(**{
        "policy.share": float(row["policy.share"]),
        "customers.dissatisfied_below": float(row["customers.dissatisfied_below"])})
    focal = simulate(p, int(row["seed"])).focal()
    assert spec["name"] == "store"
    assert all(focal[k] == row[k] for k in ("market_share", "csat", "cum_profit"))


def test_resume_skips_completed_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = sweep(tmp_path, out)
    before = read_runs(out)
    again = sweep(tmp_path, out)
    assert (again.ok, again.failed, again.skipped) == (0, 0, 8)
    assert first.exit_status == again.exit_status == 1  # the failed runs are still there
    pd.testing.assert_frame_equal(read_runs(out), before)
    assert len(read_manifest(out)["sessions"]) == 2


class LosesOneTask(ThreadPoolExecutor):
    """An executor whose worker 'dies' on the first attempt at one run (infrastructure
    failure: the future raises instead of returning a result)."""

    def __init__(self, run_id: int) -> None:
        super().__init__(2)
        self.victim = run_id

    def submit(self, fn, task, *args, **kwargs):
        if task.run_id != self.victim:
            return super().submit(fn, task, *args, **kwargs)
        self.victim = -1
        fut: cf.Future = cf.Future()
        fut.set_exception(BrokenProcessPool("worker died"))
        return fut


def test_a_lost_task_is_not_recorded_and_runs_on_resume(tmp_path: Path) -> None:
    spec = load_spec(spec_file(tmp_path))
    with LosesOneTask(run_id=2) as ex:
        first = run_sweep(spec, tmp_path / "out", ex, progress=False)
        assert (first.lost, first.done_in_store) == (1, 7)
        assert first.exit_status == 1 and "1 lost to worker failures" in \
            first.line(tmp_path / "out")
        assert 2 not in set(read_runs(tmp_path / "out")["run_id"])
        again = run_sweep(spec, tmp_path / "out", ex, progress=False)
    assert (again.ok + again.failed, again.lost, again.done_in_store) == (1, 0, 8)
    assert sorted(read_runs(tmp_path / "out")["run_id"]) == list(range(8))


def test_a_different_spec_is_refused_in_one_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    sweep(tmp_path, out)
    other = spec_file(tmp_path, SPEC.replace("seed = 8", "seed = 9"))
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds a different sweep" in err
    assert len(read_runs(out)) == 8


def test_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ParameterError, match="not empty and holds no sweep manifest"):
        sweep(tmp_path, out)


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    spec = load_spec(spec_file(tmp_path))
    types = {n: param_type(n) for n in spec.names}
    with Store.open(tmp_path / "out", spec, lambda: build_design(spec), types), \
            pytest.raises(ParameterError, match="another sweep is writing"):
        Store.open(tmp_path / "out", spec, lambda: build_design(spec), types)


def test_leftovers_of_a_crash_are_cleaned_on_resume(tmp_path: Path) -> None:
    """A temporary file and a series part without its runs part (killed mid-commit)."""
    out = tmp_path / "out"
    sweep(tmp_path, out, chunk_runs=100)
    reference = read_timeseries(out)
    runs_part = out / "runs" / "part-000001.parquet"
    shutil.copy(out / "timeseries" / "part-000001.parquet",
                out / "timeseries" / "part-000002.parquet")  # orphan: no runs part 2
    (out / "runs" / ".part-000002.parquet.tmp").write_bytes(runs_part.read_bytes()[:100])
    assert len(pd.read_parquet(out / "runs")) == 8  # readers ignore the hidden file
    sweep(tmp_path, out)
    assert not list(out.rglob(".*.tmp"))
    pd.testing.assert_frame_equal(read_timeseries(out), reference)


def test_the_cli_reports_failures_in_its_last_line(tmp_path: Path, capsys) -> None:
    status = main(["sweep", str(spec_file(tmp_path)), "--out", str(tmp_path / "o"),
                   "--workers", "2", "--quiet"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert status == 1
    assert lines[-1].startswith("done: 8/8 runs") and lines[-1].endswith("4 failed")


def test_plain_parquet_readable_without_the_project(done) -> None:
    out, _ = done
    code = ("import sys\n"
            "for m in ('model', 'experiments'): sys.modules[m] = None  # importing fails\n"
            "import json, pandas as pd, pyarrow.dataset as ds\n"
            f"r = pd.read_parquet({str(out / 'runs')!r})\n"
            f"t = ds.dataset({str(out / 'timeseries')!r}).to_table()\n"
            f"m = json.load(open({str(out / 'manifest.json')!r}))\n"
            "print(len(r), t.num_rows, sorted(r['run_id'])[-1], m['spec']['name'])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["8", str(len(read_timeseries(out))), "7", "store"]


def test_columns_are_plain_types(done) -> None:
    out, _ = done
    schema = pq.read_schema(next((out / "runs").glob("part-*.parquet")))
    plain = (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean,
             pa.types.is_string, pa.types.is_large_string, pa.types.is_timestamp)
    assert all(any(f(field.type) for f in plain) for field in schema)
    assert {"run_id", "seed", "status", "error", *VOLATILE_COLUMNS} <= set(schema.names)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["packages"]["numpy"] and manifest["code_version"]
    assert manifest["spec_digest"] == load_spec(Path(out).parent / "spec.toml").digest()
