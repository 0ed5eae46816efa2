"""Figure 2: the service-quality dip after cut-over and the recovery by destination.

Three presets at their defaults: ``offshore-morocco`` (low attrition, Maghreb),
``us-india`` (high attrition, India; its home is the US) and
``outsource-france`` (onshore outsourcer). Series are aligned on the week of
the focal firm's cut-over. Quality and CSAT of the vendor are compared with
the home site of the same runs (points of the 0-100 quality scale).

Target b: quality dips at cut-over and recovers over about a quarter to a
plateau set by attrition. Read from the vendor-minus-home quality gap: the dip
is the mean gap over the first 4 weeks, the plateau the mean gap from week 26
after cut-over to the end, the recovery time the first week from which the
centred 13-week mean of the gap has closed 75 % of the distance from the dip
to the plateau. The learning curve is the vendor's mean proficiency.
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
    timed,
    total_seconds,
)
from experiments.stats import band, fmt_ci, mean_ci

NAME = "cutover"
DESTINATIONS = {"offshore-morocco": "Morocco (attrition 7.5 %/yr)",
                "us-india": "India (attrition 42.5 %/yr, US home)",
                "outsource-france": "Onshore outsourcer France (35 %/yr)"}
BEFORE = 13          # weeks shown before cut-over
DIP_WEEKS = 4        # weeks after cut-over that make the dip
PLATEAU_FROM = 26    # weeks after cut-over from which the plateau is measured
QUARTER = (6, 26)    # "about a quarter": recovery time window, weeks
NEAR_FULL = 0.75     # Morocco: share of the dip recovered for "almost fully"
RECOVERED = 0.75     # recovery time: share of the dip-to-plateau distance closed
SHOW_AFTER = 104     # weeks after cut-over shown in the figure (the plateau goes on)
COLUMNS = ["quality_vendor", "quality_home", "csat_vendor", "csat_home", "fcr",
           "vendor_proficiency", "vendor_attrition"]


def destination_runs(scale: Scale, workers: int) -> dict[str, list[Run]]:
    """Replicated runs of the three destinations (memoised)."""
    jobs = [j for name in DESTINATIONS for j in replicated(params(name, scale), scale, name)]
    runs = run_jobs(jobs, workers, NAME)
    return {name: [r for r in runs if r.label == name] for name in DESTINATIONS}


def aligned(runs: list[Run], column: str) -> tuple[np.ndarray, np.ndarray]:
    """(weeks since cut-over, replicates x weeks matrix) of ``column``."""
    rows, cut = [], []
    for r in runs:
        c = cutover_week(r)
        if c is None:
            continue
        s = r.series.set_index("week")[column]
        cut.append(c)
        rows.append(s)
    if not rows:
        return np.arange(0), np.empty((0, 0))
    lo = -BEFORE
    hi = min(int(s.index.max()) - c for s, c in zip(rows, cut, strict=True))
    rel = np.arange(lo, hi + 1)
    mat = np.vstack([s.reindex(rel + c).to_numpy(float) for s, c in zip(rows, cut, strict=True)])
    return rel, mat


def gap_stats(rel: np.ndarray, gap: np.ndarray) -> dict[str, float]:
    """Dip, plateau, recovered share and recovery time of one replicate's quality gap.

    Recovery time: first week after cut-over at which the centred 13-week mean of
    the gap has closed RECOVERED of the distance from the dip to the plateau.
    """
    after = rel >= 0
    dip = float(np.nanmean(gap[after & (rel < DIP_WEEKS)]))
    tail = after & (rel >= PLATEAU_FROM)
    plateau = float(np.nanmean(gap[tail])) if tail.any() else float("nan")
    roll = pd.Series(gap[after]).rolling(13, min_periods=4, center=True).mean().to_numpy()
    target = dip + RECOVERED * (plateau - dip)
    reached = np.flatnonzero(roll >= target) if plateau > dip else np.array([], int)
    t_rec = float(rel[after][reached[0]]) if len(reached) else float("nan")
    return {"dip": dip, "plateau": plateau, "recovery_weeks": t_rec,
            "recovered_share": (plateau - dip) / -dip if dip < 0 else float("nan")}


def _summary(by: dict[str, list[Run]]) -> tuple[pd.DataFrame, dict]:
    rows, raw = [], {}
    for name, runs in by.items():
        rel, qv = aligned(runs, "quality_vendor")
        _, qh = aligned(runs, "quality_home")
        stats_ = [gap_stats(rel, qv[i] - qh[i]) for i in range(len(qv))]
        raw[name] = stats_
        row = {"destination": DESTINATIONS[name], "preset": name, "n": len(stats_)}
        for key in ("dip", "plateau", "recovery_weeks", "recovered_share"):
            row[key], row[f"{key}_lo"], row[f"{key}_hi"] = mean_ci(s[key] for s in stats_)
        for col in ("vendor_proficiency", "vendor_attrition", "csat_vendor", "csat_home"):
            _, m = aligned(runs, col)
            tail = rel >= PLATEAU_FROM
            row[f"{col}_plateau"] = float(np.nanmean(m[:, tail])) if tail.any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows), raw


def markdown_frame(t: pd.DataFrame) -> pd.DataFrame:
    def ci(k: str, d: int = 1) -> list[str]:
        return [fmt_ci(a, b, c, d) for a, b, c in zip(t[k], t[f"{k}_lo"], t[f"{k}_hi"],
                                                      strict=True)]
    return pd.DataFrame({
        "destination": t["destination"],
        f"quality gap, weeks 0-{DIP_WEEKS - 1} (points)": ci("dip"),
        f"quality gap, plateau from week {PLATEAU_FROM} (points)": ci("plateau"),
        "share of the dip recovered": ci("recovered_share", 2),
        f"weeks to close {100 * RECOVERED:.0f} % of the dip-to-plateau distance":
            ci("recovery_weeks", 0),
        "vendor proficiency, plateau (0-1)": t["vendor_proficiency_plateau"].round(3),
        "vendor attrition (%/yr)": (100 * t["vendor_attrition_plateau"]).round(1)})


def _figure(by: dict[str, list[Run]], out_dir: Path) -> list[str]:
    fig, axes = new_figure(1, 4, 17, 4.3)
    panels = [("quality gap, vendor - home (points)", lambda r: _diff(r, "quality")),
              ("CSAT gap, vendor - home (points)", lambda r: _diff(r, "csat")),
              ("first-contact resolution, all contacts (%)",
               lambda r: _scaled(r, "fcr", 100.0)),
              ("vendor proficiency (0-1): learning curve",
               lambda r: _scaled(r, "vendor_proficiency", 1.0))]
    for ax, (label, get) in zip(axes, panels, strict=True):
        for i, (name, runs) in enumerate(by.items()):
            rel, mat = get(runs)
            if mat.size == 0:
                continue
            if "proficiency" not in label:  # weekly vendor samples are small: 4-week mean
                mat = pd.DataFrame(mat.T).rolling(4, min_periods=1).mean().to_numpy().T
            shown = rel <= SHOW_AFTER
            rel, mat = rel[shown], mat[:, shown]
            m, lo, hi = band(mat)
            ax.plot(rel, m, color=f"C{i}", label=DESTINATIONS[name], lw=1.3)
            ax.fill_between(rel, lo, hi, color=f"C{i}", alpha=0.2, lw=0, rasterized=True)
        ax.axvline(0, color="k", lw=0.8, ls="--")
        ax.axvspan(0, 13, color="grey", alpha=0.08)
        ax.set_xlabel("weeks since cut-over (shaded: first quarter)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].axhline(0, color="k", lw=0.6)
    axes[1].axhline(0, color="k", lw=0.6)
    axes[0].legend(fontsize=8, loc="lower right")
    fig.suptitle("Service quality after cut-over by destination (mean and 95 % CI over "
                 "replicates; gaps and FCR as 4-week rolling means)")
    return save_figure(fig, out_dir, NAME)


def _diff(runs: list[Run], kind: str) -> tuple[np.ndarray, np.ndarray]:
    rel, v = aligned(runs, f"{kind}_vendor")
    _, h = aligned(runs, f"{kind}_home")
    return rel, v - h


def _scaled(runs: list[Run], col: str, f: float) -> tuple[np.ndarray, np.ndarray]:
    rel, m = aligned(runs, col)
    return rel, f * m


def target_b(t: pd.DataFrame) -> dict:
    """Verdict of target b from the per-destination summary."""
    mo = t[t["preset"] == "offshore-morocco"].iloc[0]
    ind = t[t["preset"] == "us-india"].iloc[0]
    dips = mo["dip_hi"] < 0 and ind["dip_hi"] < 0
    quarter = bool(QUARTER[0] <= mo["recovery_weeks"] <= QUARTER[1])
    near_full = mo["recovered_share"] >= NEAR_FULL
    india_below = ind["plateau_hi"] < 0 and ind["plateau"] < mo["plateau"]
    met = bool(dips and quarter and near_full and india_below)
    text = (f"Morocco: dip {mo['dip']:.1f} points, plateau {mo['plateau']:.1f} "
            f"({100 * mo['recovered_share']:.0f} % of the dip recovered) after "
            f"{mo['recovery_weeks']:.0f} weeks (75 % of the way to the plateau), vendor "
            f"proficiency plateau {mo['vendor_proficiency_plateau']:.3f}; India: dip "
            f"{ind['dip']:.1f}, plateau "
            f"{fmt_ci(ind['plateau'], ind['plateau_lo'], ind['plateau_hi'], 1)} points "
            f"({100 * ind['recovered_share']:.0f} % recovered), proficiency "
            f"{ind['vendor_proficiency_plateau']:.3f}; vendor attrition "
            f"{100 * mo['vendor_attrition_plateau']:.1f} vs "
            f"{100 * ind['vendor_attrition_plateau']:.1f} %/yr. Checks: dip "
            f"{'yes' if dips else 'no'}, recovery within {QUARTER[0]}-{QUARTER[1]} weeks "
            f"{'yes' if quarter else 'no'}, Morocco >= {100 * NEAR_FULL:.0f} % recovered "
            f"{'yes' if near_full else 'no'}, India below home and below Morocco "
            f"{'yes' if india_below else 'no'}")
    checks = {"dip": bool(dips), "recovery within a quarter": quarter,
              "Morocco recovers almost fully": bool(near_full),
              "India below home and below Morocco": bool(india_below)}
    return {"b": {"verdict": "MET" if met else "NOT MET", "text": text, "checks": checks,
                  "criterion": (f"vendor-minus-home quality gap < 0 in weeks 0-{DIP_WEEKS - 1} "
                                f"(95 % CI) for Morocco and India; Morocco recovers within "
                                f"{QUARTER[0]}-{QUARTER[1]} weeks and >= "
                                f"{100 * NEAR_FULL:.0f} % of its dip; India's plateau below "
                                "home (CI) and below Morocco's")}}


@timed
def build(scale: Scale, out_dir: Path, workers: int = 2) -> Artefact:
    """Run the three destinations; write figure 2, its table, target b and the metadata."""
    by = destination_runs(scale, workers)
    table, _ = _summary(by)
    files = _figure(by, out_dir) + save_table(table, out_dir, NAME, markdown_frame(table))
    findings = {row["preset"]: {k: v for k, v in row.items() if k not in ("destination",)}
                for row in table.to_dict("records")}
    runs = [r for rs in by.values() for r in rs]
    return Artefact(
        name=NAME, title="Service-quality dip after cut-over and recovery by destination",
        caption=("Vendor-minus-home gaps of experience quality and CSAT, overall first-contact "
                 "resolution and the vendor's mean proficiency (learning curve) against weeks "
                 f"since the focal firm's cut-over, {scale.replicates} replicates per "
                 "destination (preset defaults, 70 % of contacts to the vendor)."),
        scale=scale_dict(scale), seeds=replicate_seeds(scale.replicates),
        replicates=scale.replicates, runs=distinct(runs),
        parameters={"presets": list(DESTINATIONS), "dip_weeks": DIP_WEEKS,
                    "plateau_from_week": PLATEAU_FROM, "quarter_window": list(QUARTER),
                    "near_full_recovery": NEAR_FULL},
        files=files, findings=findings, targets=target_b(table),
        run_seconds=total_seconds(runs))
