"""What the page lets a researcher download: KPIs, parameters, figures, monitors.

* :func:`kpis_csv`, :func:`kpis_parquet`: the run's weekly KPIs so far, exactly
  ``model.kpis()`` (one row per firm and week after the burn-in).
* :func:`params_toml`: the parameters as a TOML file that ``offshoring run FILE.toml``
  reads (``model.config.load_toml``): ``preset = "<scenario>"`` plus every value that
  differs from that preset, so the file reads as "this preset, but ...". It loads back to
  equal Params (checked by the tests); the seed goes in a comment and on the command line
  (``--seed``), as ``offshoring run`` takes it.
* :func:`figure_bytes`: one view as PNG or SVG, drawn in full (every artist), not the
  blitted JPEG frame.
* :func:`monitor_values`: the current values of the monitors row, read from the last KPI
  row (and the stay-home twin's NPV).

Nothing here imports Solara.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from model import Params
from model.presets import SCENARIOS, scenario

if TYPE_CHECKING:
    from viz.figures import BlitFigure
    from viz.session import AppModel

FIGURE_FORMATS = {"png": "image/png", "svg": "image/svg+xml"}
EXPORT_DPI = 200  # PNG exports: 1,000 x 740 px for a chart tile
MIME = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet",
        "toml": "application/toml", **FIGURE_FORMATS}


# ------------------------------------------------------------------------------- KPIs
def kpis_csv(model: AppModel) -> bytes:
    """``model.kpis()`` as CSV (floats written exactly, so it reads back equal)."""
    with model.lock:
        df = model.kpis()
    return df.to_csv(index=False).encode()


def kpis_parquet(model: AppModel) -> bytes:
    """``model.kpis()`` as Parquet."""
    with model.lock:
        df = model.kpis()
    out = io.BytesIO()
    df.to_parquet(out, index=False)
    return out.getvalue()


def file_stem(model: AppModel) -> str:
    """``offshoring-us-india-seed1``: names every download of one run."""
    name = model.preset or "custom"
    return f"offshoring-{name}-seed{model.seed}"


# ------------------------------------------------------------------------------- TOML
def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON escapes are TOML escapes
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def _inline(table: Mapping[str, Any]) -> str:
    """A table as an inline TOML table (None values left out: the default)."""
    items = []
    for key, value in table.items():
        if value is None:
            continue
        text = _inline(value) if isinstance(value, Mapping) else _toml_value(value)
        items.append(f"{key} = {text}")
    return "{" + ", ".join(items) + "}"


def _diff(data: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``data`` that differ from ``base`` (nested tables compared by key)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        ref = base.get(key)
        if isinstance(value, Mapping) and isinstance(ref, Mapping):
            sub = _diff(value, ref)
            if sub:
                out[key] = sub
        elif value != ref:
            out[key] = value
    return out


def _tables(data: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """TOML lines: the scalars of a table first, then its sub-tables."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, Mapping)}
    tables = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    if prefix and scalars:
        yield f"\n[{prefix}]"
    for key, value in scalars.items():
        if value is None:
            raise TypeError(f"'{prefix}{key}' is unset (None): TOML cannot say so")
        if isinstance(value, list | tuple) and any(isinstance(v, Mapping) for v in value):
            yield f"{key} = [" + ", ".join(_inline(v) for v in value) + "]"
        else:
            yield f"{key} = {_toml_value(value)}"
    for key, value in tables.items():
        yield from _tables(value, f"{prefix}.{key}" if prefix else key)


def params_toml(params: Params, preset: str | None = None, seed: int | None = None,
                week: int | None = None) -> str:
    """A TOML file that ``offshoring run FILE.toml`` reads back to ``params``.

    With a known ``preset`` the file names it and lists only what differs from it;
    otherwise it lists what differs from the defaults (``Params()``).
    """
    base = scenario(preset) if preset in SCENARIOS else Params()
    diff = _diff(params.model_dump(mode="json"), base.model_dump(mode="json"))
    seed_text = "" if seed is None else f" --seed {seed}"
    head = ["# Offshoring scenario exported from the browser app"
            + ("" if week is None else f" at week {week}") + ".",
            f"# Run it: offshoring run THIS_FILE.toml{seed_text}",
            "# (the seed is not a parameter: give it on the command line)"]
    if preset in SCENARIOS:
        head.append(f"preset = {_toml_value(preset)}")
    return "\n".join([*head, *_tables(diff)]) + "\n"


def model_toml(model: AppModel) -> bytes:
    """:func:`params_toml` of a running model (its preset, seed and week)."""
    return params_toml(model.params, model.preset, model.seed, int(round(model.time))).encode()


# ----------------------------------------------------------------------------- figures
def figure_bytes(figure: BlitFigure, fmt: str) -> bytes:
    """One view drawn in full as PNG or SVG (the animated artists included).

    A blitted frame draws its animated artists by hand; ``savefig`` skips them, so they
    are made static for the export and animated again after (the background is redrawn
    on the next frame).
    """
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"figure format must be one of {', '.join(FIGURE_FORMATS)}")
    with figure._lock:
        artists = list(figure.dynamic_artists())
        for artist in artists:
            artist.set_animated(False)
        try:
            out = io.BytesIO()
            figure.fig.savefig(out, format=fmt, dpi=EXPORT_DPI if fmt == "png" else None,
                               facecolor="white")
        finally:
            for artist in artists:
                artist.set_animated(True)
            figure.invalidate()
    return out.getvalue()


# ----------------------------------------------------------------------------- monitors
@dataclass(frozen=True)
class Monitor:
    """One column of the monitors row: a KPI column and how to show it."""

    key: str
    label: str
    scale: float
    unit: str
    decimals: int


MONITORS: tuple[Monitor, ...] = (
    Monitor("market_share", "Market share", 100, " %", 1),
    Monitor("image_all", "Brand image", 1, "", 1),
    Monitor("churn_monthly", "Monthly churn", 100, " %", 2),
    Monitor("csat", "CSAT", 1, "", 1),
    Monitor("service_level", "Service level", 100, " %", 1),
    Monitor("cum_profit", "Cumulative profit", 1e-6, " M", 1),
    Monitor("npv_vs_twin", "NPV vs stay-home twin", 1e-6, " M", 1),
)


def monitor_values(model: AppModel) -> tuple[int, list[dict[str, float]]]:
    """(week, one dict per firm): the monitors' values from the last KPI row.

    The week is that of the row (the last week simulated; -1, the burn-in's last week,
    before the first step). ``npv_vs_twin`` is the firm's NPV minus the same firm's NPV in
    the stay-home twin (NaN without a twin). Reads under the model's lock.
    """
    with model.lock:
        series = model.series()
        twin = model.twin
        twin_npv = [f.npv for f in twin.firms] if twin is not None else None
        firms = model.params.n_firms
    if series.weeks.size == 0:
        return 0, [{m.key: math.nan for m in MONITORS} for _ in range(firms)]
    rows = []
    for f in range(firms):
        row = {m.key: float(series.values[m.key][-1, f]) for m in MONITORS
               if m.key in series.values}
        row["npv_vs_twin"] = (float(series.values["npv"][-1, f]) - twin_npv[f]
                              if twin_npv is not None else math.nan)
        rows.append(row)
    return int(series.weeks[-1]), rows


def monitor_text(monitor: Monitor, value: float) -> str:
    """``33.1 %``, ``-2.4 M``; ``–`` for no value."""
    if not np.isfinite(value):
        return "–"
    return f"{value * monitor.scale:,.{monitor.decimals}f}{monitor.unit}"
