"""The DataCollector's column tables (model.collector): same table as Mesa's row lists."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from model.collector import ColumnCollector, ColumnTable
from model.metrics import KPI_COLUMNS, KPI_DTYPES
from model.model import KPI_TABLE, OffshoringModel
from model.presets import scenario


def test_column_store_equals_the_row_by_row_table() -> None:
    m = OffshoringModel(scenario("offshore-morocco", n_customers=300, burn_in_weeks=3,
                                 weeks=6, **{"policy.week": 1}), rng=3)
    m.run_for(6)
    got = m.datacollector.get_table_dataframe(KPI_TABLE)
    rows = mesa.DataCollector(tables={KPI_TABLE: KPI_COLUMNS})
    for i in range(len(got)):
        rows.add_table_row(KPI_TABLE, {c: got[c].iloc[i].item() for c in KPI_COLUMNS})
    want = rows.get_table_dataframe(KPI_TABLE)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert dict(got.dtypes.astype(str)) == {c: str(d) for c, d in KPI_DTYPES.items()}


def test_table_grows_past_its_initial_size() -> None:
    t = ColumnTable({"a": np.int64, "b": float, "c": bool}, capacity=2)
    for i in range(600):  # past the buffer block and several doublings
        t.append({"a": i, "b": i / 2, "c": i % 2 == 0})
    t.extend({"a": [600, 601], "b": [1.0, 2.0], "c": [True, False]})
    assert len(t) == 602 and t.capacity >= 602
    df = t.to_frame()
    assert df["a"].tolist() == list(range(602))
    assert df["b"].iloc[599] == 299.5 and df["c"].iloc[1] is np.False_
    assert str(df["a"].dtype) == "int64" and str(df["c"].dtype) == "bool"


def test_datacollector_table_api_still_works() -> None:
    dc = ColumnCollector(tables={"plain": ["x"]}, column_tables={"cols": {"x": float, "n": int}},
                         capacity=1)
    dc.add_table_row("cols", {"n": 1, "x": 0.5})  # any key order
    dc.add_table_row("cols", {"n": 2}, ignore_missing=True)  # float column: NaN
    dc.add_table_rows("cols", {"x": np.array([1.0]), "n": np.array([3])})
    dc.add_table_row("plain", {"x": 7})
    df = dc.get_table_dataframe("cols")
    assert df["n"].tolist() == [1, 2, 3] and np.isnan(df["x"].iloc[1])
    assert dc.get_table_dataframe("plain")["x"].tolist() == [7]
    with pytest.raises(KeyError):
        dc.add_table_row("cols", {"x": 1.0})  # an int column missing
    assert dc.tables["cols"]["n"].tolist() == [1, 2, 3]
