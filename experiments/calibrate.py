"""``offshoring calibrate``: fit the stored churn constant Z of each market preset once.

With every firm at home, weekly churn is about h0 x mean relative hazard, and
h0 = weekly(target) / Z; so the measured churn is proportional to 1 / Z. The
fit iterates Z <- Z x measured / target on all-at-home runs of the preset (a
few seeds, a large market) until it moves less than ``--tol``, then rewrites
the table in model/baseline_hazard.py. Runs use the stored Z and never retune it.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np

from model import baseline_hazard
from model.params import ParameterError
from model.presets import MARKETS, STAY_HOME, scenario
from model.runner import simulate

CALIBRATION_FILE = Path(baseline_hazard.__file__)


def measured_churn(market: str, z: float, customers: int, weeks: int, seeds: list[int]
                   ) -> float:
    """Mean monthly churn over firms, weeks and seeds with everything at home and Z = z."""
    baseline_hazard.RELATIVE_HAZARD[market] = z
    preset = STAY_HOME[market]
    p = scenario(preset, n_customers=customers, weeks=weeks)
    return float(np.mean([simulate(p, s).kpis["churn_monthly"].mean() for s in seeds]))


def fit(market: str, customers: int, weeks: int, seeds: list[int], tol: float,
        max_iter: int = 6) -> float:
    """Z for ``market`` by fixed-point iteration (prints each step)."""
    target = MARKETS[market]["monthly_churn_target"]
    z = baseline_hazard.relative_hazard(market)
    for i in range(max_iter):
        churn = measured_churn(market, z, customers, weeks, seeds)
        new = z * churn / target
        print(f"{market}: iteration {i + 1}: Z={z:.5f} churn={100 * churn:.4f} %/month "
              f"(target {100 * target:.3f}) -> Z={new:.5f}")
        if abs(new - z) / z < tol:
            return new
        z = new
    return z


def write_table(values: dict[str, float]) -> None:
    """Rewrite the RELATIVE_HAZARD table of model/baseline_hazard.py."""
    text = CALIBRATION_FILE.read_text()
    body = "".join(f'    "{k}": {v:.6f},\n' for k, v in values.items())
    new = re.sub(r"RELATIVE_HAZARD: dict\[str, float\] = \{\n.*?\n\}",
                 "RELATIVE_HAZARD: dict[str, float] = {\n" + body + "}", text, flags=re.S)
    CALIBRATION_FILE.write_text(new)


def cmd_calibrate(args: argparse.Namespace) -> int:
    if args.patterns:
        return cmd_patterns(args)
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
    from experiments import patterns
    from experiments.commands import console
    from experiments.research.common import shutdown

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
    from experiments.commands import positive_int, whole_number

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
    p.add_argument("--workers", type=positive_int, default=None,
                   help="--patterns: worker processes (default 2)")
    p.add_argument("--out", default=None, help="--patterns: Markdown file "
                   "(default docs/calibration.md)")
    p.add_argument("--scale", choices=["smoke", "default"], default=None,
                   help="--patterns: 'smoke' = 500 customers, 2 replicates, 120 weeks "
                   "(explicit options win)")
    p.set_defaults(func=cmd_calibrate)
