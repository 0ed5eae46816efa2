"""OffshoringModel: the weekly schedule of ODD 3 and the wiring of the agents.

    model = OffshoringModel(scenario("offshore-morocco"), rng=42)
    model.run_model()  # to the horizon, params.weeks (model.running turns False)
    model.kpis()       # tidy per-firm weekly DataFrame (the DataCollector's "kpis" table)
    model.summary()    # one row per firm

The constructor runs the burn-in (``burn_in_weeks`` with everything at home),
so week 0 starts from the market's own steady state. Mesa's ``model.time``
counts the weeks simulated since then; ``model.week`` is the index of the week
under way during a step (``time - 1``), or of the last week simulated.

The firms' behaviour lives with the firms (``model.agents.Firm``,
``model.relocation``, ``model.staffing``); the customers' in the vectorised
kernels of the submodels; this module calls them in the order of ODD 3.
"""

from __future__ import annotations

from datetime import date

import mesa
import numpy as np
import pandas as pd

from model import acquisition as acq
from model import churn, demand, image, perception, routing, service, word_of_mouth
from model.agents import Customer, Firm, HomeStaff, OffshoreVendor
from model.baseline_hazard import relative_hazard
from model.calendar import ramadan_mask, week_start
from model.collector import ColumnCollector
from model.economics import Ledger, discount_factor, production_cost
from model.metrics import KPI_DTYPES, customer_stats, kpi_rows, model_reporters, summarise
from model.network import build_network
from model.params import FirmProfile, Params, ShockKind
from model.population import PREMIUM, PROSPECT, create_population
from model.queueing import QueueResult, erlang_a, erlang_a_many
from model.records import Events, FirmWeek
from model.staffing import initial_load

#: Name of the DataCollector table of weekly per-firm KPIs (``metrics.KPI_COLUMNS``).
KPI_TABLE = "kpis"
_NAN = float("nan")


