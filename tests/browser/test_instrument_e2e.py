"""Issue 15 in real Chromium: settings in the address, downloads, monitors, layout.

One ``offshoring viz`` server for the module (offline, as in test_app_e2e.py); each test
has its own browser context, hence its own session. Screenshots of week 0 and week 60
are saved to ``test-artifacts/`` (``docs/img/`` holds the committed copies).
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from browser_support import (
    RequestRecorder,
)
from playwright.sync_api import Browser, Page, expect

from viz import settings as st
from viz.measure import step_and_wait, wait_for_week, week_of
from viz.session import AppModel

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"




def query_of(page: Page) -> str:
    return urlsplit(page.url).query


def expect_controls(page: Page, draft: dict) -> None:
    """Every control on the page shows the draft's value."""
    for control in st.all_controls(draft):
        box = page.locator(f"[class~=\"control-{control.key}\"]")
        value = draft[control.key]
        if control.kind == "text":
            expect(box.locator("input")).to_have_value(str(value))
        elif control.kind == "bool":
            checkbox = box.locator("input[type=checkbox]")
            expect(checkbox).to_be_checked() if value else expect(checkbox).not_to_be_checked()
        elif control.kind in ("int_slider", "float_slider"):
            expect(box).to_contain_text(st.shown_label(control, draft))
        elif control.key == "speed":
            expect(box).to_contain_text(st.speed_label(value))
        else:
            expect(box).to_contain_text(str(value))


def test_reload_keeps_every_setting(app_url: str, chromium_browser: Browser) -> None:
    """Settings from a link, then changed in the page (text, checkbox, select), survive a
    reload: the address holds them all and every control shows them again."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 1000})
    recorder = RequestRecorder().attach(context)
    try:
        draft = st.default_draft("us-india")
        for key, value in (("destination", "philippines"), ("policy.week", 30),
                           ("policy.share", 0.55), ("practices.link_redundancy", True),
                           ("wage_ratio", 0.5), ("customers.ethnocentrism_mean", 0.45),
                           ("speed", "max")):
            draft = st.change(draft, key, value)
        page = context.new_page()
        page.goto(f"{app_url}?{st.to_query(draft)}")
        wait_for_week(page, 0)
        expect(page.locator(".offshoring-model")).to_contain_text("Philippines")
        expect_controls(page, draft)
        # now change some in the page itself
        seed = page.locator(".control-seed input")
        seed.fill("17")
        seed.press("Enter")
        customers = page.locator(".control-n_customers input")
        customers.fill("800")
        customers.press("Enter")
        page.get_by_text("Procedures", exact=True).click()
        page.get_by_text("Stay-home twin (NPV comparison)", exact=True).click()
        draft = {**draft, "seed": "17", "n_customers": "800", "practices.procedures": True,
                 "twin": True}
        expect(page).to_have_url(f"{app_url}?{st.to_query(draft)}")
        page.reload()
        wait_for_week(page, 0)
        assert st.from_query(query_of(page)) == (draft, [])
        expect_controls(page, draft)
        # the run restarts from the address's settings (the page says so)
        expect(page.locator(".offshoring-model")).to_contain_text("800 customers, seed 17")
        expect(page.locator(".offshoring-model")).to_contain_text("stay-home twin")
        expect(page.locator(".offshoring-url-note")).to_contain_text("restarts at week 0")
        expect(page.locator(".settings-pending")).to_have_count(0)
        assert recorder.foreign() == [] and recorder.page_errors == []
    finally:
        context.close()


def download(page: Page, label: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    path = info.value.path()
    return Path(path).read_bytes()


def monitor_values(page: Page) -> dict[tuple[str, int], float]:
    cells = page.evaluate("""() => Array.from(document.querySelectorAll('[data-monitor]'))
        .map((c) => [c.dataset.monitor, Number(c.dataset.firm), c.dataset.value])""")
    return {(key, firm): float(value) for key, firm, value in cells}


def test_csv_download_equals_the_kpis_and_the_monitors_the_last_row(
    app_url: str, chromium_browser: Browser
) -> None:
    """After 6 weeks: the CSV parses and equals ``model.kpis()`` of the same run replayed
    here (same settings and seed: the model is deterministic); the monitors show the
    last KPI row; the TOML and the figures download too."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 1000},
                                           accept_downloads=True)
    try:
        draft = st.change(st.default_draft(), "n_customers", "400")
        page = context.new_page()
        page.goto(f"{app_url}?{st.to_query(draft)}")
        wait_for_week(page, 0)
        for _ in range(6):
            step_and_wait(page)
        assert week_of(page) == 6
        csv = pd.read_csv(io.BytesIO(download(page, "KPIs CSV")))
        checked = st.validate(draft)
        replay = AppModel(checked.params, rng=checked.seed)
        replay.run_for(6)
        kpis = replay.kpis()
        pd.testing.assert_frame_equal(csv, kpis, check_dtype=False)
        parquet = pd.read_parquet(io.BytesIO(download(page, "KPIs Parquet")))
        pd.testing.assert_frame_equal(parquet, kpis)
        last = kpis[kpis["week"] == 5].set_index("firm")
        shown = monitor_values(page)
        assert {firm for _, firm in shown} == set(last.index)
        for (key, firm), value in shown.items():
            assert value == pytest.approx(last.loc[firm, key], rel=1e-12), (key, firm)
        toml = download(page, "Parameters TOML").decode()
        assert 'preset = "offshore-morocco"' in toml and "n_customers = 400" in toml
        assert download(page, "Figure PNG")[:4] == b"\x89PNG"
        assert b"<svg" in download(page, "Figure SVG")
    finally:
        context.close()


