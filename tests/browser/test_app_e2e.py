"""The app end to end: ``offshoring viz`` served offline, driven in headless Chromium.

One server (the real ``offshoring viz`` command, as ``python -m offshoring viz``) serves the whole
module; each test opens its own browser context, hence its own Solara session and model.
Every request of every test is recorded and must stay on 127.0.0.1. A full-page
screenshot is saved to ``test-artifacts/app.png``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import (
    HOST,
    RequestRecorder,
    SolaraServer,
)
from playwright.sync_api import Browser, BrowserContext, Page, expect

from model import scenario
from viz.measure import (
    VIEW_COUNT,
    reset_and_wait,
    set_customers,
    step_and_wait,
    wait_for_week,
    week_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"




def open_app(context: BrowserContext, url: str) -> Page:
    """A page of the app at week 0 with every view drawn."""
    page = context.new_page()
    page.goto(url)
    wait_for_week(page, 0)
    return page


def assert_offline(recorder: RequestRecorder) -> None:
    """Every request went to 127.0.0.1; nothing failed; no script error."""
    assert recorder.urls, "no request recorded"
    assert recorder.foreign() == []
    assert recorder.hosts() == {HOST}
    assert recorder.failed == [] and recorder.bad_status == []
    assert recorder.page_errors == []


def view_sources(page: Page) -> dict[str, str]:
    """The image source of every view, by view name."""
    return page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll('[data-view]')).map(
        (b) => [b.getAttribute('data-view'), b.querySelector('img').src]))""")


def image_bytes(page: Page, view: str) -> bytes:
    """The bytes of a view's image as the browser holds them."""
    data = page.evaluate("""async (view) => {
        const img = document.querySelector(`[data-view="${view}"] img`);
        const buf = await (await fetch(img.src)).arrayBuffer();
        return Array.from(new Uint8Array(buf));
    }""", view)
    return bytes(data)


def test_page_renders_offline_with_network_plots_and_help(
    app_url: str, chromium_browser: Browser, request_recorder: RequestRecorder
) -> None:
    """The grid shows the network and six charts, the About tab the help; a screenshot
    is saved."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 1950})
    request_recorder.attach(context)
    try:
        page = open_app(context, app_url)
        assert week_of(page) == 0
        views = page.locator("[data-view]")
        expect(views).to_have_count(VIEW_COUNT)
        names = [views.nth(i).get_attribute("data-view") for i in range(VIEW_COUNT)]
        assert names[0] == "network" and len(set(names)) == VIEW_COUNT
        expect(page.locator(".offshoring-tiles [data-view]")).to_have_count(VIEW_COUNT)
        page.get_by_role("tab", name="About").click()
        expect(page.locator(".offshoring-help")).to_contain_text("What am I looking at?")
        page.get_by_role("tab", name="Model").click()
        expect(page.locator(".offshoring-model")).to_contain_text("1,000 customers, seed 1")
        cost = scenario("offshore-morocco").destination.hourly_cost  # not a copy: it moves
        expect(page.locator(".offshoring-model")).to_contain_text(f"({cost:.2f} EUR/h)")
        expect(page.locator(".settings-pending")).to_have_count(0)  # controls = running model
        for _ in range(30):
            step_and_wait(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app.png"))
        assert (ARTIFACTS / "app.png").stat().st_size > 50_000
        assert_offline(request_recorder)
        assert any(u.startswith(f"ws://{HOST}:") for u in request_recorder.websockets)
    finally:
        context.close()


def test_step_advances_the_week_and_changes_every_plot(
    app_url: str, offline_page: Page, request_recorder: RequestRecorder
) -> None:
    page = offline_page
    page.goto(app_url)
    wait_for_week(page, 0)
    before = view_sources(page)
    network_before = image_bytes(page, "network")
    market_before = image_bytes(page, "market")
    step_and_wait(page)  # waits for the counter, every data-week and every new image
    assert week_of(page) == 1
    expect(page.locator(".offshoring-week")).to_contain_text("Week 1 of 520")
    after = view_sources(page)
    assert all(after[k] != before[k] for k in before), "a view kept its image"
    assert image_bytes(page, "network") != network_before
    assert image_bytes(page, "market") != market_before
    assert_offline(request_recorder)


def test_change_a_control_and_reset(
    app_url: str, offline_page: Page, request_recorder: RequestRecorder
) -> None:
    page = offline_page
    page.goto(app_url)
    wait_for_week(page, 0)
    step_and_wait(page)
    box = page.locator(".control-n_customers input")
    box.fill("600")
    box.press("Enter")
    expect(page.locator(".settings-pending")).to_be_visible()
    page.get_by_text("Procedures", exact=True).click()
    reset_and_wait(page)
    assert week_of(page) == 0
    expect(page.locator(".offshoring-model")).to_contain_text("600 customers")
    expect(page.locator(".offshoring-model")).to_contain_text("1 of 5 practices")
    expect(page.locator(".settings-pending")).to_have_count(0)
    step_and_wait(page)
    assert week_of(page) == 1
    assert_offline(request_recorder)


def test_invalid_seed_shows_a_message_and_the_session_survives(
    app_url: str, offline_page: Page, request_recorder: RequestRecorder
) -> None:
    page = offline_page
    page.goto(app_url)
    wait_for_week(page, 0)
    seed = page.locator(".control-seed input")
    seed.fill("abc")
    seed.press("Enter")
    expect(page.get_by_text("Seed must be a whole number, got 'abc'")).to_be_visible()
    expect(page.locator(".settings-invalid")).to_be_visible()
    step_and_wait(page)  # the session still steps
    assert week_of(page) == 1
    reset_and_wait(page)  # and resets with the last valid seed
    expect(page.locator(".offshoring-model")).to_contain_text("seed 1,")
    seed.fill("12")
    seed.press("Enter")
    expect(page.get_by_text("Seed must be")).to_have_count(0)
    reset_and_wait(page)
    expect(page.locator(".offshoring-model")).to_contain_text("seed 12,")
    assert_offline(request_recorder)


def test_two_browser_sessions_keep_separate_models(
    app_url: str, chromium_browser: Browser
) -> None:
    """Stepping one session never moves the other's counter or plots."""
    recorders = [RequestRecorder(), RequestRecorder()]
    contexts = [chromium_browser.new_context(viewport={"width": 1280, "height": 900})
                for _ in recorders]
    try:
        for context, recorder in zip(contexts, recorders, strict=True):
            recorder.attach(context)
        first, second = (open_app(c, app_url) for c in contexts)
        second_sources = view_sources(second)
        for _ in range(3):
            step_and_wait(first)
        assert week_of(first) == 3
        second.wait_for_timeout(500)  # time for any stray update to arrive
        assert week_of(second) == 0
        assert view_sources(second) == second_sources
        step_and_wait(second)
        assert week_of(second) == 1 and week_of(first) == 3
        for recorder in recorders:
            assert_offline(recorder)
    finally:
        for context in contexts:
            context.close()


