"""The model's agents: Firm, OffshoreVendor, HomeStaff and Customer.

Firms and vendors are ordinary Mesa agents. ``Customer`` is a view on one row
of the population arrays (model.population) and ``HomeStaff`` a view on one
row of its firm's team arrays (model.staffing), so AgentSet operations,
DataCollector agent reporters and the browser portrayal work on customers and
employees while the weekly dynamics run on arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import mesa
import numpy as np
from numba import njit

from model import workforce as wf
from model.economics import Ledger, weekly_pay
from model.params import FirmProfile, Params, SiteProfile
from model.policies import BusinessCase
from model.relocation import review, transition, vendor_share
from model.staffing import (
    NO_LEAVE,
    HomeTeam,
    StaffStats,
    Status,
    _step_staff,
    heads_for,
    hire_initial_staff,
    pairwise_sum,
    step_staff,
    update_acceptance,
)

MAX_EXPERIENCE = 520  # weeks; experience beyond is pooled in the last cohort


@lru_cache(maxsize=1024)
def _weekly_prob(annual_rate: float) -> float:
    """``workforce.weekly_prob`` of one rate, remembered (a site's rates do not change)."""
    return wf.weekly_prob(annual_rate)


@njit(cache=True)
def _staffed(cohorts: np.ndarray) -> np.ndarray:
    """The sizes of the cohorts with anyone in them, in order of experience."""
    n = 0
    for i in range(cohorts.size):
        n += cohorts[i] > 0
    out = np.empty(n, np.int64)
    k = 0
    for i in range(cohorts.size):
        if cohorts[i] > 0:
            out[k] = cohorts[i]
            k += 1
    return out


@njit(cache=True)
def _age_cohorts(cohorts: np.ndarray, quits: np.ndarray, seats: int) -> tuple[int, int]:
    """A week of a vendor team by weeks of experience: the ``quits`` leave (one value per
    cohort with anyone in it, in order: ``_staffed``), stayers move up a week (the last
    cohort pools), cohort 0 fills the seats left (none when seats were cut). Returns
    (quits, heads staffed before the new hires)."""
    n = cohorts.size
    total_quits = 0
    k = 0
    for i in range(n):
        if cohorts[i] > 0:
            cohorts[i] -= quits[k]
            total_quits += quits[k]
            k += 1
    last = cohorts[n - 1]
    for i in range(n - 1, 0, -1):
        cohorts[i] = cohorts[i - 1]
    cohorts[n - 1] += last
    staffed = 0
    for i in range(1, n):
        staffed += cohorts[i]
    cohorts[0] = max(0, seats - staffed)
    return total_quits, staffed


@njit(cache=True)
def _mean_proficiency(curve: np.ndarray, cohorts: np.ndarray) -> float:
    """Mean proficiency of a team by weeks of experience, 0 without heads: the value of
    ``(curve * cohorts).sum() / heads`` (numpy's pairwise sum, ``pairwise_sum``)."""
    heads = 0
    for i in range(cohorts.size):
        heads += cohorts[i]
    if heads == 0:
        return 0.0
    weighted = np.empty(cohorts.size)
    for i in range(cohorts.size):
        weighted[i] = curve[i] * cohorts[i]
    return pairwise_sum(weighted) / heads


# ---------------------------------------------------------------- home staff
class HomeStaff(mesa.Agent):
    """One employee of a firm's home contact centre: a view on a row of ``firm.team``.

    State (ODD 2): weeks of ``experience``, ``morale`` 0-1, ``status``,
    ``acceptance`` 0-1 of the offshore centre; ``leave_week`` is the last week
    worked when on notice (None otherwise). Reading or writing an attribute
    reads or writes the team's arrays (``model.staffing.HomeTeam``), where the
    weekly workforce pass runs. A view is removed from the model when its
    employee leaves (the row is dropped).
    """

    def __init__(self, model: mesa.Model, firm: Firm, staff_id: int) -> None:
        super().__init__(model)
        self.firm = firm
        self.staff_id = int(staff_id)

    @property
    def _row(self) -> int:
        return self.firm.team.row(self.staff_id)

    def _field(name: str, doc: str, cast):  # noqa: N805 - descriptor factory
        def fget(self: HomeStaff):
            return cast(getattr(self.firm.team, name)[self._row])

        def fset(self: HomeStaff, value) -> None:
            getattr(self.firm.team, name)[self._row] = value

        return property(fget, fset, doc=doc)

    experience = _field("experience", "Weeks of experience", float)
    morale = _field("morale", "Morale, 0-1", float)
    status = _field("status", "Employed, on notice or laid off (quitting too)", Status)
    acceptance = _field("acceptance", "Acceptance of the offshore centre, 0-1", float)
    del _field

    @property
    def leave_week(self) -> int | None:
        """Last week worked when on notice (None: not on notice)."""
        w = int(self.firm.team.leave_week[self._row])
        return None if w == NO_LEAVE else w

    @leave_week.setter
    def leave_week(self, week: int | None) -> None:
        self.firm.team.leave_week[self._row] = NO_LEAVE if week is None else week

    @property
    def working(self) -> bool:
        return self.status != Status.laid_off

    def proficiency(self) -> float:
        site = self.model.params.home
        return float(wf.proficiency(self.experience, site.initial_proficiency, site.ramp_weeks))

    def step(self) -> None:
        """A week of this one employee (``model.staffing.step_staff`` on its row)."""
        self.firm.quits += step_staff(self.firm.team, self.model.params, self.model.rng,
                                      rows=np.array([self._row]))


# ---------------------------------------------------------------- vendor
@dataclass
class Contract:
    """Seats a vendor staffs for one firm, its workforce by weeks of experience."""

    seats: int
    pending_seats: int | None = None  # seats announced, staffed at the next cut-over
    cohorts: np.ndarray = field(default_factory=lambda: np.zeros(MAX_EXPERIENCE + 1, np.int64))
    live: bool = False
    quits: int = 0

    @property
    def heads(self) -> int:
        return int(np.add.reduce(self.cohorts))  # ndarray.sum without its overhead


class OffshoreVendor(mesa.Agent):
    """A contact-centre vendor in one destination, staffing seats for firms.

    State: its site profile; per-firm contracts with experience cohorts; link
    state (weeks of outage left) and breach events this week.
    """

    def __init__(self, model: mesa.Model, site: SiteProfile) -> None:
        super().__init__(model)
        self.site = site
        self.contracts: dict[int, Contract] = {}
        self.outage_left = 0.0
        self.outage_severity = 0.0
        self.breach_this_week = False
        self.outage_started = False

    # --- effective profile with practices ---------------------------------
    def rigor(self, practices) -> float:
        r = self.site.procedure_rigor
        return r + practices.procedures_gain * (1 - r) if practices.procedures else r

    def orientation(self, practices) -> float:
        o = self.site.customer_orientation
        return o + practices.procedures_gain * (1 - o) if practices.procedures else o

    def annual_attrition(self, practices) -> float:
        a = self.site.annual_attrition
        return a * practices.cultural_attrition_factor if practices.cultural_adaptation else a

    # --- workforce ------------------------------------------------------------
    def open_contract(self, firm_id: int, seats: int) -> Contract:
        c = self.contracts.setdefault(firm_id, Contract(seats=0))
        c.seats = seats
        return c

    def start_cohort(self, firm_id: int, experience_weeks: float) -> None:
        """Staff a firm's seats with a first cohort trained by the home staff."""
        c = self.contracts[firm_id]
        c.cohorts[:] = 0
        c.cohorts[min(int(round(experience_weeks)), MAX_EXPERIENCE)] = c.seats
        c.live = True

    def proficiency(self, firm_id: int) -> float:
        c = self.contracts.get(firm_id)
        if c is None:
            return 0.0
        return _mean_proficiency(self._curve(), c.cohorts)

    def _curve(self) -> np.ndarray:
        """Proficiency at each week of experience 0..MAX_EXPERIENCE on the site's curve."""
        key = (self.site.initial_proficiency, self.site.ramp_weeks)
        if getattr(self, "_curve_key", None) != key:
            self._curve_key = key
            self._curve_values = wf.proficiency(np.arange(MAX_EXPERIENCE + 1),
                                                self.site.initial_proficiency,
                                                self.site.ramp_weeks)
        return self._curve_values

    def step_workforce(self, practices_of: dict[int, object]) -> None:
        """A week of attrition, learning and replacement hiring for each live contract."""
        rng = self.model.rng
        for firm_id, c in self.contracts.items():
            if not c.live:
                continue
            quit_p = float(_weekly_prob(self.annual_attrition(practices_of[firm_id])))
            # a binomial of n = 0 draws nothing: the draws of every cohort, in fewer calls
            quits = rng.binomial(_staffed(c.cohorts), quit_p)
            # stayers a week older (the last cohort pools), new hires fill the seats
            c.quits, staffed = _age_cohorts(c.cohorts, quits, int(c.seats))
            if staffed > c.seats:  # seats were cut: release the least experienced
                self._release(c, staffed - c.seats)

    @staticmethod
    def _release(c: Contract, n: int) -> None:
        for i in range(c.cohorts.size):
            take = min(n, int(c.cohorts[i]))
            c.cohorts[i] -= take
            n -= take
            if n == 0:
                break

    # --- link and security ----------------------------------------------------
    def step_link(self, redundancy: bool, redundancy_effect: float, security: bool,
                  security_effect: float) -> None:
        """Random outages and breaches (rates cut by redundancy and data security)."""
        rng = self.model.rng
        cut = (1 - redundancy_effect) if redundancy else 1.0
        self.outage_started = False
        if self.outage_left > 0:
            self.outage_left -= 1
        elif rng.random() < _weekly_prob(self.site.outage_rate * cut):
            self.begin_outage(max(1.0, rng.exponential(self.site.outage_weeks) * cut),
                              self.site.outage_severity * cut)
        rate = self.site.breach_rate * ((1 - security_effect) if security else 1.0)
        self.breach_this_week = bool(rng.random() < _weekly_prob(rate))

    def begin_outage(self, weeks: float, severity: float) -> None:
        self.outage_left = float(np.ceil(weeks))
        self.outage_severity = severity
        self.outage_started = True

    @property
    def link_up(self) -> bool:
        return self.outage_left <= 0

    def availability(self, ramadan: bool, adapted: bool) -> float:
        """Share of contracted capacity on the phones this week."""
        a = 1.0
        if ramadan and self.site.observes_ramadan and not adapted:
            a *= self.site.ramadan_availability
        if not self.link_up:
            a *= 1.0 - self.outage_severity
        return a


# ---------------------------------------------------------------- firm
class Firm(mesa.Agent):
    """A firm competing for customers; firm 0 is the focal firm, any firm may relocate.

    State (ODD 2): reputation and brand equity (0-1, from its own advertising),
    its own values (``profile``: price factor, in-house hourly cost, variable
    cost share, relocation policy; ``params``: the run's parameters as its
    policy sees them), its relocation state (share alpha routed to the
    vendor, tiered routing, announcement and cut-over weeks), its home team
    (``team``, arrays; ``staff``, the ``HomeStaff`` views), this week's ledger
    and the indicators it can observe (complaints and survey CSAT), not its
    customers' true loyalty.

    Its behaviour: ``step`` (firm decisions, ODD 3 step 2: policy review and
    relocation, ``model.relocation``) and ``step_workforce`` (its home team,
    step 3, ``model.staffing``).
    """

    def __init__(self, model: mesa.Model, index: int, profile: FirmProfile, params: Params,
                 equity: float) -> None:
        super().__init__(model)
        self.index = index
        self.profile = profile
        self.params = params
        self.reputation = equity
        self.equity = equity
        self.alpha = 0.0            # share of contacts routed to the vendor (after cut-over)
        self.planned_alpha = 0.0    # share announced (effective from cut-over)
        self.tiered = False
        self.vendor: OffshoreVendor | None = None
        self.announce_week: int | None = None
        self.cutover_week: int | None = None
        self.reshore_weeks: list[int] = []
        self.team = HomeTeam()
        self._views: dict[int, HomeStaff] | None = None  # created on first use (``staff``)
        self.staff_stats = StaffStats()  # this week's team, set by the workforce step
        self.quits = 0
        self.ledger = Ledger()
        self.npv = 0.0
        self.cum_profit = 0.0
        self.load_forecast = 0.0    # contacts per week (real scale), smoothed
        self.history: list[dict[str, float]] = []   # observed indicators per week
        self.bad_reviews = 0
        self.costly_reviews = 0     # consecutive reviews with the saving short of the plan
        self.baseline_obs: tuple[float, float] | None = None
        self.baseline_cost: float | None = None  # service cost per contact before relocating
        self.business_case: BusinessCase | None = None  # the plan judged by the adaptive policy
        self.last_offshore_change: int | None = None
        self.strike = False
        self.communication = 0.0    # share of morale drop and strike risk removed
        self.events: set[str] = set()  # this week's own events: announcement, cutover, reshore

    @property
    def relocated(self) -> bool:
        return self.planned_alpha > 0

    def vendor_share(self, alpha: float) -> float:
        """Expected share of the firm's contacts at the vendor at share ``alpha``."""
        return vendor_share(alpha, self.tiered, self.model.params.market)

    # --- home team ----------------------------------------------------------
    @property
    def staff(self) -> list[HomeStaff]:
        """The ``HomeStaff`` views of the team's rows, in hiring order.

        The views (Mesa agents) are created on first use, every firm's at once, and
        kept in step with hires and lay-offs from then on: a run that never asks
        for them does not pay Mesa's agent registration at each hire and lay-off.
        Creating an agent draws no random numbers, so the run is the same.
        """
        if self._views is None:
            firms = getattr(self.model, "firms", None) or [self]
            for f in (firms if self in firms else [*firms, self]):
                if f._views is None:
                    f._views = {}
                    f._create_views(f.team.ids)
        return [self._views[i] for i in self.team.ids.tolist()]

    def working_staff(self) -> list[HomeStaff]:
        return [s for s, w in zip(self.staff, self.team.working.tolist(), strict=True) if w]

    def _create_views(self, ids: np.ndarray) -> None:
        for i in ids.tolist():
            self._views[i] = HomeStaff(self.model, self, i)

    def _add_views(self, ids: np.ndarray) -> None:
        """Views of new hires, once the views exist (``staff``)."""
        if self._views is not None:
            self._create_views(ids)

    def hire_initial_staff(self, load: float) -> None:
        """Staff the team for ``load`` contacts a week (ODD 5, item 7)."""
        self.load_forecast = load
        self._add_views(hire_initial_staff(self.team, load, self.model.params, self.model.rng))

    def drop_leavers(self) -> None:
        """Leavers are gone for good: their rows are dropped and their views (if created)
        deregistered."""
        gone = self.team.drop_leavers()
        if self._views is not None:
            for i in gone.tolist():
                self._views.pop(i).remove()

    # --- behaviour ------------------------------------------------------------
    def step(self) -> None:
        """Firm decisions (ODD 3, step 2): the policy reviews observed indicators and
        may announce or reshore; then cut-over and lay-offs (``model.relocation``)."""
        week = self.model.week
        review(self, week)
        transition(self, week)

    def step_workforce(self) -> None:
        """The home team's week (ODD 3, step 3; 7.3): quits, learning and morale, a possible
        strike during a notice period, acceptance of the vendor, replacement hiring."""
        model, week = self.model, self.model.week
        p, rng = model.params, model.rng
        self.quits, settled = _step_staff(self.team, p, rng)
        self.strike = False
        if self.announce_week is not None and self.announce_week <= week < self.cutover_week:
            morale = self.team.stats(p.home).morale
            prob = wf.strike_probability(morale, p.workforce.strike_prob, self.communication)
            self.strike = bool(rng.random() < prob)
        last = self.history[-1] if self.history else None
        if self.vendor is not None and last is not None and "q_vendor" in last:
            update_acceptance(self.team, last["q_home"] - last["q_vendor"], p)
        home_load = self.load_forecast * (1 - self.vendor_share(self.alpha))
        # hires_needed, with the working heads known when every row is working
        heads = len(self.team) if settled else self.team.heads
        hires = max(0, heads_for(home_load, p.home, p.market) - heads)
        if hires > 0:
            self._add_views(self.team.hire(np.zeros(hires)))
            self.ledger.hiring += hires * p.economics.hiring_weeks * weekly_pay(p.home.monthly_pay)
        self.staff_stats = self.team.stats(p.home, all_working=settled)


# ---------------------------------------------------------------- customer view
class Customer(mesa.Agent):
    """A customer: a view on row ``idx`` of the model's population arrays.

    Reading or writing an attribute reads or writes the arrays, so the
    vectorised kernels and the agent API always agree. ``firm`` is -1 for a
    prospect.
    """

    def __init__(self, model: mesa.Model, idx: int) -> None:
        super().__init__(model)
        self.idx = int(idx)

    def _get(name: str, doc: str):  # noqa: N805 - descriptor factory
        def fget(self: Customer):
            return getattr(self.model.population, name)[self.idx].item()

        def fset(self: Customer, value) -> None:
            getattr(self.model.population, name)[self.idx] = value

        return property(fget, fset, doc=doc)

    firm = _get("firm", "Firm index, -1 for a prospect")
    segment = _get("segment", "0 mass, 1 premium")
    ethnocentrism = _get("ethnocentrism", "Consumer ethnocentrism 0-1")
    satisfaction = _get("satisfaction", "Cumulative satisfaction S, 0-1")
    expectation = _get("expectation", "Expected quality E, 0-1")
    aware = _get("aware", "Knows the own firm serves from offshore")
    tenure = _get("tenure", "Weeks with the current firm")
    unresolved = _get("unresolved", "Weeks in a row with an unresolved problem")
    valence = _get("valence", "This week's transaction satisfaction (NaN: no contact)")
    del _get

    @property
    def image(self) -> np.ndarray:
        """Image of every firm (a view: writing to it writes the population)."""
        return self.model.population.image[self.idx]

    @property
    def is_prospect(self) -> bool:
        return self.firm < 0
