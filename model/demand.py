"""Demand: which customers contact customer service this week.

A customer contacts with a weekly probability set by segment; a customer with
an unresolved problem also comes back with ``repeat_contact_prob``.
"""

from __future__ import annotations

import numpy as np

from model.params import MarketParams
from model.population import PREMIUM, Population


def contact_probability(pop: Population, m: MarketParams) -> np.ndarray:
    """Per-customer probability of at least one contact this week (0 for prospects).

    p = 1 - (1 - base) (1 - repeat) takes one of four values (segment x open
    problem), or 0 for a prospect: they are computed once and looked up.
    """
    base = np.array([m.contact_rate_mass, m.contact_rate_premium])
    repeat = np.array([0.0, m.repeat_contact_prob])
    table = np.zeros(8)
    table[:4] = (1.0 - (1.0 - base[None, :]) * (1.0 - repeat[:, None])).ravel()
    # code = premium + 2 open problem + 4 prospect; int8 sums, then intp (fast lookup)
    code = ((pop.segment == PREMIUM).view(np.int8) + 2 * (pop.unresolved > 0).view(np.int8)
            + 4 * (pop.firm < 0).view(np.int8))
    return table[code.astype(np.intp)]


def draw_contacts(pop: Population, m: MarketParams, rng: np.random.Generator) -> np.ndarray:
    """Indices (sorted) of customers who contact service this week.

    Drawn as two independent events with ``contact_probability``'s law,
    1 - (1 - base)(1 - repeat): a base contact (candidates at the higher
    segment rate, placed uniformly without replacement, then thinned to the
    customer's own rate) or a repeat contact of a customer with an open
    problem. The cost grows with the contacts, not with the population.
    """
    hi = max(m.contact_rate_mass, m.contact_rate_premium)
    cand = rng.choice(pop.n, size=rng.binomial(pop.n, hi), replace=False) if hi > 0 else \
        np.empty(0, np.intp)
    rate = np.where(pop.segment[cand] == PREMIUM, m.contact_rate_premium, m.contact_rate_mass)
    base = cand[(pop.firm[cand] >= 0) & (rng.random(cand.size) * hi < rate)]
    open_problem = np.flatnonzero(pop.unresolved)
    open_problem = open_problem[pop.firm[open_problem] >= 0]
    again = open_problem[rng.random(open_problem.size) < m.repeat_contact_prob]
    both = np.sort(np.concatenate((base, again)))
    return both[np.diff(both, prepend=-1) > 0]  # a customer contacts once
