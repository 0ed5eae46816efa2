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


def image_gap(image: np.ndarray, firm: np.ndarray) -> np.ndarray:
    """max(0, best rival image - own image) of every row (float32; prospects: meaningless).

    Equals (highest image of any firm) - (own image): when the own firm holds
    the highest image the gap is 0, otherwise the best rival holds it. One
    pass per firm column, no gather of rows.
    """
    top = image[:, 0].copy()
    own = np.zeros(firm.shape, image.dtype)
    for j in range(image.shape[1]):
        col = image[:, j]
        if j:
            np.maximum(top, col, out=top)
        own += col * (firm == j)  # col where firm == j, else + 0: exact
    return np.subtract(top, own, out=top)


def weekly_churn_probability(S: np.ndarray, unresolved: np.ndarray, gap: np.ndarray,
                             base_hazard: float, c: CustomerParams) -> np.ndarray:
    """1 - exp(-h0 risk_score) of every row, in float32 and in place (the model's kernel).

    The formula of ``churn_probability(base_hazard, risk_score(...))`` with
    ``gap`` = max(0, best rival image - own image) (``image_gap``), computed
    in single precision (the inputs are float32). Overwrites ``gap``.
    """
    f32 = np.float32
    x = np.subtract(f32(c.satisfaction_reference), S, dtype=f32)
    x *= f32(c.churn_satisfaction_beta)
    gap *= f32(c.churn_image_beta)
    x += gap
    np.minimum(unresolved, UNRESOLVED_CAP, out=gap, casting="unsafe")
    gap *= f32(c.churn_unresolved_beta)
    x += gap
    np.exp(x, out=x)
    x *= f32(-base_hazard)
    np.expm1(x, out=x)
    return np.negative(x, out=x)


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
