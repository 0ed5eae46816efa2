"""``offshoring run | scenarios | params``: single runs and what can be configured."""

from __future__ import annotations

import argparse
import json

from offshoring.commands.argtypes import DEFAULT_SCENARIO, positive_int, seed_int


def cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from experiments.files import summary_path, write_frames
    from experiments.runs import check_out, console, params_from, summary_table, write_failed
    from model.runner import RunResult, simulate

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
    from rich.table import Table

    from experiments.runs import console
    from model.presets import DEFAULT_SCENARIO, describe

    table = Table(title="Scenario presets (offshoring run NAME)")
    table.add_column("name")
    table.add_column("description")
    for name, text in describe():
        table.add_row(name + (" (default)" if name == DEFAULT_SCENARIO else ""), text)
    console().print(table)
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from model.params import iter_fields, json_schema

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
