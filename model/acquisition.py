"""Acquisition of prospects (Goldenberg, Libai & Muller 2001 form).

A prospect adopts with probability 1 - (1 - a)(1 - b_s)^{n_s}(1 - b_w)^{n_w},
n_s and n_w its strong- and weak-tie neighbours who are satisfied customers of
some firm, then chooses a firm by multinomial logit over its images and prices.
"""

from __future__ import annotations

import numpy as np

from model.network import SocialNetwork
from model.word_of_mouth import bernoulli_ties, tie_positions


def adoption_probability(a: float, b_strong: float, b_weak: float, n_strong: np.ndarray,
                         n_weak: np.ndarray) -> np.ndarray:
    """P = 1 - (1 - a)(1 - b_s)^n_s (1 - b_w)^n_w."""
    return 1.0 - (1.0 - a) * (1.0 - b_strong) ** n_strong * (1.0 - b_weak) ** n_weak


def adopters(net: SocialNetwork, prospects: np.ndarray, satisfied_user: np.ndarray, a: float,
             b_strong: float, b_weak: float, rng: np.random.Generator) -> np.ndarray:
    """The prospects who adopt this week, with ``adoption_probability``'s law.

    1 - (1 - a)(1 - b_s)^n_s (1 - b_w)^n_w is the chance that at least one of
    independent events happens: advertising reaches the prospect (a), or a
    tie to a satisfied customer persuades it (b_s, b_w per tie). The ties
    that fire are drawn directly (``bernoulli_ties``), so only they are looked
    at, not every tie of every prospect.
    """
    adopt = rng.random(prospects.size) < a
    for adj, b in ((net.strong, b_strong), (net.weak, b_weak)):
        if b > 0:
            row, neighbour = bernoulli_ties(adj, prospects, b, rng)
            adopt[row[satisfied_user[neighbour]]] = True
    return prospects[adopt]


def satisfied_neighbour_counts(net: SocialNetwork, prospects: np.ndarray,
                               satisfied_user: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(strong, weak) counts of satisfied-customer neighbours of each prospect (float).

    ``satisfied_user`` is a 0/1 (or boolean) flag per customer; the counts
    are whole numbers, counted without weights.
    """
    flag = np.asarray(satisfied_user).astype(bool, copy=False)
    out = []
    for adj in (net.strong, net.weak):
        pos, ends = tie_positions(adj, prospects)
        running = np.zeros(pos.size + 1, np.intp)  # satisfied ties so far, row after row
        np.cumsum(flag[adj.indices[pos]], out=running[1:])
        out.append((running[ends] - running[ends - np.diff(ends, prepend=0)]).astype(float))
    return out[0], out[1]
