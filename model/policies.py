"""Relocation policies of the focal firm.

never · offshore at week t · outsource at home at week t · tiered · cost-driven
(relocate when the projected saving exceeds a threshold; blind to churn) ·
adaptive (cost-driven, plus reshoring when observed complaints or survey CSAT
stay beyond thresholds for K reviews; re-offshoring after a cool-down).

A policy sees only what a firm observes: complaints counted over the last
review period and a CSAT survey of ``survey_size`` respondents (sampling noise
included). It returns an action or None; the model carries actions out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from model.economics import projected_saving
from model.params import Params, PolicyKind


@dataclass(frozen=True)
class Action:
    """Announce a relocation of share ``share`` (tiered routing or not), or reshore to it."""

    kind: Literal["announce", "reshore"]
    share: float
    tiered: bool = False


@dataclass(frozen=True)
class Observation:
    """What the firm sees at a review: complaints per 1,000 customers per month, CSAT 0-100."""

    complaints: float
    csat: float


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
    return Observation(complaints=rate, csat=float(csat))


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
    if not firm.relocated:
        return _cost_driven(p, week, firm, obs)
    if not _review_week(p, week) or obs is None or firm.baseline_obs is None:
        return None
    if firm.cutover_week is None or week < firm.cutover_week:
        return None
    base_complaints, base_csat = firm.baseline_obs
    bad = (obs.complaints > p.policy.complaint_ratio * base_complaints
           or obs.csat < base_csat - p.policy.csat_drop)
    firm.bad_reviews = firm.bad_reviews + 1 if bad else 0
    if firm.bad_reviews >= p.policy.bad_reviews:
        firm.bad_reviews = 0
        return Action("reshore", firm.alpha * (1 - p.policy.reshore_share))
    if (not bad and firm.planned_alpha < p.policy.share and _cooled_down(p, week, firm)
            and saving(p) > p.policy.savings_threshold):
        return Action("announce", p.policy.share)
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


def decide(p: Params, week: int, firm, obs: Observation | None) -> Action | None:
    """The focal firm's action this week under policy ``p.policy.kind`` (None: nothing)."""
    return RULES[PolicyKind(p.policy.kind)](p, week, firm, obs)
