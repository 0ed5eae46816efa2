"""Service outcome of each contact: abandoned, resolved at first contact, or unresolved.

First-contact resolution = base x proficiency x customer orientation x
comprehension, where a contact the customer does not understand is resolved
25 % less often (CFI Group via GovTech). Procedure rigor shrinks the
week-to-week noise of resolution. The quality q of an experience combines
resolution, waiting, comprehension and orientation; a customer who knows the
agent is offshore subtracts a bias proportional to their ethnocentrism.
Location itself carries no penalty.

The model serves a week's contacts with the compiled ``serve_contacts``;
``draw_outcomes``, ``awareness_bias`` and ``notices_offshore`` state the same
laws as array functions, and the tests hold the kernel to them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

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


# Columns of the per-channel tally returned by ``serve_contacts``.
TALLY = ("contacts", "answered", "resolved", "abandoned", "s_sum", "s_sq", "complaints",
         "q_sum")


def customer_coefficients(c: CustomerParams) -> np.ndarray:
    """The customer parameters ``serve_contacts`` reads, in its order (float64)."""
    return np.array([c.weight_resolution, c.weight_wait, c.weight_comprehension,
                     c.weight_orientation, c.notice_prob, c.awareness_bias,
                     c.sensitive_bias_factor, c.disconfirmation_weight, c.satisfaction_weight,
                     c.expectation_anchor, c.expectation_rate, c.dissatisfied_below,
                     c.complaint_prob, c.satisfaction_tenure_weeks])


def channel_table(channels: list[Channel | None], reputation: list[float], patience: float
                  ) -> np.ndarray:
    """One row per channel: the figures ``serve_contacts`` reads (float64; None: zeros).

    Columns: abandonment, language fit, resolution, escalation, wait score,
    orientation, access gain, offshore (0/1), the firm's reputation.
    """
    table = np.zeros((len(channels), 9))
    for row, ch, rep in zip(table, channels, reputation, strict=True):
        if ch is not None:
            row[:] = (ch.queue.p_abandon, ch.language_fit, ch.fcr, ch.escalation,
                      wait_score(ch, patience), ch.orientation, ch.access_gain,
                      float(ch.offshore), rep)
    return table


@njit(cache=True)
def serve_contacts(contacts: np.ndarray, channel: np.ndarray, sensitive: np.ndarray,
                   table: np.ndarray, k: np.ndarray, aware: np.ndarray,
                   ethnocentrism: np.ndarray, expectation: np.ndarray,
                   satisfaction: np.ndarray, unresolved: np.ndarray, valence: np.ndarray,
                   tenure: np.ndarray, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Serve every contact of the week and update its customer (DESIGN steps 6 and 7).

    ``contacts`` (sorted customer indices), ``channel`` (row of ``table``,
    see ``channel_table``) and ``sensitive`` are per contact; ``k`` is
    ``customer_coefficients``. Per contact, the law of ``draw_outcomes``:
    abandoned, else understood, resolved at first contact (25 % less often
    if misunderstood) or by escalation; quality from resolution, wait,
    comprehension and orientation. An offshore contact may be noticed
    (always when misunderstood) and an aware customer subtracts the
    awareness bias (``awareness_bias``). Then, as in model.satisfaction:
    transaction satisfaction, cumulative satisfaction (the weight of the
    contact falls with the customer's ``tenure``), expectation, the
    unresolved streak and a possible complaint. A customer without a contact
    ends any streak and has no valence this week. Uniforms are drawn only
    where an outcome depends on them. Returns (transaction satisfaction per
    contact, one row per channel of sums with the columns ``TALLY``).
    """
    j = 0
    for i in range(valence.size):  # customers without a contact
        if j < contacts.size and contacts[j] == i:
            j += 1
        else:
            valence[i] = np.nan
            unresolved[i] = 0
    s_out = np.empty(contacts.size)
    tally = np.zeros((table.shape[0], 8))  # the columns of TALLY
    for n in range(contacts.size):
        i, row = contacts[n], table[channel[n]]
        abandoned = rng.random() < row[0]
        understood = resolved = False
        if not abandoned:
            understood = rng.random() < row[1]
            resolved = rng.random() < (row[2] if understood else row[2] * MISUNDERSTOOD_RESOLUTION)
            if not resolved and row[3] > 0:
                resolved = rng.random() < row[3]
        q = k[0] * resolved + k[2] * understood + row[6]
        if not abandoned:
            q += k[1] * row[4] + k[3] * row[5]
        q = min(max(q, 0.0), 1.0)
        if row[7] > 0:
            if not abandoned and (not understood or rng.random() < k[4]):
                aware[i] = True
            if aware[i]:
                q = min(max(q - k[5] * ethnocentrism[i] * (k[6] if sensitive[n] else 1.0), 0.0),
                        1.0)
        e = expectation[i]
        s = min(max(q + k[7] * (q - e), 0.0), 1.0)
        lam = k[8] / (1.0 + tenure[i] / k[13])
        satisfaction[i] = (1.0 - lam) * satisfaction[i] + lam * s
        expectation[i] = e + k[10] * (k[9] * row[8] + (1.0 - k[9]) * q - e)
        unresolved[i] = 0 if resolved else unresolved[i] + 1
        valence[i] = s
        s_out[n] = s
        t = tally[channel[n]]
        t[0] += 1
        t[1] += not abandoned
        t[2] += resolved
        t[3] += abandoned
        t[4] += s
        t[5] += s * s
        t[6] += s < k[11] and rng.random() < k[12]
        t[7] += q
    return s_out, tally
