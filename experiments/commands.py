"""``offshoring run | scenarios | params``: single runs and what can be configured."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table
from tqdm import tqdm

from experiments.files import check_file_target, summary_path, write_frames
from model.config import load_toml
from model.params import ParameterError, Params, iter_fields, json_schema
from model.presets import DEFAULT_SCENARIO, SCENARIOS, describe, scenario
from model.runner import RunResult, simulate

SUMMARY_SHOWN = {"firm": "firm", "market_share": "share", "churn_monthly": "churn/month",
                 "image_all": "image", "csat": "CSAT", "nps": "NPS", "fcr": "FCR",
                 "offshore_share": "offshore", "cum_profit": "profit", "npv": "NPV",
                 "cost_per_contact": "cost/contact"}


def console() -> Console:
    """A console at least 120 columns wide when printing to a file or pipe."""
    return Console() if sys.stdout.isatty() else Console(width=120)


def whole_number(minimum: int):
    """An argparse type: a whole number >= ``minimum`` (one-line error otherwise)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value
    return parse


positive_int = whole_number(1)
non_negative_int = whole_number(0)
seed_int = non_negative_int


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


def cmd_run(args: argparse.Namespace) -> int:
    p = params_from(args.scenario, args.customers, args.weeks, args.set)
    out = None if args.out is None else check_out(args.out, summary=True)
    with tqdm(total=p.weeks, desc="weeks", unit="wk", disable=args.quiet or p.weeks < 2,
              leave=False) as bar:
        result: RunResult = simulate(p, args.seed, progress=lambda _: bar.update())
    out_console = console()
    out_console.print(summary_table(result.summary, f"{args.scenario}: {p.weeks} weeks, "
                                f"{p.n_customers} customers, seed {args.seed}"))
    if out is not None:
        summary = summary_path(out)
        try:  # both to temporaries, then summary renamed first, the KPIs last
            write_frames([(out, result.kpis), (summary, result.summary)])
        except OSError as err:
            return write_failed(out, err)
        out_console.print(f"wrote {out} and {summary} ({result.seconds:.1f} s)")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    table = Table(title="Scenario presets (offshoring run NAME)")
    table.add_column("name")
    table.add_column("description")
    for name, text in describe():
        table.add_row(name + (" (default)" if name == DEFAULT_SCENARIO else ""), text)
    console().print(table)
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    if args.format == "json-schema":
        print(json.dumps(json_schema(), indent=2))
        return 0
    rows = pd.DataFrame(list(iter_fields()))
    if args.format == "csv":
        print(rows.to_csv(index=False), end="")
        return 0
    table = Table(title="Parameters (defaults; presets change some)")
    for col in ("name", "default", "min", "max", "unit", "source"):
        table.add_column(col, overflow="fold")
    for _, r in rows.iterrows():
        table.add_row(*(str("" if pd.isna(r[c]) else r[c]) for c in
                        ("name", "default", "min", "max", "unit", "source")))
    Console(width=200).print(table)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run one scenario and print a per-firm summary")
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                     help="scenario preset name or TOML file")
    run.add_argument("--weeks", type=positive_int, help="horizon after burn-in (weeks)")
    run.add_argument("--customers", type=positive_int, help="number of simulated customers")
    run.add_argument("--seed", type=seed_int, default=0, help="random seed (default 0)")
    run.add_argument("--out", help="write weekly KPIs to this .parquet or .csv file")
    run.add_argument("--set", action="append", metavar="NAME=VALUE",
                     help="override a parameter by dotted name, e.g. policy.share=0.5")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)
    sc = sub.add_parser("scenarios", help="list scenario presets")
    sc.set_defaults(func=cmd_scenarios)
    pa = sub.add_parser("params", help="print the parameter table")
    pa.add_argument("--format", choices=["table", "csv", "json-schema"], default="table")
    pa.set_defaults(func=cmd_params)
