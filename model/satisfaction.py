"""Satisfaction by expectation disconfirmation, with anchoring and adjustment.

Transaction satisfaction s = q + d (q - E) (performance plus disconfirmation,
Oliver), clipped to [0, 1]. Cumulative satisfaction S <- (1 - lambda) S +
lambda s (anchoring and adjustment, Bolton 1998), where the weight of a new
experience falls with the length of the relationship: lambda = lambda0 /
(1 + tenure / tau) (Bolton: long-tenure customers weigh prior cumulative
satisfaction more). Expectation E moves toward a mix of the firm's
reputation and the experienced quality. Dissatisfied customers complain with
a small probability.

These are the defining formulas; the model applies them contact by contact
inside ``service.serve_contacts``, which the tests hold to them.
"""

from __future__ import annotations

import numpy as np

from model.params import CustomerParams


def transaction_satisfaction(quality: np.ndarray, expectation: np.ndarray, weight: float
                             ) -> np.ndarray:
    """s = clip(q + weight (q - E), 0, 1)."""
    return np.clip(quality + weight * (quality - expectation), 0.0, 1.0)


def update_cumulative(S: np.ndarray, s: np.ndarray, weight: float | np.ndarray
                      ) -> np.ndarray:
    """Anchoring and adjustment: S <- (1 - weight) S + weight s."""
    return (1.0 - weight) * S + weight * s


def experience_weight(tenure: np.ndarray, c: CustomerParams) -> np.ndarray:
    """lambda = lambda0 / (1 + tenure / tau): weight of a new contact by tenure (weeks)."""
    return c.satisfaction_weight / (1.0 + np.asarray(tenure) / c.satisfaction_tenure_weeks)


def update_expectation(E: np.ndarray, quality: np.ndarray, reputation: np.ndarray,
                       c: CustomerParams) -> np.ndarray:
    """E moves a share ``expectation_rate`` toward anchor*reputation + (1-anchor)*quality."""
    target = c.expectation_anchor * reputation + (1.0 - c.expectation_anchor) * quality
    return E + c.expectation_rate * (target - E)


def complaints(s: np.ndarray, c: CustomerParams, rng: np.random.Generator) -> np.ndarray:
    """Boolean per experience: a formal complaint (dissatisfied and chooses to complain)."""
    return (s < c.dissatisfied_below) & (rng.random(s.size) < c.complaint_prob)
