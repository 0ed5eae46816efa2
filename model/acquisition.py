"""Acquisition of prospects (Goldenberg, Libai & Muller 2001 form).

A prospect adopts with probability 1 - (1 - a)(1 - b_s)^{n_s}(1 - b_w)^{n_w},
n_s and n_w its strong- and weak-tie neighbours who are satisfied customers of
some firm, then chooses a firm by multinomial logit over its images and prices.
"""

from __future__ import annotations

import numpy as np

from model.network import SocialNetwork
from model.word_of_mouth import neighbours


def adoption_probability(a: float, b_strong: float, b_weak: float, n_strong: np.ndarray,
                         n_weak: np.ndarray) -> np.ndarray:
    """P = 1 - (1 - a)(1 - b_s)^n_s (1 - b_w)^n_w."""
    return 1.0 - (1.0 - a) * (1.0 - b_strong) ** n_strong * (1.0 - b_weak) ** n_weak


def satisfied_neighbour_counts(net: SocialNetwork, prospects: np.ndarray,
                               satisfied_user: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(strong, weak) counts of satisfied-customer neighbours of each prospect."""
    out = []
    for adj in (net.strong, net.weak):
        src, dst = neighbours(adj, prospects)
        out.append(np.bincount(src, weights=satisfied_user[dst], minlength=prospects.size))
    return out[0], out[1]
