"""Word of mouth on the social network, and news events that reach everyone.

A customer with a salient experience (transaction satisfaction below
``dissatisfied_below`` or above ``satisfied_above``) tells each neighbour with
a probability per tie (dissatisfied customers talk more per person; weak ties
talk less). Every message moves the receiver's image of the talker's firm a
share ``wom_influence`` toward 1 (positive) or 0 (negative). Transmission is
one Bernoulli trial per tie of the talkers, drawn as a binomial count of
messages placed among their ties, so the cost grows with the messages sent,
not with the population or the talkers' degrees.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.network import SocialNetwork
from model.params import CustomerParams


def tie_positions(adj: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions in ``adj.indices`` of every tie of ``rows``, row by row; cumulative ends).

    Row k's ties are ``positions[ends[k] - degree_k : ends[k]]``.
    """
    starts = adj.indptr[rows].astype(np.intp)
    lengths = adj.indptr[rows + 1] - starts
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if ends.size else 0
    return np.arange(total) + np.repeat(starts - (ends - lengths), lengths), ends


def neighbours(adj: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(source position in ``rows``, neighbour index) for every tie of the given rows."""
    pos, ends = tie_positions(adj, rows)
    src = np.repeat(np.arange(rows.size), np.diff(ends, prepend=0))
    return src, adj.indices[pos]


def bernoulli_ties(adj: sp.csr_matrix, rows: np.ndarray, p: float | list[tuple[int, float]],
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(position in ``rows``, neighbour) of every tie of ``rows`` that fires.

    One independent Bernoulli trial per tie, drawn as a binomial number of
    successes placed uniformly without replacement among the rows' ties (the
    same law): the cost grows with the ties that fire, not with all the ties
    of the rows. ``p`` is one probability, or blocks ``[(k1, p1), (k2, p2),
    ...]``: the first k1 rows fire with p1, the next k2 with p2, and so on.
    """
    starts = adj.indptr[rows].astype(np.intp)
    lengths = adj.indptr[rows + 1] - starts
    ends = np.cumsum(lengths)
    hits = []
    first = 0
    for k, prob in ([(rows.size, p)] if np.isscalar(p) else p):
        lo = int(ends[first - 1]) if first else 0
        total = (int(ends[first + k - 1]) if k else lo) - lo
        if total and prob > 0:
            hits.append(lo + rng.choice(total, size=rng.binomial(total, prob), replace=False))
        first += k
    hit = np.concatenate(hits) if hits else np.empty(0, np.intp)
    row = np.searchsorted(ends, hit, side="right")
    return row, adj.indices[starts[row] + hit - (ends[row] - lengths[row])]


def messages(net: SocialNetwork, talkers: np.ndarray, p_strong: float, p_weak: float,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(talker, receiver) pairs of the messages that get through this week.

    Each tie of each talker carries a message with probability ``p_strong``
    or ``p_weak`` (``bernoulli_ties``).
    """
    out_t, out_r = [], []
    for adj, p in ((net.strong, p_strong), (net.weak, p_weak)):
        if p <= 0 or talkers.size == 0:
            continue
        row, receiver = bernoulli_ties(adj, talkers, p, rng)
        out_t.append(talkers[row])
        out_r.append(receiver)
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

    Positive talkers tell each strong tie with ``wom_pos_prob``, negative ones
    with ``wom_neg_prob`` (weak ties: times ``weak_tie_factor``); both are drawn
    together, tie strength by tie strength. Positive messages are applied
    before negative ones. Returns the numbers of positive and negative
    messages delivered.
    """
    pos = talkers[s > c.satisfied_above]
    neg = talkers[s < c.dissatisfied_below]
    who = np.concatenate((pos, neg))
    sent = {True: ([], []), False: ([], [])}
    for adj, factor in ((net.strong, 1.0), (net.weak, c.weak_tie_factor)):
        blocks = [(pos.size, c.wom_pos_prob * factor), (neg.size, c.wom_neg_prob * factor)]
        row, receiver = bernoulli_ties(adj, who, blocks, rng)
        positive = row < pos.size
        for flag in (True, False):
            mine = positive == flag
            sent[flag][0].append(who[row[mine]])
            sent[flag][1].append(receiver[mine])
    counts = []
    for flag in (True, False):
        t, r = np.concatenate(sent[flag][0]), np.concatenate(sent[flag][1])
        apply_messages(image, r, firm[t].astype(np.int64), flag, c.wom_influence)
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
