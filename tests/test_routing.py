"""Routing (model.routing): proportional and tiered routing to the vendor."""

from __future__ import annotations

import numpy as np

from model.population import MASS, PREMIUM
from model.routing import route as route_firms


def route(alpha: float, tiered: bool, segment: np.ndarray, sensitive: np.ndarray,
          rng: np.random.Generator) -> np.ndarray:
    """Every contact from one firm routing ``alpha`` (tiered or not)."""
    return route_firms(np.zeros(segment.size, np.int16), segment, sensitive, np.array([alpha]),
                       np.array([tiered]), rng)


def _contacts(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    segment = np.where(rng.random(n) < 0.2, PREMIUM, MASS).astype(np.int8)
    return segment, rng.random(n) < 0.3


def test_tiered_keeps_premium_and_sensitive_at_home() -> None:
    segment, sensitive = _contacts(10_000, 0)
    out = route(1.0, True, segment, sensitive, np.random.default_rng(1))
    np.testing.assert_array_equal(out, (segment == MASS) & ~sensitive)
    partial = route(0.5, True, segment, sensitive, np.random.default_rng(2))
    assert not partial[(segment == PREMIUM) | sensitive].any()
    eligible = (segment == MASS) & ~sensitive
    n = int(eligible.sum())
    assert abs(partial[eligible].mean() - 0.5) < 5 * np.sqrt(0.25 / n)


def test_proportional_routing_ignores_segment() -> None:
    segment, sensitive = _contacts(40_000, 3)
    assert route(1.0, False, segment, sensitive, np.random.default_rng(4)).all()
    assert not route(0.0, False, segment, sensitive, np.random.default_rng(4)).any()
    out = route(0.7, False, segment, sensitive, np.random.default_rng(5))
    for group in (segment == PREMIUM, sensitive, segment == MASS):
        n = int(group.sum())
        assert abs(out[group].mean() - 0.7) < 5 * np.sqrt(0.21 / n)


def test_each_firm_routes_its_own_share() -> None:
    """Firm 0 offshores everything, firm 1 nothing, firm 2 half of its eligible contacts."""
    segment, sensitive = _contacts(30_000, 6)
    firm_of = (np.arange(segment.size) % 3).astype(np.int16)
    out = route_firms(firm_of, segment, sensitive, np.array([1.0, 0.0, 0.5]),
                      np.array([False, False, True]), np.random.default_rng(7))
    assert out[firm_of == 0].all() and not out[firm_of == 1].any()
    third = firm_of == 2
    assert not out[third & ((segment == PREMIUM) | sensitive)].any()
    eligible = third & (segment == MASS) & ~sensitive
    n = int(eligible.sum())
    assert abs(out[eligible].mean() - 0.5) < 5 * np.sqrt(0.25 / n)
