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
from pathlib import Path

from viz.assets import cache_dir, configure_env, missing_files
from viz.serve import warn_if_exposed

HOST = "127.0.0.1"
PORT = 8765  # Solara's own default
APP = Path(__file__).with_name("app.py")


def solara_argv(host: str = HOST, port: int = PORT, *, dev: bool = False,
                open_browser: bool = False) -> list[str]:
    """The command line of the Solara server for the app."""
    argv = [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port",
            str(port), "--log-level", "warning"]
    argv += [] if dev else ["--production"]
    return argv + ([] if open_browser else ["--no-open"])


class MissingAssetsError(RuntimeError):
    """The offline front end is not installed (the message says how to install it)."""


def check_assets(cache: Path | None = None) -> None:
    """Refuse to start without the offline front end (the page would stay blank)."""
    cache = cache or cache_dir()
    missing = missing_files(cache)
    if missing:
        raise MissingAssetsError(f"{len(missing)} offline front-end file(s) missing in {cache}: "
                            "run `python -m viz.assets install` first")


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
