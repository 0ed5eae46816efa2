"""Figure 3: when does offshoring pay? Phase maps of the ten-year NPV difference.

Every cell is a pair of runs with the same replicate seeds (common random
numbers): an offshore scenario minus its stay-home twin, both with the same
home-side overrides. The x axis of every map is the in-house cost of a home
service hour, ``home.hourly_cost`` (ODD 7.13): from 26.5 EUR (a home service
already run by a French outsourcer, 25-28 EUR/h, AFRC) to 70 EUR (in-house
high, Assemblee nationale report 242); the preset is 55 (in-house 50-60 EUR/h,
AFRC). Four panels:

* ``stake_fcr``: y = the vendor's resolution handicap h in [0, 1]:
  language_fit = 1 - 0.4 h and customer_orientation = home - (home - 0.4) h
  (h = 0: the home profile), shown as the resulting gap in points of the
  model's expected first-contact resolution of a fully proficient agent
  (model.service formulas), home minus destination. Offshore-morocco vs
  stay-home; the stay-home twin does not depend on y (its runs are shared).
* ``stake_ethnocentrism``: y = ``customers.ethnocentrism_mean`` from 0.1 to 0.6
  (assumption range: no published level; Sharma 2012 gives only the
  direction); the stay-home twin gets the same ethnocentrism.
* ``stake_contacts``: y = calls per subscriber per year from 1.8 (Oliver Wyman
  2013, fixed) to 3.0 (a heavier-contact business, assumption; the preset's 2.5
  is Oliver Wyman's mobile figure), by scaling ``market.contact_rate_mass`` and
  ``market.contact_rate_premium`` by y / 2.5; both runs of the pair get it.
* ``markets``: one line per market scenario pair along that market's in-house
  hourly cost range: telecom, broadband and bank (France, 26.5-70 EUR) and the
  US telecom firm to India (28.5 $, an onshore outsourcer's rate, Site Selection
  Group 22-35 $, to 60 $, DMG Consulting: 30-60 $ per agent hour).

Each cell also records the stake: the stay-home twin's service cost over its
contribution margin over the horizon, service_cost / (revenue x (1 -
market.variable_cost_share)) from the run summary (model.metrics.summarise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from experiments.research.common import (
    MILLION,
    Artefact,
    Job,
    Scale,
    distinct,
    new_figure,
    params,
    replicate_seeds,
    run_jobs,
    save_figure,
    save_table,
    scale_dict,
    timed,
    total_seconds,
)
from experiments.stats import fmt_ci, mean_ci
from model.presets import scenario
from model.service import MISUNDERSTOOD_RESOLUTION, orientation_factor

NAME = "phase_maps"
OFFSHORE, HOME = "offshore-morocco", "stay-home"
LF_DROP, ORIENT_FLOOR = 0.4, 0.4
MAPS = ("stake_fcr", "stake_ethnocentrism", "stake_contacts", "markets")
HEAT_MAPS = MAPS[:3]
#: market -> (offshore scenario, stay-home twin, in-house hourly cost range)
MARKET_PAIRS: dict[str, tuple[str, str, tuple[float, float]]] = {
    "telecom": (OFFSHORE, HOME, (26.5, 70.0)),
    "broadband": ("broadband-offshore-morocco", "broadband-stay-home", (26.5, 70.0)),
    "bank": ("bank-offshore-morocco", "bank-stay-home", (26.5, 70.0)),
    "us": ("us-india", "us-stay-home", (28.5, 60.0)),
}
HOME_COST_RANGE = MARKET_PAIRS["telecom"][2]
ETHNO_RANGE = (0.1, 0.6)
CONTACTS_RANGE, PRESET_CONTACTS = (1.8, 3.0), 2.5  # calls per subscriber per year
CFI_GAP = 17.0  # points: CFI Group's domestic vs offshore first-contact resolution (67 vs 50 %)
CSV_COLUMNS = ["map", "x", "y", "y_label_value", "stake", "n", "npv_diff_m", "ci_low",
               "ci_high", "share_positive", "image_diff", "churn_diff_pp"]


# ------------------------------------------------------------------ axes
def home_costs(scale: Scale, lo_hi: tuple[float, float] = HOME_COST_RANGE) -> np.ndarray:
    """In-house hourly costs of a home service hour (x of every map), evenly spaced."""
    return np.round(np.linspace(lo_hi[0], lo_hi[1], scale.grid), 3)


def handicaps(scale: Scale) -> np.ndarray:
    """Resolution handicap levels h in [0, 1]."""
    return np.round(np.linspace(0.0, 1.0, scale.grid), 3)


def ethnocentrisms(scale: Scale) -> np.ndarray:
    """Mean customer ethnocentrism levels (preset 0.3)."""
    return np.round(np.linspace(*ETHNO_RANGE, scale.grid), 3)


def contacts(scale: Scale) -> np.ndarray:
    """Calls per subscriber per year (preset 2.5)."""
    return np.round(np.linspace(*CONTACTS_RANGE, scale.grid), 3)


def handicap_overrides(h: float) -> dict[str, float]:
    """Destination language fit and orientation for handicap ``h``."""
    home = scenario(HOME).home
    return {"destination.language_fit": round(1.0 - LF_DROP * h, 4),
            "destination.customer_orientation":
                round(home.customer_orientation - (home.customer_orientation - ORIENT_FLOOR) * h,
                      4)}


def contact_overrides(calls: float, name: str = HOME) -> dict[str, float]:
    """Contact rates of scenario ``name`` scaled to ``calls`` per subscriber-year."""
    m = scenario(name).market
    f = calls / PRESET_CONTACTS
    return {"market.contact_rate_mass": round(m.contact_rate_mass * f, 6),
            "market.contact_rate_premium": round(m.contact_rate_premium * f, 6)}


def fcr_gap_points_for(language_fit: float, orientation: float) -> float:
    """FCR gap (points) of a destination profile, as on the map's axis."""
    p = scenario(OFFSHORE)

    def fcr(lf: float, o: float) -> float:
        return 100 * p.market.fcr_base * orientation_factor(o) * (
            lf + (1 - lf) * MISUNDERSTOOD_RESOLUTION)
    return fcr(p.home.language_fit, p.home.customer_orientation) - fcr(language_fit, orientation)


