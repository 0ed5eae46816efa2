"""Issue 15, the pure parts: settings in the URL, exports, monitors, network layout, Play.

The browser end of the same features is in tests/browser/test_instrument_e2e.py.
"""

from __future__ import annotations

import io
import math
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from model import scenario
from model.config import load_toml
from model.presets import SCENARIOS
from viz import app as viz_app
from viz import export as ex
from viz import network_view as nv
from viz import settings as st
from viz.figures import PANELS, ChartFigure
from viz.player import Player
from viz.session import AppModel


# ------------------------------------------------------------------ settings in the URL
def other_value(control: st.Control, draft: dict) -> object:
    """A valid value of ``control`` different from the draft's."""
    value = draft[control.key]
    if control.kind == "select":
        return next(c for c in control.choices if c != value)
    if control.kind == "bool":
        return not value
    if control.kind == "int_slider":
        return int(value) + 1 if int(value) + 1 <= control.hi else int(value) - 1
    if control.kind == "float_slider":
        return round(control.lo + 0.37 * (control.hi - control.lo), 4)
    return str(int(value) + 7)  # customers, seed


def test_every_control_round_trips_through_the_query_string() -> None:
    """Each control, set to a value other than the preset's, survives encode + decode."""
    base = st.default_draft("us-india")
    for control in st.all_controls(base):
        draft = st.change(base, control.key, other_value(control, base))
        assert draft[control.key] != base[control.key], control.key
        back, notes = st.from_query(st.to_query(draft))
        assert notes == [], (control.key, notes)
        assert back == draft, control.key
        assert st.validate(back) == st.validate(draft)


def test_a_draft_with_every_control_changed_round_trips() -> None:
    draft = st.default_draft("offshore-morocco")
    for control in st.all_controls(draft):
        if control.key not in ("scenario", "destination"):
            draft = st.change(draft, control.key, other_value(control, draft))
    draft = st.change(draft, "wage_ratio", 0.3141592653589793)  # exact floats, not rounded
    back, notes = st.from_query(st.to_query(draft))
    assert notes == [] and back == draft


def test_the_query_names_every_control() -> None:
    query = st.to_query(st.default_draft())
    keys = [part.split("=")[0] for part in query.split("&")]
    assert keys == [*st.ORDER, *st.RUN_ORDER]


def test_bad_query_values_are_left_out_with_a_note() -> None:
    draft, notes = st.from_query("scenario=nowhere&destination=mars&policy.week=soon&twin=maybe"
                                 "&speed=3&bogus=1&seed=abc")
    default = st.default_draft()
    assert {k: v for k, v in draft.items() if k != "seed"} == \
        {k: v for k, v in default.items() if k != "seed"}
    assert draft["seed"] == "abc"  # text boxes keep what was given: validation says why
    assert st.validate(draft).errors == {"seed": "Seed must be a whole number, got 'abc'"}
    assert len(notes) == 6
    assert any("Announcement week" in n for n in notes)


def test_an_empty_query_is_the_default_draft() -> None:
    assert st.from_query("") == (st.default_draft(), [])
    assert st.from_query(None) == (st.default_draft(), [])


# --------------------------------------------------------------------------- labels
def test_announcement_week_shows_the_cut_over_week() -> None:
    draft = st.change(st.default_draft(), "policy.week", 30)
    week = next(c for c in st.controls(draft) if c.key == "policy.week")
    assert week.label == "Announcement week"
    assert st.shown_label(week, draft) == "Announcement week: 30"
    notice = scenario("offshore-morocco").workforce.notice_weeks
    assert f"week {30 + notice}" in st.control_note(week, draft)
    never = st.change(draft, "policy.kind", "cost_driven")
    assert "decides when" in st.control_note(week, never)


def test_description_follows_the_destination_and_week() -> None:
    draft = st.change(st.default_draft("us-india"), "destination", "philippines")
    text = st.describe_params(st.validate(draft).params)
    assert "to the Philippines" in text and "India" not in text
    assert "announced in week 26, cut-over in week 39" in text


def test_help_texts_are_in_users_words() -> None:
    for control in st.all_controls(st.default_draft()):
        assert "model.presets" not in control.help and "alpha:" not in control.help
        assert "destination.hourly_cost" not in control.help


