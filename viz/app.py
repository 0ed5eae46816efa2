"""The browser app: ``offshoring viz`` (or ``solara run viz/app.py``).

A SolaraViz-style page for a Mesa model: a sidebar with the run buttons (Reset, ▶/❚❚,
Step, as Mesa's ``ModelController`` labels them), the speed of Play, the scenario controls
and the downloads; a main area with the monitors row, the event key and the views, and
an About tab (NetLogo's Info tab). Mesa's own controller and draggable grid are not used:
Play here runs at a chosen speed and skips redraws it cannot keep up with
(:mod:`viz.player`), and the views sit in a plain CSS grid that fills the screen.

**Settings in the address.** Every control's value is written to the page's query
string as it changes (:func:`viz.settings.to_query`) and read back when the page opens
(:func:`viz.settings.from_query`), so a reload keeps the settings and a link reproduces
the scenario. The run itself restarts at week 0 (the page says so).

One model per browser session: :func:`Page` builds its model inside the component, so
every tab, window or browser gets its own; nothing mutable lives at module level (the
network-layout cache holds only immutable layouts).
"""

# ruff: noqa: N802 (Solara components are CamelCase, like React's)

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import solara
import solara.lab
import solara.server.settings
from mesa.visualization.utils import force_update, update_counter

from model import Params
from viz.controls import Controls, RunSettings
from viz.export import (
    FIGURE_FORMATS,
    MIME,
    figure_bytes,
    file_stem,
    kpis_csv,
    kpis_parquet,
    model_toml,
)
from viz.player import Player
from viz.session import AppModel, new_model
from viz.settings import from_query, speed_period, to_query, validate
from viz.views import (
    MONITOR_CSS,
    VIEW_KEYS,
    AboutTab,
    Board,
    BoardContext,
    Guard,
    ModelTab,
    WeekText,
    one_line,
    show_safely,
)

TITLE = "Offshoring customer relations"

# Defence in depth for `solara run viz/app.py` without `offshoring viz`: no telemetry from
# the server process (`offshoring viz` also sets SOLARA_TELEMETRY_MIXPANEL_ENABLE=False),
# and no "This website runs on Solara" banner over the charts.
solara.server.settings.telemetry.mixpanel_enable = False
solara.server.settings.theme.show_banner = False


@dataclass(frozen=True)
class Applied:
    """The settings Reset builds the next model from (the last valid draft)."""

    params: Params
    seed: int
    twin: bool
    preset: str

    def build(self) -> AppModel:
        return new_model(self.params, self.seed, self.twin, self.preset)


@dataclass(frozen=True)
class Start:
    """What the page opens on: the draft from the address, notes on what was left out,
    and the settings of the first model (the defaults if the address's are invalid)."""

    draft: dict[str, Any]
    notes: list[str]
    applied: Applied


def applied_of(draft: dict[str, Any]) -> Applied | None:
    """The settings of a draft, or None if it does not validate."""
    checked = validate(draft)
    if not checked.ok or checked.params is None or checked.seed is None:
        return None
    return Applied(checked.params, checked.seed, bool(draft.get("twin")), draft["scenario"])


def initial_state(query: str | None = None) -> Start:
    """The draft of the page's address (defaults for what it leaves out) and the first
    model's settings: the draft's, or the default scenario's if the draft is invalid."""
    draft, notes = from_query(query)
    applied = applied_of(draft)
    if applied is None:
        default, _ = from_query("")
        applied = applied_of(default)
        if applied is None:  # presets are valid: a bug if reached
            raise RuntimeError(f"default settings refused: {validate(default).errors}")
        notes = [*notes, "these settings cannot run (see the message below); the "
                 "default scenario runs until they are corrected"]
    return Start(draft, notes, applied)


