"""Relocation policies (model.policies): each kind's decision on fabricated observations.

The policies only read a few attributes of the firm, so a minimal stand-in replaces it.
Morocco for a French firm: projected saving 1 - 13 x 1.1 / 22.5 = 0.364 > 0.25.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from model.params import Params
from model.policies import Action, Observation, decide, observe, saving
from model.presets import scenario


@dataclass
class FirmStandIn:
    """The attributes a policy reads (and the adaptive one writes) on a Firm."""

    planned_alpha: float = 0.0
    alpha: float = 0.0
    baseline_obs: tuple[float, float] | None = None
    cutover_week: int | None = None
    bad_reviews: int = 0
    last_offshore_change: int | None = None

    @property
    def relocated(self) -> bool:
        return self.planned_alpha > 0


GOOD = Observation(complaints=10.0, csat=80.0)
BAD_COMPLAINTS = Observation(complaints=20.0, csat=80.0)   # 2 x baseline > 1.5 x
BAD_CSAT = Observation(complaints=10.0, csat=74.0)         # 6 points below > 5


def _adaptive() -> Params:
    return scenario("adaptive-morocco", **{
        "policy.week": 0, "policy.review_weeks": 13, "policy.bad_reviews": 3,
        "policy.complaint_ratio": 1.5, "policy.csat_drop": 5.0, "policy.reshore_share": 0.5,
        "policy.cooldown_weeks": 104})


def _offshored(**kw) -> FirmStandIn:
    base = dict(planned_alpha=0.7, alpha=0.7, baseline_obs=(10.0, 80.0), cutover_week=13,
                last_offshore_change=0)
    return FirmStandIn(**{**base, **kw})


def test_never() -> None:
    p = scenario("stay-home")
    assert all(decide(p, w, FirmStandIn(), GOOD) is None for w in range(0, 600, 13))


@pytest.mark.parametrize(("preset", "tiered"), [("offshore-morocco", False),
                                                ("outsource-france", False),
                                                ("tiered-morocco", True)])
def test_at_week_policies(preset: str, tiered: bool) -> None:
    p = scenario(preset, **{"policy.week": 10, "policy.share": 0.6})
    firm = FirmStandIn()
    assert decide(p, 9, firm, None) is None
    assert decide(p, 10, firm, None) == Action("announce", 0.6, tiered)
    assert decide(p, 11, firm, None) is None
    assert decide(p, 10, FirmStandIn(planned_alpha=0.6), None) is None  # already relocated


def test_saving_hand_values() -> None:
    p = scenario("cost-driven-morocco")
    assert saving(p) == pytest.approx(1 - 14.0 * 1.1 / 55.0)
    with_costs = p.replace(**{"practices.cultural_adaptation": True,
                              "practices.procedures": True})
    assert saving(with_costs) == pytest.approx(1 - (14.0 + 0.3 + 0.4) * 1.1 / 55.0)


def test_cost_driven_threshold_and_review_weeks() -> None:
    p = scenario("cost-driven-morocco", **{"policy.week": 26, "policy.review_weeks": 13})
    assert decide(p, 26, FirmStandIn(), None) == Action("announce", p.policy.share)
    assert decide(p, 39, FirmStandIn(), None) == Action("announce", p.policy.share)
    assert decide(p, 27, FirmStandIn(), None) is None   # not a review week
    assert decide(p, 13, FirmStandIn(), None) is None   # before the first review
    high = p.replace(**{"policy.savings_threshold": 0.75})  # 0.72 < 0.75
    assert decide(high, 26, FirmStandIn(), None) is None
    just_below = p.replace(**{"policy.savings_threshold": 0.71})
    assert decide(just_below, 26, FirmStandIn(), None) is not None
    assert decide(p, 26, FirmStandIn(planned_alpha=0.7), None) is None
    cooling = FirmStandIn(last_offshore_change=0)
    assert decide(p.replace(**{"policy.cooldown_weeks": 52}), 26, cooling, None) is None
    assert decide(p.replace(**{"policy.cooldown_weeks": 26}), 26, cooling, None) is not None


def test_adaptive_first_relocates_like_cost_driven() -> None:
    assert decide(_adaptive(), 0, FirmStandIn(), None) == Action("announce", 0.7)


@pytest.mark.parametrize("bad", [BAD_COMPLAINTS, BAD_CSAT])
def test_adaptive_reshores_after_k_bad_reviews(bad: Observation) -> None:
    """Reviews at 13, 26, 39 are bad: the third brings back half the offshore volume."""
    p, firm = _adaptive(), _offshored()
    assert decide(p, 13, firm, bad) is None and firm.bad_reviews == 1
    assert decide(p, 20, firm, bad) is None and firm.bad_reviews == 1  # not a review week
    assert decide(p, 26, firm, bad) is None and firm.bad_reviews == 2
    assert decide(p, 39, firm, bad) == Action("reshore", pytest.approx(0.35))
    assert firm.bad_reviews == 0


def test_adaptive_good_review_resets_the_count() -> None:
    p, firm = _adaptive(), _offshored()
    for week, obs in ((13, BAD_COMPLAINTS), (26, BAD_COMPLAINTS), (39, GOOD),
                      (52, BAD_CSAT), (65, BAD_CSAT)):
        assert decide(p, week, firm, obs) is None
    assert firm.bad_reviews == 2
    assert decide(p, 78, firm, BAD_CSAT) == Action("reshore", pytest.approx(0.35))


def test_adaptive_waits_for_cutover_and_observations() -> None:
    p = _adaptive()
    before = _offshored(cutover_week=20)
    assert decide(p, 13, before, BAD_COMPLAINTS) is None and before.bad_reviews == 0
    firm = _offshored()
    assert decide(p, 13, firm, None) is None and firm.bad_reviews == 0
    borderline = Observation(complaints=15.0, csat=75.0)  # exactly at both thresholds
    assert decide(p, 13, firm, borderline) is None and firm.bad_reviews == 0


def test_adaptive_re_offshores_after_cool_down() -> None:
    p = _adaptive()
    firm = _offshored(planned_alpha=0.35, alpha=0.35, last_offshore_change=39)
    assert decide(p, 130, firm, GOOD) is None                          # 91 weeks < 104
    assert decide(p, 143, firm, GOOD) == Action("announce", 0.7)       # 104 weeks on
    assert decide(p, 143, _offshored(planned_alpha=0.35, last_offshore_change=39),
                  BAD_COMPLAINTS) is None                              # not on a bad review


def test_observe_hand_values() -> None:
    """13 weeks, 1,000 customers, 30 complaints = 3 months: 10 per 1,000 per month.
    Every respondent at 0.8: no survey spread, CSAT exactly 80."""
    week = dict(customers=1000.0, complaints=0, contacts=50, s_sum=40.0, s_sq=32.0)
    history = [dict(week, complaints=30 if i == 0 else 0) for i in range(13)]
    history = [dict(week, complaints=999)] * 5 + history  # older weeks are ignored
    obs = observe(history, 13, 200, np.random.default_rng(0))
    assert obs.complaints == pytest.approx(10.0)
    assert obs.csat == pytest.approx(80.0)


def test_observe_survey_noise_shrinks_with_sample_size() -> None:
    """Satisfaction 0.6 or 1.0 half each: sd 0.2, survey sd 100 x 0.2 / sqrt(n)."""
    history = [dict(customers=1000.0, complaints=0, contacts=100, s_sum=80.0,
                    s_sq=50 * 0.36 + 50 * 1.0)] * 13
    for size in (25, 400):
        draws = [observe(history, 13, size, np.random.default_rng(s)).csat for s in range(400)]
        assert np.mean(draws) == pytest.approx(80.0, abs=5 * 20 / np.sqrt(size * 400))
        assert np.std(draws) == pytest.approx(20 / np.sqrt(size), rel=0.15)
