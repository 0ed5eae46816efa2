"""Figure 3: when does offshoring pay? Phase maps of the ten-year NPV difference.

Offshore to Morocco (preset ``offshore-morocco``, no practices) minus stay at
home, paired by replicate seed, over two planes:

* wage ratio (destination.hourly_cost / home.hourly_cost) x mean customer
  ethnocentrism (customers.ethnocentrism_mean; the stay-home run of each pair
  has the same ethnocentrism);
* wage ratio x first-contact-resolution gap. The gap is set by one handicap
  h in [0, 1] applied to the destination: language_fit = 1 - 0.4 h and
  customer_orientation = home - (home - 0.4) h (h = 0: the home profile). The
  axis shows the resulting gap in points of the model's expected first-contact
  resolution of a fully proficient agent (model.service formulas), home minus
  destination. The stay-home run does not depend on the destination.

Other parameters keep the preset's defaults (Morocco profile).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from experiments.research.common import (
    MILLION,
    Artefact,
    Job,
    Scale,
    distinct,
    fmt_ci,
    mean_ci,
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
from model.presets import scenario
from model.service import MISUNDERSTOOD_RESOLUTION, orientation_factor

NAME = "phase_maps"
OFFSHORE, HOME = "offshore-morocco", "stay-home"
LF_DROP, ORIENT_FLOOR = 0.4, 0.4


def wage_ratios(scale: Scale) -> np.ndarray:
    """Wage ratios of the maps (Morocco's preset is 13 / 22.5 = 0.58)."""
    return np.round(np.linspace(0.3, 0.9, scale.grid), 3)


def ethnocentrisms(scale: Scale) -> np.ndarray:
    """Mean customer ethnocentrism levels (preset 0.3)."""
    return np.round(np.linspace(0.1, 0.7, scale.grid), 3)


def handicaps(scale: Scale) -> np.ndarray:
    """Resolution handicap levels h in [0, 1]."""
    return np.round(np.linspace(0.0, 1.0, scale.grid), 3)


def handicap_overrides(h: float) -> dict[str, float]:
    """Destination language fit and orientation for handicap ``h``."""
    home = scenario(HOME).home
    return {"destination.language_fit": round(1.0 - LF_DROP * h, 4),
            "destination.customer_orientation":
                round(home.customer_orientation - (home.customer_orientation - ORIENT_FLOOR) * h,
                      4)}


def fcr_gap_points(h: float) -> float:
    """Home minus destination expected FCR (points) of fully proficient agents at ``h``."""
    o = handicap_overrides(h)
    return fcr_gap_points_for(o["destination.language_fit"],
                              o["destination.customer_orientation"])


def _cells(scale: Scale) -> list[tuple[str, float, float, dict, dict]]:
    """(map, x, y, offshore overrides, stay-home overrides) for every cell."""
    home_cost = scenario(HOME).home.hourly_cost
    cells = []
    for r in wage_ratios(scale):
        cost = {"destination.hourly_cost": round(float(r) * home_cost, 4)}
        for e in ethnocentrisms(scale):
            eth = {"customers.ethnocentrism_mean": float(e)}
            cells.append(("ethnocentrism", float(r), float(e), {**cost, **eth}, eth))
        for h in handicaps(scale):
            cells.append(("fcr_gap", float(r), float(h), {**cost, **handicap_overrides(h)}, {}))
    return cells


def _diffs(scale: Scale, workers: int) -> tuple[pd.DataFrame, list]:
    """Per cell and replicate: paired NPV, image and churn differences."""
    seeds = replicate_seeds(scale.replicates)
    jobs = []
    cells = _cells(scale)
    for i, (_, _, _, off, home) in enumerate(cells):
        for k, s in enumerate(seeds):
            jobs += [Job(params(OFFSHORE, scale, **off), s, k, f"off{i}"),
                     Job(params(HOME, scale, **home), s, k, f"home{i}")]
    runs = run_jobs(jobs, workers, NAME)
    rows = []
    for j in range(0, len(runs), 2):
        off, home = runs[j], runs[j + 1]
        m, x, y, _, _ = cells[int(off.label[3:])]
        rows.append({"map": m, "wage_ratio": x, "y": y, "replicate": off.replicate,
                     "seed": off.seed,
                     "npv_diff_m": (off.summary["npv"] - home.summary["npv"]) / MILLION,
                     "image_diff": off.summary["image_all"] - home.summary["image_all"],
                     "churn_diff_pp": 100 * (off.summary["churn_monthly"]
                                             - home.summary["churn_monthly"])})
    return pd.DataFrame(rows), runs


def _cell_table(d: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (m, x, y), g in d.groupby(["map", "wage_ratio", "y"], sort=True):
        mean, lo, hi = mean_ci(g["npv_diff_m"])
        rows.append({"map": m, "wage_ratio": x, "y": y,
                     "fcr_gap_points": fcr_gap_points(y) if m == "fcr_gap" else np.nan,
                     "n": len(g), "npv_diff_m": mean, "ci_low": lo, "ci_high": hi,
                     "share_positive": float((g["npv_diff_m"] > 0).mean()),
                     "image_diff": g["image_diff"].mean(),
                     "churn_diff_pp": g["churn_diff_pp"].mean()})
    return pd.DataFrame(rows)


def _md(cells: pd.DataFrame) -> pd.DataFrame:
    """Both maps as one Markdown table: mean NPV difference with its 95 % CI."""
    out = cells.copy()
    out["NPV offshore - home (M EUR) [95 % CI]"] = [
        fmt_ci(m, lo, hi, 1) for m, lo, hi in zip(out["npv_diff_m"], out["ci_low"],
                                                  out["ci_high"], strict=True)]
    out["y"] = [f"ethnocentrism {y:g}" if m == "ethnocentrism" else
                f"handicap {y:g} (FCR gap {g:.1f} pts)"
                for m, y, g in zip(out["map"], out["y"], out["fcr_gap_points"], strict=True)]
    out["share of replicates > 0"] = out["share_positive"].round(2)
    return out[["map", "wage_ratio", "y", "NPV offshore - home (M EUR) [95 % CI]",
                "share of replicates > 0"]]


def _heatmap(ax, cells: pd.DataFrame, m: str, ylabel: str, yvalues, norm, marker) -> object:
    t = cells[cells["map"] == m].pivot(index="y", columns="wage_ratio", values="npv_diff_m")
    x, y = t.columns.to_numpy(float), np.asarray(yvalues, float)
    mesh = ax.pcolormesh(x, y, t.to_numpy(), cmap="RdBu", norm=norm, shading="nearest",
                         rasterized=True)
    if t.to_numpy().min() < 0 < t.to_numpy().max() and len(x) > 1 and len(y) > 1:
        ax.contour(x, y, t.to_numpy(), levels=[0.0], colors="k", linewidths=1.5)
    for (yi, xi), v in np.ndenumerate(t.to_numpy()):
        ax.text(x[xi], y[yi], f"{v:+.1f}", ha="center", va="center", fontsize=8)
    ax.plot(*marker, marker="*", color="gold", markersize=14, markeredgecolor="k",
            linestyle="none", label="Morocco preset")
    ax.set_xlabel("wage ratio (destination / home hourly cost)")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper right", fontsize=8)
    return mesh


def _figure(cells: pd.DataFrame, folder: Path) -> list[str]:
    fig, axes = new_figure(1, 2, 12, 4.8)
    v = np.nanmax(np.abs(cells["npv_diff_m"].to_numpy())) or 1.0
    norm = TwoSlopeNorm(0.0, -v, v)
    p = scenario(OFFSHORE)
    ratio = p.destination.hourly_cost / p.home.hourly_cost
    eth = cells.loc[cells["map"] == "ethnocentrism", "y"].unique()
    mesh = _heatmap(axes[0], cells, "ethnocentrism", "mean customer ethnocentrism (0-1)", eth,
                    norm, (ratio, p.customers.ethnocentrism_mean))
    gaps = cells.loc[cells["map"] == "fcr_gap"].drop_duplicates("y")["fcr_gap_points"]
    morocco_gap = fcr_gap_points_for(p.destination.language_fit,
                                     p.destination.customer_orientation)
    _heatmap(axes[1], cells.assign(y=cells["fcr_gap_points"].where(
        cells["map"] == "fcr_gap", cells["y"])), "fcr_gap",
        "FCR gap, home - destination (points, proficient agents)", gaps.to_numpy(), norm,
        (ratio, morocco_gap))
    years = f"{cells.attrs.get('years', 10):g}-year"
    axes[0].set_title(f"{years} NPV difference vs ethnocentrism")
    axes[1].set_title(f"{years} NPV difference vs resolution gap")
    fig.colorbar(mesh, ax=axes, label="NPV offshore - stay home (M EUR), mean of paired runs")
    return save_figure(fig, folder, NAME)


def fcr_gap_points_for(language_fit: float, orientation: float) -> float:
    """FCR gap (points) of a destination profile, as on the map's axis."""
    p = scenario(OFFSHORE)

    def fcr(lf: float, o: float) -> float:
        return 100 * p.market.fcr_base * orientation_factor(o) * (
            lf + (1 - lf) * MISUNDERSTOOD_RESOLUTION)
    return fcr(p.home.language_fit, p.home.customer_orientation) - fcr(language_fit, orientation)


def _findings(cells: pd.DataFrame) -> dict:
    """Break-even facts read off the maps (for the results page)."""
    out: dict = {}
    for m in ("ethnocentrism", "fcr_gap"):
        c = cells[cells["map"] == m]
        pays = c[c["ci_low"] > 0]
        loses = c[c["ci_high"] < 0]
        out[m] = {"cells": int(len(c)), "cells_pay": int(len(pays)),
                  "cells_lose": int(len(loses)),
                  "max_ratio_that_pays": float(pays["wage_ratio"].max()) if len(pays) else None,
                  "best_npv_diff_m": float(c["npv_diff_m"].max()),
                  "worst_npv_diff_m": float(c["npv_diff_m"].min())}
        # per y level: highest wage ratio with a positive mean difference
        out[m]["break_even_ratio_by_y"] = {
            f"{y:g}": (float(g.loc[g["npv_diff_m"] > 0, "wage_ratio"].max())
                       if (g["npv_diff_m"] > 0).any() else None)
            for y, g in c.groupby("y")}
    return out


@timed
def build(scale: Scale, out_dir: Path, workers: int = 2) -> Artefact:
    """Run both phase maps and write the figure, the table and the metadata."""
    d, runs = _diffs(scale, workers)
    cells = _cell_table(d)
    cells.attrs["years"] = round(scale.weeks / 52, 1)
    files = save_figure_and_tables(cells, d, out_dir)
    return Artefact(
        name=NAME, title="When does offshoring pay? Phase maps of the ten-year NPV difference",
        caption=(f"Mean paired difference of NPV over {scale.weeks / 52:g} years, offshore to "
                 f"Morocco (70 %, no practices) minus staying home, {scale.replicates} "
                 "replicates per cell (common seeds). Black line: break-even (mean difference "
                 "0). Left: wage ratio x mean customer ethnocentrism. Right: wage ratio x "
                 "first-contact-resolution gap (destination language fit 1 - 0.4 h and "
                 "customer orientation from the home value down to 0.4 as the handicap h "
                 "goes 0 to 1; axis: resulting gap in points for proficient agents). Star: "
                 "the Morocco preset."),
        scale=scale_dict(scale), seeds=replicate_seeds(scale.replicates),
        replicates=scale.replicates, runs=distinct(runs),
        parameters={"offshore_scenario": OFFSHORE, "home_scenario": HOME,
                    "wage_ratios": wage_ratios(scale).tolist(),
                    "ethnocentrism_mean": ethnocentrisms(scale).tolist(),
                    "handicaps": handicaps(scale).tolist(),
                    "handicap_transform": {"destination.language_fit": "1 - 0.4 h",
                                           "destination.customer_orientation":
                                               "home - (home - 0.4) h"},
                    "home_hourly_cost": scenario(HOME).home.hourly_cost},
        files=files, findings=_findings(cells), run_seconds=total_seconds(runs))


def save_figure_and_tables(cells: pd.DataFrame, d: pd.DataFrame, out_dir: Path) -> list[str]:
    """Figure (PNG, SVG), cell table (CSV, Markdown) and per-replicate CSV."""
    files = _figure(cells, out_dir)
    files += save_table(cells, out_dir, NAME, _md(cells))
    d.to_csv(out_dir / f"{NAME}_replicates.csv", index=False)
    return files + [f"{NAME}_replicates.csv"]
