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
from enum import IntEnum
from typing import NamedTuple

import numpy as np
from numba import njit

from model import workforce as wf
from model.params import MarketParams, Params, SiteProfile
from model.queueing import _agents_for_service_level

#: ``leave_week`` of an employee who is not on notice.
NO_LEAVE = np.iinfo(np.int64).max
_NO_LEAVE = int(NO_LEAVE)


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
    # agents_for_service_level's compiled search, called directly (every firm, every week)
    agents = _agents_for_service_level(float(contacts_per_week) / m.open_hours_week, float(aht),
                                       float(m.sl_target), 20.0)
    per_head = site.paid_hours_week * m.productive_share
    return math.ceil(agents * m.open_hours_week / per_head)


def initial_load(customers: int, scale: float, m: MarketParams) -> float:
    """Weekly contacts (real scale) of a firm's ``customers`` at set-up (ODD 5, item 7)."""
    fcr = m.fcr_base * 0.9
    return customers * scale * contact_mix(m) * (1 + m.repeat_contact_prob * (1 - fcr))


class StaffStats(NamedTuple):
    """A firm's home team this week: heads and mean proficiency, morale, acceptance (0-1),
    a named tuple (immutable, and cheap to make every week for every firm).

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
        exp = np.ascontiguousarray(experience, dtype=float).reshape(-1)
        first = self._next_id
        self._next_id += exp.size
        (self.ids, self.experience, self.morale, self.status, self.acceptance,
         self.leave_week) = _appended(self.ids, self.experience, self.morale, self.status,
                                      self.acceptance, self.leave_week, exp, first)
        return self.ids[self.ids.size - exp.size:].copy()

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
        gone, *kept = _without_leavers(self.ids, self.experience, self.morale, self.status,
                                       self.acceptance, self.leave_week)
        if gone.size:
            (self.ids, self.experience, self.morale, self.status, self.acceptance,
             self.leave_week) = kept
        return gone

    def stats(self, site: SiteProfile, all_working: bool = False) -> StaffStats:
        """This week's ``StaffStats`` of the working rows (proficiency on ``site``'s curve).

        Means are numpy's (``np.add.reduce``'s pairwise sum over the rows / their
        number, exactly what ``ndarray.mean`` computes), in one compiled pass
        (``_team_means``); the proficiency is ``workforce.proficiency``'s (the
        exponential by numpy). ``all_working``: the caller knows every row is
        working.
        """
        if self.ids.size == 0:
            return StaffStats()
        initial = site.initial_proficiency
        x = np.divide(self.experience, -wf.learning_tau(initial, site.ramp_weeks))  # -(w / tau)
        np.exp(x, out=x)
        n, proficiency, morale, acceptance = _team_means(
            x, 1.0 - initial, self.morale, self.acceptance, self.status, all_working)
        if n == 0:
            return StaffStats()
        return StaffStats(heads=n, proficiency=proficiency, morale=morale, acceptance=acceptance)


_LAID_OFF = int(Status.laid_off)
_NOTICE = int(Status.notice)


@njit(cache=True)
def _appended(ids: np.ndarray, experience: np.ndarray, morale: np.ndarray, status: np.ndarray,
              acceptance: np.ndarray, leave_week: np.ndarray, exp: np.ndarray, first: int):
    """The team's arrays with one employed row per value of ``exp`` appended (ids from
    ``first``, morale 1, acceptance 0, not on notice): ``HomeTeam.hire``'s concatenations
    in one call."""
    n, k = ids.size, exp.size
    out_ids, out_exp = np.empty(n + k, np.int64), np.empty(n + k)
    out_morale, out_status = np.empty(n + k), np.empty(n + k, np.int8)
    out_acc, out_leave = np.empty(n + k), np.empty(n + k, np.int64)
    out_ids[:n], out_exp[:n], out_morale[:n] = ids, experience, morale
    out_status[:n], out_acc[:n], out_leave[:n] = status, acceptance, leave_week
    for j in range(k):
        out_ids[n + j] = first + j
        out_exp[n + j] = exp[j]
        out_morale[n + j] = 1.0
        out_status[n + j] = 0  # Status.employed
        out_acc[n + j] = 0.0
        out_leave[n + j] = _NO_LEAVE
    return out_ids, out_exp, out_morale, out_status, out_acc, out_leave


@njit(cache=True)
def _without_leavers(ids: np.ndarray, experience: np.ndarray, morale: np.ndarray,
                     status: np.ndarray, acceptance: np.ndarray, leave_week: np.ndarray):
    """(ids of the rows laid off, then the six arrays of the working rows in order):
    ``HomeTeam.drop_leavers``'s masks in one call."""
    n = 0
    for i in range(status.size):
        n += status[i] != _LAID_OFF
    gone = np.empty(status.size - n, np.int64)
    out_ids, out_exp = np.empty(n, np.int64), np.empty(n)
    out_morale, out_status = np.empty(n), np.empty(n, np.int8)
    out_acc, out_leave = np.empty(n), np.empty(n, np.int64)
    k = g = 0
    for i in range(status.size):
        if status[i] == _LAID_OFF:
            gone[g] = ids[i]
            g += 1
        else:
            out_ids[k], out_exp[k], out_morale[k] = ids[i], experience[i], morale[i]
            out_status[k], out_acc[k], out_leave[k] = status[i], acceptance[i], leave_week[i]
            k += 1
    return gone, out_ids, out_exp, out_morale, out_status, out_acc, out_leave


