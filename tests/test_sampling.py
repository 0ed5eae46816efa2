"""Geometric skipping (model.sampling): the gaps between successes of Bernoulli trials."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba import njit

from model.sampling import NEVER, log_q, skip


@njit(cache=True)
def _gaps(rng: np.random.Generator, p: float, n: int) -> np.ndarray:
    out = np.empty(n, np.int64)
    for i in range(n):
        out[i] = skip(rng, log_q(p))
    return out


def test_log_q_edges() -> None:
    assert log_q(0.0) == 0.0 and log_q(-0.1) == 0.0
    assert log_q(1.0) == -math.inf and log_q(1.5) == -math.inf
    assert log_q(0.25) == pytest.approx(math.log(0.75))


def test_certain_and_impossible_successes() -> None:
    rng = np.random.default_rng(0)
    assert (_gaps(rng, 1.0, 100) == 1).all()
    assert (_gaps(rng, 0.0, 100) == NEVER).all()
    assert (_gaps(rng, 1e-300, 100) == NEVER).all()  # beyond any population: capped


@pytest.mark.parametrize("p", [0.01, 0.2, 0.7])
def test_gaps_are_geometric(p: float) -> None:
    """P(K = 1) = p and mean 1/p (200,000 gaps, 5 sigma), and P(K > k) = (1 - p)^k."""
    n = 200_000
    k = _gaps(np.random.default_rng(1), p, n)
    assert k.min() >= 1
    assert abs((k == 1).mean() - p) < 5 * math.sqrt(p * (1 - p) / n)
    sd = math.sqrt(1 - p) / p
    assert abs(k.mean() - 1 / p) < 5 * sd / math.sqrt(n)
    tail = int(round(1 / p))
    q = (1 - p) ** tail
    assert abs((k > tail).mean() - q) < 5 * math.sqrt(q * (1 - q) / n)


def test_skipping_marks_each_trial_with_probability_p() -> None:
    """Successes placed by cumulative gaps over 10^6 trials: every trial's share is p and
    neighbouring trials are independent (pairs both successes at p^2)."""
    p, n = 0.05, 1_000_000
    gaps = _gaps(np.random.default_rng(2), p, int(2 * p * n))
    pos = np.cumsum(gaps) - 1
    hit = np.zeros(n, bool)
    hit[pos[pos < n]] = True
    assert abs(hit.mean() - p) < 5 * math.sqrt(p * (1 - p) / n)
    both = (hit[:-1] & hit[1:]).mean()
    assert abs(both - p * p) < 5 * math.sqrt(p * p / n)


def test_the_run_generator_is_shared_with_numpy() -> None:
    """A compiled draw advances the very Generator numpy uses (one stream per run)."""
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    _gaps(a, 0.5, 3)
    for _ in range(3):
        b.random()
    assert a.random() == b.random()
