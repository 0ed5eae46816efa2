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
from typing import NamedTuple

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
    """First-contact resolution of an understood contact (clipped to 0-1)."""
    return float(min(max(base * proficiency * orientation_factor(orientation), 0.0), 1.0))


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


# Fields of the per-channel tally returned by ``serve_contacts`` (one record per channel).
TALLY = ("contacts", "answered", "resolved", "abandoned", "s_sum", "s_sq", "complaints",
         "q_sum")
TALLY_DTYPE = np.dtype([(name, np.float64) for name in TALLY])

#: One record per channel: the figures ``serve_contacts`` reads (see ``channel_table``).
CHANNEL_DTYPE = np.dtype([
    ("p_abandon", np.float64), ("language_fit", np.float64), ("fcr", np.float64),
    ("escalation", np.float64), ("wait_score", np.float64), ("orientation", np.float64),
    ("access_gain", np.float64), ("offshore", np.bool_), ("reputation", np.float64)])


class CustomerCoefficients(NamedTuple):
    """The customer parameters ``serve_contacts`` reads (``CustomerParams`` fields, ODD 7.7-7.8)."""

    weight_resolution: float
    weight_wait: float
    weight_comprehension: float
    weight_orientation: float
    notice_prob: float
    awareness_bias: float
    sensitive_bias_factor: float
    disconfirmation_weight: float
    satisfaction_weight: float
    expectation_anchor: float
    expectation_rate: float
    dissatisfied_below: float
    complaint_prob: float
    satisfaction_tenure_weeks: float


def customer_coefficients(c: CustomerParams) -> CustomerCoefficients:
    """The ``CustomerCoefficients`` of customer parameters ``c`` (floats)."""
    return CustomerCoefficients(*(float(getattr(c, name))
                                  for name in CustomerCoefficients._fields))


def channel_table(channels: list[Channel | None], reputation: list[float], patience: float
                  ) -> np.ndarray:
    """One ``CHANNEL_DTYPE`` record per channel (None: zeros): abandonment, language fit,
    resolution, escalation, wait score, orientation, access gain, offshore, the firm's
    reputation."""
    table = np.zeros(len(channels), CHANNEL_DTYPE)
    for i, (ch, rep) in enumerate(zip(channels, reputation, strict=True)):
        if ch is not None:
            table[i] = (ch.queue.p_abandon, ch.language_fit, ch.fcr, ch.escalation,
                        wait_score(ch, patience), ch.orientation, ch.access_gain,
                        ch.offshore, rep)
    return table


