"""Relocation policies (model.policies): each kind's decision on fabricated observations.

The policies only read a few attributes of the firm, so a minimal stand-in replaces it.
Morocco for a French firm: projected saving 1 - 13 x 1.1 / 22.5 = 0.364 > 0.25.

The adaptive tests judge against a business case (the plan written at the
announcement), not against the pre-relocation level: the earlier tests that
compared observations with ``baseline_obs`` encoded the old rule, under which
the planned dip itself triggered reshoring, and were rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from model import service
from model.model import OffshoringModel
from model.params import Params
from model.policies import (
    Action,
    BusinessCase,
    Observation,
    business_case,
    decide,
    expected_resolution,
    observe,
    reads_observation,
    realised_saving,
    saving,
)
from model.presets import scenario
from model.queueing import QueueResult


@dataclass
class FirmStandIn:
    """The attributes a policy reads (and the adaptive one writes) on a Firm."""

    planned_alpha: float = 0.0
    alpha: float = 0.0
    baseline_obs: tuple[float, float] | None = None
    cutover_week: int | None = None
    bad_reviews: int = 0
    costly_reviews: int = 0
    last_offshore_change: int | None = None
    business_case: BusinessCase | None = None

    @property
    def relocated(self) -> bool:
        return self.planned_alpha > 0


#: The plan of the review tests: 70 % offshore, CSAT 76 and 12 complaints planned after the
#: ramp, cost per contact 10 before the move and 10 x (1 - 0.7 x 0.364) = 7.45 planned.
PLAN = BusinessCase(share=0.7, saving=1 - 13.0 * 1.1 / 22.5, csat=76.0, complaints=12.0,
                    base_cost=10.0, review_from=65)
AT_PLAN_COST = 10.0 * (1 - PLAN.planned_saving)
GOOD = Observation(complaints=12.0, csat=76.0, cost_per_contact=AT_PLAN_COST)
BAD_COMPLAINTS = Observation(complaints=20.0, csat=76.0,
                             cost_per_contact=AT_PLAN_COST)   # 20 > 1.5 x 12 planned
BAD_CSAT = Observation(complaints=12.0, csat=70.0,
                       cost_per_contact=AT_PLAN_COST)         # 6 points below plan > 5
AT_PARITY = Observation(complaints=12.0, csat=76.0, cost_per_contact=10.0)  # no saving


def _adaptive() -> Params:
    return scenario("adaptive-morocco", **{
        "policy.week": 0, "policy.review_weeks": 13, "policy.bad_reviews": 3,
        "policy.complaint_ratio": 1.5, "policy.csat_drop": 5.0, "policy.reshore_share": 0.5,
        "policy.cooldown_weeks": 104, "policy.ramp_allowance_weeks": 52,
        "policy.min_saving_ratio": 0.5})


def _offshored(**kw) -> FirmStandIn:
    """Announced at 0, cut over at 13, judged against PLAN from week 65 (13 + 52)."""
    base = dict(planned_alpha=0.7, alpha=0.7, baseline_obs=(10.0, 80.0), cutover_week=13,
                last_offshore_change=0, business_case=PLAN)
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


def test_business_case_hand_values() -> None:
    """Home: FCR 0.8 x (0.75 + 0.25 x 0.8) = 0.76, quality 0.5 x 0.76 + 0.2 + 0.2 x 0.8
    = 0.74. Vendor: 0.8 x (0.75 + 0.25 x 0.6) = 0.72, understood half the time, so
    resolution 0.72 x (0.5 + 0.5 x 0.75) = 0.63 and quality 0.5 x 0.63 + 0.2 x 0.5
    + 0.2 x 0.6 = 0.535. Half the contacts offshore: CSAT 80 - 0.5 x 20.5 = 69.75;
    unresolved 0.24 -> 0.5 x 0.24 + 0.5 x 0.37 = 0.305: complaints 10 x 0.305 / 0.24."""
    p = scenario("adaptive-morocco", **{
        "market.fcr_base": 0.8, "customers.weight_resolution": 0.5,
        "customers.weight_wait": 0.1, "customers.weight_comprehension": 0.2,
        "customers.weight_orientation": 0.2, "home.customer_orientation": 0.8,
        "destination.language_fit": 0.5, "destination.extended_hours_gain": 0.0})
    case = business_case(p, 0.5, 0.6, base_complaints=10.0, base_csat=80.0, base_cost=4.0,
                         review_from=100)
    assert case.csat == pytest.approx(69.75)
    assert case.complaints == pytest.approx(10 * 0.305 / 0.24)
    assert case.saving == pytest.approx(saving(p))
    assert case.planned_saving == pytest.approx(0.5 * saving(p))
    assert (case.base_cost, case.review_from, case.share) == (4.0, 100, 0.5)
    assert realised_saving(case, 3.0) == pytest.approx(0.25)
    no_move = business_case(p, 0.0, 0.6, 10.0, 80.0, 4.0, 100)
    assert (no_move.csat, no_move.complaints) == (pytest.approx(80.0), pytest.approx(10.0))


@pytest.mark.parametrize(("fit", "orientation"), [(1.0, 0.8), (0.64, 0.7), (0.3, 0.2)])
def test_plan_resolution_is_the_service_law(fit: float, orientation: float) -> None:
    """The plan's expected resolution is service.expected_fcr at full proficiency."""
    p = scenario("adaptive-morocco", **{"destination.language_fit": fit})
    fcr = service.resolution_probability(p.market.fcr_base, 1.0, orientation)
    queue = QueueResult(p_wait=0.0, mean_wait=0.0, p_abandon=0.0, service_level=1.0,
                        occupancy=0.8)
    ch = service.Channel(fcr=fcr, language_fit=fit, orientation=orientation, access_gain=0.0,
                         queue=queue, offshore=True)
    assert expected_resolution(p.destination, orientation, p.market.fcr_base) == \
        pytest.approx(service.expected_fcr(ch))


