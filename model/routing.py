"""Routing: which contacts go to the vendor.

Proportional routing sends a share alpha of the firm's contacts offshore at
random. Tiered routing keeps premium customers and data-sensitive (billing,
personal) contacts at home and sends a share alpha of the rest.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from model.population import PREMIUM


@njit(cache=True)
def route(firm_of: np.ndarray, segment: np.ndarray, sensitive: np.ndarray, alpha: np.ndarray,
          tiered: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean per contact: True when it goes to the vendor.

    ``firm_of``, ``segment`` and ``sensitive`` are per contact; ``alpha``
    (share routed to the vendor) and ``tiered`` per firm. A uniform is drawn
    only for contacts of firms that route some share offshore.
    """
    to_vendor = np.zeros(firm_of.size, np.bool_)
    for k in range(firm_of.size):
        f = firm_of[k]
        if alpha[f] > 0:
            go = rng.random() < alpha[f]
            if tiered[f]:
                go = go and segment[k] != PREMIUM and not sensitive[k]
            to_vendor[k] = go
    return to_vendor