@solara.component
def RunPanel(model: solara.Reactive[AppModel], applied: Applied, board: Board,
             player: Player, period: float):
    """Reset, ▶/❚❚, Step and the week counter; pushes each week's frames into the board.

    The only reader of Mesa's ``update_counter`` on the page (see ``viz.views``). The
    board is a prop, not the context: the sidebar renders outside the page's tree.
    """
    counter = update_counter.get()
    playing = solara.use_reactive(False)
    error = solara.use_reactive(None)
    current = model.value
    player.period = period
    solara.use_effect(lambda: show_safely(board, current), [current, counter])
    _, running = current.snapshot()

    def reset() -> None:
        player.stop()
        playing.value = False
        error.value = None
        model.value = applied.build()

    def ended(generation: int, message: str | None) -> None:
        if generation == player.generation:
            playing.value = False
            if message:
                error.value = f"error in step: {message}"

    def play_pause() -> None:
        if playing.value:
            player.stop()
            playing.value = False
            return
        playing.value = True
        player.start(current, force_update, ended)

    def step() -> None:
        try:
            current.step()
        except Exception as exc:  # noqa: BLE001 (shown on the page)
            error.value = f"error in step: {one_line(exc)}"
        force_update()

    with solara.Column(gap="4px") as main:
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=reset)
            solara.Button("❚❚" if playing.value else "▶", color="primary",
                          on_click=play_pause, disabled=not running and not playing.value)
            solara.Button("Step", color="primary", on_click=step,
                          disabled=playing.value or not running)
        Guard(children=[WeekText(current, counter)], name="week counter")
        if error.value:
            solara.Error(error.value, dense=True)
    return main


def download_name(model: AppModel, what: str, ext: str) -> str:
    return f"{file_stem(model)}-{what}.{ext}"


@solara.component
def Downloads(model: AppModel, board: Board):
    """KPIs (CSV, Parquet), parameters (TOML) and one view (PNG, SVG) of the current run.

    Files are made when clicked, from the run as it is then.
    """
    view = solara.use_reactive("market")
    with solara.Column(gap="4px") as main:
        solara.Text("Made when clicked, from the run at its current week.",
                    style={"font-size": "12px"})
        with solara.Row(gap="4px", style={"flex-wrap": "wrap"}):
            solara.FileDownload(lambda: kpis_csv(model), download_name(model, "kpis", "csv"),
                                label="KPIs CSV", mime_type=MIME["csv"])
            solara.FileDownload(lambda: kpis_parquet(model),
                                download_name(model, "kpis", "parquet"),
                                label="KPIs Parquet", mime_type=MIME["parquet"])
            solara.FileDownload(lambda: model_toml(model),
                                download_name(model, "params", "toml"),
                                label="Parameters TOML", mime_type=MIME["toml"])
        solara.Select("Figure", values=list(VIEW_KEYS), value=view)
        with solara.Row(gap="4px"):
            for fmt in FIGURE_FORMATS:
                solara.FileDownload(
                    lambda fmt=fmt: figure_bytes(board.figures[view.value], fmt),
                    download_name(model, view.value, fmt), label=f"Figure {fmt.upper()}",
                    mime_type=MIME[fmt])
    return main


@solara.component
def Page():
    """The whole page: title bar, sidebar (run, scenario, downloads) and the tabs."""
    router = solara.use_router()
    start: Start = solara.use_memo(lambda: initial_state(router.search), [])
    draft = solara.use_reactive(start.draft)
    applied = solara.use_reactive(start.applied)
    first = solara.use_memo(start.applied.build, [])
    model: solara.Reactive[AppModel] = solara.use_reactive(first)
    board = solara.use_memo(Board, [])
    player = solara.use_memo(Player, [])
    tab = solara.use_reactive(0)
    solara.provide_context(BoardContext, board)

    def on_draft(new: dict[str, Any]) -> None:
        draft.value = new
        valid = applied_of(new)
        if valid is not None:
            applied.value = valid
        if router.set_path is not None:  # None: rendered without a router (tests)
            router.push(f"{router.path or '/'}?{to_query(new)}")

    solara.Title(TITLE)
    solara.Style(MONITOR_CSS)
    with solara.AppBar():
        solara.AppBarTitle(children=[TITLE])
    with solara.Sidebar():
        with solara.Card("Run", margin=0, classes=["offshoring-run"]):
            RunPanel(model, applied.value, board, player,
                     speed_period(str(draft.value.get("speed", "10"))))
            RunSettings(draft.value, on_draft)
            solara.Text("The settings are in the page's address: a reload or a shared link "
                        "restores them (the run itself restarts at week 0).",
                        style={"font-size": "12px"}, classes=["offshoring-url-note"])
        with solara.Card("Scenario", margin=0, classes=["offshoring-controls"]):
            Controls(model.value, draft.value, on_draft, start.notes)
        with solara.Card("Download", margin=0, classes=["offshoring-downloads"]):
            Downloads(model.value, board)
    with solara.lab.Tabs(value=tab):
        with solara.lab.Tab("Model"):
            ModelTab()
        with solara.lab.Tab("About"):
            AboutTab()
