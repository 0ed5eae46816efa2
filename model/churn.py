"""Churn and switching.

Weekly hazard h = h0 r, with the relative hazard

    r = [(1 - sigma) + sigma exp(bS (Sref - S) + bI max(0, best rival image - own image))]
        x (rho_U if a problem is unresolved else 1)

and weekly churn probability 1 - exp(-h). Only the responsive share sigma of
the baseline hazard follows satisfaction and image: the rest of churn (price,
moves, involuntary; Keaveney 1995) does not. An unresolved problem multiplies
the whole hazard by rho_U once, not week after week (the sources give a total:
unresolved callers about twice as likely to defect, of which the satisfaction
path already carries part). The base hazard h0 is the weekly equivalent of the
market's monthly churn target divided by the mean of r in the all-at-home
steady state, fitted once per market preset and stored in model.baseline_hazard.
A churner picks a rival, or leaves the market, by multinomial logit over
images and prices (Gumbel-max draw).

``risk_score``, ``churn_probability`` and ``best_rival_image`` define the law;
the model draws with the compiled ``draw_churners`` (``weekly_probabilities``
is its probability), which the tests hold to the definition.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from model.params import CustomerParams
from model.sampling import log_q, skip


def monthly_to_weekly(monthly: float) -> float:
    """Weekly probability equivalent to a monthly one (52/12 weeks a month)."""
    return 1.0 - (1.0 - monthly) ** (12.0 / 52.0)


def weekly_to_monthly(weekly: float | np.ndarray) -> float | np.ndarray:
    """Monthly probability equivalent to a weekly one."""
    return 1.0 - (1.0 - np.asarray(weekly)) ** (52.0 / 12.0)


def risk_score(S: np.ndarray, unresolved: np.ndarray, own_image: np.ndarray,
               best_rival_image: np.ndarray, c: CustomerParams) -> np.ndarray:
    """The relative hazard r of each customer (1 = a satisfied customer at the reference)."""
    x = (c.churn_satisfaction_beta * (c.satisfaction_reference - S)
         + c.churn_image_beta * np.maximum(0.0, best_rival_image - own_image))
    responsive = (1.0 - c.churn_responsive_share) + c.churn_responsive_share * np.exp(x)
    return responsive * np.where(unresolved > 0, c.churn_unresolved_ratio, 1.0)


def churn_probability(base_hazard: float, score: np.ndarray) -> np.ndarray:
    """Weekly churn probability 1 - exp(-h0 score)."""
    return -np.expm1(-base_hazard * score)


@njit(cache=True)
def _linear(S: float, image: np.ndarray, firm: np.ndarray, i: int, s_ref: float, b_s: float,
            b_i: float) -> float:
    """Linear predictor x of the responsive part for customer ``i``.

    max(0, best rival image - own image) = highest image - own image: 0 when
    the own firm holds the highest image, otherwise the best rival holds it.
    """
    top = image[i, 0]
    for j in range(1, image.shape[1]):
        top = max(top, image[i, j])
    return b_s * (s_ref - S) + b_i * (top - image[i, firm[i]])


@njit(cache=True)
def _log_r(x: float, unresolved: int, log_u: float, sigma: float) -> float:
    """log r from the linear predictor: log[(1 - sigma) + sigma e^x] (+ log rho_U)."""
    log_r = math.log((1.0 - sigma) + sigma * math.exp(x)) if sigma < 1.0 else x
    return log_r + log_u if unresolved > 0 else log_r


@njit(cache=True)
def _linear_cut(log_cut: float, log_u: float, sigma: float) -> float:
    """The x at which log r reaches ``log_cut`` (r is increasing in x); -inf if always above."""
    if sigma >= 1.0:
        return log_cut - log_u
    if sigma <= 0.0:  # r does not depend on x: always above the cut, or never
        return -np.inf if log_u > log_cut else np.inf
    e = (math.exp(log_cut - log_u) - (1.0 - sigma)) / sigma
    return math.log(e) if e > 0 else -np.inf


@njit(cache=True)
def _predictor(S: float, unresolved: int, image: np.ndarray, firm: np.ndarray, i: int,
               s_ref: float, b_s: float, log_u: float, b_i: float, sigma: float) -> float:
    """log r of ``risk_score`` for customer ``i`` (``log_u`` = log rho_U)."""
    x = _linear(S, image, firm, i, s_ref, b_s, b_i)
    return _log_r(x, unresolved, log_u, sigma)


@njit(cache=True)
def _leave_probability(x: float, h0: float) -> float:
    """1 - exp(-h0 e^x): the weekly probability at linear predictor ``x``."""
    return -math.expm1(-h0 * math.exp(x))


class ChurnCoefficients(NamedTuple):
    """The customer parameters of the churn kernels (``coefficients``)."""

    s_ref: float   # reference satisfaction
    b_s: float     # beta_S
    log_u: float   # log rho_U
    b_i: float     # beta_I
    sigma: float   # responsive share


@njit(cache=True)
def weekly_probabilities(S: np.ndarray, unresolved: np.ndarray, image: np.ndarray,
                         firm: np.ndarray, h0: float, k: ChurnCoefficients) -> np.ndarray:
    """1 - exp(-h0 r) of every customer (NaN for prospects): ``draw_churners``' law."""
    s_ref, b_s, log_u, b_i, sigma = k.s_ref, k.b_s, k.log_u, k.b_i, k.sigma
    out = np.full(S.size, np.nan)
    for i in range(S.size):
        if firm[i] >= 0:
            x = _predictor(S[i], unresolved[i], image, firm, i, s_ref, b_s, log_u, b_i, sigma)
            out[i] = _leave_probability(x, h0)
    return out


