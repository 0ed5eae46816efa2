"""Expectation disconfirmation and anchoring (model.satisfaction)."""

from __future__ import annotations

import numpy as np
import pytest

from model import satisfaction as sat
from model.params import CustomerParams


def test_transaction_satisfaction_hand_values() -> None:
    """s = q + d (q - E), clipped: 0.8 + 0.5 x 0.2 = 0.9; 0.4 + 0.5 x -0.4 = 0.2."""
    s = sat.transaction_satisfaction(np.array([0.8, 0.4, 1.0, 0.1]),
                                     np.array([0.6, 0.8, 0.2, 0.9]), 0.5)
    np.testing.assert_allclose(s, [0.9, 0.2, 1.0, 0.0])
    same = sat.transaction_satisfaction(np.array([0.7]), np.array([0.7]), 2.0)
    assert same == pytest.approx([0.7])  # confirmed expectations: s = q


def test_cumulative_satisfaction_anchoring() -> None:
    np.testing.assert_allclose(sat.update_cumulative(np.array([0.5]), np.array([1.0]), 0.3),
                               [0.65])
    S = np.array([0.2])
    for _ in range(200):
        S = sat.update_cumulative(S, np.array([0.9]), 0.3)
    assert S[0] == pytest.approx(0.9)


def test_expectation_update() -> None:
    """target = 0.5 x 0.7 + 0.5 x 0.9 = 0.8; E moves 10 % of the way from 0.5: 0.53."""
    c = CustomerParams(expectation_rate=0.1, expectation_anchor=0.5)
    expectation = sat.update_expectation(np.array([0.5]), np.array([0.9]), np.array([0.7]), c)
    assert expectation.tolist() == pytest.approx([0.53])


def test_complaints_only_from_dissatisfied() -> None:
    s = np.array([0.1, 0.44, 0.45, 0.9])
    always = CustomerParams(complaint_prob=1.0, dissatisfied_below=0.45)
    never = CustomerParams(complaint_prob=0.0, dissatisfied_below=0.45)
    rng = np.random.default_rng(0)
    assert sat.complaints(s, always, rng).tolist() == [True, True, False, False]
    assert not sat.complaints(s, never, rng).any()


def test_complaint_rate() -> None:
    """complaint_prob 0.15 among 40,000 dissatisfied: within 5 sigma (sigma ~ 0.0018)."""
    n = 40_000
    c = CustomerParams(complaint_prob=0.15)
    rate = sat.complaints(np.zeros(n), c, np.random.default_rng(1)).mean()
    assert abs(rate - 0.15) < 5 * np.sqrt(0.15 * 0.85 / n)


def test_experience_weight_halves_at_the_tenure_scale() -> None:
    """lambda0 / (1 + t / tau): 0.3 new, 0.15 at tau = 104 weeks, 0.05 at 520 weeks."""
    from model.params import CustomerParams
    from model.satisfaction import experience_weight

    c = CustomerParams(satisfaction_weight=0.3, satisfaction_tenure_weeks=104.0)
    np.testing.assert_allclose(experience_weight(np.array([0, 104, 520]), c), [0.3, 0.15, 0.05])
