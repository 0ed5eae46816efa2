"""Demand: which customers contact customer service this week.

A customer contacts with a weekly probability set by segment; a customer with
an unresolved problem also comes back with ``repeat_contact_prob``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit

from model.params import MarketParams
from model.population import PREMIUM, Population
from model.sampling import log_q, skip


def contact_probability(pop: Population, m: MarketParams) -> np.ndarray:
    """Per-customer probability of at least one contact this week (0 for prospects).

    p = 1 - (1 - base) (1 - repeat) takes one of four values (segment x open
    problem), or 0 for a prospect: they are computed once and looked up.
    """
    code = (pop.segment == PREMIUM).view(np.int8) + 2 * (pop.unresolved > 0).view(np.int8)
    return np.where(pop.firm >= 0, _table(m)[code.astype(np.intp)], 0.0)


def expected_contacts(pop: Population, m: MarketParams) -> np.ndarray:
    """Expected contacts of each firm's customers this week (sum of ``contact_probability``)."""
    return _expected(pop.firm, pop.segment, pop.unresolved, _table(m), pop.n_firms)


def _table(m: MarketParams) -> np.ndarray:
    """Contact probability by code = premium + 2 x open problem (read-only; remembered
    for the rates)."""
    return _table_of(float(m.contact_rate_mass), float(m.contact_rate_premium),
                     float(m.repeat_contact_prob))


@lru_cache(maxsize=64)
def _table_of(mass: float, premium: float, repeat_prob: float) -> np.ndarray:
    base = np.array([mass, premium])
    repeat = np.array([0.0, repeat_prob])
    table = (1.0 - (1.0 - base[None, :]) * (1.0 - repeat[:, None])).ravel()
    table.flags.writeable = False
    return table


@njit(cache=True)
def _expected(firm: np.ndarray, segment: np.ndarray, unresolved: np.ndarray,
              table: np.ndarray, n_firms: int) -> np.ndarray:
    out = np.zeros(n_firms)
    for i in range(firm.size):
        if firm[i] >= 0:
            out[firm[i]] += table[(segment[i] == PREMIUM) + 2 * (unresolved[i] > 0)]
    return out


def draw_contacts(pop: Population, m: MarketParams, rng: np.random.Generator) -> np.ndarray:
    """Indices (sorted) of customers who contact service this week.

    Two independent events with ``contact_probability``'s law,
    1 - (1 - base)(1 - repeat): a base contact (candidates at the higher
    segment rate, then thinned to the customer's own rate) or a repeat
    contact of a customer with an open problem. Both are Bernoulli sequences
    drawn by geometric skipping (model.sampling), in one compiled pass.
    """
    return _draw_contacts(pop.firm, pop.segment, pop.unresolved, m.contact_rate_mass,
                          m.contact_rate_premium, m.repeat_contact_prob, rng)


@njit(cache=True)
def _draw_contacts(firm: np.ndarray, segment: np.ndarray, unresolved: np.ndarray,
                   rate_mass: float, rate_premium: float, repeat: float,
                   rng: np.random.Generator) -> np.ndarray:
    hi = max(rate_mass, rate_premium)
    log_hi, log_repeat = log_q(hi), log_q(repeat)
    out = np.empty(firm.size, np.int64)
    k = 0
    base = skip(rng, log_hi) - 1   # next base candidate (index over all customers)
    again = skip(rng, log_repeat)  # countdown over the customers with an open problem
    for i in range(firm.size):
        contact = False
        if i == base:
            base += skip(rng, log_hi)
            if firm[i] >= 0:
                rate = rate_premium if segment[i] == PREMIUM else rate_mass
                contact = rate >= hi or rng.random() * hi < rate
        if unresolved[i] > 0 and firm[i] >= 0:
            again -= 1
            if again == 0:
                again = skip(rng, log_repeat)
                contact = True
        if contact:
            out[k] = i
            k += 1
    return out[:k]
