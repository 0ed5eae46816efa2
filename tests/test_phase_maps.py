"""Phase maps: break-even interpolation, the stake, and run sharing between paired cells."""

from __future__ import annotations

import pytest

from experiments.research.common import SCALES, params
from experiments.research.phase_maps import (
    MAPS,
    break_even,
    cells,
    contact_overrides,
    fcr_gap_points,
    stake,
)


def test_break_even_interpolates_the_crossing_and_the_stake() -> None:
    b = break_even([10.0, 20.0, 30.0], [-2.0, -1.0, 1.0], [0.1, 0.2, 0.3])
    assert b["x"] == pytest.approx(25.0)
    assert b["stake"] == pytest.approx(0.25)
    assert b["pays_above"] is True


def test_break_even_sorts_x_and_reads_a_falling_difference() -> None:
    b = break_even([30.0, 10.0, 20.0], [-1.0, 3.0, 1.0])
    assert b["x"] == pytest.approx(25.0) and b["pays_above"] is False and b["stake"] is None


def test_break_even_without_a_sign_change_is_none() -> None:
    for v in ([1.0, 2.0, 3.0], [-3.0, -2.0, -1.0]):
        assert break_even([10.0, 20.0, 30.0], v, [0.1, 0.2, 0.3]) == {
            "x": None, "stake": None, "pays_above": None}


def test_stake_is_service_cost_over_contribution_margin() -> None:
    summary = {"service_cost": 13.0, "revenue": 200.0, "npv": 0.0}
    # margin = 200 x (1 - 0.35) = 130
    assert stake(summary, 0.35) == pytest.approx(0.1)
    assert stake({"service_cost": 1.0, "revenue": 0.0}, 0.35) != stake(summary, 0.35)


def test_cells_cover_the_four_maps_and_share_the_stay_home_twin() -> None:
    sc = SCALES["smoke"]
    grid = cells(sc)
    assert {c.map for c in grid} == set(MAPS)
    assert sum(c.map == "markets" for c in grid) == 4 * sc.grid
    for m in MAPS[:3]:
        assert sum(c.map == m for c in grid) == sc.grid ** 2
    fcr = [c for c in grid if c.map == "stake_fcr"]
    keys = {params(c.home, sc, **c.home_overrides).model_dump_json() for c in fcr}
    assert len(keys) == sc.grid  # the stay-home twin depends on x only
    tel = [c for c in grid if c.map == "markets" and c.y == "telecom"]
    assert {params(c.home, sc, **c.home_overrides).model_dump_json() for c in tel} == keys
    # twins carry the same home-side overrides as their offshore run (except the vendor's)
    for c in grid:
        for k, v in c.home_overrides.items():
            assert c.off_overrides[k] == v


def test_axes_are_the_sourced_ranges() -> None:
    grid = cells(SCALES["full"])
    fr = [c.x for c in grid if c.map != "markets" or c.y != "us"]
    us = [c.x for c in grid if c.map == "markets" and c.y == "us"]
    assert (min(fr), max(fr)) == (26.5, 70.0) and (min(us), max(us)) == (28.5, 60.0)
    assert fcr_gap_points(0.0) == pytest.approx(0.0)
    o = contact_overrides(2.5)
    assert o["market.contact_rate_mass"] == pytest.approx(0.037)
    assert contact_overrides(1.8)["market.contact_rate_mass"] == pytest.approx(0.037 * 0.72)
