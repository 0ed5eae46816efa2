"""Service outcome of each contact: abandoned, resolved at first contact, or unresolved.

First-contact resolution = base x proficiency x customer orientation x
comprehension, where a contact the customer does not understand is resolved
25 % less often (CFI Group via GovTech). Procedure rigor shrinks the
week-to-week noise of resolution. The quality q of an experience combines
resolution, waiting, comprehension and orientation; a customer who knows the
agent is offshore subtracts a bias proportional to their ethnocentrism.
Location itself carries no penalty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.params import CustomerParams
from model.queueing import QueueResult

MISUNDERSTOOD_RESOLUTION = 0.75  # CFI Group via GovTech: 25 % less likely resolved


@dataclass(frozen=True)
class Channel:
    """What a site offers one firm's customers this week."""

    fcr: float              # resolution probability of an understood contact
    language_fit: float     # probability a contact is understood
    orientation: float      # perceived customer orientation 0-1
    access_gain: float      # quality bonus of extended opening hours
    queue: QueueResult
    offshore: bool          # served from abroad (customers may notice)
    escalation: float = 0.0  # share of unresolved contacts fixed by escalation home


def orientation_factor(orientation: float) -> float:
    """Resolution multiplier of customer orientation: 0.75 at 0, 1 at 1."""
    return 0.75 + 0.25 * orientation


def resolution_probability(base: float, proficiency: float, orientation: float) -> float:
    """First-contact resolution of an understood contact."""
    return float(np.clip(base * proficiency * orientation_factor(orientation), 0.0, 1.0))


def weekly_noise(rigor: float, noise: float, rng: np.random.Generator) -> float:
    """Multiplicative resolution shock of the week; variance shrinks with procedure rigor."""
    return float(max(0.0, 1.0 + noise * (1.0 - rigor) * rng.standard_normal()))


def expected_fcr(ch: Channel) -> float:
    """Expected first-contact resolution of an answered contact on channel ``ch``."""
    comp = ch.language_fit + (1 - ch.language_fit) * MISUNDERSTOOD_RESOLUTION
    fcr = ch.fcr * comp
    return fcr + (1 - fcr) * ch.escalation


@dataclass(frozen=True)
class Outcomes:
    """Per-contact outcome arrays (same order as the contacts served)."""

    abandoned: np.ndarray
    resolved: np.ndarray
    understood: np.ndarray
    quality: np.ndarray


def serve(ch: Channel, n: int, c: CustomerParams, rng: np.random.Generator,
          patience: float) -> Outcomes:
    """Draw outcomes and experience quality (before awareness bias) for ``n`` contacts."""
    return draw_outcomes(n, ch.queue.p_abandon, ch.language_fit, ch.fcr, ch.escalation,
                         wait_score(ch, patience), ch.orientation, ch.access_gain, c, rng)


def wait_score(ch: Channel, patience: float) -> float:
    """Waiting part of quality: 1 for no wait, 0 for a mean wait at the patience (minutes)."""
    return 1.0 - min(1.0, ch.queue.mean_wait / patience)


Figure = float | np.ndarray  # one channel figure, or one value per contact


def draw_outcomes(n: int, p_abandon: Figure, language_fit: Figure, fcr: Figure,
                  escalation: Figure, wait: Figure, orientation: Figure, access_gain: Figure,
                  c: CustomerParams, rng: np.random.Generator) -> Outcomes:
    """Outcomes of ``n`` contacts; channel figures are scalars or one value per contact.

    Serving all channels' contacts in one call (with per-contact figures)
    draws the same law as serving each channel separately.
    """
    abandoned = rng.random(n) < p_abandon
    understood = ~abandoned & (rng.random(n) < language_fit)
    p_res = np.where(understood, fcr, fcr * MISUNDERSTOOD_RESOLUTION)
    resolved = ~abandoned & (rng.random(n) < p_res)
    escalated = ~abandoned & ~resolved & (rng.random(n) < escalation)
    resolved |= escalated
    answered = ~abandoned
    quality = (c.weight_resolution * resolved
               + c.weight_wait * np.where(answered, wait, 0.0)
               + c.weight_comprehension * understood
               + c.weight_orientation * np.where(answered, orientation, 0.0)
               + access_gain)
    return Outcomes(abandoned, resolved, understood, np.clip(quality, 0.0, 1.0))


def awareness_bias(quality: np.ndarray, aware: np.ndarray, ethnocentrism: np.ndarray,
                   sensitive: np.ndarray, c: CustomerParams) -> np.ndarray:
    """Quality after the prejudice of customers who know they are served offshore."""
    bias = c.awareness_bias * ethnocentrism * np.where(sensitive, c.sensitive_bias_factor, 1.0)
    return np.clip(quality - np.where(aware, bias, 0.0), 0.0, 1.0)


def notices_offshore(understood: np.ndarray, c: CustomerParams, rng: np.random.Generator
                     ) -> np.ndarray:
    """Whether each offshore-served customer notices: always if not understood."""
    return ~understood | (rng.random(understood.size) < c.notice_prob)
