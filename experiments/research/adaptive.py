"""Figure 5: the adaptive policy. When and how much does it reshore, and after what?

Preset ``adaptive-morocco`` at its defaults (cost-driven relocation to Morocco,
reshoring a share of the volume after repeated bad reviews driven by
complaints and CSAT). Per replicate: the week offshoring went live (first
cut-over), the first reshoring week, the number of reshorings and the final
offshore share (alpha, share of contacts routed to the vendor).

Target c: reshoring comes years after offshoring (median delay >= 1 year
among reshoring replicates), is often partial (at least half of them end with
alpha > 0), and follows complaints (complaints per 1,000 customers in the 13
weeks before the first reshoring above the level of the 13 weeks before
cut-over, in at least 80 % of them); and at least a quarter of the replicates
reshore at all. The table also gives each replicate's CSAT drop from the
quarter before cut-over to the quarter after, beside the policy's threshold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.research.common import (
    Artefact,
    Run,
    Scale,
    cutover_week,
    distinct,
    new_figure,
    params,
    replicate_seeds,
    replicated,
    run_jobs,
    save_figure,
    save_table,
    scale_dict,
    series_matrix,
    timed,
    total_seconds,
)
from experiments.stats import band

NAME = "adaptive"
PRESET = "adaptive-morocco"
MIN_YEARS, PARTIAL_SHARE, FOLLOW_SHARE, RESHORE_SHARE = 1.0, 0.5, 0.8, 0.25


def _window(run: Run, col: str, start: int, end: int) -> float:
    s = run.series
    v = s.loc[(s["week"] >= start) & (s["week"] < end), col].to_numpy(float)
    return float(np.nanmean(v)) if v.size and np.isfinite(v).any() else float("nan")


def per_replicate(runs: list[Run]) -> pd.DataFrame:
    """One row per replicate: offshoring and reshoring weeks, final alpha, complaints."""
    rows = []
    for r in runs:
        s = r.series
        cut = cutover_week(r)
        reshores = s.loc[s["reshore"].astype(bool), "week"].to_numpy()
        first = int(reshores[0]) if len(reshores) else None
        rows.append({
            "replicate": r.replicate, "seed": r.seed, "offshore_week": cut,
            "first_reshore_week": first, "reshorings": len(reshores),
            "years_offshore_to_reshore": (first - cut) / 52 if first is not None and cut is not
            None else np.nan,
            "peak_alpha": float(s["alpha"].max()), "final_alpha": float(s["alpha"].iloc[-1]),
            "complaints_before_cutover": _window(r, "complaints_per_1000", cut - 13, cut)
            if cut is not None else np.nan,
            "complaints_before_reshore": _window(r, "complaints_per_1000", first - 13, first)
            if first is not None else np.nan,
            "csat_drop_first_quarter": _window(r, "csat", cut - 13, cut)
            - _window(r, "csat", cut, cut + 13) if cut is not None else np.nan})
    return pd.DataFrame(rows)


def _share_after_complaints(t: pd.DataFrame) -> float:
    """Share of the reshoring replicates whose complaints rose before the first reshoring."""
    re = t[t["first_reshore_week"].notna()]
    return float((re["complaints_before_reshore"] > re["complaints_before_cutover"]).mean()) \
        if len(re) else float("nan")


def target_c(t: pd.DataFrame) -> dict:
    """Verdict of target c from the per-replicate table."""
    n = len(t)
    re = t[t["first_reshore_week"].notna()]
    k = len(re)
    share = k / n if n else 0.0
    delay = float(re["years_offshore_to_reshore"].median()) if k else float("nan")
    partial = float((re["final_alpha"] > 0).mean()) if k else float("nan")
    follows = _share_after_complaints(t)
    checks = {f"at least {RESHORE_SHARE:.0%} of replicates reshore": share >= RESHORE_SHARE,
              f"median delay >= {MIN_YEARS:g} year": bool(k and delay >= MIN_YEARS),
              f"at least {PARTIAL_SHARE:.0%} partial": bool(k and partial >= PARTIAL_SHARE),
              f"at least {FOLLOW_SHARE:.0%} after complaints rose":
                  bool(k and follows >= FOLLOW_SHARE)}
    text = (f"{k} of {n} replicates reshore; median delay after offshoring {delay:.1f} years; "
            f"{100 * partial:.0f} % of reshoring replicates end partly offshore; in "
            f"{100 * follows:.0f} % complaints before reshoring exceeded their pre-offshoring "
            "level. " + "; ".join(f"{c}: {'yes' if v else 'no'}" for c, v in checks.items()))
    return {"c": {"verdict": "MET" if all(checks.values()) else "NOT MET", "text": text,
                  "checks": checks,
                  "criterion": "; ".join(checks)}}


def _figure(runs: list[Run], t: pd.DataFrame, out_dir: Path, scale: Scale) -> list[str]:
    fig, axes = new_figure(1, 3, 15, 4.2)
    re = t[t["first_reshore_week"].notna()]
    years = scale.weeks / 52
    bins = np.arange(0, years + 0.5, 0.5)
    axes[0].hist(t["offshore_week"].dropna() / 52, bins=bins, alpha=0.6, label="offshoring live")
    axes[0].hist(re["first_reshore_week"] / 52, bins=bins, alpha=0.6, label="first reshoring")
    axes[0].set_xlabel("year")
    axes[0].set_ylabel("replicates")
    axes[0].legend(fontsize=8)
    axes[0].set_title(f"{len(re)} of {len(t)} replicates reshore")
    axes[1].hist(t["final_alpha"], bins=np.linspace(0, 1, 11), color="C2")
    axes[1].set_xlabel("final offshore share alpha (share of contacts)")
    axes[1].set_ylabel("replicates")
    axes[1].set_title("How much stays offshore at the end")
    wk = np.arange(series_matrix(runs, "alpha").shape[1]) / 52
    m, lo, hi = band(series_matrix(runs, "alpha"))
    axes[2].plot(wk, m, color="C0", label="alpha (left)")
    axes[2].fill_between(wk, lo, hi, color="C0", alpha=0.2, lw=0, rasterized=True)
    axes[2].set_xlabel("year")
    axes[2].set_ylabel("offshore share alpha, mean and 95 % CI")
    twin = axes[2].twinx()
    c = pd.DataFrame(series_matrix(runs, "complaints_per_1000").T).rolling(13, min_periods=1)
    twin.plot(wk, c.mean().to_numpy().mean(axis=1), color="C3", label="complaints (right)")
    twin.set_ylabel("complaints /1,000 customers /month", color="C3")
    axes[2].set_title("Offshore share (blue) and complaints (red, 13-week mean)")
    fig.suptitle(f"Adaptive policy, Morocco: {len(t)} replicates over {years:.3g} years")
    return save_figure(fig, out_dir, NAME)


def markdown_frame(t: pd.DataFrame) -> pd.DataFrame:
    """The Markdown table is the CSV table."""
    return t


@timed
def build(scale: Scale, out_dir: Path, workers: int = 2) -> Artefact:
    """Run the adaptive preset; write figure 5, its table, target c and the metadata."""
    runs = run_jobs(replicated(params(PRESET, scale), scale, PRESET), workers, NAME)
    t = per_replicate(runs)
    files = _figure(runs, t, out_dir, scale) + save_table(t, out_dir, NAME, markdown_frame(t))
    return Artefact(
        name=NAME, title="Adaptive policy: when and how much it reshores",
        caption=(f"Preset {PRESET} at its defaults, {scale.replicates} replicates: distribution "
                 "of the offshoring and first reshoring dates, final offshore share, and the "
                 "mean offshore share with complaints over time."),
        scale=scale_dict(scale), seeds=replicate_seeds(scale.replicates),
        replicates=scale.replicates, runs=distinct(runs), parameters={"preset": PRESET},
        files=files, findings={"replicates_reshoring": int(t["first_reshore_week"].notna().sum()),
                               "median_years_to_reshore":
                                   float(t["years_offshore_to_reshore"].median()),
                               "mean_final_alpha": float(t["final_alpha"].mean()),
                               "share_after_complaints_rose": _share_after_complaints(t),
                               "median_csat_drop_first_quarter":
                                   float(t["csat_drop_first_quarter"].median()),
                               "policy_csat_drop": float(params(PRESET, scale).policy.csat_drop),
                               "policy_bad_reviews": int(params(PRESET, scale).policy.bad_reviews),
                               "policy_review_weeks":
                                   int(params(PRESET, scale).policy.review_weeks)},
        targets=target_c(t), run_seconds=total_seconds(runs))