# ---------------------------------------------------------------------------- exports
@pytest.fixture(scope="module")
def run() -> AppModel:
    model = AppModel(scenario("offshore-morocco", n_customers=300, **{"policy.week": 5}),
                     rng=2, twin=True, preset="offshore-morocco")
    for _ in range(25):
        model.step()
    return model


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_toml_export_loads_back_to_equal_params(name: str, tmp_path: Path) -> None:
    """What `offshoring run FILE.toml` reads (model.config.load_toml) is the same Params."""
    draft = st.default_draft(name)
    for key, value in (("policy.share", 0.45), ("practices.procedures", True),
                       ("n_customers", "777"), ("wage_ratio", 0.3141592653589793),
                       ("customers.ethnocentrism_mean", 0.65)):
        draft = st.change(draft, key, value)
    params = st.validate(draft).params
    assert params is not None
    for preset in (name, None):  # named preset + differences, or differences from defaults
        path = tmp_path / f"{name}-{preset}.toml"
        path.write_text(ex.params_toml(params, preset, seed=3, week=10))
        assert load_toml(path) == params
    assert f'preset = "{name}"' in ex.params_toml(params, name)


def test_model_toml_names_preset_and_seed(run: AppModel, tmp_path: Path) -> None:
    text = ex.model_toml(run).decode()
    assert 'preset = "offshore-morocco"' in text and "--seed 2" in text
    path = tmp_path / "run.toml"
    path.write_text(text)
    assert load_toml(path) == run.params


def test_csv_and_parquet_equal_the_kpis(run: AppModel) -> None:
    kpis = run.kpis()
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(ex.kpis_csv(run))), kpis,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(ex.kpis_parquet(run))), kpis)


def test_figure_exports_are_png_and_svg_and_the_frames_go_on(run: AppModel) -> None:
    figure = ChartFigure(PANELS["market"], run.params)
    before = figure.render(run.series())
    png = ex.figure_bytes(figure, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png)).size[0] >= 900
    svg = ex.figure_bytes(figure, "svg").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "Market, week 25" in svg
    assert figure.render(run.series()) == before  # blitting still draws the same frame
    with pytest.raises(ValueError, match="png, svg"):
        ex.figure_bytes(figure, "gif")


# --------------------------------------------------------------------------- monitors
def test_monitors_are_the_last_kpi_row(run: AppModel) -> None:
    week, rows = ex.monitor_values(run)
    kpis = run.kpis()
    last = kpis[kpis["week"] == kpis["week"].max()].set_index("firm")
    twin = run.twin.kpis()
    twin_last = twin[twin["week"] == twin["week"].max()].set_index("firm")
    assert week == int(round(run.time)) - 1 == int(kpis["week"].max())
    for firm, row in enumerate(rows):
        for m in ex.MONITORS:
            if m.key == "npv_vs_twin":
                expected = last.loc[firm, "npv"] - twin_last.loc[firm, "npv"]
            else:
                expected = last.loc[firm, m.key]
            assert row[m.key] == pytest.approx(expected, rel=1e-12, abs=1e-9), (firm, m.key)
    assert rows[0]["npv_vs_twin"] != 0  # the focal firm offshored; its twin did not
    assert twin_last.loc[0, "offshore_share"] == 0


def test_monitor_html_carries_the_values(run: AppModel) -> None:
    from viz.views import monitors_html

    html = monitors_html(run)
    _, rows = ex.monitor_values(run)
    for firm, row in enumerate(rows):
        value = row["market_share"]
        cell = f"data-monitor='market_share' data-firm='{firm}' data-value='{value!r}'"
        assert cell in html
    assert "NPV vs stay-home twin" in html
    assert ex.monitor_text(ex.MONITORS[0], 0.3312) == "33.1 %"
    assert ex.monitor_text(ex.MONITORS[0], math.nan) == "–"


def test_monitor_caption_counts_weeks_as_the_header_does() -> None:
    """The header says "Week N of H" after N weeks; the monitors say "after N weeks" and
    name the KPI row's week, N - 1 (before any step: the burn-in's last week, -1)."""
    from viz.views import monitors_html

    model = AppModel(scenario("offshore-morocco", n_customers=100), rng=1)
    assert "Monitors the burn-in's last week (the KPI table's week -1)" in monitors_html(model)
    model.step()
    assert "Monitors after 1 week (the KPI table's week 0)" in monitors_html(model)
    for _ in range(2):
        model.step()
    week, running = model.snapshot()
    assert week == 3 and running
    assert "Monitors after 3 weeks (the KPI table's week 2)" in monitors_html(model)


