"""Word of mouth on the social network, and news events that reach everyone.

A customer with a salient experience (transaction satisfaction below
``dissatisfied_below`` or above ``satisfied_above``) tells each neighbour with
a probability per tie (dissatisfied customers talk more per person; weak ties
talk less). Every message moves the receiver's image of the talker's firm a
share ``wom_influence`` toward 1 (positive) or 0 (negative). Transmission is
drawn edge by edge over the talkers' rows of the sparse adjacency, so the cost
grows with the number of talkers, not with the population.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.network import SocialNetwork
from model.params import CustomerParams


def neighbours(adj: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(source position in ``rows``, neighbour index) for every tie of the given rows."""
    starts, ends = adj.indptr[rows], adj.indptr[rows + 1]
    lengths = ends - starts
    src = np.repeat(np.arange(rows.size), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return src, adj.indices[np.repeat(starts, lengths) + offsets]


def messages(net: SocialNetwork, talkers: np.ndarray, p_strong: float, p_weak: float,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(talker, receiver) pairs of the messages that get through this week."""
    out_t, out_r = [], []
    for adj, p in ((net.strong, p_strong), (net.weak, p_weak)):
        if p <= 0 or talkers.size == 0:
            continue
        src, dst = neighbours(adj, talkers)
        sent = rng.random(dst.size) < p
        out_t.append(talkers[src[sent]])
        out_r.append(dst[sent])
    if not out_t:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(out_t), np.concatenate(out_r)


def apply_messages(image: np.ndarray, receivers: np.ndarray, firms: np.ndarray,
                   positive: bool, influence: float) -> None:
    """Move ``image[receiver, firm]`` toward 1 or 0, once per message (in place)."""
    if receivers.size == 0:
        return
    m = image.shape[1]
    key = receivers.astype(np.int64) * m + firms
    uniq, k = np.unique(key, return_counts=True)
    r, f = np.divmod(uniq, m)
    keep = (1.0 - influence) ** k
    if positive:
        image[r, f] = 1.0 - (1.0 - image[r, f]) * keep
    else:
        image[r, f] = image[r, f] * keep


def spread(image: np.ndarray, net: SocialNetwork, firm: np.ndarray, s: np.ndarray,
           talkers: np.ndarray, c: CustomerParams, rng: np.random.Generator) -> tuple[int, int]:
    """One week of word of mouth from customers ``talkers`` with satisfaction ``s``.

    Returns the numbers of positive and negative messages delivered.
    """
    counts = []
    for positive in (True, False):
        sel = s > c.satisfied_above if positive else s < c.dissatisfied_below
        who = talkers[sel]
        p = c.wom_pos_prob if positive else c.wom_neg_prob
        t, r = messages(net, who, p, p * c.weak_tie_factor, rng)
        apply_messages(image, r, firm[t].astype(np.int64), positive, c.wom_influence)
        counts.append(int(r.size))
    return counts[0], counts[1]


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
