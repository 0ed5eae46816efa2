"""Customer state as numpy arrays: one row per customer, one column per firm for images.

The weekly customer submodels are kernels over these arrays; the ``Customer``
agent (model.agents) is a view on one row. Satisfaction, expectation and
images are on a 0-1 scale (reported as 0-100).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from model.params import Params

PROSPECT = -1
MASS, PREMIUM = 0, 1


@dataclass
class Population:
    """Arrays of customer state (N customers, M firms)."""

    firm: np.ndarray          # int16, firm index or PROSPECT
    segment: np.ndarray       # int8, MASS or PREMIUM
    ethnocentrism: np.ndarray  # float32, 0-1
    satisfaction: np.ndarray  # float32, cumulative satisfaction S, 0-1
    expectation: np.ndarray   # float32, expected quality E, 0-1
    image: np.ndarray         # float32 (N, M), image of each firm, 0-1, column-major
    aware: np.ndarray         # bool, knows the own firm serves from offshore
    tenure: np.ndarray        # int32, weeks with the current firm
    unresolved: np.ndarray    # int16, consecutive weeks with an unresolved problem
    valence: np.ndarray       # float32, this week's transaction satisfaction (NaN: none)

    @property
    def n(self) -> int:
        return self.firm.size

    @property
    def n_firms(self) -> int:
        return self.image.shape[1]

    def counts(self) -> np.ndarray:
        """Customers per firm (length M; one count per firm is faster than a bincount)."""
        return np.array([np.count_nonzero(self.firm == f) for f in range(self.n_firms)],
                        dtype=np.int64)

    def nbytes(self) -> int:
        return sum(getattr(self, f.name).nbytes for f in fields(self))


def create_population(p: Params, reputation: np.ndarray, rng: np.random.Generator
                      ) -> Population:
    """Initial customers: firms assigned evenly at random, ``prospect_share`` prospects.

    Satisfaction starts at the reference level and expectations at the
    home-quality level; the burn-in brings both to the market's steady state.
    The image matrix is column-major: the weekly kernels work firm by firm
    over the whole population (decay, hazards, means), rows are read rarely.
    """
    n, m = p.n_customers, p.n_firms
    c = p.customers
    firm = rng.integers(0, m, size=n).astype(np.int16)
    firm[rng.random(n) < c.prospect_share] = PROSPECT
    segment = (rng.random(n) < p.market.premium_share).astype(np.int8)
    mean = c.ethnocentrism_mean
    conc = c.ethnocentrism_concentration
    ethno = rng.beta(max(mean * conc, 1e-3), max((1 - mean) * conc, 1e-3), size=n)
    image = np.clip(reputation[None, :] + rng.normal(0, 0.05, size=(n, m)), 0, 1)
    return Population(
        firm=firm, segment=segment, ethnocentrism=ethno.astype(np.float32),
        satisfaction=np.full(n, c.satisfaction_reference, np.float32),
        expectation=np.full(n, 0.75, np.float32),
        image=np.asfortranarray(image, dtype=np.float32),  # a firm's images are contiguous
        aware=np.zeros(n, bool), tenure=rng.integers(0, 260, size=n).astype(np.int32),
        unresolved=np.zeros(n, np.int16), valence=np.full(n, np.nan, np.float32),
    )
