"""Routing: which contacts go to the vendor.

Proportional routing sends a share alpha of the firm's contacts offshore at
random. Tiered routing keeps premium customers and data-sensitive (billing,
personal) contacts at home and sends a share alpha of the rest.
"""

from __future__ import annotations

import numpy as np

from model.population import PREMIUM


def route(alpha: float, tiered: bool, segment: np.ndarray, sensitive: np.ndarray,
          rng: np.random.Generator) -> np.ndarray:
    """Boolean per contact: True when it goes to the vendor."""
    to_vendor = rng.random(segment.size) < alpha
    if tiered:
        to_vendor &= (segment != PREMIUM) & ~sensitive
    return to_vendor
