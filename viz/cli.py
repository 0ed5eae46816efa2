"""``offshoring viz``: serve the browser app on 127.0.0.1, offline.

Checks the offline asset cache first (one line and exit status 2 when it is incomplete:
the page would stay blank), sets the offline environment of :func:`viz.assets.
configure_env` (asset proxy on, the cache folder, no telemetry) and replaces this
process with ``solara run viz/app.py`` so that Ctrl-C and signals reach the server
directly. ``solara run viz/app.py`` works too; this command adds the checks.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from viz.assets import cache_dir, configure_env, missing_files
from viz.serve import warn_if_exposed

HOST = "127.0.0.1"
PORT = 8765  # Solara's own default
APP = Path(__file__).with_name("app.py")


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1-65535 (one-line error otherwise)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 1 and 65535, got {value}")
    return value


def solara_argv(host: str = HOST, port: int = PORT, *, dev: bool = False,
                open_browser: bool = False) -> list[str]:
    """The command line of the Solara server for the app."""
    argv = [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port",
            str(port), "--log-level", "warning"]
    argv += [] if dev else ["--production"]
    return argv + ([] if open_browser else ["--no-open"])


def check_assets(cache: Path | None = None) -> None:
    """Refuse to start without the offline front end (the page would stay blank)."""
    from experiments.cli import UsageError

    cache = cache or cache_dir()
    missing = missing_files(cache)
    if missing:
        raise UsageError(f"{len(missing)} offline front-end file(s) missing in {cache}: run "
                         "`python -m viz.assets install` first")


def cmd_viz(args: argparse.Namespace) -> int:
    """Check the assets, configure the offline environment, exec the server."""
    check_assets()
    configure_env()
    warn_if_exposed(args.host, args.port)
    argv = solara_argv(args.host, args.port, dev=args.dev, open_browser=args.open)
    print(f"offshoring viz: serving http://{args.host}:{args.port}/ (Ctrl-C to stop)",
          flush=True)
    os.execv(argv[0], argv)
    return 0  # not reached


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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m viz.cli`` is ``offshoring viz``."""
    from experiments.cli import main as offshoring

    return offshoring(["viz", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())
