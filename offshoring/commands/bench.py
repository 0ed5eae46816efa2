"""``offshoring bench``: speed and memory of the vectorised model against the per-agent
reference (experiments.tools.bench)."""

from __future__ import annotations

import argparse

from offshoring.commands.argtypes import (
    DEFAULT_SCENARIO,
    non_negative_int,
    positive_int,
    seed_int,
    size,
    sizes,
    worker_count,
)


def worker_counts(text: str) -> list[int]:
    """argparse type: comma-separated numbers of worker processes (``1,2``), each 1 to
    ``argtypes.max_workers()``."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected e.g. 1,2, got {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"worker counts must be >= 1, got {text!r}")
    return [worker_count(str(n)) for n in counts]


def cmd_bench(args: argparse.Namespace) -> int:
    import multiprocessing
    from pathlib import Path

    from rich.console import Console

    from experiments.runs import check_out, write_atomic
    from experiments.tools.bench import (
        bench_params,
        build_table,
        profile_table,
        run_bench,
        step_table,
    )
    from model.params import ParameterError
    from model.presets import SCENARIOS

    if args.scenario not in SCENARIOS:
        raise ParameterError(f"unknown scenario '{args.scenario}': allowed "
                             f"{', '.join(SCENARIOS)}")
    if args.ensemble:
        return _ensemble(args, Console(width=max(Console().width, 110)))
    if args.same_as:
        return _same_as(args, Console(width=max(Console().width, 110)))
    if not args.sizes:
        raise ParameterError("--sizes: give at least one size, e.g. 10k,100k")
    out = Path(args.out) if args.out else None
    if out is not None:
        check_out(out)
    bench_params(args.scenario, min(args.sizes), args.burn_in)  # refuse bad input early
    console = Console(width=max(Console().width, 110))
    df = run_bench(args, console)
    console.print(step_table(df, f"Weekly step, {args.scenario}, seed {args.seed}: "
                              f"vectorised over {args.vector_weeks} weeks, reference over "
                              f"{args.weeks}, after {args.warmup} (burn-in {args.burn_in})"))
    console.print("rules: DESIGN steps 4-11 (customer rules) without the shared firm side "
                  "(channels' capacity and queues); ratio: reference / vectorised, this run.")
    console.print(build_table(df, f"Build and memory ({multiprocessing.cpu_count()} cores; "
                                  f"full run: {args.full_weeks} weeks after the scenario's "
                                  "burn-in)"))
    console.print("agents: customer arrays (vectorised) or agents and neighbour lists "
                  "(reference); views: all Customer views, created lazily; peak RSS: the "
                  "measuring process, interpreter included.")
    if "profile" in df and df["profile"].notna().any():
        row = df[df["profile"].notna()].iloc[0]
        console.print(profile_table(row["profile"], int(row["customers"])))
    if out is not None:
        write_atomic(df.drop(columns=["profile"], errors="ignore"), out)
        console.print(f"wrote {out}")
    return 0


def _ensemble(args: argparse.Namespace, console) -> int:
    """``--ensemble``: research-scale runs per core-minute through the sweep engine."""
    import json
    import multiprocessing
    import platform

    from experiments.tools.bench import ENSEMBLE_SIZE, ensemble_report, run_ensemble_bench

    n, burn_in, weeks = ENSEMBLE_SIZE["n"], ENSEMBLE_SIZE["burn_in"], ENSEMBLE_SIZE["weeks"]
    with console.status(f"ensemble bench: {n:,} customers x ({burn_in} + {weeks}) weeks"):
        r = run_ensemble_bench(args.scenario, n, burn_in, weeks, args.ensemble_runs,
                               args.workers, args.seed, start=not args.no_start)
    for table in ensemble_report(r, args.scenario, n, burn_in, weeks):
        console.print(table)
    console.print(f"machine: {multiprocessing.cpu_count()} cores, {platform.processor() or '?'}"
                  f", Python {platform.python_version()}; runs/core-minute = runs / (wall x "
                  "workers); firm side: calendar, firm decisions, workforce, channels, "
                  "accounting, KPI rows, data collection.")
    if args.out:
        from pathlib import Path
        Path(args.out).write_text(json.dumps(r, indent=2, default=float) + "\n")
        console.print(f"wrote {args.out}")
    return 0


def _same_as(args: argparse.Namespace, console) -> int:
    """``--same-as REV``: the fixed cases run here and at REV, compared exactly; exit 1 if
    any case differs."""
    import tempfile
    from pathlib import Path

    from rich.table import Table

    from experiments.runs import check_out, write_atomic
    from experiments.tools import identical

    repo = Path(identical.__file__).resolve().parents[2]
    commit = identical.commit_of(args.same_as, repo)  # refuse a bad revision early
    out = Path(args.out) if args.out else None
    if out is not None:
        check_out(out)
    here = "this tree" + (" (model/ with uncommitted changes)"
                          if identical.model_changed(repo) else "")
    n_cases = len(identical.cases())
    with tempfile.TemporaryDirectory(prefix="same-as-") as tmp:
        # the other revision first: a revision whose cases cannot run is told at once
        with console.status(f"{args.same_as} ({commit[:10]}), in a temporary worktree; its "
                            "kernels compile first"):
            theirs = identical.capture_at(commit, Path(tmp) / "there", repo)
        with console.status(f"{here}: {n_cases} cases x {len(identical.SEEDS)} seeds"):
            stems = identical.capture(Path(tmp) / "here")
        df = identical.compare(Path(tmp) / "here", Path(tmp) / "there", stems, theirs)
    table = Table(title=f"Outputs of {here} and of {args.same_as} ({commit[:10]}): weekly "
                        f"KPIs with the burn-in and summaries, {identical.CUSTOMERS} customers, "
                        f"{identical.BURN_IN} + {identical.WEEKS} weeks")
    for col in ("case", "seed", "same", "difference"):
        table.add_column(col)
    for row in df.itertuples():
        table.add_row(row.case, str(row.seed), "yes" if row.same else "[bold]NO[/bold]",
                      row.difference)
    console.print(table)
    differ = int((~df["same"]).sum())
    console.print(f"{n_cases} cases x {len(identical.SEEDS)} seeds: " + (
        "IDENTICAL" if not differ else f"{differ} of {len(df)} DIFFER"))
    if out is not None:
        write_atomic(df, out)
        console.print(f"wrote {out}")
    return 1 if differ else 0


def register(sub: argparse._SubParsersAction) -> None:
    b = sub.add_parser("bench", help="time the vectorised model against the per-agent "
                                     "reference (10k, 100k, 1M customers)")
    b.add_argument("--sizes", type=sizes, default=[10_000, 100_000, 1_000_000],
                   help="comma-separated numbers of customers (default 10k,100k,1M)")
    b.add_argument("--weeks", type=positive_int, default=4,
                   help="timed weeks of the reference (default 4)")
    b.add_argument("--vector-weeks", type=positive_int, default=52,
                   help="timed weeks of the vectorised model (default 52)")
    b.add_argument("--warmup", type=non_negative_int, default=14,
                   help="untimed weeks before timing (default 14: past the cut-over)")
    b.add_argument("--burn-in", type=non_negative_int, default=13,
                   help="burn-in weeks of the timed models (default 13)")
    b.add_argument("--reference-max", type=size, default=100_000,
                   help="largest size the reference runs at (default 100k)")
    b.add_argument("--full-weeks", type=non_negative_int, default=520,
                   help="weeks of the full vectorised run per size, 0 to skip (default 520)")
    b.add_argument("--scenario", default=DEFAULT_SCENARIO,
                   help=f"scenario preset (default {DEFAULT_SCENARIO})")
    b.add_argument("--seed", type=seed_int, default=0, help="random seed (default 0)")
    b.add_argument("--profile", action="store_true",
                   help="profile the vectorised step at the largest size (cProfile)")
    b.add_argument("--top", type=positive_int, default=15, help="functions shown by --profile")
    mode = b.add_mutually_exclusive_group()
    mode.add_argument("--ensemble", action="store_true",
                   help="research-scale ensemble instead: a ten-year run at 3,000 customers "
                        "in-process (customer rules / firm side), runs per core-minute "
                        "through the sweep engine, process start")
    mode.add_argument("--same-as", metavar="REV",
                      help="instead: check that the outputs are identical to git revision REV "
                           "(every scenario preset, shocks, a reshoring firm; 600 customers, "
                           "2 seeds, exact comparison); exit status 1 if any differs")
    b.add_argument("--ensemble-runs", type=positive_int, default=24,
                   help="runs per pool size with --ensemble (default 24)")
    b.add_argument("--workers", type=worker_counts, default=[1, 2],
                   help="pool sizes with --ensemble, comma-separated (default 1,2)")
    b.add_argument("--no-start", action="store_true",
                   help="with --ensemble, skip the process-start measurement")
    b.add_argument("--out", help="also write the table to this .csv or .parquet file "
                                 "(with --ensemble: the measurements as .json; with "
                                 "--same-as: the comparison)")
    b.set_defaults(func=cmd_bench)
