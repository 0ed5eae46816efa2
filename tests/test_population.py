"""Customer arrays (model.population): the initial population and its accessors."""

from __future__ import annotations

import numpy as np
import pytest

from model.params import Params
from model.population import PREMIUM, PROSPECT, create_population

N = 20_000


@pytest.fixture(scope="module")
def pop_and_params():
    p = Params(n_customers=N).replace(**{"customers.prospect_share": 0.1,
                                         "market.premium_share": 0.2,
                                         "customers.ethnocentrism_mean": 0.3})
    return create_population(p, np.array([0.6, 0.5, 0.4]), np.random.default_rng(0)), p


def test_shapes_and_types(pop_and_params) -> None:
    pop, p = pop_and_params
    assert pop.n == N and pop.n_firms == 3 and pop.image.shape == (N, 3)
    assert pop.firm.dtype == np.int16 and pop.image.dtype == np.float32
    assert np.isnan(pop.valence).all() and not pop.aware.any() and (pop.unresolved == 0).all()
    assert pop.nbytes() == sum(a.nbytes for a in (
        pop.firm, pop.segment, pop.ethnocentrism, pop.satisfaction, pop.expectation, pop.image,
        pop.aware, pop.tenure, pop.unresolved, pop.valence))


def test_initial_shares_within_five_sigma(pop_and_params) -> None:
    """Prospects 10 %, premium 20 %, firms even, ethnocentrism mean 0.3 (Beta, conc. 4)."""
    pop, _ = pop_and_params
    tol = lambda p: 5 * np.sqrt(p * (1 - p) / N)  # noqa: E731
    assert abs((pop.firm == PROSPECT).mean() - 0.1) < tol(0.1)
    assert abs((pop.segment == PREMIUM).mean() - 0.2) < tol(0.2)
    counts = pop.counts()
    active = counts.sum()
    assert active == (pop.firm >= 0).sum()
    assert np.all(np.abs(counts / active - 1 / 3) < 5 * np.sqrt(2 / 9 / active))
    var = 0.3 * 0.7 / 5  # Beta(1.2, 2.8): m (1 - m) / (conc + 1)
    assert abs(pop.ethnocentrism.mean() - 0.3) < 5 * np.sqrt(var / N)
    assert pop.ethnocentrism.min() >= 0 and pop.ethnocentrism.max() <= 1


def test_images_start_near_reputation(pop_and_params) -> None:
    pop, _ = pop_and_params
    assert pop.image.min() >= 0 and pop.image.max() <= 1
    np.testing.assert_allclose(pop.image.mean(axis=0), [0.6, 0.5, 0.4], atol=0.003)


def test_counts() -> None:
    p = Params(n_customers=60)
    pop = create_population(p, np.full(3, 0.6), np.random.default_rng(1))
    pop.firm[:] = PROSPECT
    pop.firm[:5] = [0, 2, 2, 1, 2]
    assert pop.counts().tolist() == [1, 1, 3]
