"""Observation (ODD 7.14): per-firm weekly KPIs, the run summary and Mesa reporters.

Scales: CSAT, NPS, brand image 0-100; churn as a monthly-equivalent share;
complaints per 1,000 customers per month; money in the market's currency per
week at real-market scale; mean wait in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd
from numba import njit

from model.churn import weekly_to_monthly
from model.economics import Ledger
from model.params import Params
from model.population import Population
from model.records import Events, FirmWeek
from model.staffing import StaffStats

PROMOTER_AT, DETRACTOR_BELOW = 0.85, 0.65  # cumulative satisfaction as 0-10 score / 10
EVENT_FLAGS = ("ramadan", "outage", "breach", "media", "strike", "announcement", "cutover",
               "reshore")
KPI_COLUMNS = [
    "week", "firm", "customers", "market_share", "churn_monthly", "acquisitions", "contacts",
    "csat", "nps", "image_all", "image_own", "fcr", "service_level", "mean_wait_s",
    "abandonment", "complaints_per_1000", "home_heads", "home_morale", "home_acceptance",
    "vendor_heads", "vendor_proficiency", "vendor_attrition", "offshore_share", "alpha",
    "quality_home", "quality_vendor", "csat_home", "csat_vendor", "revenue", "variable_cost",
    "service_cost", "total_cost", "profit", "cum_profit", "npv", *EVENT_FLAGS,
]
_INT_COLUMNS = {"week", "firm", "customers", "acquisitions", "contacts", "home_heads",
                "vendor_heads"}
#: dtype of each KPI column (the DataCollector's column table, ``model.collector``).
KPI_DTYPES = {name: np.dtype(np.int64) if name in _INT_COLUMNS else
              np.dtype(np.bool_) if name in EVENT_FLAGS else np.dtype(np.float64)
              for name in KPI_COLUMNS}


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def nps(S: np.ndarray) -> float:
    """Net promoter score (-100..100) from cumulative satisfaction read as a 0-10 score."""
    if S.size == 0:
        return float("nan")
    return 100.0 * (float((S >= PROMOTER_AT).mean()) - float((S < DETRACTOR_BELOW).mean()))


@dataclass(frozen=True)
class CustomerStats:
    """Per-firm aggregates of the customer arrays for one week (length M unless noted).

    Computed in one compiled pass over the population at the end of the week
    (accounting, ODD 3 step 12) and read by accounting, the KPI rows and
    the DataCollector; each value equals its per-firm definition (sums in
    double precision).
    """

    counts: np.ndarray     # customers per firm
    by_segment: np.ndarray  # customers per firm and segment (M x 2: mass, premium)
    nps: np.ndarray        # net promoter score, -100..100 (NaN: no customers)
    image_all: np.ndarray  # mean image of the firm over everyone, 0-100
    image_own: np.ndarray  # mean image of the firm among its customers, 0-100 (NaN: none)
    mean_satisfaction: float  # mean cumulative satisfaction of all customers, 0-1


def customer_stats(pop: Population, image_sums: list[float] | None = None) -> CustomerStats:
    """This week's ``CustomerStats`` of population ``pop`` (``image_sums``: each firm's
    image summed over everyone, ``image.column_sums``, when already computed)."""
    m = pop.n_firms
    by_segment, counts, nps_, own, mean_s = _stats_pass(
        pop.firm, pop.segment, pop.satisfaction, pop.image, PROMOTER_AT, DETRACTOR_BELOW)
    if image_sums is None:
        image_sums = [float(pop.image[:, j].sum()) for j in range(m)]  # pairwise
    image_sum = np.array(image_sums)
    return CustomerStats(counts, by_segment, nps_, 100.0 * image_sum / pop.n, own, mean_s)


@njit(cache=True)
def _stats_pass(firm: np.ndarray, segment: np.ndarray, satisfaction: np.ndarray,
                image: np.ndarray, promoter_at: float, detractor_below: float):
    """Counts by firm and segment, counts, NPS, mean own image (0-100; NaN without
    customers) and the mean satisfaction of all customers, in one pass over them.

    Each value is computed with the operations (and their order) of the numpy
    expressions it replaces: 100 (promoters - detractors) / count,
    (100 own-image sum) / count, satisfaction sum / customers.
    """
    m = image.shape[1]
    by_segment = np.zeros((m, 2), np.int64)
    promoters, detractors = np.zeros(m, np.int64), np.zeros(m, np.int64)
    own_sum = np.zeros(m)
    s_sum = 0.0
    for i in range(firm.size):
        f = firm[i]
        if f < 0:
            continue
        by_segment[f, segment[i]] += 1
        s = satisfaction[i]
        s_sum += s
        promoters[f] += s >= promoter_at
        detractors[f] += s < detractor_below
        own_sum[f] += image[i, f]
    counts = np.zeros(m, np.int64)
    nps_, own = np.full(m, np.nan), np.full(m, np.nan)
    total = 0
    for f in range(m):
        counts[f] = by_segment[f, 0] + by_segment[f, 1]
        total += counts[f]
        if counts[f] > 0:
            nps_[f] = 100.0 * (promoters[f] - detractors[f]) / counts[f]
            own[f] = 100.0 * own_sum[f] / counts[f]
    mean_s = s_sum / total if total else np.nan
    return by_segment, counts, nps_, own, mean_s


class FirmState(Protocol):
    """What a KPI row reads of a firm (``model.agents.Firm``)."""

    index: int
    alpha: float
    staff_stats: StaffStats
    ledger: Ledger
    cum_profit: float
    npv: float
    strike: bool
    events: set[str]


class LiveContract(Protocol):
    """What a KPI row reads of a firm's live vendor contract (``model.agents.Contract``)."""

    heads: int
    quits: int


