"""``offshoring sweep SPEC --out DIR`` and ``offshoring analyze DIR``.

See docs/sweeps.md. Sweeps run on local processes (``--workers N``, the
default), on a Dask cluster (``--scheduler tcp://HOST:PORT``) or on a local Dask
cluster (``--scheduler local``); from Python, ``experiments.sweeps.executors.run_sweep``
accepts any ``concurrent.futures.Executor``.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from offshoring.commands.argtypes import (
    available_cpus,
    fraction,
    positive_int,
    seconds,
    worker_count,
)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (batch schedulers at the time limit) stops a sweep like Ctrl-C."""
    def handler(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


#: A Dask scheduler address: tcp:// or tls://, a host name or address, a port.
_SCHEDULER = re.compile(r"^(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


def check_scheduler(address: str | None) -> None:
    """Refuse a malformed ``--scheduler`` address in one line (before anything starts)."""
    from model.params import ParameterError

    if address is None or address == "local":
        return
    m = _SCHEDULER.match(address)
    if not m or not 0 < int(m.group(3)) < 65536:
        raise ParameterError(f"--scheduler expects tcp://HOST:PORT (or tls://HOST:PORT) with a "
                             f"port 1-65535, or 'local'; got {address!r}")


@contextlib.contextmanager
def executor_for(args: argparse.Namespace) -> Iterator[tuple[object, int, str]]:
    """The executor of ``--workers``/``--scheduler``, its parallelism and a description."""
    from experiments.sweeps.executors import dask_executor
    from experiments.sweeps.pool import abandon, local_executor
    from model.params import ParameterError

    if args.scheduler:
        address = f"local:{args.workers}" if args.scheduler == "local" else args.scheduler
        with contextlib.ExitStack() as stack:
            try:
                ex, threads = stack.enter_context(dask_executor(address))
            except (OSError, ValueError, TypeError) as err:
                raise ParameterError(f"cannot reach the Dask scheduler '{args.scheduler}': "
                                     f"{str(err).splitlines()[0]}") from None
            yield ex, threads, f"Dask {args.scheduler} ({threads} worker threads)"
        return
    ex = local_executor(args.workers)
    try:
        yield ex, args.workers, f"{args.workers} local worker process(es)"
    finally:
        abandon(ex)  # finished or interrupted: nothing is left running


def cmd_sweep(args: argparse.Namespace) -> int:
    from experiments.sweeps.executors import run_sweep
    from experiments.sweeps.spec import design_size, load_spec
    from experiments.sweeps.store import check_out

    spec = load_spec(args.spec)  # also refuses designs of more than MAX_RUNS runs
    check_scheduler(args.scheduler)
    if args.dry_run:
        n = design_size(spec)
        print(f"{spec.name}: {spec.design} design, {n} points x {spec.replicates} replicates "
              f"= {n * spec.replicates} runs")
        return 0
    out = Path(args.out)
    damaged = check_out(out, spec, repair=args.repair)  # nothing is written before this
    with sigterm_as_interrupt(), executor_for(args) as (ex, parallel, what):
        print(f"{spec.name}: {spec.design} design on {what} -> {out}", file=sys.stderr)
        if damaged:
            print(f"repair: moving {damaged} damaged chunk(s) to {out / 'quarantine'}; "
                  "their runs are run again", file=sys.stderr)
        report = run_sweep(spec, out, ex, in_flight=max(4, 2 * parallel),
                           chunk_runs=args.chunk_runs, chunk_seconds=args.chunk_seconds,
                           progress=not args.quiet, repair=args.repair)
    for message in report.lost_messages[:1]:
        print(f"warning: {message}", file=sys.stderr)
    print(report.line(out))
    return report.exit_status


def cmd_analyze(args: argparse.Namespace) -> int:
    from experiments.sweeps.analyze import analyze, print_report

    outcomes = [s.strip() for s in args.outcomes.split(",")] if args.outcomes else None
    result = analyze(Path(args.dir), outcomes=outcomes, conf_level=args.conf,
                     resamples=args.resamples, plots=not args.no_plots)
    print_report(result)
    return 0


def add_executor_options(parser: argparse.ArgumentParser, workers_note: str = "") -> None:
    """``--workers`` and ``--scheduler`` (read by ``executor_for``)."""
    parser.add_argument("--workers", type=worker_count, default=available_cpus(),
                        help=f"local worker processes (default: available CPUs{workers_note})")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler tcp://HOST:PORT, or 'local' for a local Dask "
                             "cluster of --workers single-threaded workers")


def register(sub: argparse._SubParsersAction) -> None:
    sw = sub.add_parser("sweep", help="run a parameter sweep (grid, lhs, sobol, morris) into "
                        "a resumable Parquet folder")
    sw.add_argument("spec", help="sweep spec (TOML), e.g. experiments/specs/smoke.toml")
    sw.add_argument("--out", required=True, help="output folder (re-run to resume)")
    add_executor_options(sw)
    sw.add_argument("--chunk-runs", type=positive_int, default=50,
                    help="commit finished runs to disk every this many runs (default 50)")
    sw.add_argument("--chunk-seconds", type=seconds, default=60.0,
                    help="... or at least this often, in seconds (default 60)")
    sw.add_argument("--dry-run", action="store_true",
                    help="check the spec and print the number of runs")
    sw.add_argument("--repair", action="store_true",
                    help="move unreadable run chunks of --out into --out/quarantine/ and run "
                         "their runs again (without it a damaged folder is refused)")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=cmd_sweep)
    an = sub.add_parser("analyze", help="confidence intervals and Morris/Sobol indices of a "
                        "sweep folder")
    an.add_argument("dir", help="a folder written by 'offshoring sweep'")
    an.add_argument("--outcomes", help="comma-separated outcomes (default: all kept)")
    an.add_argument("--conf", type=fraction, default=0.95,
                    help="confidence level of intervals (default 0.95)")
    an.add_argument("--resamples", type=positive_int, default=1000,
                    help="bootstrap resamples of Morris/Sobol intervals (default 1000)")
    an.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    an.set_defaults(func=cmd_analyze)
