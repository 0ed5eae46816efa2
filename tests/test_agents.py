"""The agents (model.agents): the Customer view, home staff, the vendor and firms."""

from __future__ import annotations

import numpy as np
import pytest

from model import Customer, Firm, HomeStaff, OffshoreVendor, OffshoringModel, scenario
from model import workforce as wf
from model.agents import MAX_EXPERIENCE, Contract
from model.staffing import HomeTeam, StaffStats, Status, step_staff


@pytest.fixture
def model() -> OffshoringModel:
    """A tiny market without burn-in (agents only, nothing run)."""
    return OffshoringModel(scenario("offshore-morocco", n_customers=200, weeks=10,
                                    burn_in_weeks=0), rng=3)


def test_agent_types_are_mesa_agents(model: OffshoringModel) -> None:
    assert len(model.agents_by_type[Firm]) == 3
    assert len(model.agents_by_type[OffshoreVendor]) == 1
    assert HomeStaff not in model.agents_by_type  # views are created on first use
    staff = model.staff
    assert len(model.agents_by_type[HomeStaff]) == len(staff) > 0
    assert Customer not in model.agents_by_type  # views are created on first use
    assert len(model.customers) == 200
    assert len(model.agents_by_type[Customer]) == 200


def test_customer_view_reads_the_arrays(model: OffshoringModel) -> None:
    pop = model.population
    for c in list(model.customers)[:50]:
        i = c.idx
        assert c.firm == pop.firm[i] and c.segment == pop.segment[i]
        assert c.satisfaction == pytest.approx(pop.satisfaction[i])
        assert c.ethnocentrism == pytest.approx(pop.ethnocentrism[i])
        assert c.tenure == pop.tenure[i] and c.aware == pop.aware[i]
        assert c.is_prospect == (pop.firm[i] < 0)
        np.testing.assert_array_equal(c.image, pop.image[i])


def test_customer_view_writes_the_arrays(model: OffshoringModel) -> None:
    c = list(model.customers)[7]
    pop = model.population
    c.satisfaction = 0.25
    c.firm = -1
    c.aware = True
    c.unresolved = 2
    c.image[1] = 0.125  # the image is a view on the row
    assert pop.satisfaction[7] == pytest.approx(0.25)
    assert pop.firm[7] == -1 and c.is_prospect
    assert pop.aware[7] and pop.unresolved[7] == 2
    assert pop.image[7, 1] == pytest.approx(0.125)
    pop.expectation[7] = 0.5  # and the other way round
    assert c.expectation == pytest.approx(0.5)


def test_home_staff_week_without_attrition() -> None:
    p = scenario("stay-home", n_customers=200, burn_in_weeks=0,
                 **{"home.annual_attrition": 0.0, "workforce.morale_recovery": 0.1})
    model = OffshoringModel(p, rng=1)
    s = model.firms[0].staff[0]
    s.morale, s.experience = 0.5, 3.0
    s.step()
    assert s.working and s.experience == 4.0 and s.morale == pytest.approx(0.55)
    assert s.proficiency() == pytest.approx(wf.proficiency(4.0, p.home.initial_proficiency,
                                                           p.home.ramp_weeks))
    s.status = Status.laid_off
    s.step()
    assert s.experience == 4.0  # laid-off staff do nothing


def test_home_staff_certain_attrition() -> None:
    p = scenario("stay-home", n_customers=200, burn_in_weeks=0,
                 **{"home.annual_attrition": 1.5, "workforce.morale_attrition_factor": 10.0})
    model = OffshoringModel(p, rng=2)
    firm = model.firms[0]
    for s in firm.staff:
        s.morale = 0.0  # weekly quit probability 1 - exp(-16.5 / 52) = 0.27
    n = len(firm.staff)
    for s in firm.staff:
        s.step()
    quits = sum(not s.working for s in firm.staff)
    assert quits == firm.quits
    p_quit = float(wf.weekly_prob(16.5))
    assert abs(quits / n - p_quit) < 5 * np.sqrt(p_quit * (1 - p_quit) / n)


def test_team_step_draws_as_stepping_each_employee() -> None:
    """step_staff on a whole team = each employee's step in turn, draw for draw."""
    p = scenario("stay-home", n_customers=200, burn_in_weeks=0,
                 **{"home.annual_attrition": 1.5, "workforce.morale_recovery": 0.2})
    one, team = OffshoringModel(p, rng=5), OffshoringModel(p, rng=5)
    for m in (one, team):
        for i, s in enumerate(m.firms[0].staff):
            s.morale = 0.1 + 0.8 * (i % 5) / 4
        m.firms[0].staff[1].status = Status.laid_off  # skipped without a draw
    for _ in range(3):
        for s in one.firms[0].staff:
            s.step()
        team.firms[0].quits += step_staff(team.firms[0].team, team.params, team.rng)
    state = [[(s.status, s.experience, s.morale) for s in m.firms[0].staff] for m in (one, team)]
    assert state[0] == state[1]
    assert one.firms[0].quits == team.firms[0].quits > 0
    assert one.rng.random() == team.rng.random()