def fcr_gap_points(h: float) -> float:
    """Home minus destination expected FCR (points) of fully proficient agents at ``h``."""
    o = handicap_overrides(h)
    return fcr_gap_points_for(o["destination.language_fit"],
                              o["destination.customer_orientation"])


def morocco_gap() -> float:
    """FCR gap (points) of the Morocco preset's destination profile."""
    d = scenario(OFFSHORE).destination
    return fcr_gap_points_for(d.language_fit, d.customer_orientation)


def equivalent_handicap(gap: float) -> float:
    """The handicap h whose gap equals ``gap`` points (linear in between, may exceed 1)."""
    hs = np.linspace(0.0, 1.0, 101)
    gaps = np.array([fcr_gap_points(h) for h in hs])
    if gap <= gaps[-1]:
        return float(np.interp(gap, gaps, hs))
    slope = (gaps[-1] - gaps[-2]) / (hs[-1] - hs[-2])
    return float(1.0 + (gap - gaps[-1]) / slope)


def presets() -> dict[str, dict[str, float]]:
    """Where each map's preset lies: x = preset home cost, y (and the plotted value)."""
    p = scenario(OFFSHORE)
    gap = morocco_gap()
    out = {"stake_fcr": {"x": p.home.hourly_cost, "y": round(equivalent_handicap(gap), 3),
                         "y_label_value": gap},
           "stake_ethnocentrism": {"x": p.home.hourly_cost,
                                   "y": p.customers.ethnocentrism_mean,
                                   "y_label_value": p.customers.ethnocentrism_mean},
           "stake_contacts": {"x": p.home.hourly_cost, "y": PRESET_CONTACTS,
                              "y_label_value": PRESET_CONTACTS}}
    out["markets"] = {m: {"x": scenario(off).home.hourly_cost}
                      for m, (off, _, _) in MARKET_PAIRS.items()}
    return out


# ------------------------------------------------------------------ cells and runs
@dataclass(frozen=True)
class Cell:
    """One design point: a scenario pair with its overrides."""

    map: str
    x: float
    y: Any                    # numeric level, or the market name for ``markets``
    y_label_value: Any
    offshore: str
    home: str
    off_overrides: dict = field(default_factory=dict)
    home_overrides: dict = field(default_factory=dict)


