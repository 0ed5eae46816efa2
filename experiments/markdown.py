"""Markdown tables of experiment results (``DataFrame.to_markdown``, via tabulate)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def cell(v: Any, digits: int = 4) -> str:
    """A table cell: floats with ``digits`` significant digits (empty if not finite)."""
    if isinstance(v, float | np.floating):
        return "" if not np.isfinite(v) else f"{v:.{digits}g}"
    return str(v)


def md_table(df: pd.DataFrame, digits: int = 4) -> str:
    """A GitHub Markdown table: numeric columns right-aligned, text as it is."""
    if df.empty and not len(df.columns):
        return ""
    align = ["right" if pd.api.types.is_numeric_dtype(df[c]) else "left" for c in df.columns]
    cells = pd.DataFrame({i: [cell(v, digits) for v in df.iloc[:, i]]
                          for i in range(df.shape[1])})
    cells.columns = [str(c) for c in df.columns]
    return cells.to_markdown(index=False, tablefmt="pipe", colalign=align,
                             disable_numparse=True) + "\n"
