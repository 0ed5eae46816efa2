"""Seed derivation shared by sweeps and the research reproduction.

A run's seed is an integer derived from a child of a ``numpy.random.SeedSequence``:
63 bits of the child's state, so the seed fits a signed 64-bit Parquet column and
``offshoring run --seed S`` repeats the run.
"""

from __future__ import annotations

import numpy as np


def seed_ints(root: int | np.random.SeedSequence, n: int) -> list[int]:
    """Integer seeds of children 0..n-1 of ``root`` (an entropy or a ``SeedSequence``)."""
    seq = root if isinstance(root, np.random.SeedSequence) else np.random.SeedSequence(root)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in seq.spawn(n)]
