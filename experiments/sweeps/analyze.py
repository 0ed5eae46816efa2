"""``offshoring analyze DIR``: intervals per design point, Morris or Sobol' indices, plots.

For every design point: the mean of each outcome over the replicates that ran
without error, and a Student-t confidence interval (scipy) of that mean.

Sensitivity indices use the mean over replicates of each design point, not the
single runs. The model is stochastic: with one replicate, an elementary effect
(Morris) is the parameter's effect plus the difference of two runs' noise
divided by the step, which inflates sigma for every factor and gives weak
factors a mu* of the order of noise/step; Sobol' indices likewise count noise
variance as "explained" by whichever factor changed. Averaging R replicates
divides that noise variance by R (common random numbers remove more of it).

Plots use matplotlib's object API (``Figure``, Agg canvas): no pyplot, no window.
Written into ``DIR/analysis/``: ``points.csv`` (per point and outcome),
``morris.csv`` or ``sobol.csv`` or ``spearman.csv``, ``summary.md`` (Markdown
tables) and PNG plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from rich.console import Console
from rich.table import Table
from scipy import stats

from experiments.markdown import cell, md_table
from experiments.stats import describe
from experiments.sweeps.spec import UNIT
from experiments.sweeps.store import read_design, read_manifest, read_runs
from model.params import ParameterError

INDEX_COLUMNS = {"morris": ["mu_star", "mu_star_conf", "mu", "sigma"],
                 "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
                 "spearman": ["rho", "p_value"]}
SORT_KEY = {"morris": "mu_star", "sobol": "ST", "spearman": "rho"}  # most important first
MAX_MD_POINTS = 100  # longer per-point tables go to points.csv only


@dataclass
class Analysis:
    """Everything ``analyze`` computed and wrote."""

    root: Path
    manifest: dict[str, Any]
    outcomes: list[str]
    points: pd.DataFrame
    method: str
    indices: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


# ------------------------------------------------------------------ per design point
def point_summary(runs: pd.DataFrame, names: list[str], outcomes: list[str],
                  conf_level: float = 0.95) -> pd.DataFrame:
    """Per design point and outcome: n, mean, sd and the t interval of the mean.

    Only runs with ``status == "ok"`` and a finite value count; the interval is
    NaN with fewer than two values.
    """
    ok = runs[runs["status"] == "ok"]
    firsts = runs.groupby("point", sort=True)[names].first()
    rows = []
    for outcome in outcomes:
        for point, values in ok.groupby("point", sort=True)[outcome]:
            rows.append({"point": point, "outcome": outcome,
                         **describe(values.to_numpy(float), conf_level)})
    table = pd.DataFrame(rows, columns=["point", "outcome", "n", "mean", "sd", "ci_low",
                                        "ci_high"])
    return firsts.reset_index().merge(table, on="point", how="right")


def replicate_means(runs: pd.DataFrame, outcome: str, n_points: int) -> np.ndarray:
    """Mean of ``outcome`` over the successful replicates of each point (NaN if none)."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point")[outcome].mean()
    return means.reindex(range(n_points)).to_numpy(float)


# ------------------------------------------------------------------ indices
def morris_indices(unit: np.ndarray, names: list[str], y: np.ndarray, levels: int,
                   conf_level: float, resamples: int, seed: int) -> tuple[pd.DataFrame, str]:
    """Morris mu*, its bootstrap interval, mu and sigma (SALib) of point means ``y``.

    Trajectories with a missing point (all its runs failed) are left out; the
    note says how many. Indices are per unit of the parameter's swept range.
    """
    from SALib.analyze import morris

    d = len(names)
    traj = y.reshape(-1, d + 1)
    keep = np.isfinite(traj).all(axis=1)
    note = "" if keep.all() else (f"{int((~keep).sum())} of {len(keep)} trajectories "
                                  "left out (a point without a successful run)")
    if keep.sum() < 2:
        raise ParameterError(f"Morris needs 2 complete trajectories, {int(keep.sum())} left")
    X = unit.reshape(-1, d + 1, d)[keep].reshape(-1, d)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    si = morris.analyze(problem, X, traj[keep].ravel(), num_resamples=resamples,
                        conf_level=conf_level, num_levels=levels, seed=seed)
    table = pd.DataFrame({"parameter": names, **{k: np.asarray(si[k], float)
                                                 for k in INDEX_COLUMNS["morris"]}})
    return table, note


def sobol_indices(names: list[str], y: np.ndarray, conf_level: float, resamples: int,
                  seed: int) -> tuple[pd.DataFrame, str]:
    """First-order and total Sobol' indices with bootstrap intervals (SALib)."""
    from SALib.analyze import sobol

    if not np.isfinite(y).all():
        raise ParameterError(f"Sobol' indices need every point: {int((~np.isfinite(y)).sum())}"
                             " points have no successful run")
    d = len(names)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=resamples,
                       conf_level=conf_level, seed=seed)
    return pd.DataFrame({"parameter": names, **{k: np.asarray(si[k], float)
                                                for k in INDEX_COLUMNS["sobol"]}}), ""


