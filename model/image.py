"""Image memory: images fade toward a firm baseline set by brand equity and reputation.

baseline = (1 - rho) x brand equity + rho x reputation, where brand equity is
set by advertising and reputation follows the population's mean image slowly.
With rho < 1 the loop image -> reputation -> baseline is stable.
"""

from __future__ import annotations

import numpy as np

REPUTATION_IN_BASELINE = 0.5  # rho


def brand_equity(advertising: float, effect: float) -> float:
    """Image baseline that advertising alone sustains (0-1)."""
    return float(np.clip(0.55 + effect * advertising, 0.0, 1.0))


def baseline(equity: np.ndarray, reputation: np.ndarray) -> np.ndarray:
    """Per-firm baseline the images decay toward."""
    return (1 - REPUTATION_IN_BASELINE) * equity + REPUTATION_IN_BASELINE * reputation


def decay(image: np.ndarray, base: np.ndarray, memory: float) -> None:
    """image <- image + memory (baseline - image) = (1 - memory) image + memory baseline.

    In place, in two passes and no temporary (fast on the column-major
    population matrix, where each firm's images are contiguous).
    """
    image *= image.dtype.type(1.0 - memory)
    image += (memory * base).astype(image.dtype)[None, :]


def column_sums(image: np.ndarray) -> list[float]:
    """Each firm's image summed over the population (pairwise, per column)."""
    return [float(image[:, j].sum()) for j in range(image.shape[1])]


def update_reputation(reputation: np.ndarray, image: np.ndarray, rate: float,
                      sums: list[float] | None = None) -> np.ndarray:
    """Reputation moves a share ``rate`` toward the population's mean image of each firm.

    Each column is summed pairwise (a float32 running sum over a million
    customers drifts by ~1e-5; pairwise summation keeps ~1e-7). ``sums``: the
    ``column_sums`` of ``image`` when already computed.
    """
    n = image.shape[0]
    if sums is None:
        sums = column_sums(image)
    mean = np.array([total / n for total in sums])
    return reputation + rate * (mean - reputation)