def churn_monthly(fw: FirmWeek, customers: int) -> float:
    """The week's churn of a firm with ``customers`` at the end of the week, monthly rate."""
    start = customers + fw.churned - fw.acquired
    return float(weekly_to_monthly(_ratio(fw.churned, start))) if start else 0.0


def firm_kpis(week: int, firm: FirmState, fw: FirmWeek, stats: CustomerStats, events: Events,
              contract: LiveContract | None, vendor_proficiency: float) -> dict:
    """The KPI row (``KPI_COLUMNS``) of one firm for week ``week`` just simulated.

    ``stats``: the customers at the end of the week; ``contract``: the firm's live
    vendor contract (None: none live) and ``vendor_proficiency`` its team's.
    """
    row, = kpi_rows(week, [firm], [fw], stats, events, [contract], [vendor_proficiency])
    return dict(zip(KPI_COLUMNS, row, strict=True))


_NAN = float("nan")
_OWN_FLAGS = ("announcement", "cutover", "reshore")


def kpi_rows(week: int, firms: Sequence[FirmState], weeks: Sequence[FirmWeek],
             stats: CustomerStats, events: Events, contracts: Sequence[LiveContract | None],
             vendor_proficiency: Sequence[float]) -> list[tuple]:
    """The KPI rows of ``firms`` (values in ``KPI_COLUMNS`` order, one tuple per firm).

    ``weeks``, ``contracts`` and ``vendor_proficiency``: each firm's ``FirmWeek``,
    live vendor contract (None: none live) and that team's proficiency. The
    week's statistics are read once for all firms; each value is computed as
    ``firm_kpis`` defines it.
    """
    counts, nps_, image_all, image_own = (stats.counts.tolist(), stats.nps.tolist(),
                                          stats.image_all.tolist(), stats.image_own.tolist())
    total = stats.counts.sum()
    common = (bool(events.ramadan), bool(events.outage), bool(events.breach),
              bool(events.media))
    strike_week = bool(events.strike)
    rows = []
    for firm, fw, contract, vendor_prof in zip(firms, weeks, contracts, vendor_proficiency,
                                               strict=True):
        f = firm.index
        n = int(counts[f])
        team = firm.staff_stats
        heads = contract.heads if contract is not None else 0
        led = firm.ledger
        total_cost = led.total_cost
        quality, csat, contacts = fw.quality, fw.csat, fw.contacts
        own = firm.events
        rows.append((
            week, f, n, _ratio(n, total), churn_monthly(fw, n), fw.acquired, contacts,
            100 * _ratio(fw.s_sum, contacts), nps_[f], image_all[f], image_own[f],
            _ratio(fw.resolved, fw.answered), _ratio(fw.within_sl, contacts),
            60 * _ratio(fw.wait_sum, contacts), _ratio(fw.abandoned, contacts),
            1000 * _ratio(fw.complaints, n) * 52 / 12,
            team.heads, team.morale if team.heads else _NAN, team.acceptance,
            heads, vendor_prof if contract is not None else _NAN,
            52 * _ratio(contract.quits, heads) if contract is not None else _NAN,
            _ratio(fw.offshore_contacts, contacts), firm.alpha,
            100 * quality.get("home", _NAN), 100 * quality.get("vendor", _NAN),
            100 * csat.get("home", _NAN), 100 * csat.get("vendor", _NAN),
            led.revenue, led.variable_cost, led.service_cost, total_cost,
            led.revenue - total_cost, firm.cum_profit, firm.npv,
            # the calendar's and vendor's events for all, the firm's own events
            *common, strike_week and firm.strike, *(flag in own for flag in _OWN_FLAGS)))
    return rows


