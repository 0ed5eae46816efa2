"""Workforce dynamics shared by home staff and vendor cohorts.

Learning curve, attrition hazards, morale (survivor syndrome), strikes during
a notice period, knowledge transfer and staff acceptance of the offshore site.
All rates are per week unless named otherwise.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def weekly_prob(annual_rate: float | np.ndarray) -> float | np.ndarray:
    """Weekly probability of an event with annual hazard ``annual_rate`` (1 - e^{-r/52})."""
    return -np.expm1(-np.asarray(annual_rate, dtype=float) / 52.0)


@lru_cache(maxsize=256)
@lru_cache(maxsize=256)
def learning_tau(initial: float, ramp_weeks: float) -> float:
    """Time constant (weeks) so that proficiency reaches 0.9 after ``ramp_weeks``
    (remembered: a site's curve is read every week)."""
    if initial >= 0.9:
        return max(ramp_weeks, 1e-6) / 2.302585
    return ramp_weeks / np.log((1.0 - initial) / 0.1)


def proficiency(experience_weeks: float | np.ndarray, initial: float, ramp_weeks: float
                ) -> float | np.ndarray:
    """Learning curve: 1 - (1 - p0) exp(-w / tau), from p0 at week 0 to 0.9 at the ramp."""
    tau = learning_tau(initial, ramp_weeks)
    return 1.0 - (1.0 - initial) * np.exp(-np.asarray(experience_weeks, dtype=float) / tau)


def attrition_prob(annual_rate: float, morale: float | np.ndarray, factor: float
                   ) -> float | np.ndarray:
    """Weekly leaving probability: the site's rate times 1 + factor (1 - morale)."""
    return weekly_prob(annual_rate * (1.0 + factor * (1.0 - np.asarray(morale))))


def recover_morale(morale: float | np.ndarray, rate: float) -> float | np.ndarray:
    """Morale moves a share ``rate`` of the way back to 1 each week."""
    return morale + rate * (1.0 - np.asarray(morale))


def announcement_morale(morale: float | np.ndarray, drop: float, communication: float
                        ) -> float | np.ndarray:
    """Survivor syndrome: morale falls by ``drop`` less the share removed by communication."""
    return np.clip(np.asarray(morale) - drop * (1.0 - communication), 0.0, 1.0)


def strike_probability(mean_morale: float, base: float, communication: float) -> float:
    """Weekly strike probability in the notice period: base (1 - morale) (1 - comm)."""
    return float(np.clip(base * (1.0 - mean_morale) * (1.0 - communication), 0.0, 1.0))


def transfer_quality(mean_morale: float, mean_acceptance: float) -> float:
    """Share of the knowledge-transfer weeks the vendor's first cohort really gains.

    Resistance (low morale, low acceptance) of the leaving staff lowers it.
    """
    return float(np.clip(0.5 * mean_morale + 0.5 * (0.5 + 0.5 * mean_acceptance), 0.0, 1.0))


def update_acceptance(acceptance: float | np.ndarray, quality_gap: float, rate: float,
                      tolerance: float) -> float | np.ndarray:
    """Acceptance rises toward 1 as the vendor's quality approaches home quality.

    Target = 1 - gap / tolerance (clipped to [0, 1]): "accepted once proven".
    """
    # np.clip of a scalar, without its overhead (NaN stays NaN, as with np.clip)
    target = min(max(1.0 - max(quality_gap, 0.0) / tolerance, 0.0), 1.0)
    return acceptance + rate * (target - np.asarray(acceptance))
