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
    assert run.time == 5 and not run.running
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


def test_channels_at_once_equal_each_channel_in_turn() -> None:
    """``channels`` (all channels, one queue call, the shocks drawn at once) gives the values
    and leaves the random stream as ``channel`` called for each channel in turn."""
    from model import service

    m = OffshoringModel(scenario("offshore-morocco", n_customers=600, weeks=200,
                                 burn_in_weeks=4), rng=3)
    while m.firms[0].alpha == 0 and m.time < 150:  # relocated: home and vendor channels live
        m.step()
    counts = [5, 3, 0, 0, 7, 0]
    state = m.rng.bit_generator.state
    active, table, queues = m.channels(counts)
    after = m.rng.random()
    m.rng.bit_generator.state = state
    one_by_one = [m.channel(m.firms[k // 2], bool(k % 2), counts[k]) for k in active]
    reputation = [float(np.float32(m.firms[k // 2].reputation)) for k in range(len(counts))]
    expected = service.channel_table([one_by_one[active.index(k)] if k in active else None
                                      for k in range(len(counts))], reputation,
                                     m.params.market.patience_minutes)
    assert active == [0, 1, 4]
    assert m.firms[0].alpha > 0
    assert table.tobytes() == service.channel_figures(expected).tobytes()
    assert queues == [ch.queue for ch in one_by_one]
    assert m.rng.random() == after