def cells(scale: Scale) -> list[Cell]:
    """Every cell of the four panels."""
    out = []
    for x in home_costs(scale):
        cost = {"home.hourly_cost": float(x)}
        for h in handicaps(scale):
            out.append(Cell("stake_fcr", float(x), float(h), fcr_gap_points(h), OFFSHORE, HOME,
                            {**cost, **handicap_overrides(h)}, cost))
        for e in ethnocentrisms(scale):
            o = {**cost, "customers.ethnocentrism_mean": float(e)}
            out.append(Cell("stake_ethnocentrism", float(x), float(e), float(e), OFFSHORE, HOME,
                            o, o))
        for c in contacts(scale):
            o = {**cost, **contact_overrides(float(c))}
            out.append(Cell("stake_contacts", float(x), float(c), float(c), OFFSHORE, HOME, o, o))
    for m, (off, home, lo_hi) in MARKET_PAIRS.items():
        for x in home_costs(scale, lo_hi):
            o = {"home.hourly_cost": float(x)}
            out.append(Cell("markets", float(x), m, m, off, home, o, o))
    return out


def stake(summary: dict[str, float], variable_cost_share: float) -> float:
    """Service cost over contribution margin over the horizon (from a run summary)."""
    margin = summary["revenue"] * (1.0 - variable_cost_share)
    return float(summary["service_cost"] / margin) if margin else float("nan")


def _diffs(scale: Scale, workers: int) -> tuple[pd.DataFrame, list]:
    """Per cell and replicate: paired NPV, image and churn differences and the stake.

    Identical runs (the stay-home twin of every ``stake_fcr`` cell at one home cost,
    the telecom line of ``markets``) have the same job key and are run once.
    """
    seeds = replicate_seeds(scale.replicates)
    grid = cells(scale)
    jobs = []
    for i, c in enumerate(grid):
        off_p = params(c.offshore, scale, **c.off_overrides)
        home_p = params(c.home, scale, **c.home_overrides)
        for k, s in enumerate(seeds):
            jobs += [Job(off_p, s, k, str(i)), Job(home_p, s, k, str(i))]
    runs = run_jobs(jobs, workers, NAME)
    rows = []
    for j in range(0, len(runs), 2):
        off, home = runs[j], runs[j + 1]
        c = grid[int(off.label)]
        vcs = jobs[j + 1].params.market.variable_cost_share
        rows.append({"map": c.map, "x": c.x, "y": c.y, "y_label_value": c.y_label_value,
                     "replicate": off.replicate, "seed": off.seed,
                     "npv_diff_m": (off.summary["npv"] - home.summary["npv"]) / MILLION,
                     "image_diff": off.summary["image_all"] - home.summary["image_all"],
                     "churn_diff_pp": 100 * (off.summary["churn_monthly"]
                                             - home.summary["churn_monthly"]),
                     "stake": stake(home.summary, vcs)})
    return pd.DataFrame(rows), runs


