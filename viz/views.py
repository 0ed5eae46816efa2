"""The views of the page: network, time-series tiles, monitors, event key, About, run panel.

A step must redraw seven figures and the monitors, and Reacton re-walks the whole page
once for *each* component that reads Mesa's ``update_counter`` (measured: eight readers,
eight passes, ~25 ms each). So exactly one component reads it, :func:`RunPanel` (the
buttons and the week counter): it pushes the new frames and monitor values into the
widgets of the session's :class:`Board`, which the tiles display. The tiles, the monitors
row and the grid render once.

The tiles sit in a CSS grid (:data:`GRID_STYLE`) that fills wide screens with as many
columns as fit and falls back to one column at 1,024 px; frames scale to their column.

Each frame sits in a ``div`` with ``data-view``, ``data-week`` and ``data-run`` (which
model) attributes, which the browser tests and the latency script (``python -m
viz.measure``) read.

Robustness (issue 14). :meth:`Board.show` draws under the model's lock
(:attr:`viz.session.AppModel.lock`), which every step also holds, so a frame is never
drawn from half a week. Each tile is its own error boundary: a view that fails to draw
keeps its last frame and shows a one-line error box (``.offshoring-tile-error``) while
the other tiles and the controls keep working; the next week that draws clears it. Each
tile, the help and the week counter also render inside a :func:`Guard`, which turns an
exception raised while rendering into the same one-line box instead of a page-wide
traceback.
"""

# ruff: noqa: N802 (Solara components are CamelCase, like React's)

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.resources import files
from threading import Lock

import ipyvue
import ipyvuetify as v
import ipywidgets as widgets
import solara

from viz.export import MONITORS, monitor_text, monitor_values
from viz.figures import (
    BURN_IN_COLOUR,
    IMAGE_FORMAT,
    MARKERS,
    PANELS,
    BlitFigure,
    ChartFigure,
    firm_colour,
    firm_label,
)
from viz.network_view import NetworkFigure
from viz.session import AppModel
from viz.settings import PRACTICES

NETWORK = "network"
VIEW_KEYS = (NETWORK, *PANELS)
#: Frames scale to their grid column and keep their aspect ratio.
IMAGE_LAYOUT = {"width": "100%", "height": "auto", "object_fit": "contain"}
ERROR_CLASS = "offshoring-tile-error"
logger = logging.getLogger(__name__)
#: As many columns of at least 420 px as fit: 1 at 1,024 px, 2 at 1,280, 3-4 on wide screens.
GRID_STYLE = {"display": "grid", "grid-template-columns": "repeat(auto-fill, minmax(420px, 1fr))",
              "gap": "8px", "width": "100%"}
MONITOR_CLASS = "offshoring-monitors"


def help_text() -> str:
    """The "what am I looking at" paragraph (viz/HELP.md, shipped as package data)."""
    return files("viz").joinpath("HELP.md").read_text(encoding="utf-8")


def one_line(error: BaseException) -> str:
    """``Type: message``, first line only, at most 200 characters (for an error box)."""
    text = str(error).strip().splitlines()
    line = f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    return line if len(line) <= 200 else line[:199] + "…"


def run_id(model: AppModel) -> str:
    """Tells one model of a session from the next (``data-run``: a Reset changes it)."""
    return f"{id(model):x}"


