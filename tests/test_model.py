"""The Mesa-native model (model.model): the run stops at the horizon, the DataCollector
holds the KPI table, the reporters agree with it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model import OffshoringModel, scenario
from model.metrics import KPI_COLUMNS, model_reporters
from model.model import KPI_TABLE


@pytest.fixture(scope="module")
def run() -> OffshoringModel:
    m = OffshoringModel(scenario("offshore-morocco", n_customers=400, weeks=5, burn_in_weeks=3,
                                 **{"policy.week": 1}), rng=8)
    m.run_model()
    return m


def test_run_model_stops_at_the_horizon(run: OffshoringModel) -> None:
    assert run.time == 5 and run.steps == 5 and not run.running
    assert run.week == 4
    fresh = OffshoringModel(scenario("stay-home", n_customers=200, weeks=5,
                                     burn_in_weeks=0), rng=1)
    assert fresh.running and fresh.week == -1
    fresh.run_for(4)
    assert fresh.running
    fresh.step()
    assert not fresh.running and fresh.time == 5


def test_the_datacollector_table_is_the_kpi_table(run: OffshoringModel) -> None:
    table = run.datacollector.get_table_dataframe(KPI_TABLE)
    assert list(table.columns) == KPI_COLUMNS
    assert len(table) == (3 + 5) * run.params.n_firms  # burn-in weeks included
    pd.testing.assert_frame_equal(run.kpis(include_burn_in=True), table)
    kpis = run.kpis()
    assert kpis["week"].tolist() == [w for w in range(5) for _ in range(run.params.n_firms)]
    pd.testing.assert_frame_equal(kpis, table[table["week"] >= 0].reset_index(drop=True))


def test_reporters_equal_the_focal_kpis(run: OffshoringModel) -> None:
    mv = run.datacollector.get_model_vars_dataframe()
    assert list(mv.columns) == list(model_reporters()) and len(mv) == 5 + 1
    k = run.kpis(include_burn_in=True)
    focal = k[k["firm"] == 0].set_index("week")
    for name, col in (("focal_market_share", "market_share"), ("focal_image", "image_all"),
                      ("focal_churn", "churn_monthly"), ("focal_csat", "csat"),
                      ("focal_offshore_share", "offshore_share"),
                      ("focal_cum_profit", "cum_profit")):
        got = mv.set_index("week")[name]
        np.testing.assert_array_equal(got.to_numpy(), focal.loc[got.index, col].to_numpy(),
                                      err_msg=name)
    assert mv["week"].tolist() == [-1, 0, 1, 2, 3, 4]
