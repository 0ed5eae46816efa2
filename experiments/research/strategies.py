"""Figure 1: ten-year comparison of the strategies, and target d (churn vs labour saving).

Seven presets at their defaults, the same replicate seeds for each (common
random numbers): NPV differences against staying home are paired per seed.

Target d asks whether a rise in monthly churn of a few tenths of a point
cancels a 30-40 % labour saving over ten years. From the stay-home runs we
take the weekly service cost, the customer base and the monthly margin per
customer (contribution margin, i.e. revenue minus the variable cost of
serving the customers, minus the service cost, per real customer); the break-even
churn rise is the constant rise whose discounted lost margin over the horizon
equals the discounted saving (customers lost compound: N (1 - (1 - d)^t)).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import brentq

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

NAME = "strategies"
STRATEGIES = {
    "stay-home": "Stay home",
    "offshore-morocco": "Offshore Morocco",
    "offshore-morocco-practices": "Offshore Morocco + practices",
    "offshore-romania": "Offshore Romania",
    "tiered-morocco": "Tiered Morocco",
    "outsource-france": "Outsource (France)",
    "adaptive-morocco": "Adaptive Morocco",
}
SAVINGS = (0.30, 0.40)  # labour savings of target d (share of the service cost)
FEW_TENTHS = 0.5  # "a few tenths of a point": upper bound, percentage points of monthly churn
TEN_YEARS = 120  # months over which target d compares saving and lost margin


def strategy_runs(scale: Scale, workers: int) -> dict[str, list[Run]]:
    """Replicated runs of every strategy (shared with other artefacts through the memo)."""
    jobs = [j for name in STRATEGIES for j in replicated(params(name, scale), scale, name)]
    runs = run_jobs(jobs, workers, NAME)
    return {name: [r for r in runs if r.label == name] for name in STRATEGIES}


def _table(by: dict[str, list[Run]]) -> pd.DataFrame:
    home = np.array([r.summary["npv"] for r in by["stay-home"]])
    rows = []
    for name, runs in by.items():
        npv = np.array([r.summary["npv"] for r in runs])
        diff = (npv - home) / MILLION
        row = {"strategy": STRATEGIES[name], "preset": name, "n": len(runs)}
        for key, col, f in (("image", "image_all", 1.0), ("churn_pct", "churn_monthly", 100.0),
                            ("npv_m", "npv", 1 / MILLION)):
            m, lo, hi = mean_ci(f * r.summary[col] for r in runs)
            row.update({key: m, f"{key}_lo": lo, f"{key}_hi": hi})
        m, lo, hi = mean_ci(diff)
        row.update({"npv_diff": m, "npv_diff_lo": lo, "npv_diff_hi": hi,
                    "share_diff_positive": float((diff > 0).mean()),
                    "service_cost_m": np.mean([r.summary["service_cost"] for r in runs])
                    / MILLION})
        rows.append(row)
    return pd.DataFrame(rows)


def markdown_frame(t: pd.DataFrame) -> pd.DataFrame:
    def ci(k: str, d: int) -> list[str]:
        return [fmt_ci(a, b, c, d) for a, b, c in zip(t[k], t[f"{k}_lo"], t[f"{k}_hi"],
                                                      strict=True)]
    return pd.DataFrame({
        "strategy": t["strategy"], "brand image, last year (0-100)": ci("image", 1),
        "monthly churn (%)": ci("churn_pct", 3), "NPV (M EUR)": ci("npv_m", 1),
        "NPV - stay home (M EUR, paired)": ci("npv_diff", 1),
        "replicates with NPV > stay home": t["share_diff_positive"].round(2),
        "service cost (M EUR)": t["service_cost_m"].round(1)})


def _figure(by: dict[str, list[Run]], out_dir: Path, scale: Scale) -> list[str]:
    fig, axes = new_figure(1, 3, 15, 4.6)
    panels = [("image_all", 1.0, "brand image among all customers (0-100)", 0),
              ("churn_monthly", 100.0, "monthly churn (%), 13-week rolling mean", 13),
              ("npv", 1 / MILLION, "cumulative NPV minus stay home (M EUR, paired)", 0)]
    home_npv = series_matrix(by["stay-home"], "npv") / MILLION
    for ax, (col, f, label, roll) in zip(axes, panels, strict=True):
        for i, (name, runs) in enumerate(by.items()):
            mat = f * series_matrix(runs, col)
            if col == "npv":
                mat = mat - home_npv
            if roll:
                mat = pd.DataFrame(mat.T).rolling(roll, min_periods=1).mean().to_numpy().T
            m, lo, hi = band(mat)
            years = np.arange(mat.shape[1]) / 52
            ax.plot(years, m, color=f"C{i}", label=STRATEGIES[name], lw=1.4)
            ax.fill_between(years, lo, hi, color=f"C{i}", alpha=0.18, lw=0, rasterized=True)
        ax.set_xlabel("years after week 0 (offshoring announced at week 26)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="best")
    fig.suptitle(f"Strategies over {scale.weeks / 52:.3g} years: mean and 95 % CI of "
                 f"{scale.replicates} paired replicates")
    return save_figure(fig, out_dir, NAME)


def break_even_rise(saving_month: float, margin_month: float, customers: float,
                    months: int, annual_rate: float) -> float:
    """Monthly churn rise (share) whose discounted lost margin equals the saving.

    ``saving_month``: currency/month saved; ``margin_month``: currency/month per
    real customer; ``customers``: real customers at the start.
    """
    t = np.arange(1, months + 1)
    disc = (1 + annual_rate) ** (-t / 12)
    pv_saving = float((saving_month * disc).sum())

    def gap(d: float) -> float:
        return float((margin_month * customers * (1 - (1 - d) ** t) * disc).sum()) - pv_saving
    if gap(0.5) < 0:
        return float("nan")
    return float(brentq(gap, 0.0, 0.5))


def target_d(by: dict[str, list[Run]], scale: Scale) -> tuple[dict, dict]:
    """Break-even churn rises for 30 % and 40 % savings and the measured saving."""
    p = params("stay-home", scale)
    real = p.market.market_size / p.n_customers
    home, off = by["stay-home"], by["offshore-morocco"]
    cost_w = np.mean([series_matrix(home, "service_cost").mean()])
    revenue_w = series_matrix(home, "revenue").mean()
    customers = series_matrix(home, "customers").mean() * real
    contribution_w = revenue_w * (1 - p.market.variable_cost_share)
    margin_month = (contribution_w - cost_w) / customers * 52 / 12
    months = TEN_YEARS
    rate = p.economics.discount_rate
    out = {"service_cost_month_m": cost_w * 52 / 12 / MILLION,
           "revenue_per_customer_month": revenue_w / customers * 52 / 12,
           "service_cost_share_of_revenue": cost_w / revenue_w,
           "service_cost_share_of_margin": cost_w / contribution_w,
           "margin_per_customer_month": margin_month, "customers_real": customers,
           "months": months, "discount_rate": rate}
    for s in SAVINGS:
        out[f"break_even_pp_at_{int(s * 100)}pct"] = 100 * break_even_rise(
            s * cost_w * 52 / 12, margin_month, customers, months, rate)
    saved = np.array([h.summary["service_cost"] - o.summary["service_cost"]
                      for h, o in zip(home, off, strict=True)])
    share = float(saved.mean() / np.mean([h.summary["service_cost"] for h in home]))
    out["morocco_saving_share"] = share
    out["break_even_pp_at_morocco_saving"] = 100 * break_even_rise(
        share * cost_w * 52 / 12, margin_month, customers, months, rate)
    rise = [100 * (o.summary["churn_monthly"] - h.summary["churn_monthly"])
            for h, o in zip(home, off, strict=True)]
    out["morocco_churn_rise_pp"] = mean_ci(rise)
    be = [out[f"break_even_pp_at_{int(s * 100)}pct"] for s in SAVINGS]
    met = all(np.isfinite(b) and b <= FEW_TENTHS for b in be)
    text = (f"break-even rise of monthly churn: {be[0]:.2f} pp for a 30 % and {be[1]:.2f} pp "
            f"for a 40 % labour saving over {months / 12:g} years (criterion: at most "
            f"{FEW_TENTHS:g} pp, i.e. a few tenths suffice); Morocco's measured "
            f"service-cost saving {100 * share:.0f} % is cancelled by "
            f"{out['break_even_pp_at_morocco_saving']:.2f} pp; its measured churn rise is "
            f"{fmt_ci(*out['morocco_churn_rise_pp'], 3)} pp")
    return out, {"d": {"verdict": "MET" if met else "NOT MET", "text": text,
                       "criterion": f"break-even rise for 30 % and 40 % savings at most "
                                    f"{FEW_TENTHS:g} percentage points"}}


@timed
def build(scale: Scale, out_dir: Path, workers: int = 2) -> Artefact:
    """Run the seven strategies; write figure 1, its table, target d and the metadata."""
    by = strategy_runs(scale, workers)
    table = _table(by)
    files = _figure(by, out_dir, scale) + save_table(table, out_dir, NAME, markdown_frame(table))
    d_numbers, targets = target_d(by, scale)
    findings = {row["preset"]: {k: row[k] for k in ("image", "churn_pct", "npv_m", "npv_diff",
                                                     "npv_diff_lo", "npv_diff_hi",
                                                     "share_diff_positive")}
                for row in table.to_dict("records")}
    findings["target_d"] = d_numbers
    runs = [r for rs in by.values() for r in rs]
    return Artefact(
        name=NAME, title="Ten-year comparison of strategies",
        caption=(f"Brand image (all customers), monthly churn and cumulative NPV of the focal "
                 f"firm under seven strategies (preset defaults), {scale.replicates} replicates "
                 "each with common seeds; bands and brackets are 95 % confidence intervals of "
                 "the mean; NPV differences are paired by seed."),
        scale=scale_dict(scale), seeds=replicate_seeds(scale.replicates),
        replicates=scale.replicates, runs=distinct(runs),
        parameters={"presets": list(STRATEGIES), "overrides": "none (preset defaults)",
                    "labour_savings_target_d": list(SAVINGS)},
        files=files, findings=findings, targets=targets, run_seconds=total_seconds(runs))
