"""OffshoringModel: the weekly schedule of DESIGN.md section 3.

    model = OffshoringModel(scenario("offshore-morocco"), rng=42)
    model.run_for(520)
    model.kpis()      # tidy per-firm weekly DataFrame
    model.summary()   # one row per firm

The constructor runs the burn-in (``burn_in_weeks`` with everything at home),
so week 0 starts from the market's own steady state and ``model.time`` counts
weeks since then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import mesa
import numpy as np
import pandas as pd

from model import acquisition as acq
from model import churn, demand, image, perception, routing, service, word_of_mouth
from model import workforce as wf
from model.agents import Customer, Firm, HomeStaff, OffshoreVendor, StaffStats, Status, step_staff
from model.baseline_hazard import relative_hazard
from model.calendar import ramadan_mask, week_start
from model.economics import Ledger, discount_factor, production_cost, weekly_pay
from model.metrics import KPI_COLUMNS, customer_stats, firm_kpis, model_reporters, summarise
from model.network import build_network
from model.params import Params, PolicyKind, PolicyParams, ShockKind
from model.policies import Action, business_case, decide, observe
from model.population import PREMIUM, PROSPECT, create_population
from model.queueing import QueueResult, agents_for_service_level, erlang_a


@dataclass
class FirmWeek:
    """What happened to one firm's customers and channels this week (for metrics)."""

    contacts: int = 0
    offshore_contacts: int = 0
    answered: int = 0
    resolved: int = 0
    abandoned: int = 0
    within_sl: float = 0.0
    wait_sum: float = 0.0
    s_sum: float = 0.0
    s_sq: float = 0.0
    complaints: int = 0
    churned: int = 0
    acquired: int = 0
    quality: dict[str, float] = field(default_factory=dict)   # mean experience quality
    csat: dict[str, float] = field(default_factory=dict)      # mean transaction satisfaction
    queues: dict[str, QueueResult] = field(default_factory=dict)


@dataclass
class Events:
    """Calendar and events of the week (step 1), also shown as markers in the app."""

    ramadan: bool = False
    outage: bool = False
    breach: bool = False
    media: bool = False
    strike: bool = False
    announcement: bool = False
    cutover: bool = False
    reshore: bool = False