class Board:
    """One session's frames: an image widget per view, redrawn in place each week.

    The figures belong to one model and are rebuilt when a new model (Reset) is shown;
    a frame is drawn once per week however often the page renders. Each view has an
    error box, shown under its frame while that view fails to draw.
    """

    def __init__(self) -> None:
        self.images = {key: widgets.Image(format=IMAGE_FORMAT, layout=IMAGE_LAYOUT)
                       for key in VIEW_KEYS}
        self.errors = {key: v.Alert(type="error", dense=True, text=True, class_=ERROR_CLASS,
                                    children=[]) for key in VIEW_KEYS}
        self.boxes = {key: ipyvue.Html(tag="div", class_="offshoring-view",
                                       attributes={"data-view": key, "data-week": ""},
                                       children=[self.images[key]]) for key in VIEW_KEYS}
        #: The monitors row: an HTML table rewritten each week (one widget, no re-render).
        self.monitors = widgets.HTML(value="", layout={"width": "100%"})
        self.figures: dict[str, BlitFigure] = {}
        self.shown: tuple[AppModel | None, float] = (None, -1.0)
        self._lock = Lock()

    def show(self, model: AppModel) -> None:
        """Draw every view of ``model`` at its current week (no-op if already shown).

        Never raises: a view that fails shows its error in its own tile. Holds the
        model's lock, so no step runs while the frames are drawn.
        """
        with self._lock, model.lock:
            if self.shown[0] is model and self.shown[1] == model.time:
                return
            if self.shown[0] is not model:
                self.figures = {}
                self._try(NETWORK, lambda: self.figures.update({NETWORK: NetworkFigure(model)}))
                for key, panel in PANELS.items():
                    self._try(key, lambda k=key, p=panel: self.figures.update(
                        {k: ChartFigure(p, model.params)}))
            series: list = []
            for key in VIEW_KEYS:
                figure = self.figures.get(key)
                if figure is None:
                    continue  # its figure could not be built: the tile shows why
                self._try(key, lambda k=key, f=figure: self._draw(k, f, model, series))
            try:
                self.monitors.value = monitors_html(model)
            except Exception:  # noqa: BLE001 (the monitors keep their last values)
                logger.exception("monitors failed")
            self.shown = (model, model.time)

    def _draw(self, key: str, figure: BlitFigure, model: AppModel, series: list) -> None:
        """Draw one view and stamp its box; ``series`` caches the KPIs for the charts."""
        if key == NETWORK:
            frame = figure.render(model)
        else:
            if not series:
                series.append(model.series())
            frame = figure.render(series[0])
        self.images[key].value = frame
        self.boxes[key].attributes = {"data-view": key, "data-run": run_id(model),
                                      "data-week": str(int(round(model.time)))}
        self._set_error(key, None)

    def _try(self, key: str, action: Callable[[], None]) -> None:
        """Run ``action`` for view ``key``; on an exception show it in that tile only."""
        try:
            action()
        except Exception as error:  # noqa: BLE001 (the boundary of one tile)
            logger.exception("view %r failed to draw", key)
            self._set_error(key, f"Could not draw this view: {one_line(error)}")

    def _set_error(self, key: str, message: str | None) -> None:
        box, image, alert = self.boxes[key], self.images[key], self.errors[key]
        if message is None:
            if len(box.children) != 1:
                box.children = [image]
            return
        alert.children = [message]
        if len(box.children) != 2:
            box.children = [image, alert]


def monitors_html(model: AppModel) -> str:
    """The monitors row as an HTML table: a row per firm, a column per monitor.

    Each cell carries ``data-monitor``, ``data-firm`` and ``data-value`` (the unscaled KPI
    value, ``repr`` of the float) for the tests; the caption names the KPI row's week.
    """
    week, rows = monitor_values(model)
    twin = model.twin is not None
    shown = [m for m in MONITORS if twin or m.key != "npv_vs_twin"]
    head = "".join(f"<th>{m.label}</th>" for m in shown)
    body = []
    for firm, row in enumerate(rows):
        dot = (f"<span style='color:{firm_colour(firm)}'>&#9679;</span> {firm_label(firm)}")
        cells = "".join(
            f"<td data-monitor='{m.key}' data-firm='{firm}' data-value='{row[m.key]!r}'>"
            f"{monitor_text(m, row[m.key])}</td>" for m in shown)
        body.append(f"<tr><th>{dot}</th>{cells}</tr>")
    # the header counts weeks simulated ("Week 61 of 520"); the KPI rows index them from 0
    when = (f"after {week + 1} week{'s' if week else ''} (the KPI table's week {week})"
            if week >= 0 else f"the burn-in's last week (the KPI table's week {week})")
    note = "" if twin else " NPV vs a stay-home twin: tick Stay-home twin and Reset."
    return (f"<table class='{MONITOR_CLASS}' data-week='{week}' data-run='{run_id(model)}'>"
            f"<caption>Monitors {when}.{note}</caption>"
            f"<tr><th></th>{head}</tr>{''.join(body)}</table>")


MONITOR_CSS = f"""
.{MONITOR_CLASS} {{ border-collapse: collapse; font-size: 13px; width: 100%; }}
.{MONITOR_CLASS} caption {{ caption-side: top; text-align: left; font-size: 12px;
  color: #555; padding-bottom: 2px; }}
.{MONITOR_CLASS} th, .{MONITOR_CLASS} td {{ padding: 2px 8px; text-align: right;
  border-bottom: 1px solid #e0e0e0; white-space: nowrap; }}
.{MONITOR_CLASS} tr th:first-child {{ text-align: left; }}
.offshoring-key {{ display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; }}
.offshoring-key span.item {{ display: inline-flex; align-items: center; gap: 4px;
  white-space: nowrap; }}
.offshoring-tiles img {{ display: block; }}
"""


BoardContext = solara.create_context(None)


def use_board() -> Board:
    board = solara.use_context(BoardContext)
    if board is None:
        raise RuntimeError("views need a Board: provide BoardContext (viz.app.Page does)")
    return board


