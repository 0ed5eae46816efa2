"""Churn and switching.

Weekly hazard h = h0 exp(bS (Sref - S) + bU min(U, 3) + bI max(0, best rival image -
own image)); weekly churn probability 1 - exp(-h). The base hazard h0 is the
weekly equivalent of the market's monthly churn target divided by the mean of
the exponential term in the all-at-home steady state, fitted once per market
preset and stored in model.calibration. A churner picks a rival, or leaves the
market, by multinomial logit over images and prices (Gumbel-max draw).
"""

from __future__ import annotations

import numpy as np

from model.params import CustomerParams

UNRESOLVED_CAP = 3


def monthly_to_weekly(monthly: float) -> float:
    """Weekly probability equivalent to a monthly one (52/12 weeks a month)."""
    return 1.0 - (1.0 - monthly) ** (12.0 / 52.0)


def weekly_to_monthly(weekly: float | np.ndarray) -> float | np.ndarray:
    """Monthly probability equivalent to a weekly one."""
    return 1.0 - (1.0 - np.asarray(weekly)) ** (52.0 / 12.0)


def risk_score(S: np.ndarray, unresolved: np.ndarray, own_image: np.ndarray,
               best_rival_image: np.ndarray, c: CustomerParams) -> np.ndarray:
    """exp(linear predictor): the relative hazard of each customer (1 = reference)."""
    x = (c.churn_satisfaction_beta * (c.satisfaction_reference - S)
         + c.churn_unresolved_beta * np.minimum(unresolved, UNRESOLVED_CAP)
         + c.churn_image_beta * np.maximum(0.0, best_rival_image - own_image))
    return np.exp(x)


def churn_probability(base_hazard: float, score: np.ndarray) -> np.ndarray:
    """Weekly churn probability 1 - exp(-h0 score)."""
    return -np.expm1(-base_hazard * score)


def best_rival_image(image: np.ndarray, firm: np.ndarray) -> np.ndarray:
    """Highest image among the firms other than each customer's own."""
    masked = image.copy()
    masked[np.arange(firm.size), firm] = -np.inf
    return masked.max(axis=1)


def logit_choice(utility: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Column index chosen per row by multinomial logit (argmax of utility + Gumbel noise)."""
    return np.argmax(utility + rng.gumbel(size=utility.shape), axis=1)


def logit_shares(utility: np.ndarray) -> np.ndarray:
    """Choice probabilities of a multinomial logit (softmax over the last axis)."""
    z = np.exp(utility - utility.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def destination_utility(image: np.ndarray, own: np.ndarray, prices: np.ndarray,
                        c: CustomerParams) -> np.ndarray:
    """Utility of each firm (own excluded) plus a last column for leaving the market.

    ``prices`` is (n, M): the weekly price each customer would pay at each firm.
    """
    u = c.logit_image * image - c.logit_price * prices
    u[np.arange(own.size), own] = -np.inf
    leave = np.full((own.size, 1), c.leave_utility)
    return np.hstack([u, leave])
