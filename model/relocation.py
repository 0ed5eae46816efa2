"""A firm's relocation (ODD 7.2): policy review, announcement, cut-over and lay-offs, reshoring.

Called by ``Firm.step`` (ODD 3, step 2): ``review`` lets the firm's own policy
(``model.policies``) act on what the firm observes and carries out its action
(``announce`` or ``reshore``); ``transition`` then cuts over at the end of the
notice period and lays off leavers after parallel running.

What a relocation touches outside the firm comes through the firm's model
(``World``): the vendor, the week's ``Events``, the random generator and the
customer side of a firm's news (``news``, ``forget_offshore``).
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import numpy as np

from model import workforce as wf
from model.economics import production_cost, weekly_pay
from model.params import MarketParams, Params, PolicyKind
from model.policies import Action, business_case, decide, observe, reads_observation
from model.records import Events
from model.staffing import (
    Status,
    contact_mix,
    give_notice,
    heads_for,
    lay_off_leavers,
    lower_morale,
    on_notice,
)


class World(Protocol):
    """What a firm's relocation reads and changes outside the firm (the model)."""

    params: Params
    rng: np.random.Generator
    vendor: Any      # model.agents.OffshoreVendor
    events: Events

    def news(self, firm: Any, salience: float, aware: bool) -> None: ...

    def forget_offshore(self, firm: Any) -> None: ...


def vendor_share(alpha: float, tiered: bool, m: MarketParams) -> float:
    """Expected share of a firm's contacts routed to the vendor at share ``alpha``.

    With tiered routing only mass-market, non-sensitive contacts may go (ODD 7.5).
    """
    if not tiered:
        return alpha
    mass = (1 - m.premium_share) * m.contact_rate_mass
    eligible = mass / max(contact_mix(m), 1e-12) * (1 - m.sensitive_share)
    return alpha * eligible


def review(firm, week: int) -> None:
    """The firm's own policy acts on what it observes (ODD 7.2).

    Policies do not act in the burn-in. A rival that never relocates observes
    nothing (draws nothing), so a run whose rivals stay home draws as the
    focal-firm-only model did. The survey is drawn every week (one normal);
    the indicators are computed only when the policy reads them
    (``policies.reads_observation``).
    """
    view: Params = firm.params
    if week < 0 or (firm.index != 0 and view.policy.kind == PolicyKind.never):
        return
    pol, obs = view.policy, None
    if firm.history:
        if reads_observation(view, week, firm):
            obs = observe(firm.history, pol.review_weeks, pol.survey_size, firm.model.rng)
        else:  # the survey's one normal draw (its scale draws nothing), nothing computed
            firm.model.rng.standard_normal()
    action = decide(view, week, firm, obs)
    if action is not None:
        carry_out(firm, action, week)


def carry_out(firm, action: Action, week: int) -> None:
    """Announce a relocation (notice period, knowledge transfer) or reshore now."""
    if action.kind == "announce":
        announce(firm, action, week)
    else:
        reshore(firm, action.share, week)
    firm.last_offshore_change = week
    firm.events.add("announcement" if action.kind == "announce" else "reshore")


