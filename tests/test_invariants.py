"""Weekly invariants over short runs that relocate (and, for adaptive, reshore).

The checks themselves are in conftest.py (``kpi_violations``, ``population_violations``)
so the property-based tests apply the very same ones to random parameters.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import OffshoringModel, scenario

RUNS = ["relocating_run", "adaptive_run"]


@pytest.fixture(params=RUNS)
def run(request: pytest.FixtureRequest):
    return request.getfixturevalue(request.param)


def test_population_conservation_and_ranges_every_week(run) -> None:
    """customers + prospects == n_customers and states in [0, 1], checked after every step."""
    assert run.violations == {}
    assert len(run.population_counts) == run.weeks


def test_kpi_invariants(run, kpi_check) -> None:
    assert kpi_check(run.kpis, run.params, run.weeks) == []


def test_the_runs_exercise_relocation(relocating_run, adaptive_run) -> None:
    """The invariants above are only meaningful if the runs do what they are meant to."""
    for run in (relocating_run, adaptive_run):
        focal = run.kpis[run.kpis["firm"] == 0]
        assert focal["cutover"].any() and (focal["offshore_share"] > 0).any()
        assert (focal["vendor_heads"] > 0).any()
    adaptive = adaptive_run.kpis[adaptive_run.kpis["firm"] == 0]
    assert adaptive["reshore"].any()
    assert adaptive_run.model.focal.reshore_weeks == adaptive.loc[adaptive["reshore"],
                                                                  "week"].tolist()


def test_offshore_share_follows_alpha(relocating_run) -> None:
    """Proportional routing: after cut-over the offshore share of contacts is ~ alpha."""
    focal = relocating_run.kpis[relocating_run.kpis["firm"] == 0]
    after = focal[focal["alpha"] > 0]
    contacts = after["contacts"].sum()
    offshore = (after["offshore_share"] * after["contacts"]).sum()
    alpha = after["alpha"].iloc[0]
    assert abs(offshore / contacts - alpha) < 5 * np.sqrt(alpha * (1 - alpha) / contacts)
    before = focal[focal["alpha"] == 0]
    assert (before["offshore_share"] == 0).all()


def test_model_time_matches_weeks(run) -> None:
    assert run.model.time == run.weeks
    assert run.model.week == run.weeks - 1


@pytest.mark.parametrize(("column", "value", "message"), [
    ("csat", np.nan, "csat is NaN where defined"),
    ("revenue", np.nan, "revenue is NaN"),
    ("market_share", 1.5, "market_share outside [0, 1]"),
    ("image_all", -1.0, "image_all outside [0, 100]"),
    ("total_cost", -5.0, "total_cost negative"),
    ("mean_wait_s", np.inf, "an infinite value"),
    ("customers", 10**6, "more customers than the population"),
    ("profit", 1e9, "profit != revenue - total cost"),
    ("npv", -1.0, "npv != running sum"),
])
def test_the_checks_catch_violations(relocating_run, kpi_check, column, value, message) -> None:
    """Each invariant fails on a corrupted copy of a good run: the checks are not vacuous."""
    bad = relocating_run.kpis.copy()
    bad.loc[10, column] = value
    found = kpi_check(bad, relocating_run.params, relocating_run.weeks)
    assert any(message in m for m in found), found


def test_the_population_check_catches_violations(population_check) -> None:
    model = OffshoringModel(scenario("stay-home", n_customers=100, burn_in_weeks=0), rng=0)
    assert population_check(model) == []
    model.population.firm[0] = 7
    model.population.satisfaction[1] = 1.5
    model.population.aware[2] = True
    model.population.firm[2] = 2
    model.population.firm[3] = -2  # neither a customer nor a prospect
    found = " | ".join(population_check(model))
    for message in ("beyond the last firm", "satisfaction not finite", "never relocated",
                    "+ prospects"):
        assert message in found