class OffshoringModel(mesa.Model):
    """Firms, an offshore vendor, home staff and customers on a social network."""

    def __init__(self, params: Params | None = None, *, rng: int | np.random.Generator |
                 np.random.SeedSequence | None = None) -> None:
        if isinstance(rng, np.random.SeedSequence):
            rng = np.random.default_rng(rng)
        super().__init__(rng=rng)
        self.params = p = params or Params()
        self.scale = p.market.market_size / p.n_customers
        self.week = -p.burn_in_weeks
        self.network = build_network(p.n_customers, p.network, self.rng)
        self.profiles = [p.firm(i) for i in range(p.n_firms)]  # each firm's own values
        self._views = [self._firm_view(i) for i in range(p.n_firms)]
        self.price_factors = np.array([fp.price_factor for fp in self.profiles])
        equity = [image.brand_equity(fp.advertising, p.customers.advertising_effect)
                  for fp in self.profiles]
        self.firms: list[Firm] = [Firm(self, i, e, e) for i, e in enumerate(equity)]
        self.vendor = OffshoreVendor(self, p.destination)
        self.population = create_population(p, np.array(equity), self.rng)
        self.base_hazard = churn.monthly_to_weekly(p.market.monthly_churn_target) / \
            relative_hazard(p.market.name)
        self.stats = customer_stats(self.population)  # updated each week at accounting
        self._customer_views: mesa.agent.AgentSet | None = None
        self._expected_week: int | None = None
        self._expected = np.zeros(p.n_firms)
        self._rows: list[dict] = []
        self.events = Events()
        self.this_week: list[FirmWeek] = [FirmWeek() for _ in self.firms]
        self._hire_initial_staff()
        self.datacollector = mesa.DataCollector(model_reporters=model_reporters())
        for w in range(-p.burn_in_weeks, 0):
            self._week(w)
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ agents
    @property
    def customers(self) -> mesa.agent.AgentSet:
        """Customer views (created on first use: a million views cost memory, not speed)."""
        if self._customer_views is None:
            self._customer_views = Customer.create_agents(self, self.params.n_customers,
                                                          idx=np.arange(self.params.n_customers))
        return self._customer_views

    @property
    def staff(self) -> list[HomeStaff]:
        return [s for f in self.firms for s in f.staff if s.working]

    @property
    def focal(self) -> Firm:
        return self.firms[0]

    def _firm_view(self, i: int) -> Params:
        """The parameters as firm ``i``'s policy sees them: its policy, its hourly cost."""
        p, fp = self.params, self.profiles[i]
        if fp.policy is p.policy and fp.hourly_cost == p.home.hourly_cost:
            return p
        return p.model_copy(update={"policy": fp.policy, "home": p.home.model_copy(
            update={"hourly_cost": fp.hourly_cost})})

    def policy_of(self, firm: Firm) -> PolicyParams:
        """The firm's own relocation policy (``Params.firm``)."""
        return self.profiles[firm.index].policy

    def _hire_initial_staff(self) -> None:
        p = self.params
        counts = self.population.counts()
        mix = self._contact_mix()
        fcr = p.market.fcr_base * 0.9
        for f, firm in zip(self.firms, counts, strict=True):
            load = firm * self.scale * mix * (1 + p.market.repeat_contact_prob * (1 - fcr))
            f.load_forecast = load
            mean_exp = 52.0 / max(p.home.annual_attrition, 1e-3)
            exp = self.rng.exponential(mean_exp, size=self._heads_for(load, home=True))
            f.staff = [HomeStaff(self, f, e) for e in exp]

    def _contact_mix(self) -> float:
        m = self.params.market
        return ((1 - m.premium_share) * m.contact_rate_mass
                + m.premium_share * m.contact_rate_premium)

    def _heads_for(self, contacts_per_week: float, home: bool) -> int:
        """Heads needed to answer a weekly volume at the service-level target (Erlang C)."""
        p = self.params
        site = p.home if home else p.destination
        if contacts_per_week <= 0:
            return 0
        aht = p.market.aht_minutes * site.aht_factor
        agents = agents_for_service_level(contacts_per_week / p.market.open_hours_week, aht,
                                          p.market.sl_target)
        per_head = site.paid_hours_week * p.market.productive_share
        return math.ceil(agents * p.market.open_hours_week / per_head)

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One week (Mesa advances ``time`` by 1)."""
        self._week(int(round(self.time)) - 1)
        self.datacollector.collect(self)

    def _week(self, w: int) -> None:
        """The weekly schedule, in DESIGN.md order."""
        self.week = w
        self.calendar_and_events(w)                       # 1
        self.firm_decisions(w)                            # 2
        self.workforce(w)                                 # 3
        contacts = demand.draw_contacts(self.population, self.params.market, self.rng)  # 4
        sensitive, to_vendor = self.routing(contacts)     # 5
        s = self.service_and_satisfaction(contacts, sensitive, to_vendor)  # 6, 7
        self.word_of_mouth(contacts, s)                   # 8
        self.image_memory()                               # 9
        self.churn_and_switching()                        # 10
        self.acquisition()                                # 11
        self.accounting(w)                                # 12
        self.observation(w)                               # 13

    # 1 ---------------------------------------------------------------------
    def calendar_and_events(self, w: int) -> None:
        p = self.params
        self.events = Events(ramadan=bool(ramadan_mask(self.week_date(w), 1)[0]))
        self.this_week = [FirmWeek() for _ in self.firms]
        for firm in self.firms:
            firm.events.clear()
        live = any(c.live for c in self.vendor.contracts.values())
        pr = p.practices
        self.vendor.step_link(pr.link_redundancy, pr.redundancy_effect, pr.data_security,
                              pr.security_effect)
        if not live:
            self.vendor.breach_this_week = False
        for shock in p.shocks:
            if shock.week != w:
                continue
            if shock.kind == ShockKind.outage:
                cut = 1 - pr.redundancy_effect if pr.link_redundancy else 1.0
                self.vendor.begin_outage(shock.weeks, p.destination.outage_severity * cut)
            elif shock.kind == ShockKind.breach:
                self._news(self.focal, shock.salience, aware=True)
                self.events.breach = True
            else:
                self._news(self.focal, shock.salience, aware=False)
                self.events.media = True
        if live and self.vendor.breach_this_week:
            self.events.breach = True
            for fid, c in self.vendor.contracts.items():
                if c.live:
                    self._news(self.firms[fid], p.customers.breach_salience, aware=True)
        if live and self.vendor.outage_started:
            for fid, c in self.vendor.contracts.items():
                if c.live:
                    self._news(self.firms[fid], p.customers.outage_salience, aware=True)
        self.events.outage = live and not self.vendor.link_up

    def week_date(self, w: int) -> date:
        """Calendar date of the first day of week ``w`` (week 0: 1 January of start_year)."""
        return week_start(self.params.start_year, self.params.burn_in_weeks, w)

    def _news(self, firm: Firm, salience: float, aware: bool) -> None:
        pop = self.population
        reached = word_of_mouth.news(pop.image, firm.index, salience,
                                     self.params.customers.media_reach, pop.ethnocentrism, self.rng)
        if aware and firm.planned_alpha > 0 and not self.params.destination.onshore_outsourcer:
            pop.aware |= reached & (pop.firm == firm.index)

    # 2 ---------------------------------------------------------------------
    def firm_decisions(self, w: int) -> None:
        for firm in self.firms:
            firm.step()
            self._transition(firm, w)

    def policy_review(self, firm: Firm) -> None:
        """Called by Firm.step: the firm's own policy acts on what it observes.

        A rival that never relocates observes nothing (draws nothing), so a run
        whose rivals stay home draws as the focal-firm-only model did.
        """
        w = self.week
        view = self._views[firm.index]
        if w < 0 or (firm.index != 0 and view.policy.kind == PolicyKind.never):
            return
        pol = view.policy
        obs = observe(firm.history, pol.review_weeks, pol.survey_size, self.rng) \
            if firm.history else None
        action = decide(view, w, firm, obs)
        if action is not None:
            self.carry_out(firm, action, w)

    def carry_out(self, firm: Firm, action: Action, w: int) -> None:
        """Announce a relocation (notice period, knowledge transfer) or reshore now."""
        if action.kind == "announce":
            self._announce(firm, action, w)
        else:
            self._reshore(firm, action.share, w)
        firm.last_offshore_change = w
        firm.events.add("announcement" if action.kind == "announce" else "reshore")

    def _announce(self, firm: Firm, action: Action, w: int) -> None:
        p = self.params
        pol_kind = PolicyKind(self.policy_of(firm).kind)  # the firm's own policy
        old = firm.planned_alpha
        firm.planned_alpha = action.share
        firm.tiered = action.tiered or pol_kind == PolicyKind.tiered
        firm.announce_week = w
        firm.cutover_week = w + p.workforce.notice_weeks
        self.events.announcement = True
        if firm.baseline_obs is None and firm.history:
            base = observe(firm.history, 52, 10**9, self.rng)
            firm.baseline_obs = (base.complaints, base.csat)
            firm.baseline_cost = base.cost_per_contact
        share_now = self.vendor_share(firm, old)
        share_new = self.vendor_share(firm, action.share)
        self._write_business_case(firm, share_new,
                                  firm.cutover_week + self.policy_of(firm).ramp_allowance_weeks)
        working = [s for s in firm.staff if s.status == Status.employed]
        leave_n = round(len(working) * (share_new - share_now) / max(1 - share_now, 1e-9))
        for s in self.rng.permutation(np.array(working, dtype=object))[:leave_n]:
            s.status = Status.notice
            s.leave_week = firm.cutover_week + p.economics.parallel_weeks
        firm.communication = p.practices.communication_effect \
            if p.practices.internal_communication else 0.0
        for s in firm.working_staff():
            s.morale = float(wf.announcement_morale(s.morale, p.workforce.morale_drop,
                                                    firm.communication))
        if p.practices.internal_communication:
            firm.ledger.transition += p.practices.communication_cost * len(firm.working_staff())
        seats = self._heads_for(firm.load_forecast * share_new, home=False)
        contract = self.vendor.contracts.get(firm.index)
        new_seats = seats - (contract.seats if contract else 0)
        if contract is not None and contract.live:
            contract.pending_seats = seats  # the live team grows only at cut-over
        else:
            self.vendor.open_contract(firm.index, seats)
        firm.ledger.transition += p.economics.setup_per_seat * max(new_seats, 0)
        firm.vendor = self.vendor
        if not p.destination.onshore_outsourcer:
            self._news(firm, p.customers.media_salience, aware=True)

    def _reshore(self, firm: Firm, share: float, w: int) -> None:
        p = self.params
        old = self.vendor_share(firm, firm.alpha)
        firm.alpha = firm.planned_alpha = share
        firm.reshore_weeks.append(w)
        self.events.reshore = True
        c = self.vendor.contracts[firm.index]
        seats = math.ceil(c.seats * self.vendor_share(firm, share) / max(old, 1e-9))
        released = c.seats - seats
        firm.ledger.exit_penalty += released * p.economics.vendor_exit_weeks * production_cost(
            1, self._vendor_hourly(), p.destination.paid_hours_week, p.market.productive_share)
        c.seats = seats
        if seats == 0:  # the contract ends: no fees, no news, a new one needs a transfer
            c.live, c.pending_seats = False, None
            c.cohorts[:] = 0
        if share == 0:
            self.population.aware[self.population.firm == firm.index] = False
        # the plan is rewritten for the share kept; rehired home staff get the ramp allowance
        self._write_business_case(firm, self.vendor_share(firm, share),
                                  w + self.policy_of(firm).ramp_allowance_weeks)

    def _write_business_case(self, firm: Firm, share: float, review_from: int) -> None:
        """The plan the adaptive policy judges against (model.policies.business_case)."""
        if firm.baseline_obs is None or firm.baseline_cost is None:
            firm.business_case = None
            return
        complaints, csat = firm.baseline_obs
        firm.business_case = business_case(self._views[firm.index], share,
                                           self.vendor.orientation(self.params.practices),
                                           complaints, csat, firm.baseline_cost, review_from)

    def _transition(self, firm: Firm, w: int) -> None:
        """Cut-over at the end of the notice period; leavers go after parallel running."""
        p = self.params
        if firm.cutover_week == w and firm.planned_alpha > firm.alpha:
            leaving = [s for s in firm.staff if s.status == Status.notice]
            morale = np.mean([s.morale for s in leaving]) if leaving else 1.0
            accept = np.mean([s.acceptance for s in leaving]) if leaving else 0.0
            quality = wf.transfer_quality(float(morale), float(accept))
            c = self.vendor.contracts[firm.index]
            if not c.live:
                self.vendor.start_cohort(firm.index, p.workforce.knowledge_transfer_weeks
                                         * quality)
            else:
                c.seats = c.pending_seats if c.pending_seats is not None else c.seats
                c.pending_seats = None
                c.cohorts[0] += max(0, c.seats - c.heads)
            firm.alpha = firm.planned_alpha
            self.events.cutover = True
            firm.events.add("cutover")
        pay = weekly_pay(p.home.monthly_pay)
        for s in firm.staff:
            if s.status == Status.notice and s.leave_week is not None and w >= s.leave_week:
                s.status = Status.laid_off
                firm.ledger.severance += p.economics.severance_weeks * pay
        for s in firm.staff:
            if not s.working:
                s.remove()  # deregister from Mesa: leavers are gone for good
        firm.staff = [s for s in firm.staff if s.working]

    def vendor_share(self, firm: Firm, alpha: float) -> float:
        """Expected share of the firm's contacts routed to the vendor at share ``alpha``."""
        if not firm.tiered:
            return alpha
        m = self.params.market
        mass = (1 - m.premium_share) * m.contact_rate_mass
        eligible = mass / max(self._contact_mix(), 1e-12) * (1 - m.sensitive_share)
        return alpha * eligible

    # 3 ---------------------------------------------------------------------
    def workforce(self, w: int) -> None:
        p = self.params
        in_notice = [f for f in self.firms
                     if f.announce_week is not None and f.announce_week <= w < f.cutover_week]
        for firm in self.firms:
            firm.quits = 0
            step_staff(firm.staff, self)
            firm.strike = False
            if firm in in_notice:
                morale = StaffStats.of(firm.staff, p.home).morale
                prob = wf.strike_probability(morale, p.workforce.strike_prob, firm.communication)
                firm.strike = bool(self.rng.random() < prob)
                self.events.strike |= firm.strike
            self._acceptance(firm)
            self._hire(firm)
            firm.staff_stats = StaffStats.of(firm.staff, p.home)
        self.vendor.step_workforce({f.index: p.practices for f in self.firms})

    def _acceptance(self, firm: Firm) -> None:
        last = firm.history[-1] if firm.history else None
        if firm.vendor is None or last is None or "q_vendor" not in last:
            return
        gap = last["q_home"] - last["q_vendor"]
        wp = self.params.workforce
        if not firm.staff:
            return
        accept = np.fromiter((s.acceptance for s in firm.staff), float, len(firm.staff))
        accept = wf.update_acceptance(accept, gap, wp.acceptance_rate, wp.acceptance_tolerance)
        for s, a in zip(firm.staff, accept.tolist(), strict=True):
            s.acceptance = a

    def _hire(self, firm: Firm) -> None:
        p = self.params
        home_load = firm.load_forecast * (1 - self.vendor_share(firm, firm.alpha))
        target = self._heads_for(home_load, home=True)
        hires = target - len(firm.working_staff())
        if hires <= 0:
            return
        firm.staff.extend(HomeStaff(self, firm, 0.0) for _ in range(hires))
        firm.ledger.hiring += hires * p.economics.hiring_weeks * weekly_pay(p.home.monthly_pay)

    # 5 ---------------------------------------------------------------------
    def routing(self, contacts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pop = self.population
        sensitive = self.rng.random(contacts.size) < self.params.market.sensitive_share
        alpha = np.array([f.alpha for f in self.firms])
        tiered = np.array([f.tiered for f in self.firms])
        to_vendor = routing.route(pop.firm[contacts], pop.segment[contacts], sensitive, alpha,
                                  tiered, self.rng)
        return sensitive, to_vendor

    # 6, 7 ------------------------------------------------------------------
    def service_and_satisfaction(self, contacts: np.ndarray, sensitive: np.ndarray,
                                 to_vendor: np.ndarray) -> np.ndarray:
        """Serve every contact on its channel, update satisfaction and expectation; return s.

        Each channel (firm, home or vendor) gets its capacity, queue and
        resolution for the week (``channel``); the contacts are served in one
        compiled pass (``service.serve_contacts``) and tallied per channel.
        """
        pop = self.population
        code = 2 * pop.firm[contacts].astype(np.intp) + to_vendor  # channel of each contact
        counts = np.bincount(code, minlength=2 * self.params.n_firms)
        channels: list[service.Channel | None] = []
        for firm in self.firms:
            for offshore in (False, True):
                n = int(counts[2 * firm.index + offshore])
                self.this_week[firm.index].contacts += n
                channels.append(self.channel(firm, offshore, n) if n else None)
        reputation = [float(np.float32(self.firms[k // 2].reputation))
                      for k in range(len(channels))]
        table = service.channel_table(channels, reputation, self.params.market.patience_minutes)
        s, tally = service.serve_contacts(
            contacts, code, sensitive, table, service.customer_coefficients(self.params.customers),
            pop.aware, pop.ethnocentrism, pop.expectation, pop.satisfaction, pop.unresolved,
            pop.valence, pop.tenure, self.rng)
        for k, ch in enumerate(channels):
            if ch is not None:
                sums = dict(zip(service.TALLY, tally[k].tolist(), strict=True))
                self._tally(self.this_week[k // 2], ch, sums, bool(k % 2))
        return s

    def expected_contacts(self) -> np.ndarray:
        """Expected contacts of each firm this week (sum of contact probabilities).

        Queues and staffing use the expected volume scaled to the real market,
        not the sampled count: a sample of customers would otherwise inflate
        the week-to-week noise of the real market's volume by market_size /
        n_customers. Computed once a week, before any contact is served.
        """
        if self._expected_week != self.week:
            self._expected = demand.expected_contacts(self.population, self.params.market)
            self._expected_week = self.week
        return self._expected

    def channel(self, firm: Firm, offshore: bool, n_contacts: int) -> service.Channel:
        """Capacity, queue and resolution of the firm's home or vendor channel this week.

        ``n_contacts`` is the sampled count; the queue sees the expected volume.
        """
        p, m = self.params, self.params.market
        share = self.vendor_share(firm, firm.alpha)
        expected = self.expected_contacts()[firm.index] * (share if offshore else 1 - share)
        arrivals = expected * self.scale / m.open_hours_week
        if offshore:
            site = p.destination
            c = self.vendor.contracts[firm.index]
            prof = self.vendor.proficiency(firm.index)
            adapted = p.practices.cultural_adaptation
            avail = self.vendor.availability(self.events.ramadan, adapted)
            hours = c.heads * site.paid_hours_week * m.productive_share * avail
            rigor, orient = self.vendor.rigor(p.practices), self.vendor.orientation(p.practices)
            escalation = p.workforce.escalation_gain * firm.staff_stats.acceptance
        else:
            site, team = p.home, firm.staff_stats
            prof = team.proficiency
            productivity = 1 - p.workforce.morale_productivity * (1 - team.morale)
            strike = 1 - p.workforce.strike_capacity_loss if firm.strike else 1.0
            hours = team.heads * site.paid_hours_week * m.productive_share * productivity * strike
            rigor, orient, escalation = site.procedure_rigor, site.customer_orientation, 0.0
        aht = m.aht_minutes * site.aht_factor * (1 + 0.5 * (1 - prof))
        queue = erlang_a(hours / m.open_hours_week, arrivals, aht, m.patience_minutes)
        noise = service.weekly_noise(rigor, p.workforce.resolution_noise, self.rng)
        fcr = min(1.0, service.resolution_probability(m.fcr_base, prof, orient) * noise)
        return service.Channel(fcr=fcr, language_fit=site.language_fit, orientation=orient,
                               access_gain=site.extended_hours_gain, queue=queue,
                               offshore=offshore and not site.onshore_outsourcer,
                               escalation=escalation)

    @staticmethod
    def _tally(fw: FirmWeek, ch: service.Channel, t: dict[str, float], offshore: bool) -> None:
        """Add one channel's week (``t``: the ``service.TALLY`` sums) to the firm's week."""
        n = int(t["contacts"])
        fw.offshore_contacts += n if offshore else 0
        fw.answered += int(t["answered"])
        fw.resolved += int(t["resolved"])
        fw.abandoned += int(t["abandoned"])
        fw.within_sl += ch.queue.service_level * n
        fw.wait_sum += ch.queue.mean_wait * n
        fw.s_sum += t["s_sum"]
        fw.s_sq += t["s_sq"]
        fw.complaints += int(t["complaints"])
        fw.quality["vendor" if offshore else "home"] = t["q_sum"] / n
        fw.csat["vendor" if offshore else "home"] = t["s_sum"] / n
        fw.queues["vendor" if offshore else "home"] = ch.queue

    # 8 ---------------------------------------------------------------------
    def word_of_mouth(self, talkers: np.ndarray, s: np.ndarray) -> None:
        pop = self.population
        word_of_mouth.spread(pop.image, self.network, pop.firm, s, talkers, self.params.customers,
                             self.rng)

    # 9 ---------------------------------------------------------------------
    def image_memory(self) -> None:
        """Images fade toward each firm's baseline; awareness of offshore service fades."""
        pop, c = self.population, self.params.customers
        perception.fade_awareness(pop.aware, c.awareness_fade, self.rng)
        equity = np.array([f.equity for f in self.firms])
        reputation = np.array([f.reputation for f in self.firms])
        image.decay(pop.image, image.baseline(equity, reputation), c.image_memory)
        reputation = image.update_reputation(reputation, pop.image, c.reputation_rate)
        for f, r in zip(self.firms, reputation, strict=True):
            f.reputation = float(r)

    # 10 --------------------------------------------------------------------
    def prices(self, segment: np.ndarray) -> np.ndarray:
        """Weekly price each customer pays at each firm (n, M): the market's price of the
        customer's segment x the firm's ``price_factor``."""
        m = self.params.market
        price = np.where(segment == PREMIUM, m.price_mass * m.premium_price_factor, m.price_mass)
        return price[:, None] * self.price_factors[None, :]

    def churn_and_switching(self) -> None:
        pop, c = self.population, self.params.customers
        idx = churn.draw_churners(pop.satisfaction, pop.unresolved, pop.image, pop.firm,
                                  pop.tenure, self.base_hazard, *churn.coefficients(c), self.rng)
        own = pop.firm[idx].astype(np.int64)
        for f, n in enumerate(np.bincount(own, minlength=self.params.n_firms).tolist()):
            if n:
                self.this_week[f].churned = n
        if idx.size == 0:
            return
        u = churn.destination_utility(pop.image[idx], own, self.prices(pop.segment[idx]), c)
        choice = churn.logit_choice(u, self.rng)
        dest = np.where(choice == self.params.n_firms, PROSPECT, choice)
        self._join(idx, dest)

    def _join(self, idx: np.ndarray, dest: np.ndarray) -> None:
        """Customers ``idx`` become customers of ``dest`` (or prospects): fresh relationship."""
        pop, c = self.population, self.params.customers
        pop.firm[idx] = dest
        pop.tenure[idx] = 0
        pop.unresolved[idx] = 0
        pop.aware[idx] = False
        pop.satisfaction[idx] = c.satisfaction_reference
        rep = np.array([f.reputation for f in self.firms] + [0.0], dtype=np.float32)
        pop.expectation[idx] = np.where(dest >= 0, rep[dest], pop.expectation[idx])
        for f in np.unique(dest[dest >= 0]):
            self.this_week[f].acquired += int((dest == f).sum())

    # 11 --------------------------------------------------------------------
    def acquisition(self) -> None:
        pop, c = self.population, self.params.customers
        adopters = acq.adopters(self.network, pop.firm, pop.satisfaction, c.satisfied_above,
                                c.adoption_ad, c.adoption_wom, c.adoption_wom * c.weak_tie_factor,
                                self.rng)
        if adopters.size == 0:
            return
        u = c.logit_image * pop.image[adopters] - c.logit_price * self.prices(pop.segment[adopters])
        self._join(adopters, churn.logit_choice(u, self.rng))

    # 12 --------------------------------------------------------------------
    def accounting(self, w: int) -> None:
        p, pop = self.params, self.population
        self.stats = customer_stats(pop)  # the customers as they end the week
        m = p.market
        by_segment = np.array([m.price_mass, m.price_mass * m.premium_price_factor])
        revenue = (self.stats.by_segment @ by_segment) * self.price_factors * self.scale
        for firm, fw in zip(self.firms, self.this_week, strict=True):
            led, own = firm.ledger, self.profiles[firm.index]
            led.revenue = float(revenue[firm.index])
            led.variable_cost = led.revenue * own.variable_cost_share
            led.home_wages = production_cost(firm.staff_stats.heads, own.hourly_cost,
                                             p.home.paid_hours_week, p.market.productive_share)
            c = self.vendor.contracts.get(firm.index)
            if c is not None and c.live:
                led.vendor_billing = production_cost(c.heads, self._vendor_hourly(),
                                                     p.destination.paid_hours_week,
                                                     p.market.productive_share)
                led.practices = self._practice_cost(c.heads)
            led.acquisition = fw.acquired * self.scale * p.market.acquisition_cost
            expected = self.expected_contacts()[firm.index] * self.scale
            firm.load_forecast += 0.1 * (expected - firm.load_forecast)
            if w >= 0:
                firm.cum_profit += led.profit
                firm.npv += led.profit * discount_factor(w, p.economics.discount_rate)

    def _vendor_hourly(self) -> float:
        return self.params.destination.hourly_cost

    def _practice_cost(self, heads: int) -> float:
        pr, site = self.params.practices, self.params.destination
        hours = heads * site.paid_hours_week * self.params.market.productive_share  # production
        cost = 0.0
        if pr.cultural_adaptation:
            cost += pr.cultural_cost * hours
        if pr.procedures:
            cost += pr.procedures_cost * hours
        if pr.link_redundancy:
            cost += pr.redundancy_cost
        if pr.data_security:
            cost += pr.security_cost
        return cost

    # 13 --------------------------------------------------------------------
    def observation(self, w: int) -> None:
        counts = self.stats.counts
        for firm, fw in zip(self.firms, self.this_week, strict=True):
            row = firm_kpis(self, firm, fw)
            self._rows.append(row)
            obs = {"customers": float(counts[firm.index]), "complaints": fw.complaints,
                   "contacts": fw.contacts, "s_sum": fw.s_sum, "s_sq": fw.s_sq,
                   "service_cost": firm.ledger.service_cost}  # before the ledger is reset
            if "home" in fw.quality:
                obs["q_home"] = fw.quality["home"]
            if "vendor" in fw.quality:
                obs["q_vendor"] = fw.quality["vendor"]
                obs.setdefault("q_home", firm.history[-1].get("q_home", 0.0)
                               if firm.history else 0.0)
            firm.history.append(obs)
            del firm.history[:-104]
            firm.ledger = Ledger()

    # ------------------------------------------------------------------ results
    def run(self) -> OffshoringModel:
        """Run the configured horizon (``params.weeks``) from the current week."""
        self.run_for(self.params.weeks)
        return self

    def kpis(self, include_burn_in: bool = False) -> pd.DataFrame:
        """Tidy per-firm weekly KPIs (one row per firm and week)."""
        df = pd.DataFrame(self._rows, columns=KPI_COLUMNS)
        return df if include_burn_in else df[df["week"] >= 0].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """One row per firm: the run summary (see model.metrics.summarise)."""
        return summarise(self.kpis(), self.params)