class OffshoringModel(mesa.Model):
    """Firms, an offshore vendor, home staff and customers on a social network."""

    def __init__(self, params: Params | None = None, *, rng: int | np.random.Generator |
                 np.random.SeedSequence | None = None) -> None:
        if isinstance(rng, np.random.SeedSequence):
            rng = np.random.default_rng(rng)
        super().__init__(rng=rng)
        self.params = p = params or Params()
        self.scale = p.market.market_size / p.n_customers
        self._week_now = -1  # ``week``: set as each week begins
        self.network = build_network(p.n_customers, p.network, self.rng)
        profiles = [p.firm(i) for i in range(p.n_firms)]  # each firm's own values
        self.price_factors = np.array([fp.price_factor for fp in profiles])
        equity = [image.brand_equity(fp.advertising, p.customers.advertising_effect)
                  for fp in profiles]
        self.firms: list[Firm] = [Firm(self, i, fp, firm_view(p, fp), e)
                                  for i, (fp, e) in enumerate(zip(profiles, equity, strict=True))]
        self.vendor = OffshoreVendor(self, p.destination)
        self.population = create_population(p, np.array(equity), self.rng)
        self.base_hazard = churn.monthly_to_weekly(p.market.monthly_churn_target) / \
            relative_hazard(p.market.name)
        self.stats = customer_stats(self.population)  # updated each week at accounting
        self._customer_views: mesa.agent.AgentSet | None = None
        self._expected_week: int | None = None
        self._expected = np.zeros(p.n_firms)
        self._coefficient_cache: dict[str, tuple] = {}
        self._image_sums: tuple[int, list[float]] | None = None  # image_memory's, this week
        self._ramadan: dict[int, bool] = {}
        self.events = Events()
        self.this_week: list[FirmWeek] = [FirmWeek() for _ in self.firms]
        counts = self.population.counts()
        for firm, n in zip(self.firms, counts, strict=True):
            firm.hire_initial_staff(initial_load(n, self.scale, p.market))
        self.datacollector = ColumnCollector(
            model_reporters=model_reporters(), column_tables={KPI_TABLE: KPI_DTYPES},
            capacity=(p.burn_in_weeks + p.weeks) * p.n_firms)
        for w in range(-p.burn_in_weeks, 0):
            self._week_now = w
            self._week(w)
        self._week_now = -1
        self.running = p.weeks > 0
        self.datacollector.collect(self)

    @property
    def week(self) -> int:
        """Index of the week under way during a step, else of the last week simulated.

        ``time - 1`` (Mesa sets ``time`` before it runs the step), as the step found it
        when the week began; during the burn-in the constructor runs, the burn-in
        week (-burn_in_weeks .. -1). Read-only: ``time`` is the one clock.
        """
        return self._week_now

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
        """Every firm's working home staff (views on the teams' rows)."""
        return [s for f in self.firms for s in f.working_staff()]

    @property
    def focal(self) -> Firm:
        return self.firms[0]

    # ------------------------------------------------------------------ schedule
    def step(self) -> None:
        """One week (Mesa advances ``time`` by 1 first); not running from the horizon on."""
        self._week_now = int(round(self.time)) - 1
        self._week(self._week_now)
        self.datacollector.collect(self)
        self.running = self.time < self.params.weeks

    def _week(self, w: int) -> None:
        """The weekly schedule, in the order of ODD 3."""
        self.calendar_and_events(w)                       # 1
        self.firm_decisions()                             # 2
        self.workforce()                                  # 3
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
        self.events = Events(ramadan=self.is_ramadan(w))
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
                self.news(self.focal, shock.salience, aware=True)
                self.events.breach = True
            else:
                self.news(self.focal, shock.salience, aware=False)
                self.events.media = True
        if live and self.vendor.breach_this_week:
            self.events.breach = True
            for fid, c in self.vendor.contracts.items():
                if c.live:
                    self.news(self.firms[fid], p.customers.breach_salience, aware=True)
        if live and self.vendor.outage_started:
            for fid, c in self.vendor.contracts.items():
                if c.live:
                    self.news(self.firms[fid], p.customers.outage_salience, aware=True)
        self.events.outage = live and not self.vendor.link_up

    def is_ramadan(self, w: int) -> bool:
        """Whether week ``w``'s midpoint is in Ramadan (``calendar.ramadan_mask``; the weeks
        from the burn-in to the horizon computed in one call, the same values)."""
        if w not in self._ramadan:
            p = self.params
            first = -p.burn_in_weeks
            mask = ramadan_mask(self.week_date(first), p.burn_in_weeks + max(p.weeks, 1))
            self._ramadan.update({first + k: bool(v) for k, v in enumerate(mask.tolist())})
            if w not in self._ramadan:  # beyond the horizon (run on by hand)
                self._ramadan[w] = bool(ramadan_mask(self.week_date(w), 1)[0])
        return self._ramadan[w]

    def week_date(self, w: int) -> date:
        """Calendar date of the first day of week ``w`` (week 0: 1 January of start_year)."""
        return week_start(self.params.start_year, self.params.burn_in_weeks, w)

    # customer side of a firm's news -------------------------------------------
    def news(self, firm: Firm, salience: float, aware: bool) -> None:
        """A news story about ``firm`` reaches customers (ODD 7.9); with ``aware``, its
        customers reached learn it serves from offshore (if it relocated abroad)."""
        pop = self.population
        reached = word_of_mouth.news(pop.image, firm.index, salience,
                                     self.params.customers.media_reach, pop.ethnocentrism, self.rng)
        if aware and firm.planned_alpha > 0 and not self.params.destination.onshore_outsourcer:
            pop.aware |= reached & (pop.firm == firm.index)

    def forget_offshore(self, firm: Firm) -> None:
        """The firm serves only from home again: its customers are no longer aware."""
        self.population.aware[self.population.firm == firm.index] = False

    # 2 ---------------------------------------------------------------------
    def firm_decisions(self) -> None:
        """Each firm's decisions in index order (``Firm.step``: policy review, relocation)."""
        for firm in self.firms:
            firm.step()

    # 3 ---------------------------------------------------------------------
    def workforce(self) -> None:
        """Each firm's home team (``Firm.step_workforce``), then the vendor's cohorts."""
        for firm in self.firms:
            firm.step_workforce()
            self.events.strike |= firm.strike
        self.vendor.step_workforce({f.index: self.params.practices for f in self.firms})

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
        counts = np.bincount(code, minlength=2 * self.params.n_firms).tolist()
        for fw, home, vendor in zip(self.this_week, counts[::2], counts[1::2], strict=True):
            fw.contacts += home + vendor
        active, table, queues = self.channels(counts)
        s, tally = service.serve_contacts(
            contacts, code, sensitive, table, self._coefficients("service"),
            pop.aware, pop.ethnocentrism, pop.expectation, pop.satisfaction, pop.unresolved,
            pop.valence, pop.tenure, self.rng)
        sums = tally.tolist()
        for k, q in zip(active, queues, strict=True):
            n_, answered, resolved, abandoned, s_sum, s_sq, complaints, q_sum = sums[k]
            fw, offshore = self.this_week[k >> 1], k & 1
            n = int(n_)
            where = "vendor" if offshore else "home"
            if offshore:
                fw.offshore_contacts += n
            fw.answered += int(answered)
            fw.resolved += int(resolved)
            fw.abandoned += int(abandoned)
            fw.within_sl += q.service_level * n
            fw.wait_sum += q.mean_wait * n
            fw.s_sum += s_sum
            fw.s_sq += s_sq
            fw.complaints += int(complaints)
            fw.quality[where] = q_sum / n
            fw.csat[where] = s_sum / n
            fw.queues[where] = q
        return s

    def channels(self, counts: list[int]) -> tuple[list[int], np.ndarray, list[QueueResult]]:
        """Capacity, queue and resolution of every channel with contacts this week at once.

        ``counts``: sampled contacts of channel 2 firm + offshore. The same values
        and random draws as ``channel`` called for each channel in turn (the
        queues in one compiled call, ``queueing.erlang_a_many``, then the
        weekly resolution shocks in channel order). Returns the channels with
        contacts, their table (all channels, zeros where none) as the serving
        kernel takes it, ``service.channel_figures`` of the
        ``service.CHANNEL_DTYPE`` records, and their queues.
        """
        p, m, wk = self.params, self.params.market, self.params.workforce
        expected = self.expected_contacts().tolist()
        active = [k for k, n in enumerate(counts) if n]
        agents, arrivals, aht, rest = [], [], [], []
        factor = m.productive_share
        vendor_site = None  # the vendor's figures of the week, the same for every firm
        for k in active:
            firm = self.firms[k >> 1]
            share = firm.vendor_share(firm.alpha)
            if k & 1:
                site = p.destination
                if vendor_site is None:
                    vendor_site = (
                        self.vendor.availability(self.events.ramadan,
                                                 p.practices.cultural_adaptation),
                        self.vendor.rigor(p.practices), self.vendor.orientation(p.practices))
                avail, rigor, orient = vendor_site
                c = self.vendor.contracts[firm.index]
                prof = self.vendor.proficiency(firm.index)
                hours = c.heads * site.paid_hours_week * factor * avail
                escalation = wk.escalation_gain * firm.staff_stats.acceptance
                volume = expected[firm.index] * share
            else:
                site, team = p.home, firm.staff_stats
                prof = team.proficiency
                productivity = 1 - wk.morale_productivity * (1 - team.morale)
                strike = 1 - wk.strike_capacity_loss if firm.strike else 1.0
                hours = team.heads * site.paid_hours_week * factor * productivity * strike
                rigor, orient, escalation = site.procedure_rigor, site.customer_orientation, 0.0
                volume = expected[firm.index] * (1 - share)
            agents.append(hours / m.open_hours_week)
            arrivals.append(volume * self.scale / m.open_hours_week)
            aht.append(m.aht_minutes * site.aht_factor * (1 + 0.5 * (1 - prof)))
            rest.append((site, prof, rigor, orient, escalation, bool(k & 1)))
        results = erlang_a_many(agents, arrivals, aht, m.patience_minutes).tolist()
        shocks = self.rng.standard_normal(len(active)).tolist() if active else []
        table = np.zeros((len(counts), len(service.CHANNEL_DTYPE.names)))
        rows, queues = [], []
        reputation = [float(np.float32(f.reputation)) for f in self.firms]
        for k, r, z, (site, prof, rigor, orient, escalation, offshore) in zip(
                active, results, shocks, rest, strict=True):
            q = QueueResult(*r)
            noise = max(0.0, 1.0 + wk.resolution_noise * (1.0 - rigor) * z)
            fcr = min(1.0, service.resolution_probability(m.fcr_base, prof, orient) * noise)
            rows.append((q.p_abandon, site.language_fit, fcr, escalation,
                         1.0 - min(1.0, q.mean_wait / m.patience_minutes), orient,
                         site.extended_hours_gain, offshore and not site.onshore_outsourcer,
                         reputation[k >> 1]))
            queues.append(q)
        if rows:
            table[active] = rows  # offshore as 1.0 or 0.0
        return active, table, queues

    def _coefficients(self, kind: str) -> np.ndarray:
        """The compiled kernels' customer coefficients (``service`` or ``churn``) as a float
        array in field order, computed once per ``params.customers`` object."""
        c = self.params.customers
        cached = self._coefficient_cache.get(kind)
        if cached is None or cached[0] is not c:
            make = service.customer_coefficients if kind == "service" else churn.coefficients
            cached = self._coefficient_cache[kind] = (c, service.coefficient_array(make(c)))
        return cached[1]

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
        share = firm.vendor_share(firm.alpha)
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
        sums = image.column_sums(pop.image)
        # nothing writes the images again before accounting (churn and acquisition read
        # them), which reuses the sums of this week
        self._image_sums = (self.week, sums)
        reputation = image.update_reputation(reputation, pop.image, c.reputation_rate, sums)
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
                                  pop.tenure, self.base_hazard, self._coefficients("churn"),
                                  self.rng)
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
        """Customers ``idx`` become customers of ``dest`` (or prospects): fresh relationship
        (``churn.join``, one compiled pass)."""
        pop, c = self.population, self.params.customers
        rep = np.array([f.reputation for f in self.firms], dtype=np.float32)
        joined = churn.join(idx, dest, pop.firm, pop.tenure, pop.unresolved, pop.aware,
                            pop.satisfaction, pop.expectation, rep,
                            float(c.satisfaction_reference)).tolist()
        for f, n in enumerate(joined):
            if n:
                self.this_week[f].acquired += n

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
        week_sums = self._image_sums
        self._image_sums = None
        # the customers as they end the week
        self.stats = customer_stats(pop, week_sums[1] if week_sums and week_sums[0] == w
                                    else None)
        m = p.market
        by_segment = np.array([m.price_mass, m.price_mass * m.premium_price_factor])
        revenue = ((self.stats.by_segment @ by_segment) * self.price_factors * self.scale).tolist()
        expected = self.expected_contacts()
        site, share = p.destination, m.productive_share
        contracts = self.vendor.contracts
        discount = discount_factor(w, p.economics.discount_rate) if w >= 0 else 0.0
        for firm, fw in zip(self.firms, self.this_week, strict=True):
            led, own = firm.ledger, firm.profile
            led.revenue = revenue[firm.index]
            led.variable_cost = led.revenue * own.variable_cost_share
            led.home_wages = production_cost(firm.staff_stats.heads, own.hourly_cost,
                                             p.home.paid_hours_week, share)
            c = contracts.get(firm.index)
            if c is not None and c.live:
                heads = c.heads
                led.vendor_billing = production_cost(heads, site.hourly_cost,
                                                     site.paid_hours_week, share)
                led.practices = self._practice_cost(heads)
            led.acquisition = fw.acquired * self.scale * m.acquisition_cost
            firm.load_forecast += 0.1 * (expected[firm.index] * self.scale - firm.load_forecast)
            if w >= 0:
                profit = led.profit
                firm.cum_profit += profit
                firm.npv += profit * discount

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
        """The week's KPI rows of all firms (``metrics.kpi_rows``) and each firm's observed
        indicators (``firm.history``); the ledgers start afresh."""
        contracts, proficiency = [], []
        for firm in self.firms:
            contract = self.vendor.contracts.get(firm.index)
            live = contract if contract is not None and contract.live else None
            contracts.append(live)
            proficiency.append(self.vendor.proficiency(firm.index) if live else _NAN)
        self.datacollector.add_table_tuples(KPI_TABLE, kpi_rows(
            w, self.firms, self.this_week, self.stats, self.events, contracts, proficiency))
        counts = self.stats.counts.tolist()
        for firm, fw in zip(self.firms, self.this_week, strict=True):
            obs = {"customers": float(counts[firm.index]), "complaints": fw.complaints,
                   "contacts": fw.contacts, "s_sum": fw.s_sum, "s_sq": fw.s_sq,
                   "service_cost": firm.ledger.service_cost}  # before the ledger is reset
            if "home" in fw.quality:
                obs["q_home"] = fw.quality["home"]
            if "vendor" in fw.quality:
                obs["q_vendor"] = fw.quality["vendor"]
                obs.setdefault("q_home", firm.history[-1].get("q_home", 0.0)
                               if firm.history else 0.0)
            history = firm.history
            history.append(obs)
            if len(history) > 104:
                del history[:-104]
            firm.ledger = Ledger()

    # ------------------------------------------------------------------ results
    def kpis(self, include_burn_in: bool = False) -> pd.DataFrame:
        """Tidy per-firm weekly KPIs (one row per firm and week, ``metrics.KPI_COLUMNS``):
        the DataCollector's ``KPI_TABLE``, from week 0 unless ``include_burn_in``."""
        df = self.datacollector.get_table_dataframe(KPI_TABLE)
        return df if include_burn_in else df[df["week"] >= 0].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """One row per firm: the run summary (see model.metrics.summarise)."""
        return summarise(self.kpis(), self.params)


def firm_view(p: Params, fp: FirmProfile) -> Params:
    """The parameters as a firm's policy sees them: its own policy and in-house hourly cost."""
    if fp.policy is p.policy and fp.hourly_cost == p.home.hourly_cost:
        return p
    return p.model_copy(update={"policy": fp.policy, "home": p.home.model_copy(
        update={"hourly_cost": fp.hourly_cost})})