def spearman_indices(unit: np.ndarray, names: list[str], y: np.ndarray) -> tuple[pd.DataFrame,
                                                                                   str]:
    """Spearman rank correlation of each parameter with the point means (grid, lhs)."""
    ok = np.isfinite(y)
    rows = []
    for j, name in enumerate(names):
        res = stats.spearmanr(unit[ok, j], y[ok]) if ok.sum() > 2 else None
        rows.append({"parameter": name, "rho": float(res.statistic) if res else np.nan,
                     "p_value": float(res.pvalue) if res else np.nan})
    return pd.DataFrame(rows), ""


def _indices(method: str, spec: dict[str, Any], unit: np.ndarray, names: list[str],
             y: np.ndarray, conf_level: float, resamples: int,
             seed: int) -> tuple[pd.DataFrame, str]:
    if method == "morris":
        return morris_indices(unit, names, y, spec["levels"], conf_level, resamples, seed)
    if method == "sobol":
        return sobol_indices(names, y, conf_level, resamples, seed)
    return spearman_indices(unit, names, y)


# ------------------------------------------------------------------ the command
def bootstrap_seed(spec_seed: int) -> int:
    """Seed of the indices' bootstrap for a sweep of seed ``spec_seed`` (its third child)."""
    return int(np.random.SeedSequence(spec_seed).spawn(3)[2].generate_state(1)[0])


def analyze(root: Path, outcomes: list[str] | None = None, conf_level: float = 0.95,
            resamples: int = 1000, plots: bool = True) -> Analysis:
    """Analyse a sweep folder and write tables and plots into ``root/analysis``."""
    manifest = read_manifest(root)
    spec = manifest["spec"]
    names = list(manifest["parameters"])
    outcomes = _check_outcomes(outcomes, manifest["outcomes"])
    runs, design = read_runs(root), read_design(root)
    if not (runs["status"] == "ok").any():
        raise ParameterError(f"'{root}' holds no successful run to analyse")
    unit = design[[UNIT + n for n in names]].to_numpy(float)
    method = spec["design"] if spec["design"] in ("morris", "sobol") else "spearman"
    seed = bootstrap_seed(spec["seed"])
    result = Analysis(root, manifest, outcomes, point_summary(runs, names, outcomes, conf_level),
                      method, pd.DataFrame())
    tables = []
    for outcome in outcomes:
        y = replicate_means(runs, outcome, len(design))
        try:
            table, note = _indices(method, spec, unit, names, y, conf_level, resamples, seed)
        except ParameterError as err:
            result.notes.append(f"{outcome}: {err}")
            continue
        if note:
            result.notes.append(f"{outcome}: {note}")
        key = table[SORT_KEY[method]].abs()
        tables.append(table.iloc[np.argsort(-key.to_numpy(), kind="stable")]
                      .assign(outcome=outcome))
    if tables:
        result.indices = pd.concat(tables, ignore_index=True)[
            ["outcome", "parameter", *INDEX_COLUMNS[method]]]
    _write(result, runs, conf_level, plots)
    return result


def _check_outcomes(asked: list[str] | None, kept: list[str]) -> list[str]:
    for name in asked or []:
        if name not in kept:
            raise ParameterError(f"outcome '{name}' is not in this sweep: kept "
                                 f"{', '.join(kept)}")
    return list(asked or kept)


# ------------------------------------------------------------------ files
def _write(result: Analysis, runs: pd.DataFrame, conf_level: float, plots: bool) -> None:
    out = result.root / "analysis"
    out.mkdir(exist_ok=True)
    paths = [out / "points.csv", out / f"{result.method}.csv", out / "summary.md"]
    result.points.to_csv(paths[0], index=False)
    result.indices.to_csv(paths[1], index=False)
    paths[2].write_text(markdown(result, runs, conf_level))
    if plots:
        for outcome in result.outcomes:
            paths.append(_plot(result, outcome, out))
    result.files = paths