def test_staff_stats_of_a_team(model: OffshoringModel) -> None:
    site = model.params.home
    team = HomeTeam()
    team.hire([0.0, 10.0, 52.0])
    team.morale[:] = [0.2, 0.5, 0.8]
    team.acceptance[:] = [0.0, 0.3, 0.9]
    team.status[2] = Status.laid_off  # not counted
    stats = team.stats(site)
    prof = wf.proficiency(np.array([0.0, 10.0]), site.initial_proficiency, site.ramp_weeks)
    assert stats.heads == 2
    assert stats.proficiency == pytest.approx(prof.mean())
    assert stats.morale == pytest.approx(0.35) and stats.acceptance == pytest.approx(0.15)
    assert HomeTeam().stats(site) == StaffStats(heads=0, proficiency=0.0, morale=1.0,
                                                acceptance=0.0)


def test_weekly_staff_stats_follow_the_team() -> None:
    m = OffshoringModel(scenario("stay-home", n_customers=300, burn_in_weeks=2), rng=4)
    for firm in m.firms:
        assert firm.staff_stats == firm.team.stats(m.params.home)
        assert firm.staff_stats.heads == len(firm.working_staff()) > 0


def test_vendor_cohorts_age_and_replace_quits(model: OffshoringModel) -> None:
    """Without attrition a cohort ages one week a week; proficiency follows the curve."""
    v = model.vendor
    v.site = v.site.model_copy(update={"annual_attrition": 0.0})
    v.open_contract(0, 20)
    v.start_cohort(0, 4.0)
    c = v.contracts[0]
    assert c.live and c.heads == 20 and c.cohorts[4] == 20
    prof = v.proficiency(0)
    assert prof == pytest.approx(wf.proficiency(4, v.site.initial_proficiency,
                                                v.site.ramp_weeks))
    v.step_workforce({0: model.params.practices})
    assert c.cohorts[5] == 20 and c.heads == 20 and c.quits == 0
    assert v.proficiency(0) > prof
    c.seats = 12  # seats cut: the least experienced go first
    c.cohorts[0] = 5
    v.step_workforce({0: model.params.practices})
    assert c.heads == 12 and c.cohorts[6] == 12


def test_vendor_contract_release_and_cap() -> None:
    c = Contract(seats=0)
    c.cohorts[[0, 3, MAX_EXPERIENCE]] = [2, 5, 4]
    assert c.heads == 11
    OffshoreVendor._release(c, 4)
    assert c.cohorts[0] == 0 and c.cohorts[3] == 3 and c.cohorts[MAX_EXPERIENCE] == 4


def test_vendor_availability(model: OffshoringModel) -> None:
    v = model.vendor
    assert v.site.observes_ramadan
    dip = v.site.ramadan_availability
    assert v.availability(ramadan=False, adapted=False) == 1.0
    assert v.availability(ramadan=True, adapted=False) == pytest.approx(dip)
    assert v.availability(ramadan=True, adapted=True) == 1.0
    v.begin_outage(2.0, 0.5)
    assert not v.link_up and v.outage_started
    assert v.availability(ramadan=True, adapted=False) == pytest.approx(dip * 0.5)


def test_vendor_practices_raise_rigor_and_cut_attrition(model: OffshoringModel) -> None:
    v = model.vendor
    on = model.params.practices.model_copy(update={"procedures": True, "cultural_adaptation": True})
    off = model.params.practices
    g = on.procedures_gain
    assert v.rigor(on) == pytest.approx(v.site.procedure_rigor + g * (1 - v.site.procedure_rigor))
    assert v.rigor(off) == v.site.procedure_rigor
    assert v.orientation(on) > v.orientation(off)
    assert v.annual_attrition(on) == pytest.approx(v.site.annual_attrition
                                                   * on.cultural_attrition_factor)


def test_firm_initial_state(model: OffshoringModel) -> None:
    focal = model.focal
    assert focal.index == 0 and not focal.relocated and focal.alpha == 0.0
    assert all(s.firm is focal for s in focal.staff)
    assert all(f.reputation == pytest.approx(f.equity) for f in model.firms)


def test_vendor_cohorts_age_as_the_numpy_shift() -> None:
    """``_age_cohorts`` (compiled) = quits out, stayers shifted a week (last pooled), the
    seats left filled at week 0; and nothing hired when the seats were cut. The quits come
    one per cohort with anyone in it (``_staffed``), the same draws as one per cohort."""
    from model.agents import MAX_EXPERIENCE, _age_cohorts, _staffed

    rng = np.random.default_rng(2)
    for seats in (0, 40, 400):
        cohorts = rng.integers(0, 5, MAX_EXPERIENCE + 1) * (rng.random(MAX_EXPERIENCE + 1) < 0.1)
        quits = rng.binomial(cohorts, 0.2)
        stay = cohorts - quits
        want = cohorts.copy()
        want[1:] = stay[:-1]
        want[-1] += stay[-1]
        staffed_want = int(want[1:].sum())
        want[0] = max(0, seats - staffed_want)
        got = cohorts.copy()
        assert _staffed(cohorts).tolist() == cohorts[cohorts > 0].tolist()
        assert _age_cohorts(got, quits[cohorts > 0], seats) == (int(quits.sum()), staffed_want)
        assert got.tolist() == want.tolist()
        # a cohort of nobody draws nothing: drawing only the others leaves the stream as is
        a, b = np.random.default_rng(seats), np.random.default_rng(seats)
        assert a.binomial(_staffed(cohorts), 0.2).tolist() == \
            b.binomial(cohorts, 0.2)[cohorts > 0].tolist()
        assert a.random() == b.random()
