"""A firm's relocation (model.relocation, ODD 7.2): announce, cut-over, lay-offs, reshore."""

from __future__ import annotations

import math

import pytest

from model import OffshoringModel, relocation, scenario
from model.params import Params
from model.policies import Action
from model.staffing import Status, heads_for


def _model(**overrides) -> OffshoringModel:
    return OffshoringModel(scenario("offshore-morocco", n_customers=500, burn_in_weeks=4,
                                    **overrides), rng=3)


def test_vendor_share_is_alpha_unless_tiered() -> None:
    m = Params().market
    assert relocation.vendor_share(0.6, False, m) == 0.6
    mix = (1 - m.premium_share) * m.contact_rate_mass + m.premium_share * m.contact_rate_premium
    eligible = (1 - m.premium_share) * m.contact_rate_mass / mix * (1 - m.sensitive_share)
    assert relocation.vendor_share(0.6, True, m) == pytest.approx(0.6 * eligible)


def test_announcement_gives_notice_opens_a_contract_and_flags_the_week() -> None:
    m = _model()
    firm, p = m.focal, m.params
    employed = firm.team.heads
    relocation.carry_out(firm, Action("announce", 0.5), 0)
    notice = int((firm.team.status == Status.notice).sum())
    assert notice == round(employed * 0.5)
    assert firm.planned_alpha == 0.5 and firm.alpha == 0.0
    assert firm.cutover_week == p.workforce.notice_weeks and firm.announce_week == 0
    c = m.vendor.contracts[0]
    assert c.seats == heads_for(firm.load_forecast * 0.5, p.destination, p.market)
    assert not c.live and firm.vendor is m.vendor
    assert m.events.announcement and "announcement" in firm.events
    assert (firm.team.morale < 1.0).all()  # the announcement's morale drop


def test_cut_over_then_lay_offs_after_parallel_running() -> None:
    m = _model()
    firm, p = m.focal, m.params
    relocation.carry_out(firm, Action("announce", 0.5), 0)
    leavers = int((firm.team.status == Status.notice).sum())
    heads = firm.team.heads
    cut = firm.cutover_week
    relocation.transition(firm, cut)
    assert firm.alpha == 0.5 and m.vendor.contracts[0].live and "cutover" in firm.events
    assert firm.team.heads == heads  # leavers still work in parallel
    relocation.transition(firm, cut + p.economics.parallel_weeks)
    assert firm.team.heads == heads - leavers and len(firm.team) == heads - leavers
    assert firm.ledger.severance == pytest.approx(
        leavers * p.economics.severance_weeks * p.home.monthly_pay * 12 / 52)


def test_a_reshore_releases_seats_at_the_exit_penalty() -> None:
    m = _model()
    m.run_for(60)  # offshore-morocco relocates at its policy week
    firm, p = m.focal, m.params
    c = m.vendor.contracts[0]
    assert c.live and firm.alpha > 0
    seats, alpha = c.seats, firm.alpha
    firm.ledger.exit_penalty = 0.0
    relocation.carry_out(firm, Action("reshore", alpha / 2), int(m.time))
    kept = math.ceil(seats * 0.5)
    assert c.seats == kept and firm.alpha == alpha / 2
    hourly = p.destination.hourly_cost * p.destination.paid_hours_week \
        * p.market.productive_share
    assert firm.ledger.exit_penalty == pytest.approx(
        (seats - kept) * p.economics.vendor_exit_weeks * hourly)
    assert m.events.reshore and firm.reshore_weeks[-1] == int(m.time)
    relocation.reshore(firm, 0.0, int(m.time))
    assert c.seats == 0 and not c.live
    assert not m.population.aware[m.population.firm == 0].any()