def markdown(result: Analysis, runs: pd.DataFrame, conf_level: float) -> str:
    """summary.md: what was run, the indices and the per-point intervals."""
    m, spec = result.manifest, result.manifest["spec"]
    ok = int((runs["status"] == "ok").sum())
    title = {"morris": "Morris elementary effects (per unit of swept range)",
             "sobol": "Sobol' indices (first order and total)",
             "spearman": "Spearman rank correlation with the point means"}[result.method]
    parts = [f"# Sweep '{m['name']}'", "",
             f"{spec['design']} design, {m['points']} points x {m['replicates']} replicates; "
             f"{ok} runs ok, {len(runs) - ok} failed, {m['runs'] - len(runs)} not run. "
             f"Scenario {spec['scenario']}, code {m['code_version']}.", "",
             f"## {title}", "",
             "Computed on the mean over replicates of each design point; " + (
                 "p-values of scipy.stats.spearmanr." if result.method == "spearman" else
                 f"bootstrap intervals (half-widths) at {conf_level:.0%}."), ""]
    for outcome, table in result.indices.groupby("outcome", sort=False):
        parts += [f"### {outcome}", "", md_table(table.drop(columns="outcome")).rstrip("\n"), ""]
    parts += [f"- {note}" for note in result.notes] + [""] if result.notes else []
    parts += [f"## Per design point (mean and {conf_level:.0%} t interval over replicates)", ""]
    wide = _wide_points(result)
    if len(wide) > MAX_MD_POINTS:
        parts += [f"First {MAX_MD_POINTS} of {len(wide)} points (all in points.csv).", ""]
    parts += [md_table(wide.head(MAX_MD_POINTS)).rstrip("\n"), ""]
    return "\n".join(parts)


def _wide_points(result: Analysis) -> pd.DataFrame:
    names = list(result.manifest["parameters"])
    p = result.points
    wide = p.drop_duplicates("point")[["point", *names]].set_index("point")
    wide.insert(0, "n", p.groupby("point")["n"].max())
    for outcome in result.outcomes:
        d = p[p["outcome"] == outcome].set_index("point")
        wide[outcome] = [f"{cell(r['mean'])} [{cell(r['ci_low'])}, {cell(r['ci_high'])}]"
                         for _, r in d.iterrows()]
    return wide.reset_index()


def _plot(result: Analysis, outcome: str, out: Path) -> Path:
    path = out / f"{result.method}_{outcome}.png"
    table = result.indices[result.indices["outcome"] == outcome] if len(result.indices) \
        else pd.DataFrame()
    if result.method in ("morris", "sobol") and len(table):
        fig = _plot_morris(table, outcome) if result.method == "morris" \
            else _plot_sobol(table, outcome)
    else:
        fig = _plot_points(result, outcome)
        path = out / f"points_{outcome}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")  # Agg canvas: no window, no pyplot
    return path


def _plot_morris(t: pd.DataFrame, outcome: str) -> Figure:
    fig = Figure(figsize=(6, 4.5))
    ax = fig.subplots()
    ax.errorbar(t["mu_star"], t["sigma"], xerr=t["mu_star_conf"], fmt="o", capsize=3)
    for _, r in t.iterrows():
        ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=8,
                    xytext=(4, 4), textcoords="offset points")
    ax.set(xlabel="mu* (per unit of swept range)", ylabel="sigma",
           title=f"Morris screening: {outcome}")
    ax.grid(alpha=0.3)
    return fig


def _plot_sobol(t: pd.DataFrame, outcome: str) -> Figure:
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    x = np.arange(len(t))
    ax.bar(x - 0.2, t["S1"], 0.4, yerr=t["S1_conf"], label="S1", capsize=3)
    ax.bar(x + 0.2, t["ST"], 0.4, yerr=t["ST_conf"], label="ST", capsize=3)
    ax.set_xticks(x, t["parameter"], rotation=30, ha="right", fontsize=8)
    ax.set(ylabel="index", title=f"Sobol' indices: {outcome}")
    ax.legend()
    return fig


def _plot_points(result: Analysis, outcome: str) -> Figure:
    names = list(result.manifest["parameters"])
    p = result.points[result.points["outcome"] == outcome]
    fig = Figure(figsize=(3.2 * len(names), 3.2))
    axes = fig.subplots(1, len(names), squeeze=False, sharey=True)
    for ax, name in zip(axes[0], names, strict=True):
        x = p[name].astype(str) if p[name].dtype == object or p[name].dtype == bool \
            else p[name]
        err = np.vstack([p["mean"] - p["ci_low"], p["ci_high"] - p["mean"]])
        ax.errorbar(x, p["mean"], yerr=np.nan_to_num(err), fmt="o", alpha=0.7, capsize=2)
        ax.set_xlabel(name, fontsize=8)
    axes[0][0].set_ylabel(outcome)
    fig.suptitle(f"{outcome}: point means and intervals")
    return fig


# ------------------------------------------------------------------ console
def print_report(result: Analysis, console: Console | None = None) -> None:
    """Indices as rich tables (sorted by importance), notes and the files written."""
    console = console or Console(width=max(100, Console().width))
    cols = INDEX_COLUMNS[result.method]
    for outcome, t in result.indices.groupby("outcome", sort=False):
        table = Table(title=f"{result.method}: {outcome}")
        table.add_column("parameter", no_wrap=True, min_width=max(map(len, t["parameter"])))
        for c in cols:
            table.add_column(c, justify="right")
        for _, r in t.iterrows():
            table.add_row(r["parameter"], *(cell(r[c]) for c in cols))
        console.print(table)
    for note in result.notes:
        console.print(f"note: {note}")
    console.print(f"wrote {', '.join(str(p.name) for p in result.files)} in "
                  f"{result.root / 'analysis'}")
