"""Erlang C and Erlang A (model.queueing) against hand-computed and textbook values.

Hand computation used below: with s = 3 agents and a = 2 Erlangs, the Erlang-B
recursion gives B1 = 2/3, B2 = 2/5, B3 = 4/19, so C = s B / (s - a (1 - B)) = 4/9;
with s = 4, B4 = 2/21 and C = 4/23. The share answered within t is
1 - C exp(-(s - a) t / AHT), and the mean wait of all arrivals is C AHT / (s - a).
"""

from __future__ import annotations

import math

import pytest

from model.queueing import (
    agents_for_service_level,
    erlang_a,
    erlang_c,
    erlang_c_service_level,
)


@pytest.mark.parametrize(("servers", "load", "expected"), [
    (3, 2.0, 4 / 9),      # Erlang-B recursion by hand (module docstring)
    (4, 2.0, 4 / 23),
    (2, 1.0, 1 / 3),      # M/M/2: a^2/2 * 2/(2-a) / (1 + a + a^2/(2-a)) = 1/3
    (1, 0.5, 0.5),        # M/M/1: P(wait) = rho
    (1, 0.9, 0.9),
])
def test_erlang_c_textbook_values(servers: int, load: float, expected: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(expected, rel=1e-12)


def test_erlang_c_edge_cases() -> None:
    """No load never waits; an unstable or empty queue always waits."""
    assert erlang_c(3, 0.0) == 0.0
    assert erlang_c(3, 3.0) == 1.0
    assert erlang_c(3, 5.0) == 1.0
    assert erlang_c(0, 1.0) == 1.0


def test_erlang_c_falls_with_each_extra_agent() -> None:
    values = [erlang_c(s, 10.0) for s in range(11, 25)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    assert values[-1] < 1e-3


def test_service_level_hand_example() -> None:
    """s = 3, a = 2, t = AHT ln 2: SL = 1 - (4/9)(1/2) = 7/9."""
    aht = 6.0
    assert erlang_c_service_level(3, 2.0, aht, aht * math.log(2)) == pytest.approx(7 / 9)
    assert erlang_c_service_level(3, 2.0, aht, 0.0) == pytest.approx(1 - 4 / 9)
    assert erlang_c_service_level(2, 2.0, aht, 1.0) == 0.0  # unstable: nobody in time


def test_staffing_rule_hand_example() -> None:
    """20 contacts/h of 6 min = 2 Erlangs; 20 s threshold = 1/3 min.

    SL(3) = 1 - (4/9) e^{-1/18} = 0.580, SL(4) = 1 - (4/23) e^{-2/18} = 0.844.
    """
    assert 1 - 4 / 9 * math.exp(-1 / 18) == pytest.approx(
        erlang_c_service_level(3, 2.0, 6.0, 1 / 3))
    assert agents_for_service_level(20, 6.0, 0.50) == 3
    assert agents_for_service_level(20, 6.0, 0.80) == 4
    assert agents_for_service_level(20, 6.0, 0.84) == 4
    assert agents_for_service_level(20, 6.0, 0.85) == 5


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    """With 3 agents, 2 Erlangs: P(wait) -> 4/9, mean wait -> (4/9) 6 / 1 = 8/3 min.

    The gap shrinks at least fivefold per tenfold patience (abandonment ~ 1/patience).
    """
    gaps = []
    for patience in (100.0, 1_000.0, 10_000.0):
        r = erlang_a(3, 20.0, 6.0, patience)
        gaps.append((abs(r.p_wait - 4 / 9), abs(r.mean_wait - 8 / 3), r.p_abandon))
    for (pw0, mw0, ab0), (pw1, mw1, ab1) in zip(gaps, gaps[1:], strict=False):
        assert pw1 < pw0 / 5 and mw1 < mw0 / 5 and ab1 < ab0 / 5
    pw, mw, ab = gaps[-1]
    assert pw < 1e-3 and mw / (8 / 3) < 5e-3 and ab < 1e-3
    r = erlang_a(3, 20.0, 6.0, 10_000.0)
    assert r.service_level == pytest.approx(erlang_c_service_level(3, 2.0, 6.0, 1 / 3),
                                            abs=1e-3)
    assert r.occupancy == pytest.approx(2 / 3, abs=1e-3)


def test_erlang_a_finite_when_understaffed() -> None:
    """2 agents for 4 Erlangs: Erlang C diverges, Erlang A stays finite.

    Nobody waits longer than they are willing to, so mean wait <= mean patience, and
    flow balance holds: answered rate lambda (1 - P(abandon)) = busy agents x mu.
    """
    lam_h, aht, patience = 40.0, 6.0, 3.0
    assert erlang_c(2, lam_h * aht / 60) == 1.0
    r = erlang_a(2, lam_h, aht, patience)
    assert 0 < r.p_abandon < 1 and 0 < r.p_wait <= 1
    assert 0 < r.mean_wait <= patience
    assert 0 <= r.service_level < 1 and 0 < r.occupancy <= 1
    assert lam_h / 60 * (1 - r.p_abandon) == pytest.approx(r.occupancy * 2 / aht, rel=1e-9)


@pytest.mark.parametrize("patience", [0.5, 3.0, 30.0])
def test_erlang_a_flow_balance(patience: float) -> None:
    """Arrivals = answered + abandoned, exactly, for any staffing."""
    for agents in (1, 3, 5, 8):
        r = erlang_a(agents, 45.0, 6.0, patience)
        answered_rate = r.occupancy * agents / 6.0
        assert 45.0 / 60 * (1 - r.p_abandon) == pytest.approx(answered_rate, rel=1e-9)


def test_erlang_a_no_arrivals_and_no_agents() -> None:
    idle = erlang_a(3, 0.0, 6.0, 3.0)
    assert (idle.p_wait, idle.mean_wait, idle.p_abandon, idle.service_level) == (0, 0, 0, 1)
    nobody = erlang_a(0, 10.0, 6.0, 3.0)
    assert nobody.p_abandon == 1.0 and nobody.mean_wait == pytest.approx(3.0)
    assert nobody.service_level == 0.0


def test_erlang_a_fractional_agents_interpolate() -> None:
    lo, hi, mid = (erlang_a(a, 30.0, 6.0, 3.0) for a in (2, 3, 2.5))
    for name in ("p_wait", "mean_wait", "p_abandon", "service_level", "occupancy"):
        assert getattr(mid, name) == pytest.approx(
            (getattr(lo, name) + getattr(hi, name)) / 2)


def test_erlang_a_improves_with_agents() -> None:
    results = [erlang_a(a, 60.0, 6.0, 3.0) for a in range(4, 12)]
    waits = [r.mean_wait for r in results]
    sls = [r.service_level for r in results]
    assert all(a > b for a, b in zip(waits, waits[1:], strict=False))
    assert all(a < b for a, b in zip(sls, sls[1:], strict=False))
