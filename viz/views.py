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
"""

# ruff: noqa: N802 (Solara components are CamelCase, like React's)

from __future__ import annotations

from importlib.resources import files
from threading import Lock

import ipyvue
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
HELP_STYLE = {"height": f"{TILE_PX[1]}px", "overflow-y": "auto", "padding": "4px 8px",
              "font-size": "13px"}


def help_text() -> str:
    """The "what am I looking at" paragraph (viz/HELP.md, shipped as package data)."""
    return files("viz").joinpath("HELP.md").read_text(encoding="utf-8")


def run_id(model: AppModel) -> str:
    """Tells one model of a session from the next (``data-run``: a Reset changes it)."""
    return f"{id(model):x}"


class Board:
    """One session's frames: an image widget per view, redrawn in place each week.

    The figures belong to one model and are rebuilt when a new model (Reset) is shown;
    a frame is drawn once per week however often the page renders.
    """

    def __init__(self) -> None:
        self.images = {key: widgets.Image(format=IMAGE_FORMAT, layout=IMAGE_LAYOUT)
                       for key in VIEW_KEYS}
        self.boxes = {key: ipyvue.Html(tag="div", class_="offshoring-view",
                                       attributes={"data-view": key, "data-week": ""},
                                       children=[self.images[key]]) for key in VIEW_KEYS}
        self.figures: dict[str, BlitFigure] = {}
        self.shown: tuple[AppModel | None, float] = (None, -1.0)
        self._lock = Lock()

    def show(self, model: AppModel) -> None:
        """Draw every view of ``model`` at its current week (no-op if already shown)."""
        with self._lock:
            if self.shown[0] is model and self.shown[1] == model.time:
                return
            if self.shown[0] is not model:
                self.figures = {NETWORK: NetworkFigure(model)}
                self.figures.update({k: ChartFigure(p, model.p) for k, p in PANELS.items()})
            series = model.series()
            for key, figure in self.figures.items():
                self.images[key].value = figure.render(model if key == NETWORK else series)
                self.boxes[key].attributes = {"data-view": key, "data-run": run_id(model),
                                              "data-week": str(model.weeks_done)}
            self.shown = (model, model.time)


BoardContext = solara.create_context(None)


def use_board() -> Board:
    board = solara.use_context(BoardContext)
    if board is None:
        raise RuntimeError("views need a Board: provide BoardContext (viz.app.Page does)")
    return board


@solara.component
def Tile(key: str):
    """The frame widget of one view (updated in place by :meth:`Board.show`)."""
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
    with solara.Column(style=HELP_STYLE, classes=["offshoring-help"]) as main:
        MarkerKey()
        solara.Markdown(help_text())
    return main


@solara.component
def WeekCounter(model: AppModel, board: Board):
    """``Week N of H (date)``; also pushes this week's frames into the session's Board.

    The only reader of Mesa's ``update_counter`` on the page (see the module docstring).
    The board is a prop, not the context: the sidebar renders outside the page's tree.
    """
    counter = update_counter.get()
    solara.use_effect(lambda: board.show(model), [model, counter])
    week, horizon = model.weeks_done, model.p.weeks
    when = model.week_date(week).isoformat()
    text = f"Week {week} of {horizon} ({when})" + ("" if model.running else ": horizon reached")
    with solara.Column(gap="0px") as main:
        solara.v.Html(tag="div", class_="offshoring-week", style_="font-size: 1.1rem",
                      attributes={"data-week": str(week), "data-run": run_id(model)},
                      children=[text])
        solara.Text(describe_run(model), classes=["offshoring-model"],
                    style={"font-size": "12px"})
    return main


def describe_run(model: AppModel) -> str:
    """One line on the running model: size, seed, policy, destination and its cost."""
    p = model.p
    flat = p.flat()
    practices = sum(bool(flat[key]) for key in PRACTICES)
    return (f"Running: {p.n_customers:,} customers, seed {model.seed}, policy "
            f"{p.policy.kind.value} to {p.destination.name} "
            f"({p.destination.hourly_cost:.2f} {p.market.currency}/h), "
            f"{practices} of {len(PRACTICES)} practices")


#: What Mesa's grid shows, in order: the network beside the help, then the charts.
VIEWS = [(NetworkView, 0), (HelpView, 0), *((view, 0) for view in CHART_VIEWS)]
