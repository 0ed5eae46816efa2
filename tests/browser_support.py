"""Helpers for end-to-end tests: a real ``solara run`` server and headless Chromium.

Not a test module. ``tests/browser/conftest.py`` turns these into fixtures; a script can
use them directly::

    with solara_server(app_path) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page()
        recorder = RequestRecorder().attach(page)
        page.goto(server.url)
        assert not recorder.foreign()

The server runs offline: :func:`viz.assets.configure_env` points Solara at the npm
tarballs of ``python -m viz.assets install`` and at a closed port instead of the CDN, and
the recorder can abort every request that leaves 127.0.0.1, so a test fails on a machine
with internet access exactly as it would without.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from viz.assets import configure_env
from viz.measure import answers, free_port

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Playwright,
        Request,
        Response,
        Route,
    )

HOST = "127.0.0.1"
CHROMIUM = Path("/usr/bin/chromium")
# --headless comes from launch(headless=True); do not add --user-data-dir (Playwright does).
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PR_SET_PDEATHSIG = 1  # prctl(2) option
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome-error"})


class ServerError(RuntimeError):
    """The Solara server exited or did not answer in time."""


@dataclass
class SolaraServer:
    """A running ``solara run`` process in its own process group."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(errors="replace")


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an offline Solara server: this one plus the offline settings."""
    env = dict(os.environ)
    configure_env(env, block_cdn=True)
    env.update(extra or {})
    return env


def solara_command(app: str | Path, port: int, production: bool = True) -> list[str]:
    """The ``solara run`` command line for ``app`` on 127.0.0.1:``port``."""
    cmd = [sys.executable, "-m", "solara", "run", str(app), "--host", HOST, "--port", str(port)]
    cmd += ["--no-open", "--log-level", "warning"]
    return [*cmd, "--production"] if production else cmd


def wait_until_ready(server: SolaraServer, timeout: float) -> None:
    """Poll ``server.url`` until it answers; raise :class:`ServerError` with the log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerError(f"solara exited ({server.process.returncode}):\n{server.log()}")
        if answers(server.url):
            return
        time.sleep(0.2)
    raise ServerError(f"solara did not answer {server.url} within {timeout} s:\n{server.log()}")


def stop_process_group(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the process group of ``process``, SIGKILL it after ``grace`` seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait()


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the parent dies (Linux), so even a
    SIGKILLed test run leaves no orphan server. A no-op elsewhere."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start(
    app: str | Path, cwd: Path | None, env: dict[str, str], log_path: Path, production: bool
) -> SolaraServer:
    """Start one server process (own session, hence own process group)."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            solara_command(app, port, production),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    return SolaraServer(f"http://{HOST}:{port}/", process, log_path)


@contextmanager
def solara_server(
    app: str | Path,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    log_dir: Path | None = None,
    timeout: float = 60.0,
    production: bool = True,
    attempts: int = 3,
) -> Iterator[SolaraServer]:
    """Run ``solara run app`` offline on a free port; kill its process group on exit.

    ``env`` adds to :func:`server_env`. The server's output goes to ``log_dir`` (default:
    a temporary folder) and is quoted in any :class:`ServerError`. A port taken between
    choosing and binding it is retried up to ``attempts`` times.
    """
    log_dir = Path(log_dir or tempfile.mkdtemp(prefix="solara-server-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    full_env = server_env(env)
    for attempt in range(1, attempts + 1):
        server = _start(app, cwd, full_env, log_dir / f"solara-{attempt}.log", production)
        try:
            wait_until_ready(server, timeout)
        except ServerError:
            stop_process_group(server.process)
            if attempt < attempts and "address already in use" in server.log().lower():
                continue
            raise
        break
    try:
        yield server
    finally:
        stop_process_group(server.process)


def launch_chromium(playwright: Playwright, **kwargs: object) -> Browser:
    """Launch Debian's headless Chromium (never a Playwright-downloaded build)."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} missing: apt-get install -y chromium")
    options: dict[str, object] = {"headless": True, "args": list(CHROMIUM_ARGS)}
    options.update(kwargs)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), **options)


def is_local(url: str, host: str = HOST) -> bool:
    """Whether ``url`` stays on this machine (``host``, or a data:/blob:/about: URL)."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname == host


@dataclass
class RequestRecorder:
    """Collects every request, websocket, failure and error of a page or context.

    With ``block_foreign`` (default), requests that leave 127.0.0.1 are aborted after
    being recorded, so the page behaves as on an offline machine.
    """

    block_foreign: bool = True
    urls: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, target: Page | BrowserContext) -> RequestRecorder:
        """Listen on ``target``; attach to a context before its pages are created."""
        target.on("request", lambda req: self.urls.append(req.url))
        target.on("requestfailed", self._on_failed)
        target.on("response", self._on_response)
        if self.block_foreign:
            target.route(lambda url: not is_local(url), self._abort)
        pages = target.pages if hasattr(target, "pages") else [target]
        for page in pages:
            self._watch_page(page)
        if hasattr(target, "pages"):
            target.on("page", self._watch_page)
        return self

    def _watch_page(self, page: Page) -> None:
        """Record the page-level events (websockets, console errors, exceptions)."""
        page.on("websocket", lambda ws: self.websockets.append(ws.url))
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", self._on_console)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_failed(self, request: Request) -> None:
        self.failed.append(f"{request.url} ({request.failure})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.bad_status.append(f"{response.status} {response.url}")

    @staticmethod
    def _abort(route: Route) -> None:
        route.abort("internetdisconnected")

    def hosts(self) -> set[str]:
        """Hosts of every recorded request and websocket (scheme for data:/blob: URLs)."""
        return {urlsplit(u).hostname or urlsplit(u).scheme for u in self.urls + self.websockets}

    def foreign(self, host: str = HOST) -> list[str]:
        """Recorded URLs that did not go to ``host``."""
        return [u for u in self.urls + self.websockets if not is_local(u, host)]

    def cdn_requests(self) -> list[str]:
        """Recorded requests for Solara's asset proxy ``/_solara/cdn/``."""
        return [u for u in self.urls if "/_solara/cdn/" in u]
