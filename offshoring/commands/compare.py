"""``offshoring compare`` (``make run``): the headline comparison of strategies."""

from __future__ import annotations

import argparse

from offshoring.commands.argtypes import positive_int, seed_int, worker_count


def cmd_compare(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from experiments.files import check_folder_target, write_group
    from experiments.research.common import shutdown
    from experiments.research.compare import STRATEGIES, figure, run_comparison, table
    from experiments.runs import write_failed

    out = check_folder_target(args.out)  # before the runs: exit 2 if it cannot be written
    try:
        long = run_comparison(STRATEGIES, args.customers, args.weeks, args.replicates,
                              args.seed, args.workers)
    finally:
        shutdown()
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
    p = sub.add_parser("compare", help="headline comparison of strategies (make run)")
    p.add_argument("--customers", type=positive_int, default=5000)
    p.add_argument("--weeks", type=positive_int, default=520)
    p.add_argument("--replicates", type=positive_int, default=3)
    p.add_argument("--seed", type=seed_int, default=2026)
    p.add_argument("--workers", type=worker_count, default=2)
    p.add_argument("--out", default="out", help="folder for compare.csv and compare.png")
    p.set_defaults(func=cmd_compare)
