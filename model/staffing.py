"""A firm's home contact-centre team as arrays, and the staffing rule (ODD 7.3).

``HomeTeam`` holds one row per employee, in hiring order: experience (weeks),
morale (0-1), ``Status``, acceptance of the offshore centre (0-1) and the last
week worked when on notice. The weekly workforce pass (``step_staff``), the
announcement, the lay-offs and the statistics run on the arrays; the
``model.agents.HomeStaff`` Mesa agents are views on the rows.

``heads_for`` is the staffing rule: heads needed to answer a weekly volume at
the service-level target (Erlang C).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from model import workforce as wf
from model.params import MarketParams, Params, SiteProfile
from model.queueing import agents_for_service_level

#: ``leave_week`` of an employee who is not on notice.
NO_LEAVE = np.iinfo(np.int64).max


class Status(IntEnum):
    employed = 0
    notice = 1
    laid_off = 2   # laid off, or quit


def contact_mix(m: MarketParams) -> float:
    """Contacts per customer and week at the base rates (mass and premium mixed)."""
    return (1 - m.premium_share) * m.contact_rate_mass + m.premium_share * m.contact_rate_premium


def heads_for(contacts_per_week: float, site: SiteProfile, m: MarketParams) -> int:
    """Heads needed at ``site`` to answer a weekly volume at the service-level target.

    Erlang C agents on the phones over the opening hours, converted to heads
    by each head's productive hours (ODD 7.3, staffing rule).
    """
    if contacts_per_week <= 0:
        return 0
    aht = m.aht_minutes * site.aht_factor
    agents = agents_for_service_level(contacts_per_week / m.open_hours_week, aht, m.sl_target)
    per_head = site.paid_hours_week * m.productive_share
    return math.ceil(agents * m.open_hours_week / per_head)


def initial_load(customers: int, scale: float, m: MarketParams) -> float:
    """Weekly contacts (real scale) of a firm's ``customers`` at set-up (ODD 5, item 7)."""
    fcr = m.fcr_base * 0.9
    return customers * scale * contact_mix(m) * (1 + m.repeat_contact_prob * (1 - fcr))


@dataclass(frozen=True)
class StaffStats:
    """A firm's home team this week: heads and mean proficiency, morale, acceptance (0-1).

    Computed once a week after the workforce step (ODD 3, step 3) and read by
    the home channel, accounting and the KPI rows; nothing changes the team
    between step 3 and the next week's firm decisions.
    """

    heads: int = 0
    proficiency: float = 0.0
    morale: float = 1.0
    acceptance: float = 0.0


class HomeTeam:
    """One firm's home employees as arrays, one row per employee in hiring order.

    ``ids`` numbers employees in hiring order (never reused), so a view
    (``HomeStaff``) finds its row after leavers' rows are dropped (``drop_leavers``).
    """

    def __init__(self) -> None:
        self.ids = np.zeros(0, np.int64)
        self.experience = np.zeros(0)
        self.morale = np.zeros(0)
        self.status = np.zeros(0, np.int8)
        self.acceptance = np.zeros(0)
        self.leave_week = np.zeros(0, np.int64)
        self._next_id = 0

    def __len__(self) -> int:
        return int(self.ids.size)

    def hire(self, experience: np.ndarray | list[float]) -> np.ndarray:
        """Append one employed row per value of ``experience``; return the new ids."""
        exp = np.asarray(experience, dtype=float)
        n = exp.size
        new = np.arange(self._next_id, self._next_id + n, dtype=np.int64)
        self._next_id += n
        self.ids = np.concatenate([self.ids, new])
        self.experience = np.concatenate([self.experience, exp])
        self.morale = np.concatenate([self.morale, np.ones(n)])
        self.status = np.concatenate([self.status, np.full(n, Status.employed, np.int8)])
        self.acceptance = np.concatenate([self.acceptance, np.zeros(n)])
        self.leave_week = np.concatenate([self.leave_week, np.full(n, NO_LEAVE, np.int64)])
        return new

    def row(self, staff_id: int) -> int:
        """Row of employee ``staff_id`` (KeyError once the employee's row is dropped)."""
        i = int(np.searchsorted(self.ids, staff_id))
        if i >= self.ids.size or self.ids[i] != staff_id:
            raise KeyError(f"employee {staff_id} has left")
        return i

    @property
    def working(self) -> np.ndarray:
        """Mask of the rows still working (employed or on notice)."""
        return self.status != Status.laid_off

    @property
    def heads(self) -> int:
        return int(np.count_nonzero(self.working))

    def drop_leavers(self) -> np.ndarray:
        """Drop the rows no longer working; return the ids dropped (leavers are gone)."""
        keep = self.working
        gone = self.ids[~keep]
        if gone.size:
            for name in ("ids", "experience", "morale", "status", "acceptance", "leave_week"):
                setattr(self, name, getattr(self, name)[keep])
        return gone

    def stats(self, site: SiteProfile, all_working: bool = False) -> StaffStats:
        """This week's ``StaffStats`` of the working rows (proficiency on ``site``'s curve).

        Means are numpy's (``np.add.reduce`` over the rows / their number, exactly
        what ``ndarray.mean`` computes) without its per-call overhead; the
        proficiency is ``workforce.proficiency``'s, computed in place.
        ``all_working``: the caller knows every row is working (no mask).
        """
        if all_working:
            n = int(self.ids.size)
            w = None
        else:
            w = self.status != Status.laid_off
            n = int(np.count_nonzero(w))
        if n == 0:
            return StaffStats()
        if w is None or n == w.size:  # nobody has left since the rows were last dropped
            experience, morale, acceptance = self.experience, self.morale, self.acceptance
        else:
            experience, morale, acceptance = self.experience[w], self.morale[w], \
                self.acceptance[w]
        initial = site.initial_proficiency
        x = np.divide(experience, -wf.learning_tau(initial, site.ramp_weeks))  # -(w / tau)
        np.exp(x, out=x)
        x *= 1.0 - initial
        prof = np.subtract(1.0, x, out=x)
        return StaffStats(heads=n, proficiency=float(_sum(prof) / n),
                          morale=float(_sum(morale) / n), acceptance=float(_sum(acceptance) / n))


