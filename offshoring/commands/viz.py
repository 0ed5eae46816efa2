"""``offshoring viz``: serve the browser app (viz.cli does the work)."""

from __future__ import annotations

import argparse

from offshoring.commands.argtypes import port_number
from viz.cli import HOST, PORT


def cmd_viz(args: argparse.Namespace) -> int:
    """Check the assets, configure the offline environment, exec the server; missing
    assets are bad input (one line, exit status 2)."""
    from experiments.errors import UsageError
    from viz import cli

    try:
        return cli.cmd_viz(args)
    except cli.MissingAssetsError as err:
        raise UsageError(str(err)) from None


def register(sub: argparse._SubParsersAction) -> None:
    viz = sub.add_parser("viz", help="serve the browser app (default http://127.0.0.1:8765/)")
    viz.add_argument("--host", default=HOST, help=f"interface to listen on (default {HOST}; "
                     "0.0.0.0 exposes the app to the network)")
    viz.add_argument("--port", type=port_number, default=PORT,
                     help=f"TCP port (default {PORT})")
    viz.add_argument("--open", action="store_true", help="open the page in a web browser")
    viz.add_argument("--dev", action="store_true",
                     help="development mode: reload on code changes, tracebacks in the page")
    viz.set_defaults(func=cmd_viz)
