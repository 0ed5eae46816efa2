"""Bernoulli sequences drawn by geometric skipping, for the compiled customer kernels.

A sequence of independent trials with success probability p has
geometrically distributed gaps between successes, so instead of one uniform
per trial a kernel draws one uniform per success: the number of trials up
to and including the next success is floor(log u / log(1 - p)) + 1 with u
uniform on (0, 1]. The law of every trial is unchanged, and the cost grows
with the successes (contacts, messages, adoptions), not with the trials.
Because the geometric law is memoryless a kernel may also restart a
countdown at any trial.

The kernels are compiled with Numba (``njit(cache=True)``: compiled once,
then loaded from ``__pycache__``) and draw from the run's own
``numpy.random.Generator``, which Numba shares with numpy: one stream per
run, as everywhere else in the model.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

NEVER = 2**62  # a countdown that does not end within any population


@njit(cache=True)
def log_q(p: float) -> float:
    """log(1 - p), the argument ``skip`` takes (0 for p <= 0, -inf for p >= 1)."""
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return -np.inf
    return math.log1p(-p)


@njit(cache=True)
def skip(rng: np.random.Generator, log_1mp: float) -> int:
    """Trials up to and including the next success (1, 2, ...) at log(1 - p) = ``log_1mp``."""
    if log_1mp == 0.0:
        return NEVER
    if log_1mp == -np.inf:
        return 1
    k = math.log(1.0 - rng.random()) / log_1mp
    return NEVER if k >= NEVER else int(k) + 1
