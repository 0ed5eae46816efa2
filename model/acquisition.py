"""Acquisition of prospects (Goldenberg, Libai & Muller 2001 form).

A prospect adopts with probability 1 - (1 - a)(1 - b_s)^{n_s}(1 - b_w)^{n_w},
n_s and n_w its strong- and weak-tie neighbours who are satisfied customers of
some firm, then chooses a firm by multinomial logit over its images and prices.
``adoption_probability`` and ``satisfied_neighbour_counts`` define the law; the
model draws adopters with the compiled ``adopters``, tested against them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.network import SocialNetwork
from model.population import PROSPECT
from model.sampling import log_q, skip


def adoption_probability(a: float, b_strong: float, b_weak: float, n_strong: np.ndarray,
                         n_weak: np.ndarray) -> np.ndarray:
    """P = 1 - (1 - a)(1 - b_s)^n_s (1 - b_w)^n_w."""
    return 1.0 - (1.0 - a) * (1.0 - b_strong) ** n_strong * (1.0 - b_weak) ** n_weak


def adopters(net: SocialNetwork, firm: np.ndarray, satisfaction: np.ndarray,
             satisfied_above: float, a: float, b_strong: float, b_weak: float,
             rng: np.random.Generator) -> np.ndarray:
    """The prospects (``firm`` = PROSPECT) who adopt this week, with ``adoption_probability``'s law.

    1 - (1 - a)(1 - b_s)^n_s (1 - b_w)^n_w is the chance that at least one of
    independent events happens: advertising reaches the prospect (a), or a
    tie to a satisfied customer (a customer of some firm with satisfaction
    above ``satisfied_above``) persuades it (b_s, b_w per tie). Each is a
    Bernoulli sequence drawn by geometric skipping, over the prospects and
    over their ties one after the other (model.sampling), in one compiled
    pass: only the ties that fire are looked at.
    """
    return _adopters(net.strong.indptr, net.strong.indices, net.weak.indptr, net.weak.indices,
                     firm, satisfaction, satisfied_above, a, b_strong, b_weak, rng)


@njit(cache=True)
def _adopters(strong_ptr: np.ndarray, strong_idx: np.ndarray, weak_ptr: np.ndarray,
              weak_idx: np.ndarray, firm: np.ndarray, satisfaction: np.ndarray, above: float,
              a: float, b_strong: float, b_weak: float, rng: np.random.Generator) -> np.ndarray:
    log_a, log_s, log_w = log_q(a), log_q(b_strong), log_q(b_weak)
    out = np.empty(firm.size, np.int64)
    k = 0
    ad, strong, weak = skip(rng, log_a), skip(rng, log_s), skip(rng, log_w)  # countdowns
    for i in range(firm.size):
        if firm[i] != PROSPECT:
            continue
        ad -= 1
        adopt = ad == 0
        if adopt:
            ad = skip(rng, log_a)
        persuaded, strong = _fired(strong_ptr, strong_idx, i, strong, firm, satisfaction, above,
                                   log_s, rng)
        adopt |= persuaded
        persuaded, weak = _fired(weak_ptr, weak_idx, i, weak, firm, satisfaction, above, log_w,
                                 rng)
        adopt |= persuaded
        if adopt:
            out[k] = i
            k += 1
    return out[:k]


@njit(cache=True)
def _fired(indptr: np.ndarray, indices: np.ndarray, i: int, countdown: int, firm: np.ndarray,
           satisfaction: np.ndarray, above: float, log_1mp: float, rng: np.random.Generator
           ) -> tuple[bool, int]:
    """(whether a firing tie of ``i`` reaches a satisfied customer, the countdown after i's ties).

    ``countdown`` counts the trials to the next firing tie from ``i``'s first tie on.
    """
    start, degree = indptr[i], indptr[i + 1] - indptr[i]
    persuaded = False
    while countdown <= degree:
        r = indices[start + countdown - 1]
        persuaded |= firm[r] != PROSPECT and satisfaction[r] > above
        countdown += skip(rng, log_1mp)
    return persuaded, countdown - degree


def satisfied_neighbour_counts(net: SocialNetwork, prospects: np.ndarray,
                               satisfied_user: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(strong, weak) counts of satisfied-customer neighbours of each prospect (float).

    ``satisfied_user`` is a 0/1 (or boolean) flag per customer: the counts are
    sparse matrix-vector products over the prospects' rows.
    """
    flag = np.asarray(satisfied_user, dtype=float)
    return (np.asarray(net.strong[prospects] @ flag).ravel(),
            np.asarray(net.weak[prospects] @ flag).ravel())
