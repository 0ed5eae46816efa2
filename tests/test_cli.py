"""The ``offshoring`` command line: bad input is one line on stderr and exit status 2.

Bad-input cases run the real command in a subprocess (``python -m offshoring.cli``
with the suite's interpreter and deprecations as errors), as a user would; they are
started together, one per core, because each spends ~1.5 s importing the model. The
listing commands run in-process.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from model.metrics import KPI_COLUMNS, SUMMARY_COLUMNS
from model.params import field_names
from model.presets import SCENARIOS
from offshoring.cli import main

ROOT = Path(__file__).resolve().parents[1]


def offshoring(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run ``offshoring ARGS`` in a fresh interpreter; deprecations are errors there too."""
    cmd = [sys.executable, "-W", "error::DeprecationWarning", "-W", "error::FutureWarning",
           "-m", "offshoring", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)


def assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, nothing on stdout, exactly one stderr line naming what was wrong."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    assert done.stdout == ""


BAD_ARGS = {
    "customers negative": (["run", "--customers", "-5"], ["--customers", ">= 1"]),
    "customers zero": (["run", "--customers", "0"], ["--customers"]),
    "weeks not a number": (["run", "--weeks", "abc"], ["--weeks", "'abc'"]),
    "seed negative": (["run", "--seed", "-1"], ["--seed"]),
    "share out of range": (["run", "--set", "policy.share=3"], ["policy.share", "[0, 1]"]),
    "customers below range via --set": (["run", "--set", "n_customers=10"],
                                        ["n_customers", "[50, 5000000]"]),
    "wrong type via --set": (["run", "--set", "policy.week=2.5"], ["policy.week"]),
    "string for a number via --set": (["run", "--set", "market.price_mass=cheap"],
                                      ["market.price_mass", "cheap"]),
    "unknown key via --set": (["run", "--set", "policy.shaer=0.5"], ["policy.shaer"]),
    "unknown section via --set": (["run", "--set", "nosuch.key=1"], ["nosuch"]),
    "--set without =": (["run", "--set", "policy.share"], ["--set", "policy.share"]),
    "bad enum value": (["run", "--set", "policy.kind=sometimes"], ["policy.kind"]),
    "cross-field rule": (["run", "--customers", "50", "--set", "network.degree=60"],
                         ["network.degree", "n_customers"]),
    "unknown scenario": (["run", "atlantis"], ["atlantis"]),
    "missing config file": (["run", "nope.toml"], ["nope.toml", "not found"]),
    "--out wrong suffix": (["run", "--out", "x.txt"], ["--out", "x.txt"]),
    "--out missing folder": (["run", "--out", "no-such-dir/x.parquet"], ["no-such-dir"]),
    "unknown command": (["frobnicate"], ["frobnicate"]),
}


@pytest.mark.parametrize("case", list(BAD_ARGS))
def test_bad_arguments(bad_runs: dict[str, Future], case: str) -> None:
    assert_one_line_error(bad_runs[case].result(), *BAD_ARGS[case][1])


BAD_TOML = {
    "string where a number goes": ('preset = "offshore-morocco"\n[policy]\nshare = "high"\n',
                                   ["policy.share", "high"]),
    "out of range": ("weeks = 0\n", ["weeks", "[1, 2080]"]),
    "unknown key": ("[policy]\nshaer = 0.5\n", ["policy.shaer"]),
    "unknown table": ("[polcy]\nshare = 0.5\n", ["polcy"]),
    "unknown preset": ('preset = "atlantis"\n', ["atlantis"]),
    "malformed": ("[policy\nshare = 1\n", ["bad.toml", "not valid TOML"]),
}


@pytest.mark.parametrize("case", list(BAD_TOML))
def test_bad_toml(bad_runs: dict[str, Future], case: str) -> None:
    assert_one_line_error(bad_runs["toml: " + case].result(), *BAD_TOML[case][1])


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory: pytest.TempPathFactory):
    """Every bad-argument and bad-TOML run, started at once on a pool of one per core."""
    commands = {case: args for case, (args, _) in BAD_ARGS.items()}
    for case, (text, _) in BAD_TOML.items():
        config = tmp_path_factory.mktemp("toml") / "bad.toml"
        config.write_text(text)
        commands["toml: " + case] = ["run", str(config)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        yield {case: pool.submit(offshoring, *args) for case, args in commands.items()}


@pytest.mark.parametrize("bad", [["--customers", "-5"], ["--set", "policy.share=3"],
                                 ["--weeks", "abc"]], ids=["argparse", "parameter", "type"])
def test_failed_run_leaves_existing_output_alone(tmp_path: Path, bad: list[str]) -> None:
    """A run refused on bad input neither touches --out nor leaves temporary files."""
    out = tmp_path / "x.parquet"
    out.write_bytes(b"results of last week's run")
    assert_one_line_error(offshoring("run", "--out", str(out), *bad))
    assert out.read_bytes() == b"results of last week's run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.parquet"]


def test_run_from_toml_writes_csv(tmp_path: Path) -> None:
    """A good TOML run exits 0, prints the per-firm table and writes KPIs and summary."""
    config = tmp_path / "run.toml"
    config.write_text('preset = "offshore-morocco"\nn_customers = 300\nweeks = 6\n'
                      "[policy]\nweek = 1\n")
    out = tmp_path / "x.csv"
    done = offshoring("run", str(config), "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "firm" in done.stdout and "wrote" in done.stdout
    kpis = pd.read_csv(out)
    assert list(kpis.columns) == KPI_COLUMNS and len(kpis) == 6 * 3
    assert list(pd.read_csv(tmp_path / "x_summary.csv").columns) == SUMMARY_COLUMNS


def test_scenarios_lists_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in SCENARIOS)


def test_params_csv_lists_every_parameter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows] == field_names()
    assert {"default", "min", "max", "unit", "source"} <= set(rows[0])


def test_in_process_errors_return_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--set", "policy.share=3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "policy.share" in err
