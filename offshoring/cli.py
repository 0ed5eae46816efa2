"""The ``offshoring`` command line (``python -m offshoring``).

Each subcommand group has a front-end module in ``offshoring.commands``
exposing ``register(subparsers)``, which adds parsers whose ``func(args) ->
int`` does the work. Building the parser imports only the standard library;
each ``func`` imports the model, pandas and the rest when it runs, so
``offshoring --help`` is quick. Bad input (a parameter out of range, an
unknown name, a malformed or missing file) is reported as one line on stderr
with exit status 2.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Sequence

from experiments.errors import UsageError
from offshoring.commands import (
    bench,
    calibrate,
    compare,
    explore,
    odd,
    reproduce,
    run,
    sweep,
    viz,
)

__all__ = ["UsageError", "build_parser", "main"]

#: Modules that register subcommands, in help order.
COMMANDS = [run, compare, calibrate, odd, sweep, explore, bench, reproduce, viz]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every subcommand."""
    parser = _Parser(prog="offshoring", description="Offshoring customer relations: an "
                     "agent-based model (costs, brand image, churn).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMANDS:
        module.register(sub)
    return parser


def _bad_input(err: BaseException) -> bool:
    """A UsageError or a ``model.params.ParameterError`` (only if the model is loaded)."""
    params = sys.modules.get("model.params")
    return isinstance(err, UsageError) or (
        params is not None and isinstance(err, params.ParameterError))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if not _bad_input(err):
            raise
        from model.params import printable  # one line, names and values escaped

        print(f"error: {printable(str(err))}", file=sys.stderr)
        return 2


def run() -> None:
    """The ``offshoring`` command (console script and ``python -m offshoring``).

    Once the command has returned, the process ends without the interpreter's
    finalization: tearing down Mesa, pandas, SciPy, Numba and a model's objects module
    by module took 0.3-0.5 s of a 1.7 s ``offshoring run`` (issue 12). The output
    streams are flushed and the ``atexit`` handlers run first (logging,
    multiprocessing, ...); every file a command writes is closed when it returns. An
    exception, a broken stream or a Python without CPython's ``atexit._run_exitfuncs``
    takes the ordinary way out.
    """
    code = main()
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stream: leave it to the interpreter
        run_exit_handlers = None
    if run_exit_handlers is None:
        sys.exit(code)
    run_exit_handlers()
    os._exit(code)
