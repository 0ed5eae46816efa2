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
    """image <- image + memory (baseline - image), in place.

    Column by column: broadcasting a length-M baseline over (n, M) runs an
    inner loop of M elements per row, several times slower (same rounding).
    """
    b = base.astype(image.dtype)
    for j in range(image.shape[1]):
        col = image[:, j]
        gap = b[j] - col
        gap *= memory
        col += gap


def update_reputation(reputation: np.ndarray, image: np.ndarray, rate: float) -> np.ndarray:
    """Reputation moves a share ``rate`` toward the population's mean image of each firm.

    The mean is accumulated in float64 (pairwise, column by column): a float32
    running sum over a million customers drifts by ~1e-5.
    """
    mean = np.array([image[:, j].mean(dtype=np.float64) for j in range(image.shape[1])])
    return reputation + rate * (mean - reputation)