SUMMARY_COLUMNS = [
    "firm", "market_share", "churn_monthly", "image_all", "image_own", "csat", "nps", "fcr",
    "service_level", "abandonment", "complaints_per_1000", "offshore_share", "cum_profit", "npv",
    "cost_per_contact", "service_cost", "revenue", "service_cost_share", "reshorings",
    "first_reshore_week",
]


def summarise(kpis: pd.DataFrame, p: Params) -> pd.DataFrame:
    """Run summary per firm over the horizon (weeks >= 0).

    Market share, brand image and NPS are means over the last 52 weeks (the
    10-year position); churn, CSAT, FCR and service level are means over the
    whole horizon; profit and NPV are cumulative; cost per contact is service
    cost over real contacts; the service cost share is service cost over revenue
    (the stake of a relocation).
    """
    rows = []
    scale = p.market.market_size / p.n_customers
    for f, d in kpis.groupby("firm", sort=True):
        last = d[d["week"] > d["week"].max() - 52]
        reshore = d.loc[d["reshore"], "week"]
        contacts = d["contacts"].sum() * scale
        rows.append({
            "firm": int(f),
            "market_share": last["market_share"].mean(),
            "churn_monthly": d["churn_monthly"].mean(),
            "image_all": last["image_all"].mean(), "image_own": last["image_own"].mean(),
            "csat": d["csat"].mean(), "nps": last["nps"].mean(), "fcr": d["fcr"].mean(),
            "service_level": d["service_level"].mean(), "abandonment": d["abandonment"].mean(),
            "complaints_per_1000": d["complaints_per_1000"].mean(),
            "offshore_share": d["offshore_share"].mean(),
            "cum_profit": d["cum_profit"].iloc[-1], "npv": d["npv"].iloc[-1],
            "cost_per_contact": _ratio(d["service_cost"].sum(), contacts),
            "service_cost": d["service_cost"].sum(), "revenue": d["revenue"].sum(),
            "service_cost_share": _ratio(d["service_cost"].sum(), d["revenue"].sum()),
            "reshorings": int(len(reshore)),
            "first_reshore_week": float(reshore.iloc[0]) if len(reshore) else float("nan"),
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


# ---------------------------------------------------------------- Mesa reporters
class Observed(Protocol):
    """What the reporters read of the model after a week (``model.model.OffshoringModel``)."""

    week: int
    stats: CustomerStats
    this_week: list[FirmWeek]
    firms: Sequence[FirmState]


def week(model: Observed) -> int:
    """Index of the week just simulated (negative in the burn-in)."""
    return model.week


def focal_market_share(model: Observed) -> float:
    counts = model.stats.counts
    return _ratio(int(counts[0]), counts.sum())


def focal_image(model: Observed) -> float:
    return float(model.stats.image_all[0])


def focal_churn(model: Observed) -> float:
    return churn_monthly(model.this_week[0], int(model.stats.counts[0]))


def focal_csat(model: Observed) -> float:
    fw = model.this_week[0]
    return 100 * _ratio(fw.s_sum, fw.contacts)


def focal_offshore_share(model: Observed) -> float:
    fw = model.this_week[0]
    return _ratio(fw.offshore_contacts, fw.contacts)


def focal_cum_profit(model: Observed) -> float:
    return model.firms[0].cum_profit


def mean_satisfaction(model: Observed) -> float:
    return model.stats.mean_satisfaction


def model_reporters() -> dict:
    """Model-level reporters for Mesa's DataCollector (named functions: they pickle).

    Each reads the week's statistics (``model.stats``, ``model.this_week``) or the
    focal firm's state, with the same formula as its KPI column.
    """
    return {f.__name__: f for f in (week, focal_market_share, focal_image, focal_churn,
                                    focal_csat, focal_offshore_share, focal_cum_profit,
                                    mean_satisfaction)}