def _cell_table(d: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for m in MAPS:
        dm = d[d["map"] == m]
        for (x, y), g in dm.groupby(["x", "y"], sort=False):
            mean, lo, hi = mean_ci(g["npv_diff_m"])
            rows.append({"map": m, "x": x, "y": y, "y_label_value": g["y_label_value"].iloc[0],
                         "stake": g["stake"].mean(), "n": len(g), "npv_diff_m": mean,
                         "ci_low": lo, "ci_high": hi,
                         "share_positive": float((g["npv_diff_m"] > 0).mean()),
                         "image_diff": g["image_diff"].mean(),
                         "churn_diff_pp": g["churn_diff_pp"].mean()})
    return pd.DataFrame(rows, columns=CSV_COLUMNS)


# ------------------------------------------------------------------ findings
def break_even(x: Sequence[float], v: Sequence[float], s: Sequence[float] | None = None
               ) -> dict[str, Any]:
    """Where the mean difference ``v`` crosses 0 along ``x`` (linear interpolation).

    The first sign change along increasing x: ``x`` the crossing, ``stake`` the stake
    ``s`` interpolated there, ``pays_above`` True when the difference is positive above
    the crossing. Without a sign change all three are None.
    """
    order = np.argsort(np.asarray(x, float))
    xs, vs = np.asarray(x, float)[order], np.asarray(v, float)[order]
    ss = np.asarray(s, float)[order] if s is not None else None
    for i in range(len(xs) - 1):
        a, b = vs[i], vs[i + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if (a <= 0 < b) or (a >= 0 > b):
            t = (0.0 - a) / (b - a)
            xc = float(xs[i] + t * (xs[i + 1] - xs[i]))
            sc = float(ss[i] + t * (ss[i + 1] - ss[i])) if ss is not None else None
            return {"x": xc, "stake": sc, "pays_above": bool(b > a)}
    return {"x": None, "stake": None, "pays_above": None}


def _cell_facts(r: pd.Series) -> dict[str, Any]:
    return {"x": float(r["x"]), "y": r["y"] if isinstance(r["y"], str) else float(r["y"]),
            "npv_diff_m": float(r["npv_diff_m"]), "ci_low": float(r["ci_low"]),
            "ci_high": float(r["ci_high"])}


def _nearest(c: pd.DataFrame, x: float, y: float | None = None, ycol: str = "y") -> pd.Series:
    dx = (c["x"] - x).abs() / max(float(np.ptp(c["x"])), 1e-9)
    dist = dx if y is None else dx + (c[ycol].astype(float) - y).abs() / max(
        float(np.ptp(c[ycol].astype(float))), 1e-9)
    return c.loc[dist.idxmin()]


def findings(cells_t: pd.DataFrame) -> dict[str, Any]:
    """Break-even facts read off the maps (the narrative reads these)."""
    out: dict[str, Any] = {}
    pre = presets()
    for m in MAPS:
        c = cells_t[cells_t["map"] == m]
        if c.empty:
            continue
        f = {"cells": int(len(c)), "cells_pay": int((c["ci_low"] > 0).sum()),
             "cells_lose": int((c["ci_high"] < 0).sum()),
             "best_npv_diff_m": float(c["npv_diff_m"].max()),
             "worst_npv_diff_m": float(c["npv_diff_m"].min())}
        if m == "markets":
            f["preset"] = {k: _cell_facts(_nearest(c[c["y"] == k], pre[m][k]["x"]))
                           for k in MARKET_PAIRS if (c["y"] == k).any()}
        else:
            ycol = "y_label_value" if m == "stake_fcr" else "y"
            f["preset"] = _cell_facts(_nearest(c, pre[m]["x"], pre[m]["y_label_value"], ycol))
        f["break_even"] = [{"y": y if isinstance(y, str) else float(y),
                            **break_even(g["x"], g["npv_diff_m"], g["stake"])}
                           for y, g in c.groupby("y", sort=False)]
        out[m] = f
    tel = cells_t[(cells_t["map"] != "markets") | (cells_t["y"] == "telecom")]
    out["x_range"] = [float(tel["x"].min()), float(tel["x"].max())]
    out["stake_range"] = [float(tel["stake"].min()), float(tel["stake"].max())]
    return out


# ------------------------------------------------------------------ figure and tables
def markdown_frame(t: pd.DataFrame) -> pd.DataFrame:
    """All four panels as one Markdown table: mean NPV difference with its 95 % CI."""
    out = t.copy()
    out["home cost per hour"] = out["x"]

    def ylab(m: str, y: Any, v: Any) -> str:
        if m == "stake_fcr":
            return f"handicap {float(y):g} (FCR gap {float(v):.1f} pts)"
        if m == "stake_ethnocentrism":
            return f"ethnocentrism {float(y):g}"
        if m == "stake_contacts":
            return f"{float(y):g} calls/subscriber-year"
        return str(y)
    out["y"] = [ylab(m, y, v) for m, y, v in zip(out["map"], out["y"], out["y_label_value"],
                                                  strict=True)]
    out["service cost / margin"] = (100 * out["stake"]).map(lambda s: f"{s:.1f} %")
    out["NPV offshore - home (M) [95 % CI]"] = [
        fmt_ci(m, lo, hi, 1) for m, lo, hi in zip(out["npv_diff_m"], out["ci_low"],
                                                  out["ci_high"], strict=True)]
    out["share of replicates > 0"] = out["share_positive"].round(2)
    return out[["map", "home cost per hour", "y", "service cost / margin",
                "NPV offshore - home (M) [95 % CI]", "share of replicates > 0"]]


def _heatmap(ax, c: pd.DataFrame, ylabel: str, norm, marker: tuple[float, float]) -> object:
    t = c.pivot_table(index="y_label_value", columns="x", values="npv_diff_m")
    st = c.pivot_table(index="y_label_value", columns="x", values="stake")
    x, y, v = t.columns.to_numpy(float), t.index.to_numpy(float), t.to_numpy()
    mesh = ax.pcolormesh(x, y, v, cmap="RdBu", norm=norm, shading="nearest", rasterized=True)
    if np.nanmin(v) < 0 < np.nanmax(v) and len(x) > 1 and len(y) > 1:
        ax.contour(x, y, v, levels=[0.0], colors="k", linewidths=1.5)
    for (yi, xi), val in np.ndenumerate(v):
        ax.text(x[xi], y[yi], f"{val:+.1f}\n{100 * st.to_numpy()[yi, xi]:.0f} %", ha="center",
                va="center", fontsize=7)
    ax.plot(*marker, marker="*", color="gold", markersize=14, markeredgecolor="k",
            linestyle="none", label="Morocco preset")
    ax.set_xlabel("in-house cost of a home service hour (EUR)")
    ax.set_ylabel(ylabel)
    ax.set_xticks(x, [f"{v:g}" for v in x])
    top = ax.secondary_xaxis("top")
    top.set_xticks(x, [f"{100 * s:.0f} %" for s in st.mean(axis=0).to_numpy()])
    top.set_xlabel("service cost / margin (stay home, mean)", fontsize=8)
    ax.legend(loc="lower right", fontsize=7)
    return mesh


def _markets(ax, c: pd.DataFrame) -> None:
    pre = presets()["markets"]
    for m, g in c.groupby("y", sort=False):
        g = g.sort_values("x")
        cur = "$" if m == "us" else "EUR"
        line, = ax.plot(g["x"], g["npv_diff_m"], marker="o", label=f"{m} ({cur})")
        ax.fill_between(g["x"], g["ci_low"], g["ci_high"], color=line.get_color(), alpha=0.2)
        for x, v, s in zip(g["x"], g["npv_diff_m"], g["stake"], strict=True):
            ax.annotate(f"{100 * s:.0f} %", (x, v), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=6, color=line.get_color())
        ax.axvline(pre[m]["x"], color=line.get_color(), linestyle=":", linewidth=1)
    ax.axhline(0.0, color="k", linewidth=1)
    ax.set_xlabel("in-house cost of a home service hour (EUR; $ for the US)")
    ax.set_ylabel("NPV offshore - stay home (M, market's currency)")
    ax.set_title("By market (labels: service cost / margin; dotted: preset)")
    ax.legend(fontsize=7)


def _figure(t: pd.DataFrame, folder: Path, years: float) -> list[str]:
    fig, axes = new_figure(2, 2, 13, 10)
    heat = t[t["map"].isin(HEAT_MAPS)]
    v = np.nanmax(np.abs(heat["npv_diff_m"].to_numpy())) if len(heat) else 1.0
    norm = TwoSlopeNorm(0.0, -(v or 1.0), v or 1.0)
    pre = presets()
    labels = {"stake_fcr": "FCR gap, home - destination (points, proficient agents)",
              "stake_ethnocentrism": "mean customer ethnocentrism (0-1)",
              "stake_contacts": "calls per subscriber per year"}
    titles = {"stake_fcr": "vs resolution gap", "stake_ethnocentrism": "vs ethnocentrism",
              "stake_contacts": "vs contact rate"}
    mesh = None
    for ax, m in zip(axes[:3], HEAT_MAPS, strict=True):
        mesh = _heatmap(ax, t[t["map"] == m], labels[m], norm,
                        (pre[m]["x"], pre[m]["y_label_value"]))
        ax.set_title(f"{years:g}-year NPV difference {titles[m]}")
    _markets(axes[3], t[t["map"] == "markets"])
    if mesh is not None:
        fig.colorbar(mesh, ax=axes[:3].tolist(),
                     label="NPV offshore - stay home (M EUR), mean of paired runs")
    return save_figure(fig, folder, NAME)


def save_figure_and_tables(t: pd.DataFrame, d: pd.DataFrame, out_dir: Path,
                           years: float = 10.0) -> list[str]:
    """Figure (PNG, SVG), cell table (CSV, Markdown) and per-replicate CSV."""
    files = _figure(t, out_dir, years)
    files += save_table(t, out_dir, NAME, markdown_frame(t))
    d.to_csv(out_dir / f"{NAME}_replicates.csv", index=False)
    return files + [f"{NAME}_replicates.csv"]


@timed
def build(scale: Scale, out_dir: Path, workers: int = 2) -> Artefact:
    """Run the four panels and write the figure, the tables and the metadata."""
    d, runs = _diffs(scale, workers)
    t = _cell_table(d)
    years = round(scale.weeks / 52, 1)
    files = save_figure_and_tables(t, d, out_dir, years)
    gap, h = morocco_gap(), equivalent_handicap(morocco_gap())
    cfi_h = equivalent_handicap(CFI_GAP)
    return Artefact(
        name=NAME, title="When does offshoring pay? The NPV difference along the stake",
        caption=(f"Mean paired difference of NPV over {years:g} years, offshore minus the "
                 f"stay-home twin (same home-side settings, common seeds), {scale.replicates} "
                 "replicates per cell; cell labels: the mean difference (M EUR) and the stake, "
                 "the stay-home firm's service cost over its contribution margin (top axis: "
                 "its mean per column). x: the in-house cost of a home service hour, 26.5 EUR "
                 "(a service already with a French outsourcer, 25-28 EUR/h, AFRC) to 70 EUR "
                 "(Assemblee nationale); preset 55 (in-house 50-60 EUR/h, AFRC). Black line: "
                 "break-even (mean difference 0). Star: the Morocco preset. Top left: the "
                 "vendor's resolution handicap h (language fit 1 - 0.4 h, orientation from "
                 "the home value to 0.4) as the resulting FCR gap of proficient agents; the "
                 f"Morocco preset's profile gives {gap:.1f} points (h = {h:.2f}); CFI's "
                 f"observed 17-point offshore gap would need h = {cfi_h:.2f}, beyond the map "
                 "(h = 1 gives "
                 f"{fcr_gap_points(1.0):.1f} points; the observed gap also includes the "
                 "learning curve). Top right: mean customer ethnocentrism 0.1-0.6 (assumption "
                 "range, no published level; Sharma 2012 gives the direction only). Bottom "
                 "left: calls per subscriber per year 1.8 (fixed) to 3.0 (assumption), 2.5 "
                 "mobile (Oliver Wyman 2013), both contact rates scaled together. Bottom "
                 "right: each market pair along its in-house cost range (US: 28.5 $, onshore "
                 "outsourcer rate, Site Selection Group, to 60 $, DMG Consulting), band: "
                 "95 % CI, labels: the stake."),
        scale=scale_dict(scale), seeds=replicate_seeds(scale.replicates),
        replicates=scale.replicates, runs=distinct(runs),
        parameters={"offshore_scenario": OFFSHORE, "home_scenario": HOME,
                    "x": "home.hourly_cost",
                    "home_hourly_cost": home_costs(scale).tolist(),
                    "handicaps": handicaps(scale).tolist(),
                    "fcr_gap_points": [fcr_gap_points(h) for h in handicaps(scale)],
                    "handicap_transform": {"destination.language_fit": "1 - 0.4 h",
                                           "destination.customer_orientation":
                                               "home - (home - 0.4) h"},
                    "morocco_fcr_gap_points": gap, "morocco_equivalent_handicap": h,
                    "cfi_gap_points": CFI_GAP, "cfi_equivalent_handicap": cfi_h,
                    "ethnocentrism_mean": ethnocentrisms(scale).tolist(),
                    "calls_per_subscriber_year": contacts(scale).tolist(),
                    "contact_rate_scaling": "preset rates x calls / 2.5",
                    "markets": {m: {"offshore": off, "home": home,
                                    "home_hourly_cost": home_costs(scale, r).tolist(),
                                    "currency": scenario(home).market.currency}
                                for m, (off, home, r) in MARKET_PAIRS.items()},
                    "stake": "stay-home service_cost / (revenue x (1 - "
                             "market.variable_cost_share)) over the horizon",
                    "preset_home_hourly_cost": scenario(HOME).home.hourly_cost},
        files=files, findings=findings(t), run_seconds=total_seconds(runs))
