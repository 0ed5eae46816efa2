"""The views of the page: network, time-series tiles, help and the week counter.

Every view is a ``@solara.component`` taking the model, as Mesa's ``ComponentsView``
expects. A step must redraw seven figures, and Reacton re-walks the whole page once for
*each* component that reads Mesa's ``update_counter`` (measured: eight readers, eight
passes, ~25 ms each). So exactly one component reads it, :func:`WeekCounter`: it shows
the week and pushes the new frames into the image widgets of the session's
:class:`Board`, which the tiles of the grid display. The tiles themselves render once.

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
from mesa.visualization.utils import update_counter

from viz.figures import IMAGE_FORMAT, MARKERS, PANELS, TILE_PX, BlitFigure, ChartFigure
from viz.network_view import NetworkFigure
from viz.session import AppModel
from viz.settings import PRACTICES

NETWORK = "network"
VIEW_KEYS = (NETWORK, *PANELS)
#: Frames scale down to the tile and keep their aspect ratio.
IMAGE_LAYOUT = {"max_width": "100%", "max_height": f"{TILE_PX[1]}px", "object_fit": "contain"}
ERROR_CLASS = "offshoring-tile-error"
logger = logging.getLogger(__name__)
HELP_STYLE = {"height": f"{TILE_PX[1]}px", "overflow-y": "auto", "padding": "4px 8px",
              "font-size": "13px"}


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


@solara.component
def NetworkView(model: AppModel):
    """The customer network, coloured by firm and shaded by satisfaction."""
    return Tile(NETWORK)


# One component per chart tile, as Mesa's grid calls each with the model only.
@solara.component
def MarketChart(model: AppModel):
    return Tile("market")


@solara.component
def CustomersChart(model: AppModel):
    return Tile("customers")


@solara.component
def ServiceChart(model: AppModel):
    return Tile("service")


@solara.component
def MoneyChart(model: AppModel):
    return Tile("money")


@solara.component
def VendorChart(model: AppModel):
    return Tile("vendor")


@solara.component
def StaffChart(model: AppModel):
    return Tile("staff")


CHART_VIEWS = (MarketChart, CustomersChart, ServiceChart, MoneyChart, VendorChart, StaffChart)


@solara.component
def MarkerKey():
    """Colour key of the event markers drawn on every chart."""
    with solara.Row(gap="4px 12px", style={"flex-wrap": "wrap", "font-size": "12px"}):
        for m in MARKERS:
            if m.span:
                swatch = {"background": m.colour, "opacity": "0.6", "width": "14px",
                          "height": "10px"}
            else:
                border = {"-": "solid", "--": "dashed", ":": "dotted"}[m.style]
                swatch = {"border-left": f"2px {border} {m.colour}", "width": "4px",
                          "height": "12px"}
            with solara.Row(gap="4px", style={"align-items": "center"}):
                solara.v.Html(tag="span", style_=";".join(
                    f"{k}:{v}" for k, v in {"display": "inline-block", **swatch}.items()))
                solara.Text(m.label)


@solara.component
def HelpView(model: AppModel):
    """What the page shows, how to use it, what to notice and try; the marker key."""
    return Guard(children=[HelpText()], name="help")


@solara.component
def HelpText():
    with solara.Column(style=HELP_STYLE, classes=["offshoring-help"]) as main:
        MarkerKey()
        solara.Markdown(help_text())
    return main


@solara.component
def WeekCounter(model: AppModel, board: Board):
    """``Week N of H (date)`` in a :func:`Guard`; also pushes this week's frames into the
    session's Board.

    The only reader of Mesa's ``update_counter`` on the page (see the module docstring).
    The board is a prop, not the context: the sidebar renders outside the page's tree.
    """
    counter = update_counter.get()
    solara.use_effect(lambda: show_safely(board, model), [model, counter])
    return Guard(children=[WeekText(model, counter)], name="week counter")


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
    with solara.Column(gap="0px") as main:
        solara.v.Html(tag="div", class_="offshoring-week", style_="font-size: 1.1rem",
                      attributes={"data-week": str(week), "data-run": run_id(model)},
                      children=[text])
        solara.Text(describe_run(model), classes=["offshoring-model"],
                    style={"font-size": "12px"})
    return main


def describe_run(model: AppModel) -> str:
    """One line on the running model: size, seed, policy, destination and its cost."""
    p = model.params
    flat = p.flat()
    practices = sum(bool(flat[key]) for key in PRACTICES)
    return (f"Running: {p.n_customers:,} customers, seed {model.seed}, policy "
            f"{p.policy.kind.value} to {p.destination.name} "
            f"({p.destination.hourly_cost:.2f} {p.market.currency}/h), "
            f"{practices} of {len(PRACTICES)} practices")


#: What Mesa's grid shows, in order: the network beside the help, then the charts.
VIEWS = [(NetworkView, 0), (HelpView, 0), *((view, 0) for view in CHART_VIEWS)]