def test_without_a_twin_the_npv_monitor_is_empty() -> None:
    model = AppModel(scenario("offshore-morocco", n_customers=100), rng=1)
    model.step()
    _, rows = ex.monitor_values(model)
    assert all(math.isnan(r["npv_vs_twin"]) for r in rows)


# ---------------------------------------------------------------------- network layout
def test_network_layout_is_deterministic_for_a_seed() -> None:
    def layout(seed: int) -> nv.Layout:
        model = AppModel(scenario("offshore-morocco", n_customers=2500), rng=seed)
        return nv.LayoutCache().get(model.network, model.population.firm)

    a, b, c = layout(5), layout(5), layout(6)
    for field in ("nodes", "positions", "segments", "weak"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert a.groups == b.groups
    assert not np.array_equal(a.positions, c.positions)
    assert a.nodes.size == nv.DRAW_MAX and a.total == 2500


def test_network_layout_places_each_firms_customers_in_its_own_disc() -> None:
    model = AppModel(scenario("offshore-morocco", n_customers=800), rng=3)
    lay = nv.LayoutCache().get(model.network, model.population.firm)
    firm = model.population.firm[lay.nodes]
    discs = {g: (x, y, r) for g, x, y, r in lay.groups}
    assert set(discs) == set(np.unique(firm).tolist())
    for g, (x, y, r) in discs.items():
        dist = np.hypot(*(lay.positions[firm == g] - (x, y)).T)
        assert dist.max() <= r + 1e-9
    focal = discs[0]
    assert focal[0] < 0  # the focal firm on the left
    assert np.abs(lay.positions).max() <= 1.03  # inside the axes


def test_network_title_fits_at_the_app_maximum() -> None:
    """At 50,000 customers the title and the sample line stay inside the tile."""
    model = AppModel(scenario("offshore-morocco", n_customers=st.APP_MAX_CUSTOMERS), rng=1)
    figure = nv.NetworkFigure(model)
    figure.render(model)
    renderer = figure.canvas.get_renderer()
    width = figure.fig.bbox.width
    for text in figure.fig.texts:
        box = text.get_window_extent(renderer)
        assert box.x1 <= width, text.get_text()
    assert any("50,000" in t.get_text() for t in figure.fig.texts)


# ------------------------------------------------------------------------------- Play
class SlowDraw:
    """A model stub: ``weeks`` steps; counts what each redraw saw."""

    def __init__(self, weeks: int) -> None:
        self.week, self.weeks, self.running = 0, weeks, True
        self.seen: list[int] = []

    def step(self) -> None:
        self.week += 1
        self.running = self.week < self.weeks

    def redraw(self) -> None:
        self.seen.append(self.week)
        time.sleep(0.02)  # drawing slower than stepping (which takes no time here)


def test_play_that_cannot_keep_up_skips_redraws_and_draws_the_last_week() -> None:
    model, player, ended = SlowDraw(300), Player(), threading.Event()
    player.period = 0.0  # as fast as possible
    player.start(model, model.redraw, lambda gen, err: ended.set())
    assert ended.wait(60)
    assert model.week == 300 and not player.playing
    assert len(model.seen) < 300  # skipped, not queued: fewer redraws than weeks
    assert model.seen[-1] == 300  # the last week is drawn
    assert model.seen == sorted(model.seen)


def test_pause_stops_stepping_and_a_stale_run_does_not_end_the_new_one() -> None:
    model, player = SlowDraw(10**9), Player()
    player.period = 0.001
    ends: list[int] = []
    first = player.start(model, model.redraw, lambda gen, err: ends.append(gen))
    second = player.start(model, model.redraw, lambda gen, err: ends.append(gen))
    assert second == first + 1 == player.generation
    player.stop()
    deadline = time.monotonic() + 30
    while len(ends) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(ends) == [first, second]
    stopped = model.week
    time.sleep(0.1)
    assert model.week == stopped and model.seen[-1] == stopped


def test_speed_periods() -> None:
    assert st.speed_period("max") == 0.0 and st.speed_period("5") == pytest.approx(0.2)
    assert st.speed_label("max") == "as fast as possible"
    assert [c.key for c in st.run_controls()] == list(st.RUN_ORDER)


def test_initial_state_falls_back_to_the_default_scenario_on_bad_settings() -> None:
    start = viz_app.initial_state("n_customers=10")
    assert start.draft["n_customers"] == "10"
    assert start.applied.params.n_customers == st.DEFAULT_CUSTOMERS
    assert any("cannot run" in n for n in start.notes)
