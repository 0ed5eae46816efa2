"""Crash safety: a sweep killed with SIGKILL (or stopped with Ctrl-C) and resumed equals an
uninterrupted sweep, with 1 or 2 local worker processes; nothing lost, nothing duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.sweeps.store import VOLATILE_COLUMNS, read_manifest, read_runs, read_timeseries

SPEC = """
name = "kill"
customers = 8000  # with 60 weeks, slow enough that a kill lands before the sweep ends
weeks = 60
design = "lhs"
samples = 20
replicates = 2
seed = 11
outcomes = ["market_share", "churn_monthly", "csat", "cum_profit"]
[base]
"policy.week" = 4
burn_in_weeks = 8  # short runs: the test is about storage, not the model
[parameters]
"policy.share" = { range = [0.2, 1.0] }
"customers.awareness_bias" = { range = [0.0, 0.5] }
"workforce.notice_weeks" = { range = [2, 12] }
[timeseries]
kpis = ["market_share", "csat", "cum_profit"]
firms = "all"
"""
TOTAL = 40
OFFSHORING = [sys.executable, "-m", "offshoring"]  # the console script, from this tree


def start(spec: Path, out: Path, workers: int) -> subprocess.Popen:
    """A sweep in its own process group (so SIGKILL reaches its workers too)."""
    return subprocess.Popen([*OFFSHORING, "sweep", str(spec), "--out", str(out),
                             "--workers", str(workers), "--chunk-runs", "1", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def committed(out: Path) -> int:
    return len(list((out / "runs").glob("part-*.parquet"))) if (out / "runs").is_dir() else 0


def wait_for(proc: subprocess.Popen, out: Path, target: int, timeout: float = 60) -> None:
    """Wait until ``target`` chunks are committed (one run each) while the sweep runs."""
    t_end = time.monotonic() + timeout
    while committed(out) < target:
        assert proc.poll() is None, f"sweep ended early: {proc.communicate()}"
        assert time.monotonic() < t_end, "sweep made no progress"
        time.sleep(0.02)


def wait_group_gone(pgid: int, timeout: float = 15) -> bool:
    """True once no live (non-zombie) process is left in the process group."""
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        ps = subprocess.run(["ps", "-o", "stat=", "-g", str(pgid)], capture_output=True,
                            text=True)
        if not [s for s in ps.stdout.split() if not s.startswith("Z")]:
            return True
        time.sleep(0.1)
    return False


def stable(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    runs = read_runs(out).drop(columns=list(VOLATILE_COLUMNS))
    return runs, read_timeseries(out)


def check_consistent(out: Path) -> int:
    """What a reader sees after a crash: whole runs, no duplicates, series for each run.

    A series part written just before the kill, whose runs part never landed,
    may be on disk (plain readers see it; a join on run_id drops it); the
    package's reader leaves it out and a resume deletes it.
    """
    runs, ts = stable(out)
    raw = pd.read_parquet(out / "timeseries")
    assert runs["run_id"].is_unique
    assert not raw.duplicated(["run_id", "week", "firm", "kpi"]).any()
    ok = set(runs.loc[runs["status"] == "ok", "run_id"])
    assert set(ts["run_id"]) == ok <= set(raw["run_id"])
    assert len(set(raw["run_id"]) - ok) <= 1  # at most the chunk being committed (1 run)
    assert (raw.groupby("run_id").size() == 60 * 3 * 3).all()
    return len(runs)


@pytest.fixture(scope="module")
def spec(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "kill.toml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def reference(spec: Path) -> Path:
    """The uninterrupted sweep with a single worker process."""
    out = spec.parent / "reference"
    proc = subprocess.run([*OFFSHORING, "sweep", str(spec), "--out", str(out),
                           "--workers", "1", "--quiet"], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith(f"done: {TOTAL}/{TOTAL} runs")
    return out


def test_sigkill_at_random_points_then_resume_equals_uninterrupted(spec: Path,
                                                                   reference: Path) -> None:
    out = spec.parent / "killed"
    rng = np.random.default_rng(20270415)
    targets = np.sort(rng.choice(np.arange(2, TOTAL - 12), size=3, replace=False))
    seen = 0
    for target in targets:
        proc = start(spec, out, workers=2)
        wait_for(proc, out, max(int(target), seen + 1))  # this session commits a run
        time.sleep(rng.uniform(0.0, 0.2))  # land anywhere, including inside a commit
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        n = check_consistent(out)
        assert seen <= n < TOTAL  # progress kept, sweep really interrupted
        seen = n
    final = subprocess.run([*OFFSHORING, "sweep", str(spec), "--out", str(out),
                            "--workers", "2", "--quiet"], capture_output=True, text=True,
                           timeout=300)
    assert final.returncode == 0, final.stderr
    assert f"({TOTAL - seen} run now, {seen} already there)" in final.stdout
    runs, ts = stable(out)
    ref_runs, ref_ts = stable(reference)
    assert len(runs) == TOTAL
    pd.testing.assert_frame_equal(runs, ref_runs)
    pd.testing.assert_frame_equal(ts, ref_ts)
    assert len(read_manifest(out)["sessions"]) == len(targets) + 1


def test_ctrl_c_keeps_finished_runs_and_resumes(spec: Path, reference: Path) -> None:
    out = spec.parent / "interrupted"
    proc = start(spec, out, workers=2)
    wait_for(proc, out, 4)
    os.kill(proc.pid, signal.SIGINT)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stdout.strip().splitlines()[-1].startswith("interrupted: ")
    kept = check_consistent(out)
    assert 4 <= kept < TOTAL
    assert wait_group_gone(proc.pid), "worker processes outlived the interrupted sweep"
    final = subprocess.run([*OFFSHORING, "sweep", str(spec), "--out", str(out),
                            "--workers", "2", "--quiet"], capture_output=True, text=True,
                           timeout=300)
    assert final.returncode == 0, final.stderr
    for got, want in zip(stable(out), stable(reference), strict=True):
        pd.testing.assert_frame_equal(got, want)
