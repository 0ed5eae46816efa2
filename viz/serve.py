"""Start-up checks of the app's server that belong to viz, not to a command line.

``offshoring viz`` (whatever package holds its argparse front end) calls
:func:`warn_if_exposed` before starting the server.
"""

from __future__ import annotations

import ipaddress
import sys
from typing import TextIO

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to a public interface


def exposure_warning(host: str, port: int) -> str | None:
    """The warning for a server reachable from the network, or None on loopback."""
    if is_loopback(host):
        return None
    where = "every network interface" if host.strip() in ("0.0.0.0", "::", "[::]") \
        else f"{host}"
    return (f"warning: listening on {where} (port {port}): anyone who can reach this "
            f"machine can open the app, run models on it and download their results; "
            f"there is no authentication. Use --host 127.0.0.1 (the default) to keep it "
            f"on this machine.")


def warn_if_exposed(host: str, port: int, stream: TextIO | None = None) -> bool:
    """Print :func:`exposure_warning` to ``stream`` (stderr); True if it warned."""
    message = exposure_warning(host, port)
    if message is None:
        return False
    print(message, file=stream or sys.stderr, flush=True)
    return True
