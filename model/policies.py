"""Relocation policies of a firm (ODD 7.2).

never · offshore at week t · outsource at home at week t · tiered · cost-driven
(relocate when the projected saving exceeds a threshold; blind to churn) ·
adaptive (cost-driven, then judged against the business case written at the
announcement: after the ramp allowance, reshoring part of the volume when
survey CSAT or complaints stay worse than planned, or the realised saving
stays below a share of the planned one, for K reviews; re-offshoring after a
cool-down).

A policy sees only what a firm observes: complaints counted over the last
review period, a CSAT survey of ``survey_size`` respondents (sampling noise
included) and its own service cost per contact. It returns an action or None;
the firm carries actions out (``model.relocation``, ODD 7.2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from model.economics import projected_saving
from model.params import CustomerParams, Params, PolicyKind, SiteProfile
from model.service import MISUNDERSTOOD_RESOLUTION, resolution_probability


@dataclass(frozen=True)
class Action:
    """Announce a relocation of share ``share`` (tiered routing or not), or reshore to it."""

    kind: Literal["announce", "reshore"]
    share: float
    tiered: bool = False


@dataclass(frozen=True)
class Observation:
    """What the firm sees at a review: complaints per 1,000 customers per month, CSAT 0-100,
    and its service cost per contact over the same weeks (None when the history does not
    record costs)."""

    complaints: float
    csat: float
    cost_per_contact: float | None = None


@dataclass(frozen=True)
class BusinessCase:
    """The plan a firm writes when it announces a relocation, and later judges against.

    ``share``: planned share of contacts at the vendor; ``saving``: projected
    saving on a moved contact (``saving(p)``, share of its service cost), so the
    firm expects its service cost per contact to fall by ``share x saving``
    from ``base_cost``, the pre-relocation cost per contact; ``csat`` and
    ``complaints``: planned post-ramp levels (see ``business_case``);
    ``review_from``: first week reviews are judged against the plan
    (cut-over + ``policy.ramp_allowance_weeks``).
    """

    share: float
    saving: float
    csat: float
    complaints: float
    base_cost: float
    review_from: int

    @property
    def planned_saving(self) -> float:
        """Planned fall of the firm's service cost per contact (share of the baseline)."""
        return self.share * self.saving


def expected_resolution(site: SiteProfile, orientation: float, fcr_base: float) -> float:
    """Expected first-contact resolution of an answered contact at full proficiency.

    The law of ``service.expected_fcr`` without escalation: understood contacts
    resolve at ``resolution_probability(fcr_base, 1, orientation)``,
    misunderstood ones ``MISUNDERSTOOD_RESOLUTION`` times as often.
    """
    fcr = resolution_probability(fcr_base, 1.0, orientation)
    return fcr * (site.language_fit + (1 - site.language_fit) * MISUNDERSTOOD_RESOLUTION)


def expected_quality(site: SiteProfile, orientation: float, fcr_base: float,
                     c: CustomerParams) -> float:
    """Expected experience quality of an answered contact at full proficiency, 0-1.

    The quality law of ``service.draw_outcomes`` in expectation, leaving out the
    waiting term: the plan assumes both sites staffed to the same service level,
    so waiting cancels in a comparison of sites.
    """
    return (c.weight_resolution * expected_resolution(site, orientation, fcr_base)
            + c.weight_comprehension * site.language_fit
            + c.weight_orientation * orientation + site.extended_hours_gain)


def business_case(p: Params, share: float, vendor_orientation: float, base_complaints: float,
                  base_csat: float, base_cost: float, review_from: int) -> BusinessCase:
    """The plan written at announcement, from what due diligence knows: the site profiles.

    Planned CSAT = baseline CSAT - share x (q_home - q_vendor) x 100, with q the
    expected quality of each site at full proficiency (``expected_quality``).
    Quality points stand for CSAT points because a customer whose expectation
    matches the service rates it at its quality; the disconfirmation term
    (quality below an expectation formed at home) and the awareness bias are
    left out, as a firm's plan would leave them out: they are what the plan
    does not foresee. Planned complaints scale the baseline by the expected
    share of unresolved contacts, (1 - share) x u_home + share x u_vendor over
    u_home with u = 1 - expected resolution, since complaints come from bad
    experiences and an unresolved contact is the main one. ``share`` is the
    expected vendor share of contacts (``model.relocation.vendor_share``).
    """
    fcr_base, c = p.market.fcr_base, p.customers
    home_orientation = p.home.customer_orientation
    q_home = expected_quality(p.home, home_orientation, fcr_base, c)
    q_vendor = expected_quality(p.destination, vendor_orientation, fcr_base, c)
    u_home = 1 - expected_resolution(p.home, home_orientation, fcr_base)
    u_vendor = 1 - expected_resolution(p.destination, vendor_orientation, fcr_base)
    ratio = ((1 - share) * u_home + share * u_vendor) / max(u_home, 1e-9)
    return BusinessCase(share=share, saving=saving(p),
                        csat=base_csat - share * (q_home - q_vendor) * 100,
                        complaints=base_complaints * ratio, base_cost=base_cost,
                        review_from=review_from)


def realised_saving(case: BusinessCase, cost_per_contact: float) -> float:
    """Fall of the service cost per contact since the baseline (share of the baseline)."""
    return 1.0 - cost_per_contact / max(case.base_cost, 1e-12)


