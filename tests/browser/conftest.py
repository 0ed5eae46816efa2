"""Fixtures for the end-to-end browser tests (headless Chromium against ``solara run``).

The helpers live in ``tests/browser_support.py``; this folder puts them on ``sys.path``
itself, so the fixtures work with or without a ``tests/conftest.py`` or ``__init__.py``.
Without ``/usr/bin/chromium`` the tests are skipped, except under CI (``CI`` set), where
they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS_DIR = str(Path(__file__).resolve().parents[1])
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from browser_support import (  # noqa: E402
    CHROMIUM,
    HOST,
    RequestRecorder,
    SolaraServer,
    free_port,
    launch_chromium,
    server_env,
    solara_server,
    stop_process_group,
    wait_until_ready,
)

from viz.assets import cache_dir, missing_files  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page


def _unavailable(reason: str) -> None:
    """Skip the test on a developer machine, fail it under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def offline_assets() -> Path:
    """The Solara asset cache, checked to be complete (no download during tests)."""
    cache = cache_dir()
    missing = missing_files(cache)
    if missing:
        pytest.fail(f"{len(missing)} offline assets missing: run `python -m viz.assets install`")
    return cache


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session (one Playwright driver)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def request_recorder() -> RequestRecorder:
    """Records every request of :func:`browser_context`; aborts those leaving 127.0.0.1."""
    return RequestRecorder(block_foreign=True)


@pytest.fixture
def browser_context(
    chromium_browser: Browser, request_recorder: RequestRecorder
) -> Iterator[BrowserContext]:
    """A fresh browser context (own cookies, so its own Solara session), recorded."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    request_recorder.attach(context)
    yield context
    context.close()


@pytest.fixture
def offline_page(browser_context: BrowserContext) -> Page:
    """A page in :func:`browser_context`."""
    return browser_context.new_page()


@pytest.fixture
def solara_app(offline_assets: Path, tmp_path: Path) -> Iterator[Callable[..., SolaraServer]]:
    """Factory: ``solara_app(path, **kwargs)`` starts an offline server, stopped at teardown.

    Keyword arguments go to :func:`browser_support.solara_server`; server logs are
    written under ``tmp_path / "server"``.
    """
    with ExitStack() as stack:

        def start(app: str | Path, **kwargs: object) -> SolaraServer:
            kwargs.setdefault("log_dir", tmp_path / "server")
            return stack.enter_context(solara_server(app, **kwargs))  # type: ignore[arg-type]

        yield start


@pytest.fixture(scope="module")
def app_url(offline_assets: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``offshoring viz --port P`` in its own process group, offline; stopped after the
    module (one server per test module: the modules' sessions stay apart)."""
    log = tmp_path_factory.mktemp("viz") / "server.log"
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "offshoring", "viz", "--port",
                                 str(port)],
                                cwd=ROOT, env=server_env(), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = SolaraServer(f"http://{HOST}:{port}/", proc, log)
    try:
        wait_until_ready(server, timeout=90)
        yield server.url
    finally:
        stop_process_group(proc)
