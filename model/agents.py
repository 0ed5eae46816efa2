"""The model's agents: Firm, OffshoreVendor, HomeStaff and Customer.

Firms, vendors and home staff are ordinary Mesa agents. ``Customer`` is a view
on one row of the population arrays (model.population), so AgentSet
operations, DataCollector agent reporters and the browser portrayal work on
customers while the weekly dynamics run as vectorised kernels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

import mesa
import numpy as np

from model import workforce as wf
from model.economics import Ledger
from model.params import SiteProfile

if TYPE_CHECKING:
    from model.model import OffshoringModel
    from model.policies import BusinessCase

MAX_EXPERIENCE = 520  # weeks; experience beyond is pooled in the last cohort


class Status(IntEnum):
    employed = 0
    notice = 1
    laid_off = 2


# ---------------------------------------------------------------- home staff
class HomeStaff(mesa.Agent):
    """One employee of a firm's home contact centre.

    State: weeks of experience, morale 0-1, status, acceptance 0-1 of the
    offshore centre. ``leave_week`` is the last week worked when on notice.
    """

    def __init__(self, model: OffshoringModel, firm: Firm, experience: float = 0.0) -> None:
        super().__init__(model)
        self.firm = firm
        self.experience = float(experience)
        self.morale = 1.0
        self.status = Status.employed
        self.acceptance = 0.0
        self.leave_week: int | None = None

    @property
    def working(self) -> bool:
        return self.status != Status.laid_off

    def proficiency(self) -> float:
        site = self.model.params.home
        return float(wf.proficiency(self.experience, site.initial_proficiency, site.ramp_weeks))

    def step(self) -> None:
        """A week of this one employee (see ``step_staff``)."""
        step_staff([self], self.model)


def step_staff(staff: list[HomeStaff], model: OffshoringModel) -> None:
    """A week of the working employees ``staff``: maybe quit, else learn and recover morale.

    Quitting is more likely with low morale; stayers gain a week of
    experience and recover morale. One pass for a firm's whole team: the
    uniforms are drawn in list order, one per working employee, exactly as
    stepping them one by one would.
    """
    staff = [s for s in staff if s.working]
    if not staff:
        return
    p = model.params
    morale = np.fromiter((s.morale for s in staff), float, len(staff))
    quit_p = wf.attrition_prob(p.home.annual_attrition, morale,
                               p.workforce.morale_attrition_factor)
    quits = (model.rng.random(len(staff)) < quit_p).tolist()
    recovered = wf.recover_morale(morale, p.workforce.morale_recovery).tolist()
    for s, quit, m in zip(staff, quits, recovered, strict=True):
        if quit:
            s.status = Status.laid_off
            s.firm.quits += 1
        else:
            s.experience += 1.0
            s.morale = m


@dataclass(frozen=True)
class StaffStats:
    """A firm's home team this week: heads and mean proficiency, morale, acceptance (0-1).

    Computed once a week after the workforce step (DESIGN step 3) and read by
    the home channel, accounting and the KPI rows; nothing changes the team
    between step 3 and the next week's firm decisions.
    """

    heads: int = 0
    proficiency: float = 0.0
    morale: float = 1.0
    acceptance: float = 0.0

    @classmethod
    def of(cls, staff: list[HomeStaff], site: SiteProfile) -> StaffStats:
        staff = [s for s in staff if s.working]
        if not staff:
            return cls()
        n = len(staff)
        exp = np.fromiter((s.experience for s in staff), float, n)
        prof = wf.proficiency(exp, site.initial_proficiency, site.ramp_weeks)
        return cls(heads=n, proficiency=float(prof.mean()),
                   morale=float(np.fromiter((s.morale for s in staff), float, n).mean()),
                   acceptance=float(np.fromiter((s.acceptance for s in staff), float, n).mean()))


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
        return int(self.cohorts.sum())


class OffshoreVendor(mesa.Agent):
    """A contact-centre vendor in one destination, staffing seats for firms.

    State: its site profile; per-firm contracts with experience cohorts; link
    state (weeks of outage left) and breach events this week.
    """

    def __init__(self, model: OffshoringModel, site: SiteProfile) -> None:
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
        if c is None or c.heads == 0:
            return 0.0
        w = np.arange(MAX_EXPERIENCE + 1)
        prof = wf.proficiency(w, self.site.initial_proficiency, self.site.ramp_weeks)
        return float((prof * c.cohorts).sum() / c.heads)

    def step_workforce(self, practices_of: dict[int, object]) -> None:
        """A week of attrition, learning and replacement hiring for each live contract."""
        rng = self.model.rng
        for firm_id, c in self.contracts.items():
            if not c.live:
                continue
            quit_p = float(wf.weekly_prob(self.annual_attrition(practices_of[firm_id])))
            quits = rng.binomial(c.cohorts, quit_p)
            c.quits = int(quits.sum())
            stay = c.cohorts - quits
            c.cohorts[1:] = stay[:-1]
            c.cohorts[-1] += stay[-1]
            c.cohorts[0] = max(0, c.seats - int(c.cohorts[1:].sum()))
            if c.cohorts.sum() > c.seats:  # seats were cut: release the least experienced
                self._release(c, int(c.cohorts.sum()) - c.seats)

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
        elif rng.random() < wf.weekly_prob(self.site.outage_rate * cut):
            self.begin_outage(max(1.0, rng.exponential(self.site.outage_weeks) * cut),
                              self.site.outage_severity * cut)
        rate = self.site.breach_rate * ((1 - security_effect) if security else 1.0)
        self.breach_this_week = bool(rng.random() < wf.weekly_prob(rate))

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

    State: reputation and brand equity (0-1, from its own advertising), its own
    values (``model.profiles[index]``: price factor, in-house hourly cost,
    variable cost share, relocation policy), its relocation state
    (share alpha routed to the vendor, tiered routing, announcement and
    cut-over weeks), its home staff, this week's ledger and the indicators it
    can observe (complaints and survey CSAT), not its customers' true loyalty.
    """

    def __init__(self, model: OffshoringModel, index: int, reputation: float, equity: float
                 ) -> None:
        super().__init__(model)
        self.index = index
        self.reputation = reputation
        self.equity = equity
        self.alpha = 0.0            # share of contacts routed to the vendor (after cut-over)
        self.planned_alpha = 0.0    # share announced (effective from cut-over)
        self.tiered = False
        self.vendor: OffshoreVendor | None = None
        self.announce_week: int | None = None
        self.cutover_week: int | None = None
        self.reshore_weeks: list[int] = []
        self.staff: list[HomeStaff] = []
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

    def working_staff(self) -> list[HomeStaff]:
        return [s for s in self.staff if s.working]

    def step(self) -> None:
        """Firm decisions: the policy reviews observed indicators (DESIGN step 2)."""
        self.model.policy_review(self)


# ---------------------------------------------------------------- customer view
class Customer(mesa.Agent):
    """A customer: a view on row ``idx`` of the model's population arrays.

    Reading or writing an attribute reads or writes the arrays, so the
    vectorised kernels and the agent API always agree. ``firm`` is -1 for a
    prospect.
    """

    def __init__(self, model: OffshoringModel, idx: int) -> None:
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
