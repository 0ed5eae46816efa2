"""``offshoring odd``: regenerate (or ``--check``) the parameter tables of docs/ODD.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import experiments

#: experiments.tools.odd.ODD_PATH
ODD_PATH = Path(experiments.__file__).resolve().parents[1] / "docs" / "ODD.md"


def cmd_odd(args: argparse.Namespace) -> int:
    from experiments.tools.odd import OddError, run

    try:
        return run(Path(args.file), args.check)
    except OddError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true",
                   help="only compare; exit 1 when the file is stale")
    p.add_argument("--file", default=str(ODD_PATH), help="ODD file (default: docs/ODD.md)")
    p.set_defaults(func=cmd_odd)


def register(sub: argparse._SubParsersAction) -> None:
    """``offshoring odd``."""
    add_arguments(sub.add_parser("odd", help="regenerate the parameter tables of docs/ODD.md"))