def serve_contacts(contacts: np.ndarray, channel: np.ndarray, sensitive: np.ndarray,
                   table: np.ndarray, k: CustomerCoefficients, aware: np.ndarray,
                   ethnocentrism: np.ndarray, expectation: np.ndarray,
                   satisfaction: np.ndarray, unresolved: np.ndarray, valence: np.ndarray,
                   tenure: np.ndarray, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Serve every contact of the week and update its customer (ODD 3 steps 6 and 7).

    ``contacts`` (sorted customer indices), ``channel`` (record of ``table``,
    see ``channel_table``) and ``sensitive`` are per contact; ``k`` is
    ``customer_coefficients`` (or its ``coefficient_array``). Per contact, the
    law of ``draw_outcomes``: abandoned, else understood, resolved at first
    contact (25 % less often if misunderstood) or by escalation; quality from resolution, wait,
    comprehension and orientation. An offshore contact may be noticed
    (always when misunderstood) and an aware customer subtracts the
    awareness bias (``awareness_bias``). Then, as in model.satisfaction:
    transaction satisfaction, cumulative satisfaction (the weight of the
    contact falls with the customer's ``tenure``), expectation, the
    unresolved streak and a possible complaint. A customer without a contact
    ends any streak and has no valence this week. Uniforms are drawn only
    where an outcome depends on them. Returns (transaction satisfaction per
    contact, one ``TALLY_DTYPE`` record of sums per channel).
    """
    return _serve_contacts(contacts, channel, sensitive, channel_figures(table),
                           coefficient_array(k), aware, ethnocentrism, expectation, satisfaction,
                           unresolved, valence, tenure, rng)


def coefficient_array(k: tuple | np.ndarray) -> np.ndarray:
    """Coefficients (a NamedTuple of floats) as the compiled kernels take them: a float
    array in field order. Numba types a NamedTuple argument in Python on every call
    (~5-10 us); an array costs nothing. An array is returned as it is."""
    return k if isinstance(k, np.ndarray) else np.array(k, np.float64)


def channel_figures(table: np.ndarray) -> np.ndarray:
    """``table`` as ``_serve_contacts`` takes it: one float row per channel, the
    ``CHANNEL_DTYPE`` fields in order (offshore 0 or 1). A structured array costs
    Numba's dispatch ~30 us a call to type; a float array nothing."""
    if table.dtype != CHANNEL_DTYPE:
        return np.ascontiguousarray(table, np.float64)
    out = np.empty((table.size, len(CHANNEL_DTYPE.names)))
    for j, name in enumerate(CHANNEL_DTYPE.names):
        out[:, j] = table[name]
    return out


@njit(cache=True)
def _serve_contacts(contacts: np.ndarray, channel: np.ndarray, sensitive: np.ndarray,
                    fig: np.ndarray, kf: np.ndarray, aware: np.ndarray,
                    ethnocentrism: np.ndarray, expectation: np.ndarray,
                    satisfaction: np.ndarray, unresolved: np.ndarray, valence: np.ndarray,
                    tenure: np.ndarray, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``serve_contacts`` compiled; ``fig`` is ``channel_figures`` of the table, ``kf``
    the ``CustomerCoefficients`` in field order (``coefficient_array``)."""
    k = CustomerCoefficients(kf[0], kf[1], kf[2], kf[3], kf[4], kf[5], kf[6], kf[7], kf[8],
                             kf[9], kf[10], kf[11], kf[12], kf[13])
    j = 0
    for i in range(valence.size):  # customers without a contact
        if j < contacts.size and contacts[j] == i:
            j += 1
        else:
            valence[i] = np.nan
            unresolved[i] = 0
    s_out = np.empty(contacts.size)
    tally = np.zeros(fig.shape[0], TALLY_DTYPE)
    for n in range(contacts.size):
        i, c = contacts[n], channel[n]
        abandoned = rng.random() < fig[c, 0]
        understood = resolved = False
        if not abandoned:
            understood = rng.random() < fig[c, 1]
            resolved = rng.random() < (fig[c, 2] if understood
                                       else fig[c, 2] * MISUNDERSTOOD_RESOLUTION)
            if not resolved and fig[c, 3] > 0:
                resolved = rng.random() < fig[c, 3]
        q = k.weight_resolution * resolved + k.weight_comprehension * understood \
            + fig[c, 6]
        if not abandoned:
            q += k.weight_wait * fig[c, 4] + k.weight_orientation * fig[c, 5]
        q = min(max(q, 0.0), 1.0)
        if fig[c, 7] != 0.0:
            if not abandoned and (not understood or rng.random() < k.notice_prob):
                aware[i] = True
            if aware[i]:
                bias = k.awareness_bias * ethnocentrism[i] * (
                    k.sensitive_bias_factor if sensitive[n] else 1.0)
                q = min(max(q - bias, 0.0), 1.0)
        e = expectation[i]
        s = min(max(q + k.disconfirmation_weight * (q - e), 0.0), 1.0)
        lam = k.satisfaction_weight / (1.0 + tenure[i] / k.satisfaction_tenure_weeks)
        satisfaction[i] = (1.0 - lam) * satisfaction[i] + lam * s
        expectation[i] = e + k.expectation_rate * (
            k.expectation_anchor * fig[c, 8] + (1.0 - k.expectation_anchor) * q - e)
        unresolved[i] = 0 if resolved else unresolved[i] + 1
        valence[i] = s
        s_out[n] = s
        t = tally[c]
        t.contacts += 1
        t.answered += not abandoned
        t.resolved += resolved
        t.abandoned += abandoned
        t.s_sum += s
        t.s_sq += s * s
        t.complaints += s < k.dissatisfied_below and rng.random() < k.complaint_prob
        t.q_sum += q
    return s_out, tally
