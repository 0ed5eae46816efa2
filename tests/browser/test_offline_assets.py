"""The Solara front end renders from the offline asset cache, with no request off 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import HOST, RequestRecorder, SolaraServer
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

MINIMAL_PAGE = """
import solara

clicks = solara.reactive(0)


@solara.component
def Page():
    solara.Markdown("# Offline check $x^2$")
    solara.Button(f"Clicked {clicks.value} times", on_click=lambda: clicks.set(clicks.value + 1))
"""

# The app shell and the module loader: a blank page if either does not load.
SHELL = "/_solara/cdn/@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8"
LOADER = "/_solara/cdn/requirejs@2.3.6/require.js"


@pytest.fixture
def minimal_app(tmp_path: Path) -> Path:
    """A one-button Solara page with a Markdown heading (loads katex and mermaid)."""
    app = tmp_path / "minimal_app.py"
    app.write_text(MINIMAL_PAGE)
    return app


@pytest.mark.parametrize("production", [True, False], ids=["production", "development"])
def test_minimal_page_renders_offline(
    production: bool,
    minimal_app: Path,
    solara_app: Callable[..., SolaraServer],
    offline_page: Page,
    request_recorder: RequestRecorder,
) -> None:
    """The page renders and reacts; every request, websocket included, stays on 127.0.0.1."""
    server = solara_app(minimal_app, production=production)
    offline_page.goto(server.url)

    button = offline_page.get_by_role("button", name="Clicked 0 times")
    expect(button).to_be_visible()
    expect(offline_page.locator("h1")).to_contain_text("Offline check")
    expect(offline_page.locator(".katex").first).to_be_attached()  # katex from the cache
    button.click()  # a round trip through the kernel's websocket
    expect(offline_page.get_by_role("button", name="Clicked 1 times")).to_be_visible()

    rec = request_recorder
    assert rec.hosts() == {HOST}, rec.foreign()
    assert rec.foreign() == []
    assert any(url.startswith(f"ws://{HOST}:") for url in rec.websockets)
    assert any(SHELL in url for url in rec.urls), rec.cdn_requests()
    assert any(LOADER in url for url in rec.urls), rec.cdn_requests()
    assert rec.failed == [] and rec.bad_status == [], (rec.failed, rec.bad_status)
    assert rec.page_errors == []
    assert "Could not load URL" not in server.log()  # no cache miss went upstream