@njit(cache=True)
def _pairwise_block(a: np.ndarray, lo: int, n: int) -> float:
    """numpy's sum of ``a[lo:lo + n]`` for n <= 128: in order below 8 values, else eight
    partial sums combined as a tree, then the remainder."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    m = n - n % 8
    for i in range(lo + 8, lo + m, 8):
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(lo + m, lo + n):
        res += a[i]
    return res


@njit(cache=True)
def pairwise_sum(a: np.ndarray) -> float:
    """numpy's pairwise summation: the same value, bit for bit, as ``np.add.reduce`` of a
    contiguous 1-d float64 array (``_pairwise_block`` up to 128 values; beyond, the sum
    of the halves split at a multiple of 8). The recursion is unrolled on a stack (Numba
    cannot cache a recursive function safely)."""
    n = a.size
    if n <= 128:
        return _pairwise_block(a, 0, n)
    task_lo = np.empty(256, np.int64)
    task_n = np.empty(256, np.int64)
    task_split = np.empty(256, np.bool_)   # True: both halves done, add them
    values = np.empty(256)
    t, v = 0, 0
    task_lo[0], task_n[0], task_split[0] = 0, n, False
    t = 1
    while t > 0:
        t -= 1
        lo, k, split = task_lo[t], task_n[t], task_split[t]
        if split:
            right = values[v - 1]
            left = values[v - 2]
            v -= 2
            values[v] = left + right
            v += 1
        elif k <= 128:
            values[v] = _pairwise_block(a, lo, k)
            v += 1
        else:
            k2 = k // 2
            k2 -= k2 % 8
            task_lo[t], task_n[t], task_split[t] = lo, k, True
            task_lo[t + 1], task_n[t + 1], task_split[t + 1] = lo + k2, k - k2, False
            task_lo[t + 2], task_n[t + 2], task_split[t + 2] = lo, k2, False
            t += 3
    return values[0]


@njit(cache=True)
def _team_means(e: np.ndarray, scale: float, morale: np.ndarray, acceptance: np.ndarray,
                status: np.ndarray, all_working: bool) -> tuple[int, float, float, float]:
    """Working rows, and their mean proficiency 1 - scale e, morale and acceptance: the
    working rows gathered, summed as numpy sums (``pairwise_sum``), / their number."""
    size = e.size
    n = size
    if not all_working:
        n = 0
        for i in range(size):
            n += status[i] != _LAID_OFF
    if n == 0:
        return 0, 0.0, 1.0, 0.0
    prof = np.empty(n)
    if n == size:
        for i in range(size):
            prof[i] = 1.0 - scale * e[i]
        m, a = morale, acceptance
    else:
        m, a = np.empty(n), np.empty(n)
        k = 0
        for i in range(size):
            if status[i] != _LAID_OFF:
                prof[k] = 1.0 - scale * e[i]
                m[k] = morale[i]
                a[k] = acceptance[i]
                k += 1
    return n, pairwise_sum(prof) / n, pairwise_sum(m) / n, pairwise_sum(a) / n


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
    w = p.workforce
    if rows is None:  # the usual week: every row working, two compiled passes
        x, everyone = _quit_exponent(team.morale, team.status, w.morale_attrition_factor,
                                     p.home.annual_attrition)
        if everyone:
            if x.size == 0:
                return 0, True
            np.expm1(x, out=x)  # -(quit probability), as workforce.attrition_prob has it
            quits = _team_week(team.experience, team.morale, team.status, x,
                               rng.random(x.size), w.morale_recovery)
            return quits, quits == 0
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


@njit(cache=True)
def _quit_exponent(morale: np.ndarray, status: np.ndarray, factor: float, annual: float
                   ) -> tuple[np.ndarray, bool]:
    """-(annual (1 + factor (1 - morale)) / 52) of each row, ``workforce.attrition_prob``'s
    argument of expm1 (the same operations in the same order), and True; (empty, False)
    when some row is not working."""
    for i in range(status.size):
        if status[i] == _LAID_OFF:
            return np.empty(0), False
    x = np.empty(morale.size)
    for i in range(morale.size):
        x[i] = (factor * (1.0 - morale[i]) + 1.0) * annual / -52.0
    return x, True


@njit(cache=True)
def _team_week(experience: np.ndarray, morale: np.ndarray, status: np.ndarray,
               e: np.ndarray, u: np.ndarray, rate: float) -> int:
    """Row i quits when ``u[i]`` < -``e[i]`` (the quit probability), else gains a week of
    experience and recovers morale (``workforce.recover_morale``); returns the quits."""
    quits = 0
    for i in range(e.size):
        if u[i] < -e[i]:
            status[i] = _LAID_OFF
            quits += 1
        else:
            experience[i] += 1.0
            morale[i] = morale[i] + (1.0 - morale[i]) * rate
    return quits


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
    return int(_lay_off(team.status, team.leave_week, int(week)))


@njit(cache=True)
def _lay_off(status: np.ndarray, leave_week: np.ndarray, week: int) -> int:
    """``lay_off_leavers`` compiled: rows on notice with ``week >= leave_week`` laid off."""
    n = 0
    for i in range(status.size):
        if status[i] == _NOTICE and week >= leave_week[i]:
            status[i] = _LAID_OFF
            n += 1
    return n
