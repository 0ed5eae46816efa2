"""``offshoring explore SPEC --out DIR``: plausible worlds, the chance that a strategy
pays, and where it does (see docs/explore.md).

Local worker processes by default (``--workers``), a Dask cluster with
``--scheduler tcp://HOST:PORT`` (or ``local``); resumable (re-run the same command);
Ctrl-C or SIGTERM commits what finished and exits 130.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from model.params import ParameterError

#: A Dask scheduler address (as ``offshoring sweep``): tcp:// or tls://, host, port.
_SCHEDULER = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


def check_scheduler(address: str | None) -> None:
    """Refuse a malformed ``--scheduler`` in one line before anything starts."""
    if address is None or address == "local":
        return
    m = _SCHEDULER.match(address)
    if not m or not 0 < int(m.group(3)) < 65536:
        raise ParameterError(f"--scheduler expects tcp://HOST:PORT (or tls://HOST:PORT) with a "
                             f"port 1-65535, or 'local'; got {address!r}")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    def handler(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def cmd_explore(args: argparse.Namespace) -> int:
    from experiments.explore.pipeline import analyse, explore, lever_tasks, pattern_tasks
    from experiments.explore.spec import load_spec
    from experiments.explore.worlds import sample_worlds

    spec = load_spec(args.spec)
    check_scheduler(args.scheduler)
    if args.dry_run:
        worlds = sample_worlds(spec)
        n_pat = len(pattern_tasks(spec, worlds)) if spec.computed_patterns else 0
        from experiments.explore.accept import pattern_runs
        runs = len(pattern_runs(spec.computed_patterns)) if spec.computed_patterns else 0
        print(f"{spec.name}: {spec.worlds} worlds x {len(spec.uncertainties)} uncertainties; "
              f"{n_pat} pattern tasks of {runs} runs ({spec.abc_weeks} weeks); up to "
              f"{len(lever_tasks(spec, worlds))} strategy runs ({len(spec.strategies)} "
              f"strategies x plausible worlds, {spec.weeks} weeks)")
        return 0
    out = Path(args.out)
    if args.analyse_only:
        if not (out / "manifest.json").exists():
            raise ParameterError(f"--out '{out}' holds no explore run (no manifest.json)")
        s = analyse(spec, out)
        print(f"analysed: {s['accepted']} plausible of {s['worlds']} worlds in {out}")
        return 0
    with _sigterm_as_interrupt():
        print(f"{spec.name}: {spec.worlds} worlds on "
              f"{'Dask ' + args.scheduler if args.scheduler else f'{args.workers} worker(s)'}"
              f" -> {out}", file=sys.stderr)
        result = explore(spec, out, args.workers, args.scheduler, progress=not args.quiet)
    for line in result.lines:
        print(line, file=sys.stderr if line.startswith("warning") else sys.stdout)
    return result.status


def register(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser("explore", help="plausible worlds (ABC on the published patterns), "
                        "the chance that each strategy pays, and where (PRIM/CART)")
    ex.add_argument("spec", help="explore spec (TOML), e.g. experiments/specs/explore.toml")
    ex.add_argument("--out", required=True, help="output folder (re-run to resume)")
    ex.add_argument("--workers", type=positive_int, default=_cpus(),
                    help="local worker processes (default: available CPUs; 1 = in process)")
    ex.add_argument("--scheduler", metavar="ADDRESS",
                    help="Dask scheduler tcp://HOST:PORT, or 'local' for a local Dask "
                         "cluster of --workers workers")
    ex.add_argument("--dry-run", action="store_true",
                    help="check the spec and print the number of tasks")
    ex.add_argument("--analyse-only", action="store_true",
                    help="rewrite the result files from the stored runs (no new runs)")
    ex.add_argument("--quiet", action="store_true", help="no progress bar")
    ex.set_defaults(func=cmd_explore)
