"""Figure 4: the marginal value of each of the essay's five practices.

Offshore to Morocco (preset ``offshore-morocco``), paired by replicate seed:
each practice alone minus no practice, and all five minus all but that one.
Outcomes: ten-year NPV, brand image (last year) and mean monthly churn.
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
    timed,
    total_seconds,
)
from experiments.stats import fmt_ci, mean_ci
from model.presets import ALL_PRACTICES

NAME = "practices"
BASE = "offshore-morocco"
PRACTICES = {"cultural_adaptation": "cultural adaptation",
             "internal_communication": "internal communication",
             "procedures": "procedures", "link_redundancy": "link redundancy",
             "data_security": "data security"}
OUTCOMES = {"npv_m": ("npv", 1 / MILLION, "NPV (M EUR)"),
            "image": ("image_all", 1.0, "brand image (points)"),
            "churn_pp": ("churn_monthly", 100.0, "monthly churn (pp)")}


def configs() -> dict[str, dict[str, bool]]:
    """label -> practice overrides: none, all, each alone, all but each."""
    out: dict[str, dict[str, bool]] = {"none": {}, "all": dict(ALL_PRACTICES)}
    for p in PRACTICES:
        out[f"only:{p}"] = {f"practices.{p}": True}
        out[f"without:{p}"] = {**ALL_PRACTICES, f"practices.{p}": False}
    return out


def _effects(by: dict[str, list[Run]]) -> pd.DataFrame:
    rows = []
    for p, label in PRACTICES.items():
        for kind, a, b in (("alone vs none", f"only:{p}", "none"),
                           ("all vs all but it", "all", f"without:{p}")):
            row = {"practice": label, "comparison": kind}
            for key, (col, f, _) in OUTCOMES.items():
                d = [f * (x.summary[col] - y.summary[col])
                     for x, y in zip(by[a], by[b], strict=True)]
                row[key], row[f"{key}_lo"], row[f"{key}_hi"] = mean_ci(d)
            rows.append(row)
    return pd.DataFrame(rows)


def markdown_frame(t: pd.DataFrame) -> pd.DataFrame:
    out = t[["practice", "comparison"]].copy()
    for key, (_, _, label) in OUTCOMES.items():
        d = 3 if key == "churn_pp" else 1
        out[f"change of {label}"] = [fmt_ci(a, b, c, d) for a, b, c in
                                     zip(t[key], t[f"{key}_lo"], t[f"{key}_hi"], strict=True)]
    return out


def _figure(t: pd.DataFrame, out_dir: Path, scale: Scale) -> list[str]:
    fig, axes = new_figure(1, 3, 15, 4.2)
    y = np.arange(len(PRACTICES))
    for ax, (key, (_, _, label)) in zip(axes, OUTCOMES.items(), strict=True):
        for i, (kind, off) in enumerate((("alone vs none", -0.18), ("all vs all but it", 0.18))):
            s = t[t["comparison"] == kind]
            err = np.vstack([s[key] - s[f"{key}_lo"], s[f"{key}_hi"] - s[key]])
            ax.barh(y + off, s[key], height=0.34, color=f"C{i}", label=kind,
                    xerr=np.nan_to_num(err), capsize=3)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y, list(PRACTICES.values()))
        ax.set_xlabel(f"change of {label}")
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[1:]:
        ax.tick_params(labelleft=False)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Marginal value of each practice, offshore to Morocco ({scale.weeks / 52:.3g} "
                 f"years, {scale.replicates} paired replicates, 95 % CI)")
    return save_figure(fig, out_dir, NAME)


@timed
def build(scale: Scale, out_dir: Path, workers: int = 2) -> Artefact:
    """Run the practice configurations; write figure 4, its table and the metadata."""
    cs = configs()
    jobs = [j for label, over in cs.items()
            for j in replicated(params(BASE, scale, **over), scale, label)]
    runs = run_jobs(jobs, workers, NAME)
    by = {label: [r for r in runs if r.label == label] for label in cs}
    t = _effects(by)
    files = _figure(t, out_dir, scale) + save_table(t, out_dir, NAME, markdown_frame(t))
    findings = {f"{r['practice']} | {r['comparison']}": {k: r[k] for k in OUTCOMES}
                for r in t.to_dict("records")}
    return Artefact(
        name=NAME, title="Marginal value of each practice",
        caption=("Paired differences (same seeds) of ten-year NPV, last-year brand image and "
                 "mean monthly churn: each practice alone minus no practice, and all five "
                 f"minus all but that one; offshore to Morocco, {scale.replicates} replicates; "
                 "practice costs are those of the presets (model.params.Practices)."),
        scale=scale_dict(scale), seeds=replicate_seeds(scale.replicates),
        replicates=scale.replicates, runs=distinct(runs),
        parameters={"base": BASE, "configs": cs}, files=files, findings=findings,
        run_seconds=total_seconds(runs))