def test_adaptive_firm_at_plan_never_reshores() -> None:
    """Exactly at plan for ten years: no reshoring, and no new announcement either."""
    p, firm = _adaptive(), _offshored()
    assert all(decide(p, w, firm, GOOD) is None for w in range(0, 520))
    assert firm.bad_reviews == firm.costly_reviews == 0


def test_adaptive_planned_dip_inside_ramp_allowance_never_counts() -> None:
    """Reviews at 13 .. 52 fall inside cut-over + ramp allowance (65): not judged."""
    p, firm = _adaptive(), _offshored()
    worst = Observation(complaints=100.0, csat=10.0, cost_per_contact=50.0)
    for week in (13, 26, 39, 52):
        assert decide(p, week, firm, worst) is None
    assert firm.bad_reviews == firm.costly_reviews == 0
    assert decide(p, 65, firm, worst) is None and firm.bad_reviews == 1


@pytest.mark.parametrize("bad", [BAD_COMPLAINTS, BAD_CSAT])
def test_adaptive_below_plan_for_k_reviews_reshores_partially(bad: Observation) -> None:
    """Reviews at 65, 78, 91 are bad: the third brings back half the offshore volume."""
    p, firm = _adaptive(), _offshored()
    assert decide(p, 65, firm, bad) is None and firm.bad_reviews == 1
    assert decide(p, 70, firm, bad) is None and firm.bad_reviews == 1  # not a review week
    assert decide(p, 78, firm, bad) is None and firm.bad_reviews == 2
    assert decide(p, 91, firm, bad) == Action("reshore", pytest.approx(0.35))
    assert firm.bad_reviews == 0


def test_adaptive_good_review_resets_the_count() -> None:
    p, firm = _adaptive(), _offshored()
    for week, obs in ((65, BAD_COMPLAINTS), (78, BAD_COMPLAINTS), (91, GOOD),
                      (104, BAD_CSAT), (117, BAD_CSAT)):
        assert decide(p, week, firm, obs) is None
    assert firm.bad_reviews == 2
    assert decide(p, 130, firm, BAD_CSAT) == Action("reshore", pytest.approx(0.35))


def test_adaptive_tolerances_are_strict() -> None:
    """CSAT exactly csat_drop below plan, complaints exactly complaint_ratio x plan, saving
    exactly min_saving_ratio x plan: not bad, not costly."""
    p, firm = _adaptive(), _offshored()
    half_saving = 10.0 * (1 - 0.5 * PLAN.planned_saving)
    borderline = Observation(complaints=18.0, csat=71.0, cost_per_contact=half_saving)
    assert decide(p, 65, firm, borderline) is None
    assert firm.bad_reviews == firm.costly_reviews == 0