def cost_per_contact(history: Sequence[dict[str, float]], weeks: int) -> float | None:
    """Service cost per contact over the last ``weeks`` of history (None: costs not recorded)."""
    recent = history[-weeks:]
    if not recent or any("service_cost" not in h for h in recent):
        return None
    return sum(h["service_cost"] for h in recent) / max(sum(h["contacts"] for h in recent), 1)


def observe(history: Sequence[dict[str, float]], weeks: int, survey_size: int,
            rng: np.random.Generator) -> Observation:
    """Observed indicators over the last ``weeks`` of history, with survey noise."""
    recent = history[-weeks:]
    customers = sum(h["customers"] for h in recent) / max(len(recent), 1)
    complaints = sum(h["complaints"] for h in recent)
    months = len(recent) * 12 / 52
    rate = 1000 * complaints / max(customers, 1.0) / max(months, 1e-9)
    n = sum(h["contacts"] for h in recent)
    mean = sum(h["s_sum"] for h in recent) / max(n, 1)
    var = max(sum(h["s_sq"] for h in recent) / max(n, 1) - mean**2, 0.0)
    csat = 100 * (mean + rng.normal(0.0, np.sqrt(var / survey_size)))
    return Observation(complaints=rate, csat=float(csat),
                       cost_per_contact=cost_per_contact(history, weeks))


def _never(*_) -> Action | None:
    return None


def _at_week(share_of: Callable[[Params], float], tiered: bool):
    def rule(p: Params, week: int, firm, obs) -> Action | None:
        if week == p.policy.week and not firm.relocated:
            return Action("announce", share_of(p), tiered)
        return None
    return rule


def _cost_driven(p: Params, week: int, firm, obs) -> Action | None:
    if not _review_week(p, week) or firm.relocated:
        return None
    if not _cooled_down(p, week, firm):
        return None
    if saving(p) > p.policy.savings_threshold:
        return Action("announce", p.policy.share)
    return None


def _adaptive(p: Params, week: int, firm, obs: Observation | None) -> Action | None:
    """Cost-driven until relocated; then each review after the ramp allowance is judged
    against the business case (``firm.business_case``), never against the pre-move level.

    A review is bad when survey CSAT is more than ``csat_drop`` points below the
    planned CSAT or complaints exceed ``complaint_ratio`` x planned complaints;
    it is costly when the realised saving is below ``min_saving_ratio`` x the
    planned saving. K (``bad_reviews``) consecutive bad, or K consecutive
    costly, reviews bring back ``reshore_share`` of the offshore volume.
    """
    if not firm.relocated:
        return _cost_driven(p, week, firm, obs)
    case = firm.business_case
    if not _review_week(p, week) or obs is None or case is None or week < case.review_from:
        return None
    pol = p.policy
    # a plan without complaints (none in the baseline year) gives no complaint signal
    bad = (obs.csat < case.csat - pol.csat_drop
           or (case.complaints > 0
               and obs.complaints > pol.complaint_ratio * case.complaints))
    costly = (obs.cost_per_contact is not None
              and realised_saving(case, obs.cost_per_contact)
              < pol.min_saving_ratio * case.planned_saving)
    firm.bad_reviews = firm.bad_reviews + 1 if bad else 0
    firm.costly_reviews = firm.costly_reviews + 1 if costly else 0
    if max(firm.bad_reviews, firm.costly_reviews) >= pol.bad_reviews:
        firm.bad_reviews = firm.costly_reviews = 0
        return Action("reshore", firm.alpha * (1 - pol.reshore_share))
    if (not bad and not costly and firm.planned_alpha < pol.share
            and _cooled_down(p, week, firm) and saving(p) > pol.savings_threshold):
        return Action("announce", pol.share)
    return None


def _review_week(p: Params, week: int) -> bool:
    return week >= p.policy.week and (week - p.policy.week) % p.policy.review_weeks == 0


def _cooled_down(p: Params, week: int, firm) -> bool:
    last = firm.last_offshore_change
    return last is None or week - last >= p.policy.cooldown_weeks


def saving(p: Params) -> float:
    """Projected saving of moving to the destination, as the cost-driven policy sees it."""
    extra = 0.0
    if p.practices.cultural_adaptation:
        extra += p.practices.cultural_cost
    if p.practices.procedures:
        extra += p.practices.procedures_cost
    return projected_saving(p.home.hourly_cost, p.destination.hourly_cost,
                            p.destination.aht_factor, extra)


RULES: dict[PolicyKind, Callable[..., Action | None]] = {
    PolicyKind.never: _never,
    PolicyKind.offshore: _at_week(lambda p: p.policy.share, tiered=False),
    PolicyKind.outsource: _at_week(lambda p: p.policy.share, tiered=False),
    PolicyKind.tiered: _at_week(lambda p: p.policy.share, tiered=True),
    PolicyKind.cost_driven: _cost_driven,
    PolicyKind.adaptive: _adaptive,
}


def reads_observation(p: Params, week: int, firm) -> bool:
    """Whether ``decide`` reads this week's observation (only the adaptive policy, at a
    review of a relocated firm with a business case past its ramp allowance)."""
    if PolicyKind(p.policy.kind) != PolicyKind.adaptive or not firm.relocated:
        return False
    case = firm.business_case
    return _review_week(p, week) and case is not None and week >= case.review_from


def decide(p: Params, week: int, firm, obs: Observation | None) -> Action | None:
    """The focal firm's action this week under policy ``p.policy.kind`` (None: nothing)."""
    return RULES[PolicyKind(p.policy.kind)](p, week, firm, obs)
