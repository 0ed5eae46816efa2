"""The home team as arrays and the staffing rule (model.staffing, ODD 7.3)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model import HomeStaff, OffshoringModel, scenario
from model import workforce as wf
from model.params import Params
from model.queueing import agents_for_service_level
from model.staffing import (
    NO_LEAVE,
    HomeTeam,
    Status,
    give_notice,
    heads_for,
    hire_initial_staff,
    hires_needed,
    lay_off_leavers,
    step_staff,
)


def test_heads_for_a_load_is_erlang_c_over_productive_hours() -> None:
    p = Params()
    m, site = p.market, p.home
    load = 10_000.0
    agents = agents_for_service_level(load / m.open_hours_week, m.aht_minutes * site.aht_factor,
                                      m.sl_target)
    expected = math.ceil(agents * m.open_hours_week / (site.paid_hours_week * m.productive_share))
    assert heads_for(load, site, m) == expected > 0
    assert heads_for(0.0, site, m) == 0
    assert heads_for(2 * load, site, m) > expected  # more load, more heads


def test_hiring_fills_the_target_and_appends_rows_in_order() -> None:
    p = Params()
    team = HomeTeam()
    hire_initial_staff(team, 5_000.0, p, np.random.default_rng(1))
    target = heads_for(5_000.0, p.home, p.market)
    assert len(team) == team.heads == target
    assert hires_needed(team, 5_000.0, p) == 0
    team.status[:3] = Status.laid_off  # three quit
    assert hires_needed(team, 5_000.0, p) == 3
    new = team.hire(np.zeros(3))
    assert team.heads == target and new.tolist() == list(range(target, target + 3))
    assert np.all(np.diff(team.ids) > 0)                       # hiring order
    assert team.experience[-3:].tolist() == [0.0] * 3 and (team.morale[-3:] == 1.0).all()
    assert (team.leave_week[-3:] == NO_LEAVE).all()


def test_initial_experience_is_exponential_drawn_once() -> None:
    p = Params()
    team = HomeTeam()
    hire_initial_staff(team, 5_000.0, p, np.random.default_rng(4))
    ref = np.random.default_rng(4).exponential(52.0 / p.home.annual_attrition, size=len(team))
    np.testing.assert_array_equal(team.experience, ref)


def test_step_staff_without_attrition_learns_and_recovers() -> None:
    p = scenario("stay-home", **{"home.annual_attrition": 0.0,
                                 "workforce.morale_recovery": 0.5})
    team = HomeTeam()
    team.hire([0.0, 5.0, 9.0])
    team.morale[:] = [0.2, 0.6, 1.0]
    team.status[1] = Status.laid_off  # not stepped, no draw
    rng = np.random.default_rng(0)
    assert step_staff(team, p, rng) == 0
    assert team.experience.tolist() == [1.0, 5.0, 10.0]
    assert team.morale.tolist() == pytest.approx([0.6, 0.6, 1.0])
    other = np.random.default_rng(0)
    other.random(2)  # one uniform per working employee
    assert rng.random() == other.random()


def test_notice_and_lay_off_draw_a_permutation_of_the_employed() -> None:
    team = HomeTeam()
    team.hire(np.zeros(6))
    team.status[0] = Status.laid_off
    give_notice(team, 2, leave_week=12, rng=np.random.default_rng(9))
    employed = np.array([1, 2, 3, 4, 5])
    chosen = employed[np.random.default_rng(9).permutation(5)][:2]
    assert np.flatnonzero(team.status == Status.notice).tolist() == sorted(chosen.tolist())
    assert (team.leave_week[chosen] == 12).all()
    assert lay_off_leavers(team, 11) == 0
    assert lay_off_leavers(team, 12) == 2
    gone = team.drop_leavers()
    assert sorted(gone.tolist()) == sorted([0, *chosen.tolist()]) and len(team) == 3


def test_home_staff_view_writes_through_to_the_arrays() -> None:
    m = OffshoringModel(scenario("stay-home", n_customers=200, burn_in_weeks=0), rng=2)
    firm = m.firms[1]
    s = firm.staff[4]
    assert isinstance(s, HomeStaff) and s.firm is firm
    s.morale, s.experience, s.acceptance = 0.25, 7.0, 0.5
    s.status = Status.notice
    s.leave_week = 30
    assert firm.team.morale[4] == 0.25 and firm.team.experience[4] == 7.0
    assert firm.team.acceptance[4] == 0.5 and firm.team.status[4] == Status.notice
    assert firm.team.leave_week[4] == 30
    firm.team.morale[4] = 0.75  # and the other way round
    assert s.morale == 0.75 and s.status is Status.notice and s.leave_week == 30
    assert s.proficiency() == pytest.approx(float(wf.proficiency(
        7.0, m.params.home.initial_proficiency, m.params.home.ramp_weeks)))


def test_leavers_views_leave_the_model() -> None:
    m = OffshoringModel(scenario("stay-home", n_customers=200, burn_in_weeks=0), rng=2)
    firm = m.firms[0]
    gone = firm.staff[:2]
    before = len(m.agents_by_type[HomeStaff])
    for s in gone:
        s.status = Status.laid_off
    firm.drop_leavers()
    assert len(m.agents_by_type[HomeStaff]) == before - 2
    assert all(s not in firm.staff for s in gone)
    with pytest.raises(KeyError):
        _ = gone[0].morale


def test_staff_views_are_created_on_first_use_and_follow_the_team() -> None:
    """``model.staff``: no ``HomeStaff`` agent until asked; then one view per working row of
    every team, in step with hires and lay-offs as the model runs, and the run unchanged."""
    p = scenario("offshore-morocco", n_customers=300, weeks=80, burn_in_weeks=0)
    m, plain = OffshoringModel(p, rng=5), OffshoringModel(p, rng=5)
    assert HomeStaff not in m.agents_by_type
    m.step()
    staff = m.staff  # views created now, every firm's at once
    assert len(staff) == sum(f.team.heads for f in m.firms) > 0
    assert len(m.agents_by_type[HomeStaff]) == sum(len(f.team) for f in m.firms)
    hired = laid_off = 0
    for _ in range(79):
        before = {f.index: set(f.team.ids.tolist()) for f in m.firms}
        m.step()
        for f in m.firms:
            now = set(f.team.ids.tolist())
            hired += len(now - before[f.index])
            laid_off += len(before[f.index] - now)
            views = f.staff
            assert [s.staff_id for s in views] == f.team.ids.tolist()
            assert [s.experience for s in views] == f.team.experience.tolist()
            assert [s.morale for s in views] == f.team.morale.tolist()
            assert [int(s.status) for s in views] == f.team.status.tolist()
            assert [s.acceptance for s in views] == f.team.acceptance.tolist()
        assert len(m.agents_by_type[HomeStaff]) == sum(len(f.team) for f in m.firms)
    assert hired > 0 and laid_off > 0
    for _ in range(80):
        plain.step()
    assert HomeStaff not in plain.agents_by_type
    assert m.datacollector.get_model_vars_dataframe().equals(
        plain.datacollector.get_model_vars_dataframe())


@pytest.mark.parametrize("laid_off", [[], [3, 17]])
def test_step_staff_and_stats_equal_the_workforce_formulas_bit_for_bit(laid_off) -> None:
    """The in-place week of the team = ``workforce.attrition_prob`` / ``recover_morale``
    per working row, the same draws; ``stats`` = ``workforce.proficiency`` and the means."""
    p = scenario("offshore-morocco", **{"home.annual_attrition": 1.5})  # some quits
    team = HomeTeam()
    team.hire(np.random.default_rng(1).exponential(30.0, 200))
    team.morale[:] = np.random.default_rng(2).random(200)
    team.status[laid_off] = Status.laid_off
    before = {k: getattr(team, k).copy() for k in ("experience", "morale", "status")}
    rows = np.flatnonzero(before["status"] != Status.laid_off)
    u = np.random.default_rng(5).random(rows.size)
    quit_p = wf.attrition_prob(p.home.annual_attrition, before["morale"][rows],
                               p.workforce.morale_attrition_factor)
    quits = u < quit_p
    assert 0 < quits.sum() < rows.size
    rng = np.random.default_rng(5)
    assert step_staff(team, p, rng) == int(quits.sum())
    assert rng.random() == np.random.default_rng(5).random(rows.size + 1)[-1]
    stay, gone = rows[~quits], rows[quits]
    assert (team.status[gone] == Status.laid_off).all()
    assert team.experience[stay].tolist() == (before["experience"][stay] + 1.0).tolist()
    assert team.experience[gone].tolist() == before["experience"][gone].tolist()
    assert team.morale[stay].tolist() == wf.recover_morale(
        before["morale"][stay], p.workforce.morale_recovery).tolist()
    w = team.working
    s = team.stats(p.home)
    prof = wf.proficiency(team.experience[w], p.home.initial_proficiency, p.home.ramp_weeks)
    assert s.heads == int(w.sum())
    assert s.proficiency == float(prof.mean())
    assert s.morale == float(team.morale[w].mean())
    assert s.acceptance == float(team.acceptance[w].mean())
    team.drop_leavers()
    assert team.stats(p.home, all_working=True) == team.stats(p.home)


def test_pairwise_sum_is_numpy_sum_bit_for_bit() -> None:
    """The compiled sum the team statistics use = ``np.add.reduce`` (what ``mean`` sums),
    across the block sizes (8, 128) and the halving beyond."""
    from model.staffing import pairwise_sum

    rng = np.random.default_rng(0)
    for n in [*range(0, 300), 1023, 1024, 1025, 8192, 8193, 100_003]:
        a = rng.random(n) * 10.0 ** rng.uniform(-3, 3, n)
        assert pairwise_sum(a) == np.add.reduce(a), n


def test_hire_appends_as_the_concatenations() -> None:
    """``HomeTeam.hire`` (one compiled call) = each array concatenated with the new rows."""
    team = HomeTeam()
    team.hire([3.5, 0.0])
    team.morale[:] = [0.4, 0.9]
    team.status[1] = Status.notice
    team.leave_week[1] = 12
    before = {k: getattr(team, k).copy() for k in
              ("ids", "experience", "morale", "status", "acceptance", "leave_week")}
    new = team.hire(np.array([0.0, 2.0, 0.0]))
    assert new.tolist() == [2, 3, 4]
    added = {"ids": np.array([2, 3, 4]), "experience": np.array([0.0, 2.0, 0.0]),
             "morale": np.ones(3), "status": np.zeros(3, np.int8),
             "acceptance": np.zeros(3), "leave_week": np.full(3, NO_LEAVE)}
    for k, v in before.items():
        want = np.concatenate([v, added[k].astype(v.dtype)])
        got = getattr(team, k)
        assert got.dtype == v.dtype and got.tobytes() == want.tobytes(), k
    assert team.hire([]).size == 0 and len(team) == 5


def test_lay_off_leavers_equals_the_numpy_mask() -> None:
    """The compiled lay-off = on notice and past the last week worked, laid off."""
    rng = np.random.default_rng(6)
    team = HomeTeam()
    team.hire(np.zeros(200))
    team.status[:] = rng.integers(0, 3, 200)
    team.leave_week[:] = np.where(team.status == Status.notice, rng.integers(0, 20, 200),
                                  NO_LEAVE)
    leaving = (team.status == Status.notice) & (team.leave_week <= 10)
    want = team.status.copy()
    want[leaving] = Status.laid_off
    assert lay_off_leavers(team, 10) == int(leaving.sum()) > 0
    assert team.status.tolist() == want.tolist()
