"""Demand: which customers contact customer service this week.

A customer contacts with a weekly probability set by segment; a customer with
an unresolved problem also comes back with ``repeat_contact_prob``.
"""

from __future__ import annotations

import numpy as np

from model.params import MarketParams
from model.population import PREMIUM, Population


def contact_probability(pop: Population, m: MarketParams) -> np.ndarray:
    """Per-customer probability of at least one contact this week (0 for prospects)."""
    base = np.where(pop.segment == PREMIUM, m.contact_rate_premium, m.contact_rate_mass)
    repeat = np.where(pop.unresolved > 0, m.repeat_contact_prob, 0.0)
    p = 1.0 - (1.0 - base) * (1.0 - repeat)
    return np.where(pop.firm >= 0, p, 0.0)


def draw_contacts(pop: Population, m: MarketParams, rng: np.random.Generator) -> np.ndarray:
    """Indices of customers who contact service this week."""
    return np.flatnonzero(rng.random(pop.n) < contact_probability(pop, m))
