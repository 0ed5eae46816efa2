"""Answers across the plausible worlds: the chance that a strategy pays, its regret,
its brand-image and churn effects.

Strategies are compared world by world (common random numbers): a strategy *beats
staying home* in a world when its ten-year NPV exceeds that of the baseline run of
the same world and seed; its *regret* there is the best strategy's NPV minus its own
(zero for the best strategy of the world, the baseline included). The probability
of beating the baseline is the share of plausible worlds where it does, with a
Wilson (or Clopper-Pearson) interval for a binomial proportion (scipy.stats).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy import stats  # noqa: E402

MILLION = 1e6
#: Outcomes kept from every strategy run (focal firm's run summary).
METRICS = ("npv", "cum_profit", "image_all", "churn_monthly", "csat", "market_share",
           "offshore_share", "service_cost_share", "reshorings")


def proportion_ci(k: int, n: int, conf: float = 0.95, method: str = "wilson"
                  ) -> tuple[float, float, float]:
    """Share ``k / n`` and its ``conf`` interval (``wilson`` or ``clopper-pearson``)."""
    if n <= 0:
        return math.nan, math.nan, math.nan
    ci = stats.binomtest(int(k), int(n)).proportion_ci(
        confidence_level=conf, method="exact" if method == "clopper-pearson" else "wilson")
    return k / n, float(ci.low), float(ci.high)


def paired(runs: pd.DataFrame, baseline: str, strategies: Sequence[str]) -> pd.DataFrame:
    """Per (world, strategy): the metrics, differences to the baseline of the same world
    and the regret. Only worlds where every strategy ran without error are kept.

    ``runs`` has columns ``world``, ``label`` and ``METRICS``.
    """
    ok = runs[runs["label"].isin(strategies)]
    complete = ok.groupby("world")["label"].nunique()
    worlds = complete[complete == len(strategies)].index
    ok = ok[ok["world"].isin(worlds)].copy()
    base = ok[ok["label"] == baseline].set_index("world")
    w = ok["world"]
    ok["npv_diff"] = ok["npv"].to_numpy() - base.loc[w, "npv"].to_numpy()
    ok["image_diff"] = ok["image_all"].to_numpy() - base.loc[w, "image_all"].to_numpy()
    ok["churn_diff_pp"] = 100 * (ok["churn_monthly"].to_numpy()
                                 - base.loc[w, "churn_monthly"].to_numpy())
    ok["csat_diff"] = ok["csat"].to_numpy() - base.loc[w, "csat"].to_numpy()
    best = ok.groupby("world")["npv"].transform("max")
    ok["regret"] = best - ok["npv"]
    ok["best"] = ok["regret"] <= 0
    ok["beats_baseline"] = ok["npv_diff"] > 0
    return ok.sort_values(["world", "label"]).reset_index(drop=True)


def strategy_table(pairs: pd.DataFrame, baseline: str, strategies: Sequence[str],
                   conf: float = 0.95, method: str = "wilson") -> pd.DataFrame:
    """One row per strategy: P(beats the baseline) with its CI, NPV difference and regret
    distributions (millions), best-strategy share, image/churn/CSAT effects, reshoring."""
    rows = []
    for s in strategies:
        d = pairs[pairs["label"] == s]
        n = len(d)
        k = int(d["beats_baseline"].sum())
        p, lo, hi = proportion_ci(k, n, conf, method) if s != baseline else (math.nan,) * 3

        def q(c: str, f: float, d: pd.DataFrame = d, n: int = n) -> float:
            return float(np.quantile(d[c], f)) / MILLION if n else math.nan
        rows.append({
            "strategy": s, "worlds": n, "wins": k if s != baseline else 0,
            "p_beats_baseline": p, "ci_low": lo, "ci_high": hi,
            "npv_diff_mean_m": float(d["npv_diff"].mean()) / MILLION if n else math.nan,
            "npv_diff_p05_m": q("npv_diff", 0.05), "npv_diff_median_m": q("npv_diff", 0.5),
            "npv_diff_p95_m": q("npv_diff", 0.95),
            "regret_mean_m": float(d["regret"].mean()) / MILLION if n else math.nan,
            "regret_median_m": q("regret", 0.5), "regret_p95_m": q("regret", 0.95),
            "best_share": float(d["best"].mean()) if n else math.nan,
            "image_diff_median": float(d["image_diff"].median()) if n else math.nan,
            "churn_diff_pp_median": float(d["churn_diff_pp"].median()) if n else math.nan,
            "csat_diff_median": float(d["csat_diff"].median()) if n else math.nan,
            "reshoring_share": float((d["reshorings"] > 0).mean()) if n else math.nan,
        })
    return pd.DataFrame(rows)


def figure(pairs: pd.DataFrame, table: pd.DataFrame, baseline: str, labels: dict[str, str]
           ) -> Figure:
    """Four panels: P(beats the baseline) with CIs, NPV difference, regret, and the brand
    image and churn effects, across the plausible worlds."""
    fig = Figure(figsize=(11, 8), layout="constrained")
    axes = fig.subplots(2, 2)
    others = [s for s in table["strategy"] if s != baseline]
    names = [labels.get(s, s) for s in others]
    t = table.set_index("strategy").loc[others]
    y = np.arange(len(others))
    ax = axes[0, 0]
    ax.errorbar(t["p_beats_baseline"], y, xerr=[t["p_beats_baseline"] - t["ci_low"],
                                                t["ci_high"] - t["p_beats_baseline"]],
                fmt="o", capsize=3)
    ax.axvline(0.5, color="grey", lw=0.8, ls=":")
    ax.set(yticks=y, yticklabels=names, xlim=(-0.02, 1.02),
           xlabel=f"probability of beating {labels.get(baseline, baseline)} (NPV, 10 yr)",
           title="a. Chance that the strategy pays")
    ax.invert_yaxis()
    for ax, col, title, xlabel in (
            (axes[0, 1], "npv_diff", "b. NPV difference to the baseline", "million"),
            (axes[1, 0], "regret", "c. Regret against the best strategy of the world",
             "million")):
        data = [pairs.loc[pairs["label"] == s, col].to_numpy() / MILLION for s in others]
        ax.boxplot(data, orientation="horizontal", whis=(5, 95), showfliers=False)
        ax.set(yticks=y + 1, yticklabels=names, xlabel=xlabel + " (box: quartiles, "
               "whiskers: 5-95 %)", title=title)
        ax.axvline(0, color="grey", lw=0.8)
        ax.invert_yaxis()
    ax = axes[1, 1]
    for s, name in zip(others, names, strict=True):
        d = pairs[pairs["label"] == s]
        ax.scatter(d["churn_diff_pp"], d["image_diff"], s=6, alpha=0.35, label=name)
    ax.axhline(0, color="grey", lw=0.8)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set(xlabel="monthly churn difference (points)", ylabel="final brand image difference",
           title="d. Image and churn, one dot per world")
    ax.legend(fontsize=7, markerscale=2)
    return fig
