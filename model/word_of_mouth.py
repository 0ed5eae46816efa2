"""Word of mouth on the social network, and news events that reach everyone.

A customer with a salient experience (transaction satisfaction below
``dissatisfied_below`` or above ``satisfied_above``) tells each neighbour with
a probability per tie (dissatisfied customers talk more per person; weak ties
talk less). Every message moves the receiver's image of the talker's firm a
share ``wom_influence`` toward 1 (positive) or 0 (negative). Transmission is
one Bernoulli trial per tie of the talkers, drawn by geometric skipping along
the talkers' ties one after the other (model.sampling) in one compiled pass,
so the cost grows with the messages sent, not with the talkers' degrees.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.network import SocialNetwork
from model.params import CustomerParams
from model.sampling import log_q, skip


def spread(image: np.ndarray, net: SocialNetwork, firm: np.ndarray, s: np.ndarray,
           talkers: np.ndarray, c: CustomerParams, rng: np.random.Generator) -> tuple[int, int]:
    """One week of word of mouth from customers ``talkers`` with satisfaction ``s``.

    Positive talkers tell each strong tie with ``wom_pos_prob``, negative ones
    with ``wom_neg_prob`` (weak ties: times ``weak_tie_factor``). Positive
    messages are applied before negative ones; k messages of one sign to one
    receiver leave 1 - (1 - image)(1 - w)^k (positive) or image (1 - w)^k
    (negative), w = ``wom_influence``. Updates ``image`` in place and returns
    the numbers of positive and negative messages delivered.
    """
    weak = c.weak_tie_factor
    sent = _spread(image, net.strong.indptr, net.strong.indices, net.weak.indptr,
                   net.weak.indices, firm, s, np.asarray(talkers, np.int64), c.satisfied_above,
                   c.dissatisfied_below, log_q(c.wom_pos_prob), log_q(c.wom_pos_prob * weak),
                   log_q(c.wom_neg_prob), log_q(c.wom_neg_prob * weak),
                   1.0 - c.wom_influence, rng)
    return int(sent[0]), int(sent[1])


@njit(cache=True)
def _spread(image: np.ndarray, strong_ptr: np.ndarray, strong_idx: np.ndarray,
            weak_ptr: np.ndarray, weak_idx: np.ndarray, firm: np.ndarray, s: np.ndarray,
            talkers: np.ndarray, above: float, below: float, log_pos_strong: float,
            log_pos_weak: float, log_neg_strong: float, log_neg_weak: float, keep: float,
            rng: np.random.Generator) -> np.ndarray:
    """``spread`` in one compiled call: positive talkers on strong then weak ties, then
    negative talkers likewise (``_tell`` each; messages sent per sign)."""
    sent = np.zeros(2, np.int64)
    pos = talkers[s > above]
    neg = talkers[s < below]
    sent[0] += _tell(image, strong_ptr, strong_idx, pos, firm, log_pos_strong, True, keep, rng)
    sent[0] += _tell(image, weak_ptr, weak_idx, pos, firm, log_pos_weak, True, keep, rng)
    sent[1] += _tell(image, strong_ptr, strong_idx, neg, firm, log_neg_strong, False, keep, rng)
    sent[1] += _tell(image, weak_ptr, weak_idx, neg, firm, log_neg_weak, False, keep, rng)
    return sent


@njit(cache=True)
def _tell(image: np.ndarray, indptr: np.ndarray, indices: np.ndarray, talkers: np.ndarray,
          firm: np.ndarray, log_1mp: float, positive: bool, keep: float,
          rng: np.random.Generator) -> int:
    """Messages along the ties of ``talkers`` (one strength, one sign); returns how many.

    One countdown runs over the talkers' ties one after the other: the trials
    to the next tie that fires.
    """
    n = 0
    countdown = skip(rng, log_1mp)
    for t in talkers:
        start, degree = indptr[t], indptr[t + 1] - indptr[t]
        f = firm[t]
        if f < 0:  # not a customer: says nothing (the countdown stays geometric)
            continue
        while countdown <= degree:
            r = indices[start + countdown - 1]
            if positive:
                image[r, f] = 1.0 - (1.0 - image[r, f]) * keep
            else:
                image[r, f] = image[r, f] * keep
            n += 1
            countdown += skip(rng, log_1mp)
        countdown -= degree
    return n


def news(image: np.ndarray, firm: int, salience: float, reach: float,
         ethnocentrism: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A news story about ``firm`` lowers the image held by a share ``reach`` of everyone.

    The loss is salience x (0.5 + ethnocentrism): prejudiced customers react more.
    Returns the boolean mask of customers reached.
    """
    reached = rng.random(image.shape[0]) < reach
    loss = salience * (0.5 + ethnocentrism[reached])
    image[reached, firm] = np.clip(image[reached, firm] - loss, 0.0, 1.0)
    return reached
