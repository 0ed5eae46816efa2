"""Matplotlib figures of the app, redrawn by blitting: the static part once, data per frame.

Re-rendering a whole figure every week (axes, ticks, every network edge) is what makes a
Solara dashboard slow; saving it with matplotlib's default PNG compression doubles that.
A :class:`BlitFigure` draws its static artists once into a background buffer and, each
week, restores that buffer, draws only its animated artists (lines, node colours, the
week title) and encodes the pixels as a JPEG (fast). The background is redrawn
only when the static part changes: an axis that must grow, a new event marker.

:class:`ChartFigure` is one tile of time series (two stacked axes sharing the week axis)
described by a :class:`Panel`; :data:`PANELS` are the app's tiles.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection, LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from model import Params
from viz.session import Series

DPI = 100
TILE_PX = (500, 370)  # a SolaraViz grid tile (w=6 of 12 columns, h=10 rows) at 1280 px
#: Frames are JPEG (quality 90, no chroma subsampling): 1.7 ms for a 500x370 tile against
#: 8 ms for PNG at zlib level 1 and 45 ms for matplotlib's savefig PNG, visually the same.
IMAGE_FORMAT = "jpeg"
JPEG_OPTIONS = {"quality": 90, "subsampling": 0}
FIRM_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf")
FONT = 7  # points
FIRST_WEEKS = 52  # initial width of the week axis; it doubles as the run goes on


def firm_colour(firm: int) -> str:
    """Colour of a firm in every view (firm 0, the focal firm, is blue)."""
    return FIRM_COLOURS[firm % len(FIRM_COLOURS)]


def firm_label(firm: int) -> str:
    return "Firm 0 (focal)" if firm == 0 else f"Firm {firm}"


def encode(canvas: FigureCanvasAgg) -> bytes:
    """The canvas pixels as an :data:`IMAGE_FORMAT` image."""
    width, height = canvas.get_width_height()
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    rgba.convert("RGB").save(out, format=IMAGE_FORMAT, **JPEG_OPTIONS)
    return out.getvalue()


class BlitFigure:
    """A figure whose static artists are drawn once and whose animated ones each frame.

    Subclasses create artists in ``__init__`` (animated ones with ``animated=True``),
    list the animated ones in :meth:`dynamic_artists`, update them in :meth:`update`
    and call :meth:`invalidate` when a static artist changed.
    """

    def __init__(self, size_px: tuple[int, int] = TILE_PX) -> None:
        self.fig = Figure(figsize=(size_px[0] / DPI, size_px[1] / DPI), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        self._background = None
        self._lock = threading.Lock()  # Play steps in a thread while a render may run
        self.full_draws = 0  # how often the static part was drawn (tests check blitting)

    def invalidate(self) -> None:
        """The static part changed: redraw it on the next frame."""
        self._background = None

    def dynamic_artists(self) -> Sequence[Artist]:
        raise NotImplementedError

    def update(self, *args: object) -> None:
        raise NotImplementedError

    def render(self, *args: object) -> bytes:
        """Update from ``args`` and return the frame as image bytes (:data:`IMAGE_FORMAT`)."""
        with self._lock:
            self.update(*args)
            if self._background is None:
                self.canvas.draw()  # animated artists are skipped here
                self._background = self.canvas.copy_from_bbox(self.fig.bbox)
                self.full_draws += 1
            else:
                self.canvas.restore_region(self._background)
            for artist in self.dynamic_artists():
                self.fig.draw_artist(artist)
            return encode(self.canvas)


# ---------------------------------------------------------------- time-series tiles
@dataclass(frozen=True)
class Line:
    """One KPI column drawn per firm (or for the focal firm only)."""

    column: str
    scale: float = 1.0
    style: str = "-"
    smooth: int = 1  # trailing mean over this many weeks (noisy weekly rates)
    focal_only: bool = False


@dataclass(frozen=True)
class Axis:
    """One axes of a tile. ``limits`` fixes the y range; otherwise it only ever grows."""

    title: str
    lines: tuple[Line, ...]
    limits: tuple[float, float] | None = None
    floor: float | None = None  # the grown range never goes below this (counts, rates)


@dataclass(frozen=True)
class Panel:
    """A tile of two stacked axes sharing the week axis."""

    key: str
    title: str
    axes: tuple[Axis, Axis]


PANELS: dict[str, Panel] = {p.key: p for p in (
    Panel("market", "Market", (
        Axis("Market share (%)", (Line("market_share", 100),)),
        Axis("Brand image among all customers (0-100)", (Line("image_all"),)))),
    Panel("customers", "Customers", (
        Axis("Monthly churn (%, 4-week mean)", (Line("churn_monthly", 100, smooth=4),),
             floor=0),
        Axis("CSAT (solid, 4-week mean) and NPS (dashed)",
             (Line("csat", smooth=4), Line("nps", style="--"))))),
    Panel("service", "Service", (
        Axis("Service level (% within 20 s)", (Line("service_level", 100),), limits=(0, 101)),
        Axis("Abandonment (% of contacts)", (Line("abandonment", 100),), floor=0))),
    Panel("money", "Money", (
        Axis("Service cost (solid) and total cost (dashed, 4-week mean), million "
             "{currency}/week", (Line("service_cost", 1e-6), Line("total_cost", 1e-6, "--", 4)),
             floor=0),
        Axis("Cumulative profit (million {currency})", (Line("cum_profit", 1e-6),)))),
    Panel("vendor", "Offshore vendor (focal firm's contract)", (
        Axis("Agent proficiency (%)", (Line("vendor_proficiency", 100, focal_only=True),),
             limits=(0, 101)),
        Axis("Agent attrition (%/year, 13-week mean)",
             (Line("vendor_attrition", 100, smooth=13, focal_only=True),), floor=0))),
    Panel("staff", "Home staff", (
        Axis("Headcount", (Line("home_heads"),), floor=0),
        Axis("Morale (solid) and focal acceptance (dashed), %",
             (Line("home_morale", 100), Line("home_acceptance", 100, "--", focal_only=True)),
             limits=(-2, 105)))),
)}


@dataclass(frozen=True)
class Marker:
    """How an event flag is drawn on the week axis: a shaded span or a vertical line."""

    flag: str
    label: str
    colour: str
    span: bool
    style: str = "-"


MARKERS: tuple[Marker, ...] = (
    Marker("ramadan", "Ramadan weeks", "#e9c46a", True),
    Marker("outage", "link outage", "#6c757d", True),
    Marker("strike", "strike at home", "#8c564b", True),
    Marker("announcement", "relocation announced", "#d62728", False, "--"),
    Marker("cutover", "cut-over to the vendor", "#d62728", False, "-"),
    Marker("reshore", "reshoring", "#2a9d8f", False, "-"),
    Marker("breach", "data breach", "#7b2cbf", False, ":"),
    Marker("media", "media story", "#f4a261", False, ":"),
)


def runs(flags: np.ndarray, weeks: np.ndarray) -> tuple[tuple[int, int], ...]:
    """Consecutive weeks where ``flags`` is set, as (first week, last week + 1)."""
    if not flags.any():
        return ()
    edges = np.diff(np.r_[0, flags.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return tuple((int(weeks[s]), int(weeks[e - 1]) + 1) for s, e in zip(starts, ends,
                                                                        strict=True))


def trailing_mean(values: np.ndarray, weeks: int) -> np.ndarray:
    """Mean of the last ``weeks`` values per column, ignoring NaN (no smoothing at 1)."""
    if weeks <= 1:
        return values
    return pd.DataFrame(values).rolling(weeks, min_periods=1).mean().to_numpy()


def grow(limits: tuple[float, float] | None, lo: float, hi: float,
         floor: float | None) -> tuple[float, float]:
    """Y limits that contain [lo, hi] and never shrink.

    A first range gets a margin of 20 % of the largest magnitude (at least 10 % of the
    span); a range that must grow doubles its span
    on the side that overflowed, so a steadily rising series (cumulative profit) forces
    only a few redraws of the static part rather than one a week.
    """
    if limits is not None and limits[0] <= lo and hi <= limits[1]:
        return limits
    if limits is None:  # generous: noise around a level should not force regrowth
        pad = max(0.1 * (hi - lo), 0.2 * max(abs(lo), abs(hi)))
        pad = pad or 1.0  # a flat zero series: 0 +- 1, never a 1e-9 offset
        new_lo, new_hi = lo - pad, hi + pad
    else:
        new_lo, new_hi = min(lo, limits[0]), max(hi, limits[1])
        pad = new_hi - new_lo
        new_lo -= pad if lo < limits[0] else 0.0
        new_hi += pad if hi > limits[1] else 0.0
    if floor is not None and lo >= floor:
        new_lo = max(new_lo, floor)
    return new_lo, new_hi


def week_limit(current: int, last_week: int, horizon: int) -> int:
    """Right end of the week axis: doubles (up to the horizon) once the run reaches it."""
    while last_week >= current and current < horizon:
        current = min(current * 2, horizon)
    return max(current, last_week + 1)


BURN_IN_COLOUR = "#e8e8e8"


class ChartFigure(BlitFigure):
    """Two stacked time-series axes of one :class:`Panel`, a line per firm and KPI.

    The week axis starts at the burn-in (``-burn_in_weeks``, shaded grey), so a chart has
    a year of data from week 0 on. An axes without any value yet (the vendor before the
    cut-over) says so instead of showing an empty 0-1 range.
    """

    def __init__(self, panel: Panel, params: Params) -> None:
        super().__init__()
        self.panel = panel
        self.horizon = params.weeks
        self.start = -params.burn_in_weeks
        firms = range(params.n_firms)
        self.axes = self.fig.subplots(2, 1, sharex=True)
        self.fig.subplots_adjust(left=0.11, right=0.98, top=0.86, bottom=0.1, hspace=0.32)
        self.title = self.fig.text(0.01, 0.975, "", fontsize=FONT + 2, weight="bold", va="top",
                                   animated=True)  # with the week: every frame differs
        self.lines: list[tuple[Line, int, Line2D]] = []
        for ax, spec in zip(self.axes, panel.axes, strict=True):
            ax.set_title(spec.title.format(currency=params.market.currency), fontsize=FONT,
                         loc="left", pad=3)
            ax.tick_params(labelsize=FONT, length=2, pad=1)
            ax.ticklabel_format(axis="y", useOffset=False, style="plain")
            ax.grid(alpha=0.3, lw=0.5)
            if self.start < 0:
                ax.axvspan(self.start, 0, color=BURN_IN_COLOUR, lw=0, zorder=0)
            for line in spec.lines:
                for f in ([0] if line.focal_only else firms):
                    (artist,) = ax.plot([], [], line.style, color=firm_colour(f), lw=1.1,
                                        animated=True)
                    self.lines.append((line, f, artist))
            ax.set_ylim(*(spec.limits or (0, 1)))
        self.axes[1].set_xlabel("week (grey: burn-in year, everything at home)",
                                fontsize=FONT, labelpad=1)
        self.empty = [ax.text(0.5, 0.5, "no data yet", transform=ax.transAxes, ha="center",
                              va="center", fontsize=FONT + 1, color="#777777", animated=True)
                      for ax in self.axes]
        self.has_data = [False, False]
        shown = [0] if all(ln.focal_only for a in panel.axes for ln in a.lines) else firms
        handles = [Line2D([], [], color=firm_colour(f), lw=1.5) for f in shown]
        self.fig.legend(handles, [firm_label(f) for f in shown], loc="upper right", ncol=3,
                        fontsize=FONT, frameon=False, bbox_to_anchor=(0.99, 1.0),
                        handlelength=1.2, columnspacing=0.8)
        self.ylims: list[tuple[float, float] | None] = [a.limits for a in panel.axes]
        self.xmax = min(FIRST_WEEKS, self.horizon)
        for ax in self.axes:
            ax.set_xlim(self.start, self.xmax)
        self.drawn_events: dict[str, tuple[tuple[int, int], ...]] = {}
        self.markers = [(m, self._marker_artist(ax, m)) for ax in self.axes for m in MARKERS]

    @staticmethod
    def _marker_artist(ax: Axes, marker: Marker) -> Collection:
        """An empty, animated collection for one kind of event marker on ``ax``.

        Markers are animated rather than static: Ramadan weeks, strikes and outages
        change them often, and a static change costs a full redraw (~60 ms a tile).
        x is in weeks, y in axes fraction, so a marker spans the axes' height.
        """
        transform = ax.get_xaxis_transform()
        if marker.span:
            artist: Collection = PolyCollection([], facecolors=marker.colour, alpha=0.35,
                                                linewidths=0, transform=transform,
                                                animated=True)
        else:
            artist = LineCollection([], colors=marker.colour, linestyles=marker.style,
                                    linewidths=1.0, transform=transform, animated=True)
        ax.add_collection(artist, autolim=False)
        return artist

    def dynamic_artists(self) -> list[Artist]:
        markers = (artist for _, artist in self.markers if artist.get_paths())  # skip empty
        empty = (text for text, has in zip(self.empty, self.has_data, strict=True) if not has)
        return [*markers, self.title, *empty,
                *(artist for _, _, artist in self.lines)]

    def update(self, series: Series) -> None:
        """New data for every line; grow the axes and redraw markers when needed."""
        weeks = series.weeks
        self.title.set_text(f"{self.panel.title}, week {series.n_weeks}")
        data: dict[int, list[np.ndarray]] = {0: [], 1: []}
        smoothed: dict[tuple[str, int], np.ndarray] = {}
        for line, f, artist in self.lines:
            key = (line.column, line.smooth)
            if key not in smoothed:
                smoothed[key] = trailing_mean(series.values[line.column], line.smooth)
            y = smoothed[key][:, f] * line.scale
            artist.set_data(weeks, y)
            data[self._axis_of(artist)].append(y)
        if weeks.size:
            self._fit_weeks(int(weeks[-1]))
        for i, values in data.items():
            joined = np.concatenate(values) if values else np.empty(0)
            self.has_data[i] = bool(np.isfinite(joined).any())
            self.empty[i].set_visible(not self.has_data[i])
            if weeks.size:
                self._fit_values(i, joined)
        self._draw_events(series)

    def _axis_of(self, artist: Line2D) -> int:
        return 0 if artist.axes is self.axes[0] else 1

    def _fit_weeks(self, last_week: int) -> None:
        new = week_limit(self.xmax, last_week, self.horizon)
        if new != self.xmax:
            self.xmax = new
            self.axes[0].set_xlim(self.start, new)
            self.invalidate()

    def _fit_values(self, i: int, values: np.ndarray) -> None:
        spec = self.panel.axes[i]
        finite = values[np.isfinite(values)]
        if spec.limits is not None or finite.size == 0:
            return
        new = grow(self.ylims[i], float(finite.min()), float(finite.max()), spec.floor)
        if new != self.ylims[i]:
            self.ylims[i] = new
            self.axes[i].set_ylim(*new)
            self.invalidate()

    def _draw_events(self, series: Series) -> None:
        """Shade and mark the event weeks of the focal firm (only when they changed)."""
        events = {m.flag: runs(series.flags[m.flag], series.weeks) for m in MARKERS}
        if events == self.drawn_events:
            return
        for marker, artist in self.markers:
            spans = events[marker.flag]
            if marker.span:
                artist.set_verts([[(a, 0), (a, 1), (b, 1), (b, 0)] for a, b in spans])
            else:
                artist.set_segments([[(a, 0), (a, 1)] for a, _ in spans])
        self.drawn_events = events
