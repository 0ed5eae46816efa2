"""``offshoring calibrate``: fit the stored churn constant Z of each market preset
(experiments.tools.hazard_fit); ``--patterns``: the model's defaults beside published
patterns (experiments.research.patterns)."""

from __future__ import annotations

import argparse
from pathlib import Path

from offshoring.commands.argtypes import MARKETS, positive_int, whole_number, worker_count


def cmd_calibrate(args: argparse.Namespace) -> int:
    if args.patterns:
        return cmd_patterns(args)
    from experiments.tools.hazard_fit import CALIBRATION_FILE, fit, write_table
    from model import baseline_hazard
    from model.params import ParameterError
    from model.presets import MARKETS

    for name in ("replicates", "workers", "out", "scale"):
        if getattr(args, name) is not None:
            raise ParameterError(f"--{name} is an option of 'calibrate --patterns' only")
    args.customers = 20_000 if args.customers is None else args.customers
    args.weeks = 156 if args.weeks is None else args.weeks
    values = dict(baseline_hazard.RELATIVE_HAZARD)
    unknown = [m for m in args.markets if m not in MARKETS]
    if unknown:
        raise ParameterError(f"unknown market '{unknown[0]}': allowed {', '.join(MARKETS)}")
    for market in args.markets or list(MARKETS):
        values[market] = fit(market, args.customers, args.weeks, list(range(args.seeds)),
                             args.tol)
    write_table(values)
    print(f"wrote {CALIBRATION_FILE}")
    return 0


def cmd_patterns(args: argparse.Namespace) -> int:
    """``calibrate --patterns``: check the defaults against the published patterns."""
    from experiments.research import patterns
    from experiments.research.common import shutdown
    from experiments.runs import console
    from model.params import ParameterError

    if args.markets:
        raise ParameterError("calibrate --patterns takes no MARKET arguments")
    base = patterns.SMOKE if args.scale == "smoke" else patterns.Settings()
    settings = patterns.Settings(
        customers=base.customers if args.customers is None else args.customers,
        replicates=base.replicates if args.replicates is None else args.replicates,
        weeks=base.weeks if args.weeks is None else args.weeks,
        workers=base.workers if args.workers is None else args.workers)
    out = Path(args.out or "docs/calibration.md")
    if not out.parent.is_dir():
        raise ParameterError(f"--out '{out}': folder '{out.parent}' does not exist")
    command = (f"offshoring calibrate --patterns --customers {settings.customers} "
               f"--replicates {settings.replicates} --weeks {settings.weeks} "
               f"--workers {settings.workers}" + (f" --out {out}" if args.out else ""))
    con = console()
    try:
        with con.status("running the pattern scenarios") as status:
            report = patterns.check(settings, progress=lambda s: status.update(s))
    finally:
        shutdown()
    report.command = command
    con.print(patterns.console_table(report))
    for c in report.conflicts:
        con.print(f"conflict: '{c['met']}' met, '{c['not_met']}' not met ({c['why']})")
    patterns.write(report, out)
    print(f"wrote {out} ({report.runs} runs in {report.seconds:.0f} s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="fit the stored churn constant of each market preset; "
                       "with --patterns, check the defaults against published patterns")
    p.add_argument("markets", nargs="*", metavar="MARKET",
                   help=f"markets to fit (default all: {', '.join(MARKETS)})")
    p.add_argument("--patterns", action="store_true",
                   help="check the defaults against published patterns (no tuning); writes "
                   "--out (default docs/calibration.md)")
    p.add_argument("--customers", type=positive_int, default=None,
                   help="simulated customers (default 20000; 3000 with --patterns)")
    p.add_argument("--weeks", type=positive_int, default=None,
                   help="weeks (default 156; 260 with --patterns)")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--tol", type=float, default=0.01)
    p.add_argument("--replicates", type=whole_number(2), default=None,
                   help="--patterns: replicate seeds (default 10, at least 2 for a CI)")
    p.add_argument("--workers", type=worker_count, default=None,
                   help="--patterns: worker processes (default 2)")
    p.add_argument("--out", default=None, help="--patterns: Markdown file "
                   "(default docs/calibration.md)")
    p.add_argument("--scale", choices=["smoke", "default"], default=None,
                   help="--patterns: 'smoke' = 500 customers, 2 replicates, 120 weeks "
                   "(explicit options win)")
    p.set_defaults(func=cmd_calibrate)
