"""Figure 7: Morris screening of the numeric parameters on NPV, the NPV gain of offshoring
over staying home, brand image and churn.

Runs through the sweep machinery of experiments/sweeps/ (design ``morris``,
SALib sampler) into a temporary store, analysed by experiments/sweeps/analyze.py
(Morris mu* with bootstrap intervals, replicates averaged first).

The decision an analyst faces is offshoring *against* staying home, so the
screening also reads the NPV gain: the sweep's ``baseline`` runs every design
point a second time with the firm at home (``stay-home``, the same factor
values and seed: common random numbers), and ``npv_diff`` is the offshoring
run's NPV minus its baseline's. Factors that move revenue whatever the strategy (the
market's prices, churn, margins) dominate the NPV but largely cancel in the
gain; what remains ranks what decides whether offshoring pays.

Factors (full scale): every numeric parameter of ``model.params`` except
* structural or display ones: n_customers, n_firms, weeks, burn_in_weeks,
  start_year, market.market_size (a pure scale factor of money);
* those inert under the ``offshore-morocco`` preset: policy.* other than
  policy.week and policy.share (used only by cost-driven/adaptive policies)
  and practices.* (no practice is on).
Each factor varies over +-20 % of its preset value, clipped to its declared
bounds (a factor at 0 varies over [0, 10 % of its maximum]); integers are
rounded and get at least two levels. The smoke scale screens a documented
six-factor subset.

Common random numbers: every design point of a replicate uses the same seed,
so a factor that changes no random draw moves its runs only by its effect
(one that changes nothing is exactly inert). But a factor that changes a
single draw lets the run's random path diverge from its neighbour's, and its
elementary effects then carry run-to-run noise. So every point is replicated
(``REPLICATES``) and the figure marks each outcome's noise floor
(``noise_floor``): the mu* that noise alone gives a factor. A factor near or
below it cannot be told from noise.
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
from experiments.sweeps.store import read_runs
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
#: Screened outcomes: (factor to the table's units, label). ``npv_diff`` is the run's NPV
#: minus that of its ``BASELINE`` run (same factor values and seed: the sweep's baseline).
OUTCOMES = {"npv": (1 / MILLION, "NPV (M EUR)"),
            "npv_diff": (1 / MILLION, "NPV gain over staying home (M EUR)"),
            "image_all": (1.0, "brand image (points)"),
            "churn_monthly": (100.0, "monthly churn (pp)")}
GAIN, BASELINE = "npv_diff", "stay-home"
#: Replicates per design point (seeds shared by every point: common random numbers).
#: Changing any factor lets a run's random path diverge from its neighbour's, so an
#: elementary effect carries run-to-run noise; averaging replicates lowers that noise
#: floor (``noise_floor``) by sqrt(replicates).
REPLICATES = {"smoke": 2, "full": 8}
LEVELS = 4


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
    """The sweep spec (as parsed TOML) of the screening, with its stay-home baseline."""
    return {"name": f"reproduce-morris-{scale.name}", "scenario": PRESET, "baseline": BASELINE,
            "customers": scale.customers, "weeks": scale.morris_weeks,
            "base": {"burn_in_weeks": scale.burn_in}, "design": "morris",
            "samples": scale.morris_r, "levels": LEVELS, "replicates": REPLICATES[scale.name],
            "seed": BASE_SEED, "common_random_numbers": True, "outcomes": list(OUTCOMES),
            "parameters": {k: {"range": list(v)} for k, v in factor_ranges(scale).items()}}


def noise_floor(runs: pd.DataFrame, outcome: str, levels: int = LEVELS) -> float:
    """The mu* that run-to-run noise alone gives a factor (outcome units per full range).

    A factor whose change lets the random paths diverge but moves nothing else
    has elementary effects (ybar(x + D) - ybar(x)) / D with two independent
    point means, each of standard deviation s = sigma / sqrt(r) (sigma pooled
    over the points' replicates, r replicates), and D = levels / (2 (levels - 1))
    of the unit range (SALib's step): mu* = E|EE| = sqrt(2 / pi) sqrt(2) s / D.
    This is the *expected* mu* of such a factor: with a few trajectories it
    exceeds it about half the time, so a factor stands clear of noise only when
    its whole bootstrap interval lies above the floor (``clear_of_noise``). Under
    common random numbers the two means are not always independent, so the
    floor is an upper bound for some factors. NaN with one replicate.
    """
    ok = runs[runs["status"] == "ok"]
    per_point = ok.groupby("point")[outcome]
    r = float(per_point.size().mean()) if len(ok) else 0.0
    if r < 2:
        return math.nan
    s = math.sqrt(float(per_point.var(ddof=1).mean()) / r)
    return math.sqrt(2 / math.pi) * math.sqrt(2) * s / (levels / (2 * (levels - 1)))


def clear_of_noise(t: pd.DataFrame, outcome: str, floor: float) -> list[str]:
    """The factors of the wide table ``t`` whose mu* interval lies wholly above ``floor``
    (mu* - its half-width > floor), by mu*."""
    lower = t[f"mu_star_{outcome}"] - t[f"mu_star_conf_{outcome}"]
    clear = t[lower > floor].sort_values(f"mu_star_{outcome}", ascending=False)
    return clear["parameter"].tolist()


def _wide(indices: pd.DataFrame, ranges: dict[str, tuple[float, float]]) -> pd.DataFrame:
    t = pd.DataFrame({"parameter": list(ranges), "low": [r[0] for r in ranges.values()],
                      "high": [r[1] for r in ranges.values()]})
    for outcome, (f, _) in OUTCOMES.items():
        s = indices[indices["outcome"] == outcome].set_index("parameter")
        for col in ("mu_star", "mu_star_conf", "sigma"):
            t[f"{col}_{outcome}"] = f * s[col].reindex(t["parameter"]).to_numpy(float)
        t[f"rank_{outcome}"] = t[f"mu_star_{outcome}"].rank(ascending=False, method="min")
    t["mean_rank"] = t[[f"rank_{o}" for o in OUTCOMES]].mean(axis=1)
    return t.sort_values([f"rank_{GAIN}", "mean_rank"], kind="stable").reset_index(drop=True)


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


def _figure(t: pd.DataFrame, floors: dict[str, float], out_dir: Path, top: int = 15
            ) -> list[str]:
    fig, axes = new_figure(2, 2, 15, 10)
    for ax, (outcome, (_, label)) in zip(axes, OUTCOMES.items(), strict=True):
        s = t.sort_values(f"mu_star_{outcome}", ascending=False).head(top).iloc[::-1]
        ax.barh(s["parameter"], s[f"mu_star_{outcome}"], xerr=s[f"mu_star_conf_{outcome}"],
                color="C0", capsize=2)
        if np.isfinite(floors.get(outcome, np.nan)):
            ax.axvline(floors[outcome], color="0.35", linestyle="--", linewidth=1,
                       label="noise floor (expected mu* of noise alone)")
            ax.legend(loc="lower right", fontsize=8)
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
        sweep = Path(tmp) / "sweep"
        report = run_sweep(spec, sweep, executor(max(workers, 1)))
        result = analyze(sweep, list(OUTCOMES), plots=False)
        runs = read_runs(sweep)
    floors = {o: f * noise_floor(runs, o) for o, (f, _) in OUTCOMES.items()}
    ranges = factor_ranges(scale)
    t = _wide(result.indices, ranges)
    files = _figure(t, floors, out_dir) + save_table(t, out_dir, NAME, markdown_frame(t))
    n_points = len(build_design(spec))
    seeds = sorted({int(s) for s in run_seeds(spec, n_points)})
    replicates = REPLICATES[scale.name]
    clear = {o: clear_of_noise(t, o, floors[o]) for o in OUTCOMES}
    return Artefact(
        name=NAME, title="Morris screening of the parameters on NPV, the NPV gain over "
                         "staying home, brand image and churn",
        caption=(f"{len(ranges)} factors, each +-{100 * SPREAD:.0f} % around the "
                 f"{PRESET} preset value (clipped to its bounds), {scale.morris_r} Morris "
                 f"trajectories ({n_points} design points), {replicates} replicates per point "
                 f"with common random numbers, horizon {scale.morris_weeks} weeks; each point "
                 f"also run with the firm at home ({BASELINE}, same factor values and seed) "
                 "for the NPV gain. mu* in outcome units per full range of the factor. Noise "
                 "floor (dashed; the expected mu* of a factor that only lets the random paths "
                 "diverge), with the factors whose whole interval lies above it: "
                 + ", ".join(f"{label} {floors[o]:.3g} ({len(clear[o])} factors)"
                             for o, (_, label) in OUTCOMES.items())
                 + ". Table: top 25 by mu* of the NPV gain; the CSV holds every factor."),
        scale=scale_dict(scale), seeds=seeds, replicates=replicates,
        runs=2 * report.total,  # each with its baseline run
        parameters={"spec": data, "spread": SPREAD, "excluded": sorted(EXCLUDED),
                    "notes": result.notes},
        files=files,
        findings={o: t.sort_values(f"mu_star_{o}", ascending=False)["parameter"].head(5)
                  .tolist() for o in OUTCOMES} | {
            "noise_floor": floors, "clear_of_noise": clear,
            "failed_runs": report.failed_in_store},
        notes=["Run through experiments.sweeps / experiments.sweeps.executors.run_sweep and "
               "experiments.sweeps.analyze.analyze (the sweep machinery of issue 4)."])
