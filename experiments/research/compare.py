"""``offshoring compare`` (``make run``): the headline comparison of strategies.

The focal firm stays home, offshores to Morocco without and with the practices,
routes tiered, or follows the adaptive policy; ten years, a few replicates with
common random numbers (replicate k uses the same child seed in every strategy).
Prints brand image, monthly churn, cumulative NPV and the service cost as a
share of revenue and of operating cost (the stake: what a cheaper service hour
can save at most), with the spread across replicates, and writes a figure of
the focal firm's trajectories. Runs go through the research runner
(``experiments.research.common.run_jobs``) with its replicate seeds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.research.common import run_jobs
from experiments.stats import half_width
from experiments.sweeps.jobs import Job
from experiments.sweeps.seeds import seed_ints
from model.presets import scenario

STRATEGIES = ["stay-home", "offshore-morocco", "offshore-morocco-practices", "tiered-morocco",
              "adaptive-morocco"]


def run_comparison(strategies: list[str], customers: int, weeks: int, replicates: int,
                   seed: int, workers: int) -> pd.DataFrame:
    """Focal-firm weekly KPIs of every strategy and replicate (long DataFrame)."""
    seeds = seed_ints(seed, replicates)
    jobs = [Job(scenario(s, n_customers=customers, weeks=weeks), seeds[r], r, s)
            for s in strategies for r in range(replicates)]
    runs = run_jobs(jobs, workers, "runs")
    return pd.concat([r.series.assign(strategy=r.label, replicate=r.replicate) for r in runs],
                     ignore_index=True)


def table(long: pd.DataFrame) -> pd.DataFrame:
    """Per strategy: final-year brand image, mean monthly churn, final NPV; mean and CI.

    The NPV difference to staying home is paired by replicate (common random
    numbers), so its interval excludes the market noise both runs share.
    """
    last = long["week"].max()
    per_run = long.groupby(["strategy", "replicate"], sort=False).apply(
        lambda d: pd.Series({
            "image": d.loc[d["week"] > last - 52, "image_all"].mean(),
            "churn": 100 * d["churn_monthly"].mean(),
            "npv": d.loc[d["week"] == last, "npv"].iloc[0] / 1e6,
            "service_share": 100 * d["service_cost"].sum() / d["revenue"].sum(),
            "service_opex_share": 100 * d["service_cost"].sum() / d["total_cost"].sum(),
        }), include_groups=False).reset_index()
    home = per_run[per_run["strategy"] == "stay-home"].set_index("replicate")["npv"]
    per_run["npv_vs_home"] = per_run["npv"] - per_run["replicate"].map(home)
    rows = []
    for name, d in per_run.groupby("strategy", sort=False):
        row = {"strategy": name}
        for col in ("image", "churn", "npv", "npv_vs_home", "service_share",
                    "service_opex_share"):
            row[col], row[col + "_ci"] = d[col].mean(), half_width(d[col])
        rows.append(row)
    return pd.DataFrame(rows)


def figure(long: pd.DataFrame, path: str | Path) -> None:
    """Brand image, monthly churn and cumulative profit of the focal firm by strategy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    mean = long.groupby(["strategy", "week"], sort=False)[
        ["image_all", "churn_monthly", "cum_profit"]].mean().reset_index()
    for name, d in mean.groupby("strategy", sort=False):
        axes[0].plot(d["week"], d["image_all"], label=name)
        axes[1].plot(d["week"], 100 * d["churn_monthly"].rolling(13, min_periods=1).mean())
        axes[2].plot(d["week"], d["cum_profit"] / 1e6)
    for ax, title in zip(axes, ("Brand image (0-100)", "Monthly churn, % (13-week mean)",
                                "Cumulative profit (M)"), strict=True):
        ax.set_title(title)
        ax.set_xlabel("week")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Focal firm by relocation strategy (mean of replicates)")
    fig.tight_layout()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)
