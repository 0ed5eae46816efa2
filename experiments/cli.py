"""The ``offshoring`` command line.

Each subcommand lives in its own module of ``experiments`` exposing
``register(subparsers)``, which adds a parser whose ``func(args) -> int`` does
the work. Bad input (a parameter out of range, an unknown name, a malformed or
missing file) is reported as one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from model.params import ParameterError, printable

#: Modules that register subcommands, in help order.
COMMAND_MODULES = [
    "experiments.commands",
    "experiments.compare",
    "experiments.calibrate",
    "experiments.odd",
    "experiments.sweep_cli",
    "experiments.bench",
    "experiments.reproduce",
    "experiments.explore.command",
    "viz.cli",
]


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every available subcommand."""
    parser = _Parser(prog="offshoring", description="Offshoring customer relations: an "
                     "agent-based model (costs, brand image, churn).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name and name.startswith(err.name):  # that command is not built (yet)
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except (UsageError, ParameterError) as err:  # one line, names and values escaped
        print(f"error: {printable(str(err))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