def test_adaptive_reshores_at_cost_parity() -> None:
    """Service at plan but no saving for K reviews (New Call Telecom): partial reshoring."""
    p, firm = _adaptive(), _offshored()
    assert decide(p, 65, firm, AT_PARITY) is None and firm.costly_reviews == 1
    assert decide(p, 78, firm, AT_PARITY) is None and firm.costly_reviews == 2
    assert firm.bad_reviews == 0
    assert decide(p, 91, firm, AT_PARITY) == Action("reshore", pytest.approx(0.35))
    assert firm.costly_reviews == 0
    lenient = p.replace(**{"policy.min_saving_ratio": 0.0})
    firm = _offshored()
    assert all(decide(lenient, w, firm, AT_PARITY) is None for w in (65, 78, 91, 104))
    unrecorded = Observation(complaints=12.0, csat=76.0)  # no cost in the history
    assert all(decide(p, w, _offshored(), unrecorded) is None for w in (65, 78, 91))


def test_adaptive_waits_for_its_plan_and_observations() -> None:
    p = _adaptive()
    firm = _offshored()
    assert decide(p, 65, firm, None) is None and firm.bad_reviews == 0
    no_plan = _offshored(business_case=None)
    assert decide(p, 65, no_plan, BAD_COMPLAINTS) is None and no_plan.bad_reviews == 0


def test_adaptive_re_offshores_after_cool_down() -> None:
    p = _adaptive()
    plan = BusinessCase(**{**PLAN.__dict__, "share": 0.35, "review_from": 91})
    firm = _offshored(planned_alpha=0.35, alpha=0.35, last_offshore_change=39,
                      business_case=plan)
    assert decide(p, 130, firm, GOOD) is None                          # 91 weeks < 104
    assert decide(p, 143, firm, GOOD) == Action("announce", 0.7)       # 104 weeks on
    assert decide(p, 143, _offshored(planned_alpha=0.35, last_offshore_change=39,
                                     business_case=plan), BAD_COMPLAINTS) is None  # bad


def test_adaptive_morocco_ten_years_reshores_only_after_ramp_allowance() -> None:
    """Default parameters, 1,000 customers, 520 weeks: the reshoring weeks are reported
    (printed), not asserted; only the mechanism is: no reshoring before cut-over + ramp
    allowance + (K - 1) reviews, each reshoring partial, the plan rewritten each time."""
    p = scenario("adaptive-morocco", n_customers=1000, weeks=520)
    model = OffshoringModel(p, rng=1)
    firm = model.firms[0]
    shares = []
    for _ in range(p.weeks):
        reshores = len(firm.reshore_weeks)
        model.step()
        if len(firm.reshore_weeks) > reshores:
            shares.append(firm.alpha)
            assert firm.business_case.share == pytest.approx(firm.alpha)
            assert firm.business_case.review_from == \
                firm.reshore_weeks[-1] + p.policy.ramp_allowance_weeks
    print(f"adaptive-morocco seed 1: announced {firm.announce_week}, cut over "
          f"{firm.cutover_week}, reshored at weeks {firm.reshore_weeks}")
    assert firm.announce_week is not None
    pol = p.policy
    if firm.reshore_weeks:
        first_cutover = p.policy.week + p.workforce.notice_weeks  # first review: announcement
        earliest = first_cutover + pol.ramp_allowance_weeks + (pol.bad_reviews - 1) \
            * pol.review_weeks
        assert firm.reshore_weeks[0] >= earliest
        assert all(0 < s < pol.share for s in shares if pol.reshore_share < 1)


