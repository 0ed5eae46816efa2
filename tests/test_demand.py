"""Demand (model.demand): who contacts customer service this week."""

from __future__ import annotations

import numpy as np
import pytest

from model import demand
from model.params import MarketParams, Params
from model.population import MASS, PREMIUM, PROSPECT, create_population


def _population(n: int, seed: int = 0):
    p = Params(n_customers=n)
    return create_population(p, np.full(p.n_firms, 0.6), np.random.default_rng(seed))


def test_contact_probability_hand_values() -> None:
    """Premium with an open problem: 1 - (1 - 0.07)(1 - 0.6) = 0.628."""
    pop = _population(60)
    pop.firm[:4] = [0, 1, 2, PROSPECT]
    pop.segment[:4] = [MASS, PREMIUM, PREMIUM, PREMIUM]
    pop.unresolved[:4] = [0, 0, 2, 5]
    m = MarketParams(contact_rate_mass=0.05, contact_rate_premium=0.07, repeat_contact_prob=0.6)
    p = demand.contact_probability(pop, m)
    assert p[:4].tolist() == pytest.approx([0.05, 0.07, 0.628, 0.0])


def test_draw_contacts_frequency_and_no_prospects() -> None:
    """20,000 customers at 5 %: count within 5 sigma of 5 % (sigma ~ 0.0016)."""
    pop = _population(20_000, seed=1)
    pop.segment[:] = MASS
    m = MarketParams(contact_rate_mass=0.05, repeat_contact_prob=0.0)
    who = demand.draw_contacts(pop, m, np.random.default_rng(2))
    assert (pop.firm[who] >= 0).all()
    active = int((pop.firm >= 0).sum())
    assert abs(who.size / active - 0.05) < 5 * np.sqrt(0.05 * 0.95 / active)
    assert np.all(np.diff(who) > 0)  # sorted, no duplicates


def test_draw_contacts_by_segment_and_open_problem() -> None:
    """Each customer contacts with 1 - (1 - rate)(1 - repeat): shares per group within 5 sigma."""
    pop = _population(200_000, seed=3)
    pop.firm[:] = np.arange(pop.n) % 3
    pop.segment[:] = np.where(np.arange(pop.n) % 2 == 0, MASS, PREMIUM)
    pop.unresolved[:] = np.where(np.arange(pop.n) % 4 < 2, 0, 2)
    m = MarketParams(contact_rate_mass=0.05, contact_rate_premium=0.12, repeat_contact_prob=0.6)
    contacted = np.zeros(pop.n, bool)
    contacted[demand.draw_contacts(pop, m, np.random.default_rng(4))] = True
    p = demand.contact_probability(pop, m)
    for value in np.unique(p):
        group = p == value
        n = int(group.sum())
        assert abs(contacted[group].mean() - value) < 5 * np.sqrt(value * (1 - value) / n)


def test_expected_contacts_sum_the_probabilities_per_firm() -> None:
    pop = _population(5000, seed=5)
    pop.unresolved[::7] = 1
    m = MarketParams()
    p = demand.contact_probability(pop, m)
    want = [p[pop.firm == f].sum() for f in range(pop.n_firms)]
    np.testing.assert_allclose(demand.expected_contacts(pop, m), want, rtol=1e-12)
