"""Markdown tables of experiment results (``DataFrame.to_markdown``, via tabulate)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def cell(v: Any, digits: int = 4) -> str:
    """A table cell: floats with ``digits`` significant digits (empty if not finite)."""
    if v is None:
        return ""
    if isinstance(v, float | np.floating):
        return "" if not np.isfinite(v) else f"{v:.{digits}g}"
    return str(v)


def _numeric(column: pd.Series) -> bool:
    """Numbers, or numbers and gaps (an object column of integers and None)."""
    if pd.api.types.is_numeric_dtype(column):
        return True
    values = column.dropna()
    return all(isinstance(v, int | float | np.number) and not isinstance(v, bool)
               for v in values)


def md_table(df: pd.DataFrame, digits: int = 4) -> str:
    """A GitHub Markdown table: numeric columns right-aligned, text as it is, gaps empty."""
    if df.empty and not len(df.columns):
        return ""
    align = ["right" if _numeric(df.iloc[:, i]) else "left" for i in range(df.shape[1])]
    cells = pd.DataFrame({i: [cell(v, digits) for v in df.iloc[:, i]]
                          for i in range(df.shape[1])})
    cells.columns = [str(c) for c in df.columns]
    return cells.to_markdown(index=False, tablefmt="pipe", colalign=align,
                             disable_numparse=True) + "\n"
