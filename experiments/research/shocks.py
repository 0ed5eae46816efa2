"""Figure 6: shocks. A two-week link outage and a data breach vs no shock.

Offshore to Morocco (preset ``offshore-morocco``, no practices), paired by
replicate seed. The shock is scheduled (``Params.shocks``) a fixed time after
the cut-over week (policy.week + workforce.notice_weeks): 52 weeks later, or
half-way to the horizon in shorter runs. The outage lasts two weeks at the
destination's outage severity; the breach uses the default salience. The
destination's own random outages and breaches stay on (same seeds in every
arm, so they cancel in the paired differences).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments.research.common import (
    MILLION,
    Artefact,
    Run,
    Scale,
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
from experiments.stats import band, fmt_ci, mean_ci
from model.params import Shock, ShockKind

NAME = "shocks"
BASE = "offshore-morocco"
AFTER_CUTOVER = 52  # weeks from cut-over to the shock
OUTAGE_WEEKS = 2
SHOWN = (-13, 104)  # weeks around the shock in the figure


def _cutover(scale: Scale) -> int:
    """Planned cut-over week: announcement plus notice period."""
    p = params(BASE, scale)
    return p.policy.week + p.workforce.notice_weeks


def shock_week(scale: Scale) -> int:
    """Week of the scheduled shock."""
    cut = _cutover(scale)
    return cut + min(AFTER_CUTOVER, (scale.weeks - cut) // 2)


def arms(scale: Scale) -> dict[str, tuple[Shock, ...]]:
    """label -> scheduled shocks."""
    w = shock_week(scale)
    return {"no shock": (),
            "link outage (2 weeks)": (Shock(kind=ShockKind.outage, week=w, weeks=OUTAGE_WEEKS),),
            "data breach": (Shock(kind=ShockKind.breach, week=w),)}


def _table(by: dict[str, list[Run]], w: int) -> pd.DataFrame:
    rows = []
    base = by["no shock"]
    for label, runs in by.items():
        if label == "no shock":
            continue
        row: dict = {"shock": label}
        pairs = list(zip(runs, base, strict=True))
        for key, col, f, weeks in (("image_4w", "image_all", 1, (w, w + 4)),
                                   ("image_52w", "image_all", 1, (w + 48, w + 52)),
                                   ("churn_13w_pp", "churn_monthly", 100, (w, w + 13)),
                                   ("csat_4w", "csat", 1, (w, w + 4))):
            row[key], row[f"{key}_lo"], row[f"{key}_hi"] = mean_ci(
                f * (_window(a, col, weeks) - _window(b, col, weeks)) for a, b in pairs)
        row["npv_m"], row["npv_m_lo"], row["npv_m_hi"] = mean_ci(
            (a.summary["npv"] - b.summary["npv"]) / MILLION for a, b in pairs)
        rows.append(row)
    return pd.DataFrame(rows)


def _window(run: Run, col: str, weeks: tuple[int, int]) -> float:
    s = run.series
    v = s.loc[(s["week"] >= weeks[0]) & (s["week"] < weeks[1]), col].to_numpy(float)
    return float(np.nanmean(v)) if v.size and np.isfinite(v).any() else float("nan")


def markdown_frame(t: pd.DataFrame) -> pd.DataFrame:
    cols = {"image_4w": ("brand image, 4 weeks after (points)", 2),
            "image_52w": ("brand image, one year after (points)", 2),
            "churn_13w_pp": ("monthly churn, 13 weeks after (pp)", 3),
            "csat_4w": ("CSAT, 4 weeks after (points)", 2),
            "npv_m": ("NPV over the horizon (M EUR)", 2)}
    out = pd.DataFrame({"shock (minus no shock)": t["shock"]})
    for k, (label, d) in cols.items():
        out[label] = [fmt_ci(a, b, c, d) for a, b, c in zip(t[k], t[f"{k}_lo"], t[f"{k}_hi"],
                                                            strict=True)]
    return out


def _figure(by: dict[str, list[Run]], w: int, out_dir: Path) -> list[str]:
    fig, axes = new_figure(1, 3, 15, 4.2)
    base = by["no shock"]
    panels = [("image_all", 1.0, "brand image, shock - no shock (points)"),
              ("churn_monthly", 100.0, "monthly churn, shock - no shock (pp)"),
              ("npv", 1 / MILLION, "cumulative NPV, shock - no shock (M EUR)")]
    for ax, (col, f, label) in zip(axes, panels, strict=True):
        ref = f * series_matrix(base, col)
        for i, (name, runs) in enumerate(by.items()):
            if name == "no shock":
                continue
            d = f * series_matrix(runs, col) - ref
            if col == "churn_monthly":
                d = pd.DataFrame(d.T).rolling(13, min_periods=1).mean().to_numpy().T
            rel = np.arange(d.shape[1]) - w
            keep = (rel >= SHOWN[0]) & (rel <= SHOWN[1])
            m, lo, hi = band(d[:, keep])
            ax.plot(rel[keep], m, color=f"C{i + 2}", label=name)
            ax.fill_between(rel[keep], lo, hi, color=f"C{i + 2}", alpha=0.2, lw=0, rasterized=True)
        ax.axvline(0, color="k", ls="--", lw=0.8)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xlabel("weeks since the shock")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Shocks one year after cut-over, offshore to Morocco (paired differences, "
                 "mean and 95 % CI; churn: 13-week rolling mean)")
    return save_figure(fig, out_dir, NAME)


@timed
def build(scale: Scale, out_dir: Path, workers: int = 2) -> Artefact:
    """Run the three arms; write figure 6, its table and the metadata."""
    a = arms(scale)
    jobs = [j for label, shocks in a.items()
            for j in replicated(params(BASE, scale).replace(shocks=shocks), scale, label)]
    runs = run_jobs(jobs, workers, NAME)
    by = {label: [r for r in runs if r.label == label] for label in a}
    w = shock_week(scale)
    t = _table(by, w)
    files = _figure(by, w, out_dir) + save_table(t, out_dir, NAME, markdown_frame(t))
    return Artefact(
        name=NAME, title="Shocks: a two-week link outage and a data breach",
        caption=(f"Paired differences from the no-shock runs (same seeds) after a shock at "
                 f"week {w} ({w - _cutover(scale)} weeks after "
                 f"cut-over); offshore to Morocco, no practices, {scale.replicates} "
                 "replicates."),
        scale=scale_dict(scale), seeds=replicate_seeds(scale.replicates),
        replicates=scale.replicates, runs=distinct(runs),
        parameters={"base": BASE, "shock_week": w,
                    "arms": {k: [s.model_dump(mode="json") for s in v] for k, v in a.items()}},
        files=files, findings={r["shock"]: {k: v for k, v in r.items() if k != "shock"}
                               for r in t.to_dict("records")},
        run_seconds=total_seconds(runs))
