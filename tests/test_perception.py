"""Perception (model.perception): awareness of offshore service fades without a reminder."""

from __future__ import annotations

import numpy as np

from model import perception


def test_fading_share_matches_the_rate() -> None:
    """200,000 aware customers at rate 0.04: the share who forget is within 5 sigma."""
    n, rate = 200_000, 0.04
    aware = np.ones(n, bool)
    perception.fade_awareness(aware, rate, np.random.default_rng(1))
    forgot = 1 - aware.mean()
    assert abs(forgot - rate) < 5 * np.sqrt(rate * (1 - rate) / n)


def test_unaware_customers_stay_unaware_and_rate_zero_keeps_everyone() -> None:
    aware = np.zeros(1000, bool)
    aware[::3] = True
    before = aware.copy()
    perception.fade_awareness(aware, 1.0, np.random.default_rng(2))
    assert not aware.any()  # rate 1: every aware customer forgets, nobody becomes aware
    aware = before.copy()
    perception.fade_awareness(aware, 0.0, np.random.default_rng(2))
    assert (aware == before).all()


def test_draws_one_uniform_per_aware_customer() -> None:
    """Only the aware draw: the generator advances by their count, whatever the others."""
    aware = np.zeros(500, bool)
    aware[:7] = True
    rng = np.random.default_rng(3)
    perception.fade_awareness(aware, 0.5, rng)
    ref = np.random.default_rng(3)
    ref.random(7)
    assert rng.random() == ref.random()


def test_expected_memory_is_one_over_the_rate() -> None:
    """Weeks until forgetting are geometric with mean 1 / rate (25 weeks at 0.04)."""
    n, rate = 20_000, 0.04
    aware = np.ones(n, bool)
    rng = np.random.default_rng(4)
    weeks = np.zeros(n)
    for _ in range(400):
        weeks += aware
        perception.fade_awareness(aware, rate, rng)
    sd = np.sqrt((1 - rate) / rate**2 / n)
    assert abs(weeks.mean() - 1 / rate) < 5 * sd
