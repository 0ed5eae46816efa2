"""``offshoring explore SPEC --out DIR``: plausible worlds, the chance that a strategy
pays, and where it does (see docs/explore.md; the work is ``experiments.explore``).

Local worker processes by default (``--workers``; 1 runs in this process), a Dask
cluster with ``--scheduler tcp://HOST:PORT`` (or ``local``); resumable (re-run the same
command: stored runs are not run again); Ctrl-C or SIGTERM commits what finished and
exits 130.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from offshoring.commands.sweep import (
    add_executor_options,
    check_scheduler,
    executor_for,
    sigterm_as_interrupt,
)


@contextlib.contextmanager
def _executor(args: argparse.Namespace) -> Iterator[tuple[object, int, str]]:
    """As ``offshoring sweep``, except that one worker without a scheduler is this process."""
    if args.scheduler is None and args.workers == 1:
        from experiments.sweeps.pool import inline_executor

        yield inline_executor(), 1, "this process"
        return
    with executor_for(args) as chosen:
        yield chosen


def cmd_explore(args: argparse.Namespace) -> int:
    from experiments.explore.pipeline import explore, plan_line, reanalyse
    from experiments.explore.spec import load_spec

    spec = load_spec(args.spec)
    check_scheduler(args.scheduler)
    if args.dry_run:
        print(plan_line(spec))
        return 0
    out = Path(args.out)
    if args.analyse_only:
        s = reanalyse(spec, out)
        print(f"analysed: {s['accepted']} plausible of {s['worlds']} worlds in {out}")
        return 0
    with sigterm_as_interrupt(), _executor(args) as (ex, parallel, what):
        print(f"{spec.name}: {spec.worlds} worlds on {what} -> {out}", file=sys.stderr)
        result = explore(spec, out, ex, workers=parallel, scheduler=args.scheduler,
                         progress=not args.quiet)
    for line in result.lines:
        print(line, file=sys.stderr if line.startswith("warning") else sys.stdout)
    return result.status


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("explore", help="plausible worlds (ABC on the published patterns), "
                        "the chance that each strategy pays, and where (PRIM/CART)")
    ex.add_argument("spec", help="explore spec (TOML), e.g. experiments/specs/explore.toml")
    ex.add_argument("--out", required=True, help="output folder (re-run to resume)")
    add_executor_options(ex, "; 1 = in this process")
    ex.add_argument("--dry-run", action="store_true",
                    help="check the spec and print the number of runs")
    ex.add_argument("--analyse-only", action="store_true",
                    help="rewrite the result files from the stored runs (no new runs)")
    ex.add_argument("--quiet", action="store_true", help="no progress bar")
    ex.set_defaults(func=cmd_explore)
