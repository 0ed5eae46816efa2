"""``offshoring compare`` (``make run``): the headline comparison of strategies.

The focal firm stays home, offshores to Morocco without and with the practices,
routes tiered, or follows the adaptive policy; ten years, a few replicates with
common random numbers (replicate k uses the same child seed in every strategy).
Prints brand image, monthly churn, cumulative NPV and the service cost as a
share of revenue and of operating cost (the stake: what a cheaper service hour
can save at most), with the spread across replicates, and writes a figure of
the focal firm's trajectories.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from scipy import stats
from tqdm import tqdm

from experiments.commands import write_failed
from experiments.files import check_folder_target, write_group
from model.presets import scenario
from model.runner import simulate

STRATEGIES = ["stay-home", "offshore-morocco", "offshore-morocco-practices", "tiered-morocco",
              "adaptive-morocco"]


def _one(job: tuple[str, int, int, np.random.SeedSequence, int]) -> pd.DataFrame:
    name, customers, weeks, seed, rep = job
    kpis = simulate(scenario(name, n_customers=customers, weeks=weeks), seed).kpis
    focal = kpis[kpis["firm"] == 0].assign(strategy=name, replicate=rep)
    return focal


def run_comparison(strategies: list[str], customers: int, weeks: int, replicates: int,
                   seed: int, workers: int) -> pd.DataFrame:
    """Focal-firm weekly KPIs of every strategy and replicate (long DataFrame)."""
    seeds = np.random.SeedSequence(seed).spawn(replicates)
    jobs = [(s, customers, weeks, seeds[r], r) for s in strategies for r in range(replicates)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        frames = list(tqdm(pool.map(_one, jobs), total=len(jobs), desc="runs", unit="run"))
    return pd.concat(frames, ignore_index=True)


def ci95(values: pd.Series) -> float:
    """Half-width of the 95 % t confidence interval of the mean (NaN for one value)."""
    n = values.size
    return float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)) if n > 1 \
        else float("nan")


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
            row[col], row[col + "_ci"] = d[col].mean(), ci95(d[col])
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


def cmd_compare(args: argparse.Namespace) -> int:
    out = check_folder_target(args.out)  # before the runs: exit 2 if it cannot be written
    long = run_comparison(STRATEGIES, args.customers, args.weeks, args.replicates, args.seed,
                          args.workers)
    res = table(long)
    t = Table(title=f"Focal firm over {args.weeks} weeks: {args.replicates} replicates, "
                    f"{args.customers} customers (mean ± 95 % CI)")
    for col in ("strategy", "brand image (0-100)", "churn (%/month)", "NPV (M)",
                "NPV vs home (M)", "service cost % revenue", "% operating cost"):
        t.add_column(col, justify="right")
    for _, r in res.iterrows():
        t.add_row(r["strategy"], f"{r['image']:.1f} ± {r['image_ci']:.1f}",
                  f"{r['churn']:.3f} ± {r['churn_ci']:.3f}",
                  f"{r['npv']:,.0f} ± {r['npv_ci']:,.0f}",
                  f"{r['npv_vs_home']:+,.0f} ± {r['npv_vs_home_ci']:,.0f}",
                  f"{r['service_share']:.1f}", f"{r['service_opex_share']:.1f}")
    Console(width=140).print(t)
    try:  # both to temporaries, then the figure renamed first, the table last
        out.mkdir(parents=True, exist_ok=True)
        write_group([(out / "compare.csv", lambda tmp: res.to_csv(tmp, index=False)),
                     (out / "compare.png", lambda tmp: figure(long, tmp))])
    except OSError as err:
        return write_failed(out, err)
    print(f"wrote {out / 'compare.csv'} and {out / 'compare.png'}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    from experiments.commands import positive_int, seed_int

    p = sub.add_parser("compare", help="headline comparison of strategies (make run)")
    p.add_argument("--customers", type=positive_int, default=5000)
    p.add_argument("--weeks", type=positive_int, default=520)
    p.add_argument("--replicates", type=positive_int, default=3)
    p.add_argument("--seed", type=seed_int, default=2026)
    p.add_argument("--workers", type=positive_int, default=2)
    p.add_argument("--out", default="out", help="folder for compare.csv and compare.png")
    p.set_defaults(func=cmd_compare)
