"""Run lists on the sweep engine: failure isolation, the Parquet run store as a cache, the
shared statistics and Markdown helpers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.markdown import md_table
from experiments.research import common
from experiments.stats import band, describe, half_width, mean_ci
from experiments.sweeps import executors
from experiments.sweeps.jobs import SERIES, Job, JobStore
from experiments.sweeps.pool import inline_executor
from experiments.sweeps.seeds import seed_ints
from model.params import ParameterError
from model.presets import scenario

TINY = scenario("stay-home", n_customers=200, weeks=3, burn_in_weeks=1)


def jobs(n: int = 3) -> list[Job]:
    return [Job(TINY, seed, k, "tiny") for k, seed in enumerate(seed_ints(7, n))]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Seeds simulated in this process (the inline executor runs here)."""
    calls: list[int] = []
    real = executors.simulate

    def simulate(p, seed):
        calls.append(seed)
        return real(p, seed)
    monkeypatch.setattr(executors, "simulate", simulate)
    return calls


def test_a_failing_run_is_isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    js = jobs(3)
    real = executors.simulate

    def simulate(p, seed):
        if seed == js[1].seed:
            raise RuntimeError("boom\nsecond line")
        return real(p, seed)
    monkeypatch.setattr(executors, "simulate", simulate)
    with JobStore.open(tmp_path / "runs") as store:
        report = executors.run_jobs(js, store, inline_executor(), progress=False)
        assert (report.ok, report.failed, report.lost) == (2, 1, 0)
        assert store.errors([j.key for j in js]) == {js[1].key: "RuntimeError: boom"}
        loaded = store.load([j.key for j in js])
    assert set(loaded) == {js[0].key, js[2].key}
    summary, series, _ = loaded[js[0].key]
    assert list(series.columns) == list(SERIES) and math.isfinite(summary["npv"])


def test_the_store_is_reused_by_a_second_invocation(tmp_path: Path, counted: list[int]) -> None:
    js = jobs(2) + jobs(2)  # duplicates run once
    with JobStore.open(tmp_path / "runs") as store:
        first = executors.run_jobs(js, store, inline_executor(), progress=False)
        before = store.load([j.key for j in js])
    assert (first.total, first.ok, len(counted)) == (2, 2, 2)
    with JobStore.open(tmp_path / "runs") as store:
        again = executors.run_jobs(js, store, inline_executor(), progress=False)
        after = store.load([j.key for j in js])
    assert (again.skipped, again.ok, len(counted)) == (2, 0, 2)
    for key, (summary, series, _) in before.items():
        pd.testing.assert_series_equal(pd.Series(after[key][0]), pd.Series(summary))
        pd.testing.assert_frame_equal(after[key][1], series, check_exact=True)


def test_research_cache_folder_resumes(tmp_path: Path, counted: list[int]) -> None:
    """``reproduce --cache DIR``: a second invocation runs nothing, with the same numbers."""
    try:
        common.set_cache(tmp_path / "cache")
        runs = common.run_jobs(jobs(2), 1, "test")
        common.shutdown()
        common.set_cache(tmp_path / "cache")
        again = common.run_jobs(jobs(2), 1, "test")
    finally:
        common.shutdown()
    assert len(counted) == 2
    pd.testing.assert_frame_equal(pd.DataFrame([r.summary for r in again]),
                                  pd.DataFrame([r.summary for r in runs]), check_exact=True)
    assert [r.seed for r in again] == seed_ints(7, 2)


def test_a_foreign_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ParameterError, match="holds no run store"):
        JobStore.open(tmp_path)


def test_mean_ci_known_answer() -> None:
    """x = 1, 2, 3, 4: mean 2.5, sd sqrt(5/3), t(0.975, 3 df) = 3.182446 (tables)."""
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0, float("nan")])
    half = 3.182446305 * math.sqrt(5 / 3) / 2  # 2.05426
    assert m == 2.5
    assert lo == pytest.approx(2.5 - half, abs=1e-8) and hi == pytest.approx(2.5 + half, abs=1e-8)
    assert half_width([1.0, 2.0, 3.0, 4.0]) == pytest.approx(half, abs=1e-8)
    assert describe([1.0, 2.0, 3.0, 4.0])["sd"] == pytest.approx(math.sqrt(5 / 3))
    one = mean_ci([3.0])
    assert one[0] == 3.0 and math.isnan(one[1]) and all(map(math.isnan, mean_ci([])))
    mid, lo_b, hi_b = band(np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [4.0, 5.0]]))
    assert mid[0] == 2.5 and lo_b[0] == pytest.approx(lo) and hi_b[1] == 5.0


def test_md_table_formats_cells() -> None:
    text = md_table(pd.DataFrame({"name": ["a", "bb"], "x": [1.234567, float("nan")]}))
    lines = text.splitlines()
    assert [c.strip() for c in lines[0].strip("|").split("|")] == ["name", "x"]
    assert lines[1].replace(" ", "") == "|:-----|------:|".replace(" ", "")[:len(lines[1])] \
        or lines[1].endswith(":|")
    assert "1.235" in lines[2] and lines[3].split("|")[2].strip() == ""