@solara.component
def Guard(children: list | None = None, name: str = "view"):
    """Error boundary: an exception raised while rendering ``children`` becomes a
    one-line error box in their place; the rest of the page renders on."""
    exception, clear = solara.use_exception()
    if exception is not None:
        logger.error("%s failed to render: %s", name, one_line(exception))
        with solara.Column(gap="2px") as main:
            solara.Error(f"Could not show the {name}: {one_line(exception)}", dense=True,
                         classes=[ERROR_CLASS])
            solara.Button("Retry", on_click=clear, small=True, text=True)
        return main
    children = list(children or [])
    return children[0] if len(children) == 1 else solara.Column(children=children, gap="0px")


@solara.component
def Tile(key: str):
    """The frame widget of one view (updated in place by :meth:`Board.show`), guarded."""
    return Guard(children=[TileFrame(key)], name=f"{key} view")


@solara.component
def TileFrame(key: str):
    board = use_board()
    return solara.Column(children=[board.boxes[key]], gap="0px")


def marker_key_html() -> str:
    """The colour key of the event markers and the burn-in shading, each swatch beside
    its label (one flex item each, never split across lines)."""
    items = [("background:" + BURN_IN_COLOUR + ";width:14px;height:10px", "burn-in year")]
    for m in MARKERS:
        if m.span:
            items.append((f"background:{m.colour};opacity:0.6;width:14px;height:10px",
                          m.label))
        else:
            border = {"-": "solid", "--": "dashed", ":": "dotted"}[m.style]
            items.append((f"border-left:2px {border} {m.colour};width:4px;height:12px",
                          m.label))
    spans = "".join(f"<span class='item'><span style='display:inline-block;{style}'></span>"
                    f"{label}</span>" for style, label in items)
    return f"<div class='offshoring-key'><b>Events:</b>{spans}</div>"


@solara.component
def MarkerKey():
    """Colour key of the event markers drawn on every chart."""
    return solara.HTML(tag="div", unsafe_innerHTML=marker_key_html())


@solara.component
def Monitors():
    """The monitors row (its widget is rewritten by :meth:`Board.show` each week)."""
    board = use_board()
    return solara.Column(children=[board.monitors], gap="0px")


@solara.component
def ModelTab():
    """Monitors, the event key and the grid of views."""
    with solara.Column(gap="6px", style={"width": "100%"}) as main:
        Guard(children=[Monitors()], name="monitors")
        MarkerKey()
        with solara.Div(style=GRID_STYLE, classes=["offshoring-tiles"]):
            for key in VIEW_KEYS:
                Tile(key)
    return main


@solara.component
def AboutTab():
    """What the page shows, how to use it, what to notice and try (NetLogo's Info tab)."""
    return Guard(children=[AboutText()], name="help")


@solara.component
def AboutText():
    with solara.Column(style={"max-width": "900px", "font-size": "14px", "padding": "4px 8px"},
                       classes=["offshoring-help"]) as main:
        solara.Markdown(help_text())
    return main


def show_safely(board: Board, model: AppModel) -> None:
    """:meth:`Board.show`, never letting an exception reach the page (it is logged)."""
    try:
        board.show(model)
    except Exception:  # noqa: BLE001 (Board.show handles its tiles; this is the backstop)
        logger.exception("redraw failed")


@solara.component
def WeekText(model: AppModel, counter: int):
    """The week line and the run line (``counter`` only makes it follow each step)."""
    week, running = model.snapshot()
    horizon = model.params.weeks
    when = model.week_date(week).isoformat()
    text = f"Week {week} of {horizon} ({when})" + ("" if running else ": horizon reached")
    with solara.Column(gap="0px", style={"margin-bottom": "10px"}) as main:
        solara.v.Html(tag="div", class_="offshoring-week", style_="font-size: 1.1rem",
                      attributes={"data-week": str(week), "data-run": run_id(model)},
                      children=[text])
        solara.Text(describe_run(model), classes=["offshoring-model"],
                    style={"font-size": "12px"})
    return main


def describe_run(model: AppModel) -> str:
    """The running model: size, seed, what the scenario does, cost and practices."""
    p = model.params
    flat = p.flat()
    practices = sum(bool(flat[key]) for key in PRACTICES)
    twin = "; with a stay-home twin" if model.twin is not None else ""
    return (f"Running: {p.n_customers:,} customers, seed {model.seed}, policy "
            f"{p.policy.kind.value} to {p.destination.name} "
            f"({p.destination.hourly_cost:.2f} {p.market.currency}/h), "
            f"{practices} of {len(PRACTICES)} practices{twin}")
