"""``offshoring reproduce [NAME ...] [--scale smoke|full] [--out DIR] [--workers N]``.

Regenerates the figures and tables of the results report (docs/results.md)
from nothing: every artefact of ``experiments.research.ARTEFACTS`` (or only
the named ones) is rebuilt into ``DIR/results/`` with its JSON metadata, then
``DIR/results.md`` is assembled from all the metadata present. ``--scale
smoke`` checks that everything builds in a few minutes (CI); ``--scale full``
is the published scale (docs/results.md says how long it took).
"""

from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from experiments.errors import UsageError
from experiments.research import ARTEFACTS, MODULES
from offshoring.commands.argtypes import SCALES, worker_count


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``reproduce`` subcommand."""
    p = sub.add_parser("reproduce", help="regenerate the figures and tables of the results "
                       "report (docs/results.md)",
                       description=__doc__.split("\n\n")[1])
    p.add_argument("names", nargs="*", metavar="NAME",
                   help=f"artefacts to build (default: all): {', '.join(ARTEFACTS)}")
    p.add_argument("--scale", choices=list(SCALES), default="full",
                   help="smoke: tiny, checks the pipeline; full: the published scale "
                        "(default)")
    p.add_argument("--out", default="docs", metavar="DIR",
                   help="folder receiving results.md and results/ (default: docs)")
    p.add_argument("--workers", type=worker_count, default=2,
                   help="local worker processes (default 2)")
    p.add_argument("--cache", default=None, metavar="DIR",
                   help="keep finished runs in DIR (resume an interrupted build; share runs "
                        "between invocations); delete it when the model changes")
    p.add_argument("--report-only", action="store_true",
                   help="rebuild nothing: reassemble DIR/results.md from the metadata present")
    p.set_defaults(func=run)


def selected(names: list[str]) -> list[str]:
    """The artefacts to build, in report order; UsageError for an unknown name."""
    for name in names:
        if name not in ARTEFACTS:
            raise UsageError(f"unknown artefact '{name}': allowed {', '.join(ARTEFACTS)}")
    return [a for a in ARTEFACTS if not names or a in names]


def run(args: argparse.Namespace) -> int:
    """Build the artefacts, then write results.md; print one line per artefact."""
    from rich.table import Table

    from experiments.provenance import code_version
    from experiments.research.common import SCALES as SIZES
    from experiments.research.common import set_cache, shutdown
    from experiments.research.report import render_tables, write_results
    from experiments.runs import console

    names = [] if args.report_only else selected(args.names)
    out = Path(args.out)
    folder = out / "results"
    folder.mkdir(parents=True, exist_ok=True)
    set_cache(Path(args.cache) if args.cache else None)
    code_version()  # the version of this build: taken once, before any run
    table = Table("artefact", "runs", "runtime (s)", "targets", title=f"reproduce --scale "
                  f"{args.scale} -> {out}")
    t0 = time.perf_counter()
    try:
        for name in names:
            module = importlib.import_module(f"experiments.research.{MODULES[name]}")
            art = module.build(SIZES[args.scale], folder, args.workers)
            table.add_row(name, str(art.runs), f"{art.runtime_s:.1f}",
                          ", ".join(f"{k}: {v['verdict']}" for k, v in art.targets.items()))
    finally:
        shutdown()
    if args.report_only:
        render_tables(folder)
    page = write_results(out, args.scale)
    console().print(table)
    print(f"wrote {page} ({len(names)} artefacts rebuilt in {time.perf_counter() - t0:.0f} s)")
    return 0
