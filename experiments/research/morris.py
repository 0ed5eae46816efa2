"""Figure 7: Morris screening of the numeric parameters on NPV, brand image and churn.

Runs through the sweep machinery of experiments/sweeps/ (design ``morris``,
SALib sampler) into a temporary store, analysed by experiments/sweeps/analyze.py
(Morris mu* with bootstrap intervals, replicates averaged first).

Factors (full scale): every numeric parameter of ``model.params`` except
* structural or display ones: n_customers, n_firms, weeks, burn_in_weeks,
  start_year, market.market_size (a pure scale factor of money);
* those inert under the ``offshore-morocco`` preset: policy.* other than
  policy.week and policy.share (used only by cost-driven/adaptive policies)
  and practices.* (no practice is on).
Each factor varies over +-20 % of its preset value, clipped to its declared
bounds (a factor at 0 varies over [0, 10 % of its maximum]); integers are
rounded and get at least two levels. The smoke scale screens a documented
six-factor subset. Common random numbers: every design point of a replicate
uses the same seed, so elementary effects are not swamped by run-to-run noise.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.research.common import (
    BASE_SEED,
    MILLION,
    Artefact,
    Scale,
    executor,
    new_figure,
    save_figure,
    save_table,
    scale_dict,
    timed,
)
from experiments.sweeps.analyze import analyze
from experiments.sweeps.designs import build_design, run_seeds
from experiments.sweeps.executors import run_sweep
from experiments.sweeps.spec import parse_spec
from model.params import iter_fields
from model.presets import scenario

NAME = "morris"
PRESET = "offshore-morocco"
SPREAD = 0.2
EXCLUDED = {"n_customers", "n_firms", "weeks", "burn_in_weeks", "start_year",
            "market.market_size"}
KEEP_POLICY = {"policy.week", "policy.share"}
SMOKE_FACTORS = ["destination.hourly_cost", "destination.annual_attrition",
                 "destination.language_fit", "customers.ethnocentrism_mean",
                 "customers.churn_unresolved_ratio", "market.price_mass"]
OUTCOMES = {"npv": (1 / MILLION, "NPV (M EUR)"), "image_all": (1.0, "brand image (points)"),
            "churn_monthly": (100.0, "monthly churn (pp)")}
REPLICATES = 1


def factor_ranges(scale: Scale) -> dict[str, tuple[float, float]]:
    """Screened factors and their ranges (see the module docstring)."""
    values = scenario(PRESET).flat()
    out: dict[str, tuple[float, float]] = {}
    for row in iter_fields():
        name = row["name"]
        if row["type"] not in ("float", "int") or name in EXCLUDED:
            continue
        if name.startswith("practices.") or (name.startswith("policy.")
                                             and name not in KEEP_POLICY):
            continue
        rng = _range(values[name], row["min"], row["max"], row["type"] == "int")
        if rng is not None:
            out[name] = rng
    if scale.name == "smoke":
        out = {k: out[k] for k in SMOKE_FACTORS}
    return out


def _range(v: float, lo: float | None, hi: float | None, integer: bool
           ) -> tuple[float, float] | None:
    a, b = (v * (1 - SPREAD), v * (1 + SPREAD)) if v else (0.0, 0.1 * (hi or 0.0))
    a, b = max(a, lo) if lo is not None else a, min(b, hi) if hi is not None else b
    if integer:
        a, b = math.floor(a), math.ceil(b)
        if a == b:
            b = a + 1 if hi is None or a + 1 <= hi else b
            a = a - 1 if a == b and (lo is None or a - 1 >= lo) else a
    return (a, b) if b > a else None


def spec_data(scale: Scale) -> dict[str, Any]:
    """The sweep spec (as parsed TOML) of the screening."""
    return {"name": f"reproduce-morris-{scale.name}", "scenario": PRESET,
            "customers": scale.customers, "weeks": scale.morris_weeks,
            "base": {"burn_in_weeks": scale.burn_in}, "design": "morris",
            "samples": scale.morris_r, "levels": 4, "replicates": REPLICATES, "seed": BASE_SEED,
            "common_random_numbers": True, "outcomes": list(OUTCOMES),
            "parameters": {k: {"range": list(v)} for k, v in factor_ranges(scale).items()}}


def _wide(indices: pd.DataFrame, ranges: dict[str, tuple[float, float]]) -> pd.DataFrame:
    t = pd.DataFrame({"parameter": list(ranges), "low": [r[0] for r in ranges.values()],
                      "high": [r[1] for r in ranges.values()]})
    for outcome, (f, _) in OUTCOMES.items():
        s = indices[indices["outcome"] == outcome].set_index("parameter")
        for col in ("mu_star", "mu_star_conf", "sigma"):
            t[f"{col}_{outcome}"] = f * s[col].reindex(t["parameter"]).to_numpy(float)
        t[f"rank_{outcome}"] = t[f"mu_star_{outcome}"].rank(ascending=False, method="min")
    t["mean_rank"] = t[[f"rank_{o}" for o in OUTCOMES]].mean(axis=1)
    return t.sort_values("mean_rank", kind="stable").reset_index(drop=True)


def markdown_frame(t: pd.DataFrame, top: int = 25) -> pd.DataFrame:
    out = pd.DataFrame({"parameter": t["parameter"],
                        "range": [f"{a:g} - {b:g}" for a, b in zip(t["low"], t["high"],
                                                                  strict=True)]})
    for outcome, (_, label) in OUTCOMES.items():
        out[f"mu* {label}"] = [f"{m:.3g} +- {c:.2g}" if np.isfinite(m) else "n/a" for m, c in
                               zip(t[f"mu_star_{outcome}"], t[f"mu_star_conf_{outcome}"],
                                   strict=True)]
    out["mean rank"] = t["mean_rank"]
    return out.head(top)


def _figure(t: pd.DataFrame, out_dir: Path, top: int = 15) -> list[str]:
    fig, axes = new_figure(1, 3, 16, 5.5)
    for ax, (outcome, (_, label)) in zip(axes, OUTCOMES.items(), strict=True):
        s = t.sort_values(f"mu_star_{outcome}", ascending=False).head(top).iloc[::-1]
        ax.barh(s["parameter"], s[f"mu_star_{outcome}"], xerr=s[f"mu_star_conf_{outcome}"],
                color="C0", capsize=2)
        ax.set_xlabel(f"Morris mu* of {label} over the factor's range")
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Morris screening: the {top} most influential of {len(t)} parameters per "
                 "outcome (bars: mu*, whiskers: 95 % bootstrap interval)")
    return save_figure(fig, out_dir, NAME)


@timed
def build(scale: Scale, out_dir: Path, workers: int = 2) -> Artefact:
    """Run the Morris sweep; write figure 7, its table and the metadata."""
    data = spec_data(scale)
    spec = parse_spec(data)
    with tempfile.TemporaryDirectory(prefix="reproduce-morris-") as tmp:
        report = run_sweep(spec, Path(tmp) / "sweep", executor(max(workers, 1)))
        result = analyze(Path(tmp) / "sweep", list(OUTCOMES), plots=False)
    ranges = factor_ranges(scale)
    t = _wide(result.indices, ranges)
    files = _figure(t, out_dir) + save_table(t, out_dir, NAME, markdown_frame(t))
    n_points = len(build_design(spec))
    seeds = sorted({int(s) for s in run_seeds(spec, n_points)})
    return Artefact(
        name=NAME, title="Morris screening of the parameters on NPV, brand image and churn",
        caption=(f"{len(ranges)} factors, each +-{100 * SPREAD:.0f} % around the "
                 f"{PRESET} preset value (clipped to its bounds), {scale.morris_r} Morris "
                 f"trajectories ({n_points} design points), {REPLICATES} replicate per point "
                 f"with common random numbers, horizon {scale.morris_weeks} weeks; mu* in "
                 "outcome units per full range of the factor. Table: top 25 by mean rank; "
                 "the CSV holds every factor."),
        scale=scale_dict(scale), seeds=seeds, replicates=REPLICATES, runs=report.total,
        parameters={"spec": data, "spread": SPREAD, "excluded": sorted(EXCLUDED),
                    "notes": result.notes},
        files=files,
        findings={o: t.sort_values(f"mu_star_{o}", ascending=False)["parameter"].head(5)
                  .tolist() for o in OUTCOMES} | {"failed_runs": report.failed_in_store},
        notes=["Run through experiments.sweeps / experiments.sweeps.executors.run_sweep and "
               "experiments.sweeps.analyze.analyze (the sweep machinery of issue 4)."])
