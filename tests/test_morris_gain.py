"""Figure 7's NPV gain over staying home (experiments.research.morris): the sweep's baseline
runs each design point at home with the same factor values and seeds; ``npv_diff`` is the
difference. And the noise floor of the elementary effects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.research import morris
from experiments.research.common import get_scale
from experiments.sweeps.analyze import analyze
from experiments.sweeps.executors import run_sweep
from experiments.sweeps.pool import local_executor
from experiments.sweeps.spec import parse_spec
from experiments.sweeps.store import read_runs

SCALE = get_scale("smoke")


def _sweep(root: Path, data: dict) -> Path:
    with local_executor(1) as ex:
        run_sweep(parse_spec(data), root, ex, progress=False)
    return root


@pytest.fixture(scope="module")
def screening(tmp_path_factory) -> Path:
    return _sweep(tmp_path_factory.mktemp("morris-gain") / "sweep", morris.spec_data(SCALE))


def test_the_screening_runs_its_points_against_staying_home(screening: Path) -> None:
    spec = morris.spec_data(SCALE)
    assert spec["baseline"] == morris.BASELINE == "stay-home"
    assert set(morris.OUTCOMES) <= set(spec["outcomes"])
    runs = read_runs(screening)
    assert (runs["status"] == "ok").all() and runs["npv_diff"].notna().all()
    assert runs.groupby("point").size().eq(morris.REPLICATES["smoke"]).all()


def test_gain_against_the_screening_itself_is_zero(tmp_path: Path) -> None:
    """A baseline that is the screened scenario gives a gain of exactly 0 everywhere."""
    same = _sweep(tmp_path / "same", morris.spec_data(SCALE) | {"baseline": morris.PRESET})
    assert (read_runs(same)["npv_diff"] == 0).all()
    t = analyze(same, ["npv_diff"], plots=False).indices
    assert set(t["parameter"]) == set(morris.SMOKE_FACTORS)
    assert (t["mu_star"] == 0).all() and (t["sigma"] == 0).all()


def test_a_factor_the_home_firm_never_reads_moves_the_gain_as_the_npv(screening: Path) -> None:
    """The vendor's hourly rate changes nothing at home, so its elementary effects on the
    gain are its effects on the NPV; the market's price moves both strategies' NPV."""
    t = analyze(screening, ["npv", "npv_diff"], plots=False).indices
    npv = t[t["outcome"] == "npv"].set_index("parameter")
    gain = t[t["outcome"] == "npv_diff"].set_index("parameter")
    rate = "destination.hourly_cost"
    assert gain.loc[rate, "mu_star"] > 0
    assert gain.loc[rate, "mu_star"] == pytest.approx(npv.loc[rate, "mu_star"], rel=1e-9)
    assert gain.loc[rate, "mu"] == pytest.approx(npv.loc[rate, "mu"], rel=1e-9)
    assert gain.loc["market.price_mass", "mu_star"] < npv.loc["market.price_mass", "mu_star"]


def test_the_table_and_findings_carry_the_gain() -> None:
    """The wide table ranks by the gain first; every outcome has its columns."""
    ranges = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    rows = []
    for outcome in morris.OUTCOMES:
        for p, m in (("a", 1.0 if outcome == morris.GAIN else 5.0),
                     ("b", 2.0 if outcome == morris.GAIN else 1.0)):
            rows.append({"outcome": outcome, "parameter": p, "mu_star": m * 1e6,
                         "mu_star_conf": 0.0, "mu": m, "sigma": 0.0})
    t = morris._wide(pd.DataFrame(rows), ranges)
    assert t["parameter"].tolist() == ["b", "a"]  # b leads the gain, a everything else
    assert {f"mu_star_{o}" for o in morris.OUTCOMES} <= set(t.columns)
    assert "mu* NPV gain over staying home (M EUR)" in morris.markdown_frame(t).columns


def test_noise_floor_is_the_mu_star_of_pure_noise() -> None:
    """Point means of pure noise (independent between points, r replicates each) give every
    factor a mu* whose mean over many factors is the floor computed from the replicates."""
    from SALib.sample import morris as morris_sample

    from experiments.sweeps.analyze import morris_indices

    d, trajectories, r, sigma = 12, 400, 3, 2.0
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
    unit = morris_sample.sample(problem, trajectories, num_levels=morris.LEVELS, seed=1)
    rng = np.random.default_rng(2)
    values = rng.normal(0.0, sigma, (len(unit), r))
    runs = pd.DataFrame({"point": np.repeat(np.arange(len(unit)), r), "status": "ok",
                         "y": values.ravel()})
    t, _ = morris_indices(unit, problem["names"], values.mean(axis=1), morris.LEVELS, 0.95,
                          100, 0)
    floor = morris.noise_floor(runs, "y")
    # sqrt(2/pi) sqrt(2) (sigma / sqrt(r)) / (2/3) with the pooled sample variance
    assert floor == pytest.approx(np.sqrt(2 / np.pi) * np.sqrt(2) * sigma / np.sqrt(r) * 1.5,
                                  rel=0.05)
    assert t["mu_star"].mean() == pytest.approx(floor, rel=0.05)
    assert np.isnan(morris.noise_floor(runs[runs["point"] < 0], "y"))  # no replicate: NaN


def test_clear_of_noise_needs_the_whole_interval_above_the_floor() -> None:
    """mu* above the floor is not enough (noise alone gets there half the time): the lower
    end of the interval must be."""
    t = pd.DataFrame({"parameter": ["a", "b", "c"], "mu_star_npv_diff": [3.0, 2.0, 5.0],
                      "mu_star_conf_npv_diff": [1.0, 1.5, 4.5]})
    assert morris.clear_of_noise(t, "npv_diff", 1.2) == ["a"]
    assert morris.clear_of_noise(t, "npv_diff", 0.1) == ["c", "a", "b"]
