"""The explore pipeline: worlds -> patterns (ABC rejection) -> strategies -> answers.

``explore(spec, out, executor)`` runs (or resumes) both stages as jobs of the sweep
engine (``execute``: ``run_jobs`` into the folder's ``JobStore``) and then
``analyse(spec, out, store)`` writes the small result files:

===========================  ==========================================================
``worlds.csv``               every sampled world: seed, parameters, pattern values,
                             pass/fail per pattern, ``accepted``
``accepted_worlds.csv``      the plausible worlds only (same columns)
``patterns.csv``             per pattern: band, used or reported only, worlds passed,
                             rejected, not computable, rejected by it alone
``constrained.csv``          parameters each pattern constrains (KS test, pass range)
``posterior.csv``            prior range and the accepted worlds' 5-50-95 % quantiles
``outcomes.csv``             per plausible world and strategy: metrics, differences to
                             the baseline, regret
``strategies.csv``           per strategy: P(beats the baseline) [CI], NPV difference
                             and regret distributions, image/churn/CSAT effects
``prim_boxes.csv``           the chosen PRIM box per strategy: coverage, density, limits
``prim_trajectories.csv``    every PRIM peeling trajectory (the trade-off curves)
``cart_leaves.csv``          CART leaves per strategy
``explore.png/.svg``         the answers figure; ``prim_tradeoff.png``: trade-off curves
``summary.json``             sizes, acceptance, timings, workers, code version, spec
``explore.md``               the report section (``report.section``)
===========================  ==========================================================

The run store (``experiments.sweeps.jobs.JobStore``: Parquet ``runs/`` and
``timeseries/``) is ``out/store/`` and carries its own ``.gitignore``.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.explore import accept as abc
from experiments.explore.answers import METRICS, figure, paired, strategy_table
from experiments.explore.discover import cart_leaves, in_words, prim_box
from experiments.explore.execute import (
    STORE,
    open_store,
    pattern_jobs,
    pattern_values,
    run,
    run_seconds,
    settled,
    strategy_jobs,
    strategy_runs,
)
from experiments.explore.spec import ExploreSpec
from experiments.explore.worlds import sample_worlds
from experiments.provenance import code_version_text
from experiments.sweeps.executors import SweepReport
from experiments.sweeps.jobs import JobStore
from model.params import ParameterError

LABELS = {"stay-home": "Stay home", "offshore-morocco": "Offshore Morocco",
          "offshore-morocco-practices": "Offshore Morocco + practices",
          "offshore-tunisia": "Offshore Tunisia", "offshore-romania": "Offshore Romania",
          "tiered-morocco": "Tiered Morocco", "outsource-france": "Outsource (France)",
          "cost-driven-morocco": "Cost-driven Morocco", "adaptive-morocco": "Adaptive Morocco"}
OBSERVABLE_LABELS = {
    "service_cost_share": ("obs.service_cost_share_pct", 100.0,
                           "service costs as a share of revenue at home (%)"),
    "churn_monthly": ("obs.churn_pct", 100.0, "monthly churn at home (%)"),
    "csat": ("obs.csat", 1.0, "CSAT at home"),
    "image_all": ("obs.image", 1.0, "brand image at home"),
    "npv": ("obs.npv_m", 1e-6, "ten-year NPV at home (million)"),
}


def label(strategy: str) -> str:
    return LABELS.get(strategy, strategy.replace("-", " ").capitalize())


# ------------------------------------------------------------------ manifest
def _manifest(out: Path, spec: ExploreSpec) -> dict[str, Any]:
    """Read or create ``out/manifest.json``; refuse a folder of another spec."""
    path = out / "manifest.json"
    if path.exists():
        try:
            m = json.loads(path.read_text())
        except (OSError, ValueError):
            raise ParameterError(f"--out '{out}': manifest.json is unreadable; use another "
                                 "folder") from None
        if m.get("digest") != spec.digest():
            raise ParameterError(f"--out '{out}' holds an explore of another spec (its worlds, "
                                 "strategies or sizes differ); use another folder")
        have = set(m.get("computed_patterns", spec.computed_patterns))
        if not set(spec.computed_patterns) <= have:
            raise ParameterError(f"--out '{out}' was run without pattern(s) "
                                 f"{sorted(set(spec.computed_patterns) - have)} of abc.patterns; "
                                 "use another folder")
        return m
    out.mkdir(parents=True, exist_ok=True)
    m = {"digest": spec.digest(), "computed_patterns": list(spec.computed_patterns),
         "spec": asdict(spec), "sessions": []}
    _write_json(path, m)
    return m


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str, allow_nan=True))
    tmp.replace(path)


@dataclass
class Outcome:
    """What ``explore`` did: exit status and the lines to print."""

    status: int
    lines: list[str]


# ------------------------------------------------------------------ the pipeline
def explore(spec: ExploreSpec, out: str | Path, executor: cf.Executor, *, workers: int = 1,
            scheduler: str | None = None, progress: bool = True) -> Outcome:
    """Run or resume ``spec`` into ``out`` on ``executor`` (``workers`` runs at a time;
    ``scheduler`` is recorded) and write the results (see the module doc)."""
    out = Path(out)
    manifest = _manifest(out, spec)
    worlds = sample_worlds(spec)
    t0 = time.perf_counter()
    session = {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "workers": workers, "scheduler": scheduler, "code": code_version_text()}
    reports: list[SweepReport] = []

    def stage(jobs: list, name: str) -> SweepReport:
        t1 = time.perf_counter()
        rep = run(jobs, store, executor, workers, f"{spec.name} {name}", progress)
        session[f"{name}_seconds"] = round(time.perf_counter() - t1, 1)
        reports.append(rep)
        return rep

    with open_store(out) as store:
        pjobs = pattern_jobs(spec, worlds)
        if pjobs and not settled(rep := stage(pjobs, "patterns")):
            return _stop(out, manifest, session, t0, rep, "pattern runs")
        flags = _flags(spec, pattern_values(spec, store, pjobs, worlds))
        sjobs = strategy_jobs(spec, worlds[flags["accepted"].to_numpy()])
        if not settled(rep := stage(sjobs, "strategies")):
            return _stop(out, manifest, session, t0, rep, "strategy runs")
        ran = sum(r.ok + r.failed for r in reports)
        skipped = sum(r.skipped for r in reports)
        session["seconds"] = round(time.perf_counter() - t0, 1)
        session["runs"] = ran
        manifest["sessions"].append(session)
        _write_json(out / "manifest.json", manifest)
        summary = analyse(spec, out, store)
        failed = store.errors(job.key for job in [*pjobs, *sjobs])
    lines = [f"done: {summary['worlds']} worlds, {summary['accepted']} plausible "
             f"({100 * summary['acceptance']:.1f} %), {summary['lever_runs']} strategy runs "
             f"in {out} ({ran} run(s) now, {skipped} already stored; "
             f"{session['seconds']:.0f} s this invocation)"]
    if failed:
        lines.append(f"warning: {len(failed)} run(s) failed, e.g. {next(iter(failed.values()))}"
                     "; their worlds are left out (re-run to retry them)")
    return Outcome(0, lines)


def _stop(out: Path, manifest: dict, session: dict, t0: float, rep: SweepReport, what: str
          ) -> Outcome:
    session["seconds"] = round(time.perf_counter() - t0, 1)
    session["stopped"] = "interrupted" if rep.interrupted else "incomplete"
    manifest["sessions"].append(session)
    _write_json(out / "manifest.json", manifest)
    head = "interrupted" if rep.interrupted else "incomplete"
    msg = (f"{head}: {rep.done_in_store}/{rep.total} {what} stored in {out}; "
           "re-run to resume")
    lines = [msg] + [f"warning: {m}" for m in rep.lost_messages[:1]]
    return Outcome(130 if rep.interrupted else 1, lines)


def _flags(spec: ExploreSpec, values: pd.DataFrame) -> pd.DataFrame:
    bands = {abc.column(n): abc.pattern(n).tolerance for n in spec.computed_patterns}
    flags = abc.accept(values, bands, [abc.column(n) for n in spec.patterns])
    if "status" in values:
        flags["accepted"] &= (values["status"] == "ok").to_numpy()
    return flags


# ------------------------------------------------------------------ analysis and files
def reanalyse(spec: ExploreSpec, out: str | Path) -> dict[str, Any]:
    """``--analyse-only``: rewrite the result files of ``out`` from its run store."""
    out = Path(out)
    if not (out / "manifest.json").exists():
        raise ParameterError(f"--out '{out}' holds no explore run (no manifest.json)")
    if not (out / STORE / "manifest.json").exists():
        raise ParameterError(f"--out '{out}' holds no run store ({out / STORE} is missing)")
    _manifest(out, spec)  # refuses another spec's folder
    with open_store(out) as store:
        return analyse(spec, out, store)


def analyse(spec: ExploreSpec, out: str | Path, store: JobStore) -> dict[str, Any]:
    """Write every result file of ``out`` from ``store``; return the summary."""
    out = Path(out)
    names = [u.name for u in spec.uncertainties]
    worlds = sample_worlds(spec)
    pjobs = pattern_jobs(spec, worlds)
    values = pattern_values(spec, store, pjobs, worlds)
    flags = _flags(spec, values)
    table = worlds.copy()
    for c in values.columns.drop("world"):
        table[c] = values[c].to_numpy()
    for c in flags.columns:
        table[("pass_" + c) if c != "accepted" else c] = flags[c].to_numpy()
    table.to_csv(out / "worlds.csv", index=False, float_format="%.6g")
    table[table["accepted"]].to_csv(out / "accepted_worlds.csv", index=False,
                                    float_format="%.6g")
    use, report = list(spec.patterns), list(spec.computed_patterns)
    rej = abc.rejection_table(values, flags, use, report) if report else pd.DataFrame()
    rej.to_csv(out / "patterns.csv", index=False, float_format="%.6g")
    cons = abc.constrained(worlds, flags, names, report) if report else pd.DataFrame()
    cons.to_csv(out / "constrained.csv", index=False, float_format="%.6g")
    accepted = flags["accepted"]
    post = abc.posterior_ranges(worlds, accepted, names)
    post.to_csv(out / "posterior.csv", index=False, float_format="%.6g")

    sjobs = strategy_jobs(spec, worlds[accepted.to_numpy()])
    runs = strategy_runs(store, sjobs)
    pairs = paired(runs, spec.baseline, spec.strategies) if len(runs) else pd.DataFrame(
        columns=["world", "label", *METRICS, "npv_diff", "regret", "best", "beats_baseline"])
    pairs.to_csv(out / "outcomes.csv", index=False, float_format="%.6g")
    strat = strategy_table(pairs, spec.baseline, spec.strategies, spec.conf, spec.ci)
    strat.insert(1, "label", [label(s) for s in strat["strategy"]])
    strat.to_csv(out / "strategies.csv", index=False, float_format="%.6g")
    if len(pairs):
        fig = figure(pairs, strat, spec.baseline, LABELS)
        fig.savefig(out / "explore.png", dpi=110)
        fig.savefig(out / "explore.svg")

    boxes = _discovery(spec, worlds, pairs, names, out)
    pattern_s, pattern_n = run_seconds(store, pjobs)
    strategy_s, strategy_n = run_seconds(store, sjobs)
    summary = {
        "name": spec.name, "worlds": spec.worlds, "sampler": spec.sampler, "seed": spec.seed,
        "customers": spec.customers, "weeks": spec.weeks, "burn_in": spec.burn_in,
        "abc_weeks": spec.abc_weeks, "uncertainties": [asdict(u) for u in spec.uncertainties],
        "strategies": list(spec.strategies), "baseline": spec.baseline,
        "patterns_used": use, "patterns_reported": [n for n in report if n not in use],
        "accepted": int(accepted.sum()), "acceptance": float(accepted.mean()),
        "pattern_failures": int((values.get("status", pd.Series(dtype=str)) == "error").sum()),
        "plausible_worlds_compared": int(pairs["world"].nunique()) if len(pairs) else 0,
        "lever_runs": int(len(runs)), "conf": spec.conf, "ci": spec.ci,
        "threshold": spec.threshold, "observables": list(spec.observables),
        "sessions": json.loads((out / "manifest.json").read_text()).get("sessions", [])
        if (out / "manifest.json").exists() else [],
        "run_seconds": {"patterns": pattern_s, "pattern_runs": pattern_n,
                        "strategies": strategy_s, "strategy_runs": strategy_n},
        "code": code_version_text(),
        "box_sentences": boxes,
    }
    _write_json(out / "summary.json", summary)
    from experiments.explore.report import section
    (out / "explore.md").write_text(section(out))
    return summary


def _features(spec: ExploreSpec, worlds: pd.DataFrame, pairs: pd.DataFrame,
              names: list[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """x of scenario discovery (one row per compared world) and readable labels."""
    ids = np.sort(pairs["world"].unique())
    x = worlds.set_index("world").loc[ids, names].astype(float)
    labels = {n: f"`{n}`" for n in names}
    base = pairs[pairs["label"] == spec.baseline].set_index("world")
    for o in spec.observables:
        col, scale, text = OBSERVABLE_LABELS[o]
        x[col] = base.loc[ids, o].to_numpy(float) * scale
        labels[col] = text
    return x, labels


def _discovery(spec: ExploreSpec, worlds: pd.DataFrame, pairs: pd.DataFrame,
               names: list[str], out: Path) -> list[str]:
    """PRIM box and CART leaves per strategy; writes prim_boxes.csv,
    prim_trajectories.csv, cart_leaves.csv and prim_tradeoff.png; returns the sentences."""
    rows, trajs, leaves = [], [], []
    if len(pairs):
        x, labels = _features(spec, worlds, pairs, names)
        for s in spec.strategies:
            if s == spec.baseline:
                continue
            d = pairs[pairs["label"] == s].set_index("world").loc[x.index]
            y = d["beats_baseline"].to_numpy(bool)
            # a strategy that pays almost everywhere: look for where it does not
            pays = "pays" if y.mean() < spec.threshold else "does not pay"
            for target, yy in ((pays, y if pays == "pays" else ~y),
                               ("is best", d["best"].to_numpy(bool))):
                box = prim_box(x, yy, spec.threshold, spec.mass_min, spec.peel_alpha, target)
                rows.append({
                    "strategy": s, "label": label(s), "target": target,
                    "base_rate": float(yy.mean()),
                    "coverage": box.coverage if box else math.nan,
                    "density": box.density if box else math.nan,
                    "mass": box.mass if box else math.nan, "worlds_in_box": box.n if box else 0,
                    "limits": "; ".join(f"{k} in [{lo:.4g}, {hi:.4g}]"
                                        for k, (lo, hi) in box.limits.items()) if box else "",
                    "quasi_p": "; ".join(f"{k}: {v:.2g}" for k, v in box.quasi_p.items())
                    if box else "",
                    "raw_coverage": box.raw_coverage if box else math.nan,
                    "raw_density": box.raw_density if box else math.nan,
                    "raw_limits": "; ".join(f"{k} in [{lo:.4g}, {hi:.4g}]"
                                            for k, (lo, hi) in box.raw_limits.items())
                    if box else "",
                    "sentence": in_words(label(s), box, x, labels, target=target,
                                         counts=(int(yy.sum()), len(yy)))})
                if box is not None:
                    t = box.trajectory[["id", "coverage", "density", "mass", "res_dim",
                                        "n"]].copy()
                    t.insert(0, "target", target)
                    t.insert(0, "strategy", s)
                    t["chosen"] = t["id"] == box.chosen
                    trajs.append(t)
                lv = cart_leaves(x, yy, spec.mass_min)
                lv.insert(0, "target", target)
                lv.insert(0, "strategy", s)
                leaves.append(lv)
    boxes = pd.DataFrame(rows, columns=["strategy", "label", "target", "base_rate", "coverage",
                                        "density", "mass", "worlds_in_box", "limits",
                                        "quasi_p", "raw_coverage", "raw_density", "raw_limits",
                                        "sentence"])
    boxes.to_csv(out / "prim_boxes.csv", index=False, float_format="%.6g")
    traj = pd.concat(trajs, ignore_index=True) if trajs else pd.DataFrame(
        columns=["strategy", "target", "id", "coverage", "density", "mass", "res_dim", "n",
                 "chosen"])
    traj.to_csv(out / "prim_trajectories.csv", index=False, float_format="%.6g")
    leaf = pd.concat(leaves, ignore_index=True) if leaves else pd.DataFrame(
        columns=["strategy", "target", "leaf", "coverage", "density", "mass", "limits"])
    leaf.to_csv(out / "cart_leaves.csv", index=False, float_format="%.6g")
    if len(traj):
        _tradeoff_figure(traj, boxes).savefig(out / "prim_tradeoff.png", dpi=110)
    return [r["sentence"] for r in rows]


def _tradeoff_figure(traj: pd.DataFrame, boxes: pd.DataFrame):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 4.5), layout="constrained")
    ax = fig.subplots()
    for (s, target), t in traj.groupby(["strategy", "target"], sort=False):
        line = ax.plot(t["coverage"], t["density"], lw=1, marker=".", ms=3,
                       label=f"{label(s)} ({target})")[0]
        c = t[t["chosen"]]
        ax.plot(c["coverage"], c["density"], "o", ms=8, mfc="none", color=line.get_color())
    ax.set(xlabel="coverage", ylabel="density", xlim=(0, 1.02), ylim=(0, 1.02),
           title="PRIM peeling trajectories (circle: the box reported)")
    ax.legend(fontsize=7)
    return fig


def plan_line(spec: ExploreSpec) -> str:
    """``--dry-run``: the sizes of the exploration, without a run."""
    labels = abc.pattern_runs(spec.computed_patterns) if spec.computed_patterns else []
    return (f"{spec.name}: {spec.worlds} worlds x {len(spec.uncertainties)} uncertainties; "
            f"{spec.worlds * len(labels)} pattern runs ({len(labels)} per world, "
            f"{spec.abc_weeks} weeks); up to {spec.worlds * len(spec.strategies)} strategy runs "
            f"({len(spec.strategies)} strategies x plausible worlds, {spec.weeks} weeks)")