def announce(firm, action: Action, week: int) -> None:
    """Announce moving ``action.share`` of the volume: notice, morale, contract, news (7.2)."""
    world: World = firm.model
    p, rng = world.params, world.rng
    old = firm.planned_alpha
    firm.planned_alpha = action.share
    firm.tiered = action.tiered or PolicyKind(firm.params.policy.kind) == PolicyKind.tiered
    firm.announce_week = week
    firm.cutover_week = week + p.workforce.notice_weeks
    world.events.announcement = True
    if firm.baseline_obs is None and firm.history:
        base = observe(firm.history, 52, 10**9, rng)
        firm.baseline_obs = (base.complaints, base.csat)
        firm.baseline_cost = base.cost_per_contact
    share_now = firm.vendor_share(old)
    share_new = firm.vendor_share(action.share)
    write_business_case(firm, share_new,
                        firm.cutover_week + firm.params.policy.ramp_allowance_weeks)
    team = firm.team
    employed = int(np.count_nonzero(team.status == Status.employed))
    leave_n = round(employed * (share_new - share_now) / max(1 - share_now, 1e-9))
    give_notice(team, leave_n, firm.cutover_week + p.economics.parallel_weeks, rng)
    firm.communication = p.practices.communication_effect \
        if p.practices.internal_communication else 0.0
    working = lower_morale(team, p.workforce.morale_drop, firm.communication)
    if p.practices.internal_communication:
        firm.ledger.transition += p.practices.communication_cost * working
    seats = heads_for(firm.load_forecast * share_new, p.destination, p.market)
    vendor = world.vendor
    contract = vendor.contracts.get(firm.index)
    new_seats = seats - (contract.seats if contract else 0)
    if contract is not None and contract.live:
        contract.pending_seats = seats  # the live team grows only at cut-over
    else:
        vendor.open_contract(firm.index, seats)
    firm.ledger.transition += p.economics.setup_per_seat * max(new_seats, 0)
    firm.vendor = vendor
    if not p.destination.onshore_outsourcer:
        world.news(firm, p.customers.media_salience, aware=True)


def reshore(firm, share: float, week: int) -> None:
    """Bring the volume back home down to ``share`` now: seats released at an exit penalty."""
    world: World = firm.model
    p = world.params
    old = firm.vendor_share(firm.alpha)
    firm.alpha = firm.planned_alpha = share
    firm.reshore_weeks.append(week)
    world.events.reshore = True
    c = world.vendor.contracts[firm.index]
    seats = math.ceil(c.seats * firm.vendor_share(share) / max(old, 1e-9))
    released = c.seats - seats
    firm.ledger.exit_penalty += released * p.economics.vendor_exit_weeks * production_cost(
        1, p.destination.hourly_cost, p.destination.paid_hours_week, p.market.productive_share)
    c.seats = seats
    if seats == 0:  # the contract ends: no fees, no news, a new one needs a transfer
        c.live, c.pending_seats = False, None
        c.cohorts[:] = 0
    if share == 0:
        world.forget_offshore(firm)
    # the plan is rewritten for the share kept; rehired home staff get the ramp allowance
    write_business_case(firm, firm.vendor_share(share),
                        week + firm.params.policy.ramp_allowance_weeks)


def write_business_case(firm, share: float, review_from: int) -> None:
    """The plan the adaptive policy judges against (``model.policies.business_case``)."""
    if firm.baseline_obs is None or firm.baseline_cost is None:
        firm.business_case = None
        return
    complaints, csat = firm.baseline_obs
    world: World = firm.model
    firm.business_case = business_case(firm.params, share,
                                       world.vendor.orientation(world.params.practices),
                                       complaints, csat, firm.baseline_cost, review_from)


def transition(firm, week: int) -> None:
    """Cut-over at the end of the notice period; leavers go after parallel running."""
    world: World = firm.model
    p = world.params
    team = firm.team
    if firm.cutover_week == week and firm.planned_alpha > firm.alpha:
        leaving = on_notice(team)
        morale = team.morale[leaving].mean() if leaving.any() else 1.0
        accept = team.acceptance[leaving].mean() if leaving.any() else 0.0
        quality = wf.transfer_quality(float(morale), float(accept))
        c = world.vendor.contracts[firm.index]
        if not c.live:
            world.vendor.start_cohort(firm.index, p.workforce.knowledge_transfer_weeks * quality)
        else:
            c.seats = c.pending_seats if c.pending_seats is not None else c.seats
            c.pending_seats = None
            c.cohorts[0] += max(0, c.seats - c.heads)
        firm.alpha = firm.planned_alpha
        world.events.cutover = True
        firm.events.add("cutover")
    if not team.status.any():  # all employed (Status 0): nobody to lay off, no row to drop
        return
    pay = weekly_pay(p.home.monthly_pay)
    for _ in range(lay_off_leavers(team, week)):  # one by one: the sum as it always was
        firm.ledger.severance += p.economics.severance_weeks * pay
    firm.drop_leavers()
