"""Perception of offshore service beyond the service itself: awareness and its fading.

The offshore satisfaction gap emerges from the simulated service (resolution,
comprehension, orientation, waiting, learning). What is left for perception is
a residual: a customer who knows the agent is abroad subtracts
``awareness_bias`` x ethnocentrism from the quality of the experience
(``service.awareness_bias``; sized in docs/ODD.md as the part of the CFI
"believed offshore" gap that the worse calls do not explain). A customer
notices on an offshore contact (always when the agent is not understood) or
through a news story; the knowledge fades when nothing reminds the customer.
"""

from __future__ import annotations

import numpy as np


def fade_awareness(aware: np.ndarray, rate: float, rng: np.random.Generator) -> None:
    """Each aware customer forgets with weekly probability ``rate`` (in place).

    One uniform is drawn per aware customer, none for the others.
    """
    if rate <= 0:
        return
    idx = np.flatnonzero(aware)
    if idx.size:
        aware[idx[rng.random(idx.size) < rate]] = False
