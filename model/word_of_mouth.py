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
    sent = np.zeros(2, np.int64)
    talkers = np.asarray(talkers, np.int64)
    for sign, mask, p in ((0, s > c.satisfied_above, c.wom_pos_prob),
                          (1, s < c.dissatisfied_below, c.wom_neg_prob)):
        who = talkers[mask]
        for adj, factor in ((net.strong, 1.0), (net.weak, c.weak_tie_factor)):
            sent[sign] += _tell(image, adj.indptr, adj.indices, who, firm, log_q(p * factor),
                                sign == 0, 1.0 - c.wom_influence, rng)
    return int(sent[0]), int(sent[1])


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