_sum = np.add.reduce  # pairwise summation, as ndarray.sum and ndarray.mean


def hire_initial_staff(team: HomeTeam, load: float, p: Params, rng: np.random.Generator
                       ) -> np.ndarray:
    """Staff a new team for ``load`` contacts a week; return the new ids (ODD 5, item 7).

    Each employee's experience is exponential with mean 52 / annual attrition
    weeks (the steady state of a team with that turnover).
    """
    mean_exp = 52.0 / max(p.home.annual_attrition, 1e-3)
    exp = rng.exponential(mean_exp, size=heads_for(load, p.home, p.market))
    return team.hire(exp)


def step_staff(team: HomeTeam, p: Params, rng: np.random.Generator,
               rows: np.ndarray | None = None) -> int:
    """A week of the working employees: maybe quit, else learn and recover morale.

    Quitting is more likely with low morale; stayers gain a week of experience
    and recover morale. One uniform per working employee, in hiring order
    (``rows``: only these rows, e.g. one employee's ``HomeStaff.step``).
    Returns the number who quit (their status becomes laid off).
    """
    return _step_staff(team, p, rng, rows)[0]


def _step_staff(team: HomeTeam, p: Params, rng: np.random.Generator,
                rows: np.ndarray | None = None) -> tuple[int, bool]:
    """``step_staff``, and whether every row of the team is working afterwards.

    The same values as ``workforce.attrition_prob`` and ``recover_morale``
    (each operation in the same order, written in place; -(a / 52) is
    (-a) / 52 exactly), without their per-call overhead.
    """
    working = team.status != Status.laid_off
    if rows is not None:
        working &= np.isin(np.arange(len(team)), rows)
    n = int(np.count_nonzero(working))
    if n == 0:
        return 0, n == len(team)
    everyone = n == working.size
    if everyone:
        morale = team.morale
    else:
        rows = np.flatnonzero(working)
        morale = team.morale[rows]
    w = p.workforce
    gap = 1.0 - morale
    x = w.morale_attrition_factor * gap
    x += 1.0
    x *= p.home.annual_attrition
    x /= -52.0
    np.expm1(x, out=x)
    np.negative(x, out=x)                       # quit probability
    quits = rng.random(n) < x
    gap *= w.morale_recovery
    recovered = np.add(morale, gap, out=gap)    # morale + rate (1 - morale)
    if not quits.any():
        if everyone:  # the usual week of a settled team: same updates
            team.experience += 1.0
            team.morale[:] = recovered
            return 0, True
        team.experience[rows] += 1.0
        team.morale[rows] = recovered
        return 0, False
    stay = ~quits
    if everyone:
        team.status[quits] = Status.laid_off
        team.experience[stay] += 1.0
        team.morale[stay] = recovered[stay]
    else:
        team.status[rows[quits]] = Status.laid_off
        kept = rows[stay]
        team.experience[kept] += 1.0
        team.morale[kept] = recovered[stay]
    return int(np.count_nonzero(quits)), False


def update_acceptance(team: HomeTeam, quality_gap: float, p: Params) -> None:
    """Every employee's acceptance moves with last week's quality gap home - vendor (7.3)."""
    if len(team):
        team.acceptance = wf.update_acceptance(team.acceptance, quality_gap,
                                               p.workforce.acceptance_rate,
                                               p.workforce.acceptance_tolerance)


def hires_needed(team: HomeTeam, home_load: float, p: Params) -> int:
    """Replacement hires: the staffing rule's heads for ``home_load`` minus the working team."""
    return max(0, heads_for(home_load, p.home, p.market) - team.heads)


def give_notice(team: HomeTeam, n: int, leave_week: int, rng: np.random.Generator) -> None:
    """``n`` employed (not yet on notice) employees, drawn at random, go on notice.

    One ``rng.permutation`` of the employed rows (in hiring order); the first ``n``
    leave after ``leave_week``.
    """
    employed = np.flatnonzero(team.status == Status.employed)
    chosen = employed[rng.permutation(employed.size)][:n]
    team.status[chosen] = Status.notice
    team.leave_week[chosen] = leave_week


def lower_morale(team: HomeTeam, drop: float, communication: float) -> int:
    """The announcement's morale drop for every working employee; return their number."""
    w = team.working
    team.morale[w] = wf.announcement_morale(team.morale[w], drop, communication)
    return int(np.count_nonzero(w))


def on_notice(team: HomeTeam) -> np.ndarray:
    """Mask of the rows on notice."""
    return team.status == Status.notice


def lay_off_leavers(team: HomeTeam, week: int) -> int:
    """Employees on notice whose last week has passed are laid off; return their number."""
    leaving = (team.status == Status.notice) & (week >= team.leave_week)
    team.status[leaving] = Status.laid_off
    return int(np.count_nonzero(leaving))
