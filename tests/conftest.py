"""Shared fixtures and checks of the model's test suite.

* Warnings: DeprecationWarning and FutureWarning are errors for every test, with or
  without ``-W error::DeprecationWarning -W error::FutureWarning`` on the command line
  (``make test`` passes them too), so a deprecated call fails the suite the day it appears.
* Hypothesis: the ``default`` profile is deterministic (``derandomize``), has no deadline
  (a model run takes a second or so) and writes no example database into the tree;
  ``HYPOTHESIS_PROFILE=explore`` draws fresh, more numerous examples.
* ``relocating_run`` / ``adaptive_run``: one small run of each kind, stepped week by week
  with the population checked every week, shared by the invariant and metric tests.
* ``kpi_violations`` / ``population_violations``: the invariants as functions returning
  readable messages, shared by the invariant and property-based tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from model import OffshoringModel, Params, scenario
from model.economics import discount_factor
from model.metrics import EVENT_FLAGS, KPI_COLUMNS
from model.params import PolicyKind
from model.population import PROSPECT

settings.register_profile(
    "default", deadline=None, max_examples=12, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile(
    "explore", deadline=None, max_examples=60, derandomize=False, database=None,
    suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config: pytest.Config) -> None:
    """Deprecations are errors even when pytest is run without ``-W`` flags."""
    config.addinivalue_line("filterwarnings", "error::DeprecationWarning")
    config.addinivalue_line("filterwarnings", "error::FutureWarning")


# ---------------------------------------------------------------- invariants
#: Shares and probabilities (0-1); NaN only where a denominator is zero (checked below).
UNIT_COLUMNS = ["market_share", "churn_monthly", "fcr", "service_level", "abandonment",
                "offshore_share", "alpha", "home_morale", "home_acceptance",
                "vendor_proficiency"]
#: Scores on a 0-100 scale.
PERCENT_COLUMNS = ["csat", "image_all", "image_own", "quality_home", "quality_vendor"]
#: Never NaN: counts, money, images of the whole population, relocation state.
ALWAYS_DEFINED = ["week", "firm", "customers", "churn_monthly", "acquisitions", "contacts",
                  "image_all", "home_heads", "home_acceptance", "vendor_heads", "alpha",
                  "revenue", "service_cost", "total_cost", "profit", "cum_profit", "npv"]
#: Defined whenever the firm has customers / contacts this week.
DEFINED_WITH_CUSTOMERS = ["market_share", "nps", "image_own", "complaints_per_1000"]
DEFINED_WITH_CONTACTS = ["csat", "service_level", "mean_wait_s", "abandonment",
                         "offshore_share"]
NON_NEGATIVE = ["customers", "acquisitions", "contacts", "mean_wait_s", "complaints_per_1000",
                "home_heads", "vendor_heads", "vendor_attrition", "revenue", "service_cost",
                "total_cost"]


def _bad_rows(df: pd.DataFrame, mask: pd.Series, what: str) -> list[str]:
    if not mask.any():
        return []
    rows = df.loc[mask, ["week", "firm"]].head(3).to_dict("records")
    return [f"{what}: {int(mask.sum())} rows, e.g. {rows}"]


def _defined(kpis: pd.DataFrame) -> list[str]:
    out = []
    for col in ALWAYS_DEFINED:
        out += _bad_rows(kpis, kpis[col].isna(), f"{col} is NaN")
    for cols, cond in ((DEFINED_WITH_CUSTOMERS, kpis["customers"] > 0),
                       (DEFINED_WITH_CONTACTS, kpis["contacts"] > 0),
                       (["fcr"], (kpis["contacts"] > 0) & (kpis["abandonment"] < 1)),
                       (["home_morale"], kpis["home_heads"] > 0),
                       (["vendor_proficiency"], kpis["vendor_heads"] > 0),
                       (["quality_vendor"], kpis["offshore_share"] > 0),
                       (["quality_home"], kpis["offshore_share"] < 1)):
        for col in cols:
            out += _bad_rows(kpis, cond & kpis[col].isna(), f"{col} is NaN where defined")
    numeric = kpis.select_dtypes("number")
    out += _bad_rows(kpis, np.isinf(numeric).any(axis=1), "an infinite value")
    return out


def _ranges(kpis: pd.DataFrame) -> list[str]:
    out = []
    for col in UNIT_COLUMNS:
        out += _bad_rows(kpis, (kpis[col] < 0) | (kpis[col] > 1), f"{col} outside [0, 1]")
    for col in PERCENT_COLUMNS:
        out += _bad_rows(kpis, (kpis[col] < 0) | (kpis[col] > 100), f"{col} outside [0, 100]")
    out += _bad_rows(kpis, (kpis["nps"] < -100) | (kpis["nps"] > 100), "nps outside ±100")
    for col in NON_NEGATIVE:
        out += _bad_rows(kpis, kpis[col] < 0, f"{col} negative")
    out += _bad_rows(kpis, kpis["service_cost"] > kpis["total_cost"] + 1e-6,
                     "service cost above total cost")
    return out


def _market(kpis: pd.DataFrame, p: Params) -> list[str]:
    out = []
    by_week = kpis.groupby("week")
    total = by_week["customers"].transform("sum")
    out += _bad_rows(kpis, total > p.n_customers, "more customers than the population")
    share_sum = by_week["market_share"].transform("sum")
    out += _bad_rows(kpis, share_sum > 1 + 1e-9, "market shares sum above 1")
    expected = kpis["customers"] / total.where(total > 0)
    out += _bad_rows(kpis, (kpis["market_share"] - expected).abs() > 1e-9,
                     "market share is not customers / all customers")
    stay = kpis["firm"].isin([i for i in range(p.n_firms)
                              if p.firm(i).policy.kind == PolicyKind.never])
    out += _bad_rows(kpis, stay & ((kpis["alpha"] != 0) | (kpis["vendor_heads"] != 0)),
                     "a firm whose policy is never relocated")
    out += _bad_rows(kpis, (kpis["alpha"] == 0) & (kpis["offshore_share"] > 0),
                     "contacts offshore with alpha = 0")
    return out


def _accounts(kpis: pd.DataFrame, p: Params) -> list[str]:
    out = []
    profit = kpis["revenue"] - kpis["total_cost"]
    out += _bad_rows(kpis, ~np.isclose(kpis["profit"], profit, rtol=1e-9, atol=1e-6),
                     "profit != revenue - total cost")
    ordered = kpis.sort_values(["firm", "week"])
    cum = ordered.groupby("firm")["profit"].cumsum()
    out += _bad_rows(ordered, ~np.isclose(ordered["cum_profit"], cum, rtol=1e-9, atol=1e-3),
                     "cum_profit != running sum of profit")
    disc = ordered["week"].map(lambda w: discount_factor(int(w), p.economics.discount_rate))
    npv = (ordered["profit"] * disc).groupby(ordered["firm"]).cumsum()
    out += _bad_rows(ordered, ~np.isclose(ordered["npv"], npv, rtol=1e-9, atol=1e-3),
                     "npv != running sum of discounted profit")
    return out


def _layout(kpis: pd.DataFrame, p: Params, weeks: int) -> list[str]:
    out = []
    if list(kpis.columns) != KPI_COLUMNS:
        out.append(f"columns {list(kpis.columns)} != KPI_COLUMNS")
    if len(kpis) != weeks * p.n_firms:
        out.append(f"{len(kpis)} rows for {weeks} weeks x {p.n_firms} firms")
    pairs = kpis[["week", "firm"]].drop_duplicates()
    if len(pairs) != len(kpis):
        out.append("duplicate (week, firm) rows")
    if sorted(kpis["week"].unique()) != list(range(weeks)):
        out.append("weeks are not 0..weeks-1")
    for flag in EVENT_FLAGS:
        if kpis[flag].dtype != bool:
            out.append(f"event flag {flag} is {kpis[flag].dtype}, not bool")
    return out


def kpi_violations(kpis: pd.DataFrame, p: Params, weeks: int) -> list[str]:
    """Every violated KPI invariant, as readable messages (empty: all hold)."""
    return (_layout(kpis, p, weeks) + _defined(kpis) + _ranges(kpis) + _market(kpis, p)
            + _accounts(kpis, p))


def population_violations(model: OffshoringModel) -> list[str]:
    """Every violated invariant of the population arrays this week (empty: all hold)."""
    pop, p = model.population, model.params
    out = []
    customers = int((pop.firm >= 0).sum())
    prospects = int((pop.firm == PROSPECT).sum())
    if customers + prospects != p.n_customers:
        out.append(f"customers {customers} + prospects {prospects} != {p.n_customers}")
    if pop.firm.max() >= p.n_firms:
        out.append("a firm index beyond the last firm")
    for name in ("satisfaction", "expectation", "ethnocentrism", "image"):
        arr = getattr(pop, name)
        if not np.isfinite(arr).all() or arr.min() < 0 or arr.max() > 1:
            out.append(f"{name} not finite in [0, 1]: [{arr.min()}, {arr.max()}]")
    valence = pop.valence[~np.isnan(pop.valence)]
    if valence.size and (valence.min() < 0 or valence.max() > 1):
        out.append("transaction satisfaction outside [0, 1]")
    if (pop.tenure < 0).any() or (pop.unresolved < 0).any():
        out.append("negative tenure or unresolved weeks")
    if (pop.aware & (pop.firm == PROSPECT)).any():
        out.append("a prospect is aware of offshoring")
    home = [f.index for f in model.firms if not f.relocated and not f.reshore_weeks]
    if (pop.aware & np.isin(pop.firm, home)).any():
        out.append("a customer of a firm that never relocated is aware of offshoring")
    return out


@pytest.fixture(scope="session")
def kpi_check() -> Callable[[pd.DataFrame, Params, int], list[str]]:
    """``kpi_violations`` as a fixture (session scope: usable from hypothesis tests)."""
    return kpi_violations


@pytest.fixture(scope="session")
def population_check() -> Callable[[OffshoringModel], list[str]]:
    return population_violations


@pytest.fixture(scope="session")
def stepped() -> Callable[[Params, int, int], SteppedRun]:
    """``stepped_run`` as a fixture: build, step week by week, check the population."""
    return stepped_run


# ---------------------------------------------------------------- shared runs
@dataclass
class SteppedRun:
    """A run stepped week by week, with the population checked after every week."""

    params: Params
    model: OffshoringModel
    kpis: pd.DataFrame
    weeks: int
    violations: dict[int, list[str]] = field(default_factory=dict)   # week -> messages
    population_counts: list[np.ndarray] = field(default_factory=list)  # per week, per firm


def stepped_run(p: Params, seed: int, weeks: int) -> SteppedRun:
    """Build, step ``weeks`` times and record the population invariants every week."""
    model = OffshoringModel(p, rng=seed)
    run = SteppedRun(p, model, pd.DataFrame(), weeks)
    for _ in range(weeks):
        model.step()
        bad = population_violations(model)
        if bad:
            run.violations[model.week] = bad
        run.population_counts.append(model.population.counts())
    run.kpis = model.kpis()
    return run


#: Offshore to Morocco early in a short run: announcement week 4, cut-over at week 17.
RELOCATING = dict(n_customers=1500, weeks=60, **{"policy.week": 4})
#: Adaptive with short reviews, strict tolerances against its plan and the shortest ramp
#: allowance (13 weeks), so it relocates and then reshores within the run.
ADAPTIVE = dict(n_customers=1500, weeks=60, **{
    "policy.week": 2, "policy.review_weeks": 4, "policy.bad_reviews": 2,
    "policy.complaint_ratio": 1.0, "policy.csat_drop": 0.0, "policy.cooldown_weeks": 8,
    "policy.ramp_allowance_weeks": 13})


@pytest.fixture(scope="session")
def relocating_run() -> SteppedRun:
    """offshore-morocco, 1,500 customers, 60 weeks, announcement at week 4, seed 11."""
    return stepped_run(scenario("offshore-morocco", **RELOCATING), 11, 60)


@pytest.fixture(scope="session")
def adaptive_run() -> SteppedRun:
    """adaptive-morocco with quick reviews (relocates, then reshores), 60 weeks, seed 12."""
    return stepped_run(scenario("adaptive-morocco", **ADAPTIVE), 12, 60)