def assert_no_leftovers(page: Page) -> None:
    """No "PAGE 0" tab, no resize handles, no Solara banner over the charts."""
    text = page.locator("body").inner_text()
    assert "PAGE 0" not in text.upper()
    assert "This website runs on" not in text
    expect(page.locator(".vue-resizable-handle")).to_have_count(0)
    expect(page.locator(".vue-grid-item")).to_have_count(0)


def wait_until_idle(page: Page) -> None:
    """Wait until no ancestor of the views is faded (Solara dims the page while busy)."""
    page.wait_for_function("""() => {
        for (let e = document.querySelector('.offshoring-tiles'); e; e = e.parentElement) {
            if (parseFloat(getComputedStyle(e).opacity) < 1) return false;
        }
        return true;
    }""", timeout=60_000)


def test_screenshots_week_0_and_60_and_the_layout_at_1024(
    app_url: str, chromium_browser: Browser
) -> None:
    """Week 0 shows the burn-in year; week 60 the relocation; both saved. At 1,024 px the
    page does not scroll sideways and the tiles are at least 420 px wide."""
    context = chromium_browser.new_context(viewport={"width": 1440, "height": 1500})
    try:
        page = context.new_page()
        page.goto(f"{app_url}?{st.to_query(st.default_draft())}")
        wait_for_week(page, 0)
        assert_no_leftovers(page)
        ARTIFACTS.mkdir(exist_ok=True)
        wait_until_idle(page)
        page.screenshot(path=str(ARTIFACTS / "app-week0.png"))
        page.locator(".control-speed").click()
        page.get_by_role("option", name="as fast as possible").click()
        page.get_by_role("button", name="▶").click()
        page.wait_for_function(
            "() => Number(document.querySelector('.offshoring-week').dataset.week) >= 40",
            timeout=120_000)
        page.get_by_role("button", name="❚❚").click()
        expect(page.get_by_role("button", name="▶")).to_be_visible(timeout=60_000)
        # The week under way at Pause finishes, then every view draws the last week: wait
        # until the views and the week counter agree, then read it.
        page.wait_for_function(
            """() => { const w = document.querySelector('.offshoring-week').dataset.week;
                 return Array.from(document.querySelectorAll('[data-view]'))
                   .every((b) => b.dataset.week === w); }""", timeout=60_000)
        week = week_of(page)
        if week < 60:
            for _ in range(60 - week):
                step_and_wait(page)
        assert week_of(page) >= 60
        if week <= 60:
            assert week_of(page) == 60
        wait_until_idle(page)
        page.screenshot(path=str(ARTIFACTS / "app-week60.png"))
        for name in ("app-week0.png", "app-week60.png"):
            assert (ARTIFACTS / name).stat().st_size > 100_000
        page.set_viewport_size({"width": 1024, "height": 900})
        page.wait_for_timeout(300)  # layout settles (not an assertion)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024
        widths = page.evaluate("""() => Array.from(document.querySelectorAll(
            '.offshoring-tiles [data-view] img')).map((i) => i.getBoundingClientRect().width)""")
        assert len(widths) == 7 and min(widths) >= 420
        assert_no_leftovers(page)
    finally:
        context.close()
