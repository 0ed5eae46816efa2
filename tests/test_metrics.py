"""Observation (model.metrics): NPS, the run summary and the Mesa reporters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import OffshoringModel, scenario
from model.metrics import (
    EVENT_FLAGS,
    KPI_COLUMNS,
    SUMMARY_COLUMNS,
    customer_stats,
    firm_kpis,
    kpi_rows,
    model_reporters,
    nps,
    summarise,
)
from model.params import Params


def test_nps_hand_value() -> None:
    """Promoters S >= 0.85 (2 of 4), detractors S < 0.65 (1 of 4): NPS = 25."""
    assert nps(np.array([0.9, 0.85, 0.7, 0.5])) == pytest.approx(25.0)
    assert nps(np.array([0.95] * 3)) == 100.0
    assert nps(np.array([0.1] * 3)) == -100.0
    assert np.isnan(nps(np.array([])))


def _synthetic_kpis(weeks: int = 104) -> pd.DataFrame:
    """Two firms with simple known series (every other column zero / False)."""
    rows = []
    for f in (0, 1):
        for w in range(weeks):
            row = dict.fromkeys(KPI_COLUMNS, 0.0)
            row.update({flag: False for flag in EVENT_FLAGS})
            row.update(week=w, firm=f, market_share=w / 1000 + f, churn_monthly=0.01 * (f + 1),
                       contacts=10, service_cost=100.0, profit=5.0, cum_profit=5.0 * (w + 1),
                       npv=4.0 * (w + 1), csat=70.0 + f, image_all=60.0)
            row["reshore"] = f == 0 and w in (60, 80)
            rows.append(row)
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


def test_summarise_hand_values() -> None:
    p = Params(n_customers=1000).replace(**{"market.market_size": 1e6})  # scale 1000
    s = summarise(_synthetic_kpis(), p)
    assert list(s.columns) == SUMMARY_COLUMNS and s["firm"].tolist() == [0, 1]
    focal = s.iloc[0]
    assert focal["market_share"] == pytest.approx(np.mean(np.arange(52, 104)) / 1000)
    assert focal["churn_monthly"] == pytest.approx(0.01)
    assert focal["cum_profit"] == pytest.approx(520.0) and focal["npv"] == pytest.approx(416.0)
    # 104 weeks x 100 of service cost over 104 x 10 x 1000 real contacts
    assert focal["cost_per_contact"] == pytest.approx(0.01)
    assert focal["reshorings"] == 2 and focal["first_reshore_week"] == 60
    rival = s.iloc[1]
    assert rival["csat"] == pytest.approx(71.0) and rival["reshorings"] == 0
    assert np.isnan(rival["first_reshore_week"])


def test_kpis_and_summary_of_a_run(relocating_run) -> None:
    kpis = relocating_run.kpis
    assert list(kpis.columns) == KPI_COLUMNS
    summary = relocating_run.model.summary()
    assert list(summary.columns) == SUMMARY_COLUMNS and len(summary) == 3
    focal = kpis[kpis["firm"] == 0]
    assert summary.loc[0, "cum_profit"] == pytest.approx(focal["cum_profit"].iloc[-1])
    assert summary.loc[0, "churn_monthly"] == pytest.approx(focal["churn_monthly"].mean())
    assert (focal["announcement"].sum(), focal["cutover"].sum()) == (1, 1)
    assert focal.loc[focal["announcement"], "week"].item() == 4
    assert focal.loc[focal["cutover"], "week"].item() == 4 + relocating_run.params.workforce \
        .notice_weeks


def test_kpi_customers_match_the_population_each_week(relocating_run) -> None:
    counts = np.vstack(relocating_run.population_counts)  # weeks x firms
    table = relocating_run.kpis.pivot(index="week", columns="firm", values="customers")
    np.testing.assert_array_equal(table.to_numpy(), counts)


def test_datacollector_reporters(relocating_run) -> None:
    model = relocating_run.model
    df = model.datacollector.get_model_vars_dataframe()
    assert list(df.columns) == list(model_reporters())
    assert len(df) == relocating_run.weeks + 1  # after burn-in, then every week
    last = relocating_run.kpis[relocating_run.kpis["firm"] == 0].iloc[-1]
    assert df["week"].iloc[-1] == relocating_run.weeks - 1
    for reporter, col in (("focal_market_share", "market_share"), ("focal_image", "image_all"),
                          ("focal_churn", "churn_monthly"), ("focal_csat", "csat"),
                          ("focal_offshore_share", "offshore_share"),
                          ("focal_cum_profit", "cum_profit")):
        assert df[reporter].iloc[-1] == pytest.approx(last[col], nan_ok=True)
    pop = model.population
    assert df["mean_satisfaction"].iloc[-1] == pytest.approx(
        float(pop.satisfaction[pop.firm >= 0].mean()))


def test_customer_stats_equal_their_per_firm_definitions() -> None:
    p = scenario("stay-home", n_customers=3000, burn_in_weeks=5)
    pop = OffshoringModel(p, rng=8).population
    stats = customer_stats(pop)
    for f in range(p.n_firms):
        mine = pop.firm == f
        assert stats.counts[f] == mine.sum()
        assert stats.by_segment[f].tolist() == [int((mine & (pop.segment == s)).sum())
                                                for s in (0, 1)]
        assert stats.nps[f] == pytest.approx(nps(pop.satisfaction[mine]))
        assert stats.image_all[f] == pytest.approx(100 * pop.image[:, f].astype(float).mean())
        assert stats.image_own[f] == pytest.approx(
            100 * pop.image[mine, f].astype(float).mean())
    active = pop.firm >= 0
    assert stats.mean_satisfaction == pytest.approx(pop.satisfaction[active].astype(float).mean())
    empty = customer_stats(type(pop)(**{**pop.__dict__, "firm": np.full(pop.n, -1, np.int16)}))
    assert np.isnan(empty.nps).all() and np.isnan(empty.image_own).all()
    assert (empty.counts == 0).all() and np.isnan(empty.mean_satisfaction)


def test_kpi_rows_of_all_firms_equal_firm_kpis_firm_by_firm() -> None:
    """All firms' rows at once (``kpi_rows``, what observation writes) = ``firm_kpis``."""
    m = OffshoringModel(scenario("offshore-morocco", n_customers=800, burn_in_weeks=2,
                                 **{"policy.week": 1}), rng=3)
    m.run_for(20)  # announced, cut over, a live contract
    live = [m.vendor.contracts.get(f.index) for f in m.firms]
    live = [c if c is not None and c.live else None for c in live]
    prof = [m.vendor.proficiency(f.index) if c else float("nan")
            for f, c in zip(m.firms, live, strict=True)]
    assert any(c is not None for c in live)
    rows = kpi_rows(m.week, m.firms, m.this_week, m.stats, m.events, live, prof)
    for firm, fw, c, v, row in zip(m.firms, m.this_week, live, prof, rows, strict=True):
        one = firm_kpis(m.week, firm, fw, m.stats, m.events, c, v)
        assert list(one) == KPI_COLUMNS
        assert pd.Series(row).equals(pd.Series(list(one.values())))
