"""The DataCollector with column tables: weekly rows written into preallocated numpy columns.

Mesa's ``DataCollector`` keeps a table as one Python list per column and builds
a DataFrame from the lists. ``ColumnCollector`` keeps the tables named in
``column_tables`` as typed numpy columns (``ColumnTable``), sized up front (e.g.
from the horizon) and grown by doubling, and turns them into the tidy
DataFrame once, when asked. The table API is Mesa's: ``add_table_row`` (one
row, a dict), ``get_table_dataframe``; ``add_table_rows`` appends many rows at
once (a column -> values mapping). Other tables and the model reporters are
Mesa's own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from copy import deepcopy
from functools import partial
from types import FunctionType

import mesa
import numpy as np
import pandas as pd

#: Values the model reporters return that are immutable: stored without Mesa's deepcopy.
_IMMUTABLE = (int, float, bool, str, np.bool_, np.integer, np.floating)


class ColumnTable(Mapping):
    """A table of typed numpy columns, ``len(self)`` rows, grown by doubling.

    ``table[name]`` is the column's rows (a view); iteration gives the column
    names in order. Rows appended one at a time wait in a short buffer of
    tuples and are written into the columns a block at a time (one conversion
    per column instead of one numpy scalar write per cell), and before any read.
    """

    #: Rows appended one by one that are written into the columns together.
    BLOCK = 256

    def __init__(self, dtypes: Mapping[str, np.dtype | type | str], capacity: int = 64) -> None:
        if not dtypes:
            raise ValueError("a column table needs at least one column")
        self.dtypes = {name: np.dtype(dt) for name, dt in dtypes.items()}
        self._names = list(self.dtypes)
        capacity = max(1, int(capacity))
        self._columns = {name: np.empty(capacity, dt) for name, dt in self.dtypes.items()}
        self._n = 0
        self._pending: list[tuple] = []

    @property
    def capacity(self) -> int:
        """Rows the columns hold before they grow."""
        return next(iter(self._columns.values())).size

    def __len__(self) -> int:
        return self._n + len(self._pending)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __getitem__(self, name: str) -> np.ndarray:
        self.flush()
        return self._columns[name][:self._n]

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` more rows (the capacity at least doubles when it grows)."""
        need = self._n + rows
        if need <= self.capacity:
            return
        size = max(need, 2 * self.capacity)
        for name, col in self._columns.items():
            grown = np.empty(size, col.dtype)
            grown[:self._n] = col[:self._n]
            self._columns[name] = grown

    def append(self, row: Mapping, ignore_missing: bool = False) -> None:
        """One row: ``row[name]`` for every column (missing: NaN in a float column when
        ``ignore_missing``, else an error). Nothing is written if a column is missing."""
        if list(row) == self._names:  # the usual case: every column, in order
            values = tuple(row.values())
        else:
            missing = [name for name in self._names if name not in row]
            if missing and not (ignore_missing and all(
                    self.dtypes[name].kind == "f" for name in missing)):
                raise KeyError(f"Could not insert row with missing column(s) {missing}")
            values = tuple(row.get(name, np.nan) for name in self._names)
        self._pending.append(values)
        if len(self._pending) >= self.BLOCK:
            self.flush()

    def append_values(self, rows: Sequence[tuple]) -> None:
        """Rows given as tuples of values in column order (no checks: the caller's rows
        have every column; ``append`` for a mapping)."""
        self._pending.extend(rows)
        if len(self._pending) >= self.BLOCK:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows into the columns."""
        if not self._pending:
            return
        k = len(self._pending)
        self.reserve(k)
        for name, values in zip(self._names, zip(*self._pending, strict=True), strict=True):
            self._columns[name][self._n:self._n + k] = np.array(values, self.dtypes[name])
        self._n += k
        self._pending.clear()

    def extend(self, columns: Mapping[str, np.ndarray | list]) -> None:
        """Many rows at once: one sequence of values per column, all of one length."""
        if set(columns) != set(self._names):
            raise KeyError(f"columns must be exactly {self._names}")
        sizes = {len(v) for v in columns.values()}
        if len(sizes) != 1:
            raise ValueError("every column needs the same number of values")
        self.flush()
        k = sizes.pop()
        self.reserve(k)
        for name, col in self._columns.items():
            col[self._n:self._n + k] = columns[name]
        self._n += k

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (copies; column dtypes as declared)."""
        self.flush()
        return pd.DataFrame({name: col[:self._n].copy() for name, col in self._columns.items()},
                            columns=self._names)


class ColumnCollector(mesa.DataCollector):
    """``mesa.DataCollector`` whose ``column_tables`` are ``ColumnTable``s.

    ``column_tables``: table name -> {column: dtype}; ``capacity``: rows
    preallocated per column table (grown by doubling beyond). When every model
    reporter is a function (called with the model, as Mesa does), values that
    are immutable scalars are stored as returned: Mesa deep-copies every value,
    and a copy of an int or float is the same value.
    """

    def __init__(self, model_reporters: dict | None = None, agent_reporters: dict | None = None,
                 tables: dict | None = None, *,
                 column_tables: Mapping[str, Mapping[str, np.dtype | type | str]] | None = None,
                 capacity: int = 64) -> None:
        super().__init__(model_reporters=model_reporters, agent_reporters=agent_reporters,
                         tables=tables)
        for name, dtypes in (column_tables or {}).items():
            self.tables[name] = ColumnTable(dtypes, capacity)

    def collect(self, model) -> None:
        if self.agent_reporters or self.agenttype_reporters or not all(
                isinstance(r, FunctionType | partial) for r in self.model_reporters.values()):
            super().collect(model)
            return
        if not self.model_reporters:
            return
        self._collection_steps.append(model.time)
        if not self._validated:
            for name, reporter in self.model_reporters.items():
                self._validate_model_reporter(name, reporter, model)
        for var, reporter in self.model_reporters.items():
            value = reporter(model)
            self.model_vars[var].append(value if isinstance(value, _IMMUTABLE)
                                        else deepcopy(value))

    def add_table_row(self, table_name: str, row: Mapping, ignore_missing: bool = False) -> None:
        table = self.tables.get(table_name)
        if isinstance(table, ColumnTable):
            table.append(row, ignore_missing)
        else:
            super().add_table_row(table_name, row, ignore_missing)

    def add_table_tuples(self, table_name: str, rows: Sequence[tuple]) -> None:
        """Append rows given as tuples of values in the table's column order."""
        table = self.tables.get(table_name)
        if isinstance(table, ColumnTable):
            table.append_values(rows)
            return
        for values in rows:
            super().add_table_row(table_name, dict(zip(table, values, strict=True)))

    def add_table_rows(self, table_name: str, columns: Mapping[str, np.ndarray | list]) -> None:
        """Append many rows to table ``table_name`` (one sequence of values per column)."""
        table = self.tables.get(table_name)
        if table is None:
            raise Exception("Table does not exist.")
        if isinstance(table, ColumnTable):
            table.extend(columns)
            return
        for name in table:
            table[name].extend(list(columns[name]))

    def get_table_dataframe(self, table_name: str) -> pd.DataFrame:
        table = self.tables.get(table_name)
        if isinstance(table, ColumnTable):
            return table.to_frame()
        return super().get_table_dataframe(table_name)