PLAY, PAUSE = "▶", "❚❚"
#: Under load a step and its redraw can take seconds: generous but bounded waits.
SLOW_MS = 60_000


def wait_for_week_at_least(page: Page, week: int, timeout_ms: float = SLOW_MS) -> None:
    """Wait until the week counter shows ``week`` or later."""
    page.wait_for_function(
        "(week) => Number(document.querySelector('.offshoring-week').dataset.week) >= week",
        arg=week, timeout=timeout_ms)


def wait_until_settled(page: Page, quiet_ms: float = 1500, timeout_ms: float = SLOW_MS) -> int:
    """Wait until the week counter has not changed for ``quiet_ms`` (a step under way when
    Pause was pressed has landed); return that week."""
    page.wait_for_function(
        """(quiet) => {
             const week = document.querySelector('.offshoring-week').dataset.week;
             const now = performance.now();
             const s = window.__settle;
             if (!s || s.week !== week) { window.__settle = {week, since: now}; return false; }
             return now - s.since >= quiet;
           }""", arg=quiet_ms, timeout=timeout_ms, polling=100)
    page.evaluate("() => { delete window.__settle; }")
    return week_of(page)


def assert_page_usable(page: Page, recorder: RequestRecorder) -> None:
    """No traceback or error box anywhere on the page, no script error."""
    text = page.locator("body").inner_text()
    for marker in ("Traceback", "ValueError", "error in step", "Could not"):
        assert marker not in text, f"{marker!r} on the page:\n{text[:2000]}"
    expect(page.locator(".offshoring-tile-error")).to_have_count(0)
    assert recorder.page_errors == []


def test_play_runs_and_pauses(
    app_url: str, offline_page: Page, request_recorder: RequestRecorder
) -> None:
    """Play advances the weeks, Pause stops them (conditions, not fixed sleeps: robust
    at load 8-16 on two cores)."""
    page = offline_page
    page.goto(app_url)
    wait_for_week(page, 0)
    page.get_by_role("button", name=PLAY).click()
    expect(page.get_by_role("button", name=PAUSE)).to_be_visible(timeout=SLOW_MS)
    wait_for_week_at_least(page, 3)
    page.get_by_role("button", name=PAUSE).click()
    expect(page.get_by_role("button", name=PLAY)).to_be_visible(timeout=SLOW_MS)
    paused = wait_until_settled(page)  # a step already under way may still land
    assert paused >= 3
    page.wait_for_timeout(1000)
    assert week_of(page) == paused
    assert_page_usable(page, request_recorder)
    assert_offline(request_recorder)


def test_rapid_play_pause_keeps_the_page_usable(
    app_url: str, offline_page: Page, request_recorder: RequestRecorder
) -> None:
    """Issue 14: ▶/❚❚ alternated 30 times at 5,000 customers. No traceback, no page
    error, the weeks still advance afterwards, Step still works, everything local."""
    page = offline_page
    page.goto(app_url)
    wait_for_week(page, 0)
    set_customers(page, 5000)
    expect(page.locator(".offshoring-model")).to_contain_text("5,000 customers")
    play, pause = (page.get_by_role("button", name=n) for n in (PLAY, PAUSE))
    for _ in range(30):
        play.click(timeout=SLOW_MS)
        pause.click(timeout=SLOW_MS)  # waits only until the button has turned into ❚❚
    expect(play).to_be_visible(timeout=SLOW_MS)
    after = wait_until_settled(page)
    assert_page_usable(page, request_recorder)
    play.click()
    wait_for_week_at_least(page, after + 2)  # the weeks keep increasing
    pause.click()
    expect(play).to_be_visible(timeout=SLOW_MS)
    paused = wait_until_settled(page)
    step_and_wait(page, timeout_ms=SLOW_MS)
    assert week_of(page) == paused + 1
    assert_page_usable(page, request_recorder)
    assert_offline(request_recorder)


def test_plain_solara_run_serves_the_app_too(
    solara_app: Callable[..., SolaraServer], offline_page: Page,
    request_recorder: RequestRecorder
) -> None:
    """``solara run viz/app.py`` (without ``offshoring viz``) renders and steps offline."""
    server = solara_app(ROOT / "viz" / "app.py", cwd=ROOT)
    offline_page.goto(server.url)
    wait_for_week(offline_page, 0)
    step_and_wait(offline_page)
    assert week_of(offline_page) == 1
    assert_offline(request_recorder)