def test_observe_hand_values() -> None:
    """13 weeks, 1,000 customers, 30 complaints = 3 months: 10 per 1,000 per month.
    Every respondent at 0.8: no survey spread, CSAT exactly 80."""
    week = dict(customers=1000.0, complaints=0, contacts=50, s_sum=40.0, s_sq=32.0)
    history = [dict(week, complaints=30 if i == 0 else 0) for i in range(13)]
    history = [dict(week, complaints=999)] * 5 + history  # older weeks are ignored
    obs = observe(history, 13, 200, np.random.default_rng(0))
    assert obs.complaints == pytest.approx(10.0)
    assert obs.csat == pytest.approx(80.0)
    assert obs.cost_per_contact is None  # the history records no cost
    costed = [dict(h, service_cost=100.0) for h in history]
    assert observe(costed, 13, 200, np.random.default_rng(0)).cost_per_contact == \
        pytest.approx(2.0)  # 13 x 100 over 13 x 50 contacts


def test_observe_survey_noise_shrinks_with_sample_size() -> None:
    """Satisfaction 0.6 or 1.0 half each: sd 0.2, survey sd 100 x 0.2 / sqrt(n)."""
    history = [dict(customers=1000.0, complaints=0, contacts=100, s_sum=80.0,
                    s_sq=50 * 0.36 + 50 * 1.0)] * 13
    for size in (25, 400):
        draws = [observe(history, 13, size, np.random.default_rng(s)).csat for s in range(400)]
        assert np.mean(draws) == pytest.approx(80.0, abs=5 * 20 / np.sqrt(size * 400))
        assert np.std(draws) == pytest.approx(20 / np.sqrt(size), rel=0.15)


def test_plan_without_baseline_complaints_gives_no_complaint_signal() -> None:
    """A baseline year without complaints plans 0: one complaint is not a bad review,
    while CSAT below plan still is."""
    p = _adaptive()
    quiet = BusinessCase(**{**PLAN.__dict__, "complaints": 0.0})
    firm = _offshored(business_case=quiet)
    some = Observation(complaints=3.0, csat=76.0, cost_per_contact=AT_PLAN_COST)
    for week in (65, 78, 91, 104):
        assert decide(p, week, firm, some) is None
    assert firm.bad_reviews == 0
    assert decide(p, 117, firm, BAD_CSAT) is None and firm.bad_reviews == 1


def test_full_reshoring_ends_the_contract_and_its_fees() -> None:
    """Reshoring everything: the contract stops (no practice fees, no vendor news), and
    the service cost is the home team's alone from then on."""
    from model import relocation
    from model.model import OffshoringModel
    from model.policies import Action as Act

    m = OffshoringModel(scenario("offshore-morocco-practices", n_customers=500,
                                 burn_in_weeks=4), rng=3)
    m.run_for(60)
    firm = m.focal
    assert m.vendor.contracts[0].live
    relocation.carry_out(firm, Act("reshore", 0.0), int(m.time))
    c = m.vendor.contracts[0]
    assert not c.live and c.seats == 0 and c.heads == 0
    m.run_for(10)
    k = m.kpis()
    last = k[(k["firm"] == 0) & (k["week"] > k["week"].max() - 5)]
    assert (last["offshore_share"] == 0).all() and (last["vendor_heads"] == 0).all()
    pr, home = m.params.market.productive_share, m.params.home
    home_cost = last["home_heads"] * home.paid_hours_week * pr * home.hourly_cost
    np.testing.assert_allclose(last["service_cost"], home_cost)  # no fees after the end


def test_reads_observation_only_at_an_adaptive_review_past_the_ramp_allowance() -> None:
    """Known answers, and wherever it says no the decision is the same without the
    observation (``relocation.review`` then only draws the survey's normal)."""
    p = _adaptive()
    assert reads_observation(p, 65, _offshored())       # review week 65 = 5 x 13, plan from 65
    assert not reads_observation(p, 66, _offshored())   # not a review week
    assert not reads_observation(p, 52, _offshored())   # inside the ramp allowance
    assert not reads_observation(p, 65, _offshored(business_case=None))
    assert not reads_observation(p, 65, FirmStandIn())  # not relocated: cost-driven
    assert not reads_observation(scenario("offshore-morocco"), 65, _offshored())
    for w in range(0, 200):
        a, b = _offshored(), _offshored()
        if not reads_observation(p, w, a):
            assert decide(p, w, a, BAD_CSAT) == decide(p, w, b, None)
            assert (a.bad_reviews, a.costly_reviews) == (b.bad_reviews, b.costly_reviews)
