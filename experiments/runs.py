"""Single runs: parameters from a preset or TOML file with overrides, the summary table,
and the output-file helpers of the commands that write one."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from experiments.files import check_file_target, write_frames
from model.config import load_toml
from model.params import ParameterError, Params
from model.presets import SCENARIOS, scenario

SUMMARY_SHOWN = {"firm": "firm", "market_share": "share", "churn_monthly": "churn/month",
                 "image_all": "image", "csat": "CSAT", "nps": "NPS", "fcr": "FCR",
                 "offshore_share": "offshore", "cum_profit": "profit", "npv": "NPV",
                 "cost_per_contact": "cost/contact"}


def console() -> Console:
    """A console at least 120 columns wide when printing to a file or pipe."""
    return Console() if sys.stdout.isatty() else Console(width=120)


def params_from(source: str, customers: int | None = None, weeks: int | None = None,
                overrides: list[str] | None = None) -> Params:
    """Params from a preset name or a TOML file, with CLI overrides (``--set a.b=1``)."""
    if source.endswith(".toml") or os.path.sep in source:
        p = load_toml(source)
    elif source in SCENARIOS:
        p = scenario(source)
    else:
        raise ParameterError(f"'{source}' is neither a TOML file nor a scenario: allowed "
                             f"{', '.join(SCENARIOS)} (see 'offshoring scenarios')")
    changes: dict[str, object] = {}
    if customers is not None:
        changes["n_customers"] = customers
    if weeks is not None:
        changes["weeks"] = weeks
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ParameterError(f"--set expects name=value, got {item!r}")
        changes[key.strip()] = _literal(value.strip())
    return p.replace(**changes) if changes else p


def _literal(text: str) -> object:
    """A --set value: JSON if it parses (numbers, true/false), else the string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
    except ValueError:  # an integer of more than 4,300 digits
        raise ParameterError(f"--set value {text[:20]!r}...: a number has more than "
                             f"{sys.get_int_max_str_digits()} digits") from None


def check_out(path: str | Path, summary: bool = False) -> Path:
    """Refuse an output path before any work (exit 2): see :mod:`experiments.files`."""
    return check_file_target(path, "--out", summary)


def write_atomic(df: pd.DataFrame, path: Path) -> None:
    """Write Parquet or CSV (by suffix) to a temporary file, then rename it into place."""
    write_frames([(Path(path), df)])


def write_failed(path: Path, err: OSError) -> int:
    """Report a failed write as one line on stderr; exit status 1 (a failure, not bad input)."""
    reason = err.strerror or str(err)
    tail = "" if "already replaced" in reason else "; nothing was changed"
    print(f"error: --out '{path}': writing failed: {reason}{tail}", file=sys.stderr)
    return 1


def summary_table(summary: pd.DataFrame, title: str) -> Table:
    """A rich table of the per-firm summary."""
    table = Table(title=title, caption="share, image, NPS: last 52 weeks; churn, CSAT, FCR, "
                  "offshore: horizon means; profit and NPV: cumulative")
    for header in SUMMARY_SHOWN.values():
        table.add_column(header, justify="right")
    for _, row in summary.iterrows():
        table.add_row(*(_cell(col, row[col]) for col in SUMMARY_SHOWN))
    return table


def _cell(col: str, v: float) -> str:
    if col == "firm":
        return str(int(v))
    if col in ("market_share", "churn_monthly", "fcr", "offshore_share"):
        return f"{100 * v:.2f} %"
    if col in ("cum_profit", "npv"):
        return f"{v / 1e6:,.1f} M"
    return f"{v:.2f}"