def draw_churners(S: np.ndarray, unresolved: np.ndarray, image: np.ndarray, firm: np.ndarray,
                  tenure: np.ndarray, h0: float, k: ChurnCoefficients | np.ndarray,
                  rng: np.random.Generator) -> np.ndarray:
    """Indices (sorted) of the customers who leave their firm this week; tenure + 1 for all.

    Each customer leaves with probability p = 1 - exp(-h0 r), x = log r. Thinning
    keeps the transcendental functions off the bulk of the population: below
    a cut x_c (probability p_c, about 8 h0), a customer is a candidate with
    probability p_c (a Bernoulli sequence drawn by geometric skipping) and a
    candidate leaves with probability p / p_c, so p_c (p / p_c) = p; above
    the cut, p is computed and drawn directly. Only the linear predictor x of
    the responsive part is computed for everyone: r increases with x, so the
    cut on log r is a cut on x (one for customers with an unresolved problem,
    one for the others). ``k``: ``coefficients``, or that as a float array in field
    order (what the compiled loop takes: Numba types a NamedTuple on every call).
    """
    kf = k if isinstance(k, np.ndarray) else np.array(k, np.float64)
    return _draw_churners(S, unresolved, image, firm, tenure, float(h0), kf, rng)


@njit(cache=True)
def _draw_churners(S: np.ndarray, unresolved: np.ndarray, image: np.ndarray, firm: np.ndarray,
                   tenure: np.ndarray, h0: float, kf: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """``draw_churners`` compiled (``kf``: the ``ChurnCoefficients`` as floats)."""
    s_ref, b_s, log_u, b_i, sigma = kf[0], kf[1], kf[2], kf[3], kf[4]
    p_cut = min(0.5, 8.0 * h0)
    x_cut = math.log(-math.log1p(-p_cut) / h0) if h0 > 0 else np.inf
    lin_cut = (_linear_cut(x_cut, 0.0, sigma), _linear_cut(x_cut, log_u, sigma))
    log_cut = log_q(p_cut)
    out = np.empty(S.size, np.int64)
    n = 0
    candidate = skip(rng, log_cut)  # countdown over the customers below the cut
    for i in range(S.size):
        if firm[i] < 0:
            continue
        tenure[i] += 1
        lin = _linear(S[i], image, firm, i, s_ref, b_s, b_i)
        if lin > lin_cut[1 if unresolved[i] > 0 else 0]:
            x = _log_r(lin, unresolved[i], log_u, sigma)
            leave = rng.random() < _leave_probability(x, h0)
        else:
            candidate -= 1
            if candidate > 0:
                continue
            candidate = skip(rng, log_cut)
            x = _log_r(lin, unresolved[i], log_u, sigma)
            leave = rng.random() * p_cut < _leave_probability(x, h0)
        if leave:
            out[n] = i
            n += 1
    return out[:n]


def coefficients(c: CustomerParams) -> ChurnCoefficients:
    """The churn kernels' parameters of customer parameters ``c``."""
    return ChurnCoefficients(float(c.satisfaction_reference), float(c.churn_satisfaction_beta),
                             math.log(c.churn_unresolved_ratio), float(c.churn_image_beta),
                             float(c.churn_responsive_share))


@njit(cache=True)
def join(idx: np.ndarray, dest: np.ndarray, firm: np.ndarray, tenure: np.ndarray,
         unresolved: np.ndarray, aware: np.ndarray, satisfaction: np.ndarray,
         expectation: np.ndarray, reputation: np.ndarray, s_ref: float) -> np.ndarray:
    """Customers ``idx`` become customers of ``dest`` (or prospects, -1): a fresh
    relationship (tenure 0, no unresolved problem, unaware, satisfaction ``s_ref``, the
    expectation set to the new firm's ``reputation``, kept for a prospect). Returns the
    customers each firm gained. In index order: the values of the numpy assignments."""
    gained = np.zeros(reputation.size, np.int64)
    s = np.float32(s_ref)
    for j in range(idx.size):
        i, d = idx[j], dest[j]
        firm[i] = d
        tenure[i] = 0
        unresolved[i] = 0
        aware[i] = False
        satisfaction[i] = s
        if d >= 0:
            expectation[i] = reputation[d]
            gained[d] += 1
    return gained


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
