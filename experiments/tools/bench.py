"""``offshoring bench``: speed and memory of the vectorised model against the per-agent reference.

For each market size the command measures, each in a fresh process (so peak
memory is that size's own):

* the vectorised ``OffshoringModel``: time to build the network (CSR), the
  customer arrays and, on demand, the ``Customer`` views; the constructor
  (with its burn-in); the mean wall time of a weekly step, split into the
  customer rules (DESIGN.md steps 4-11) and the firm side and bookkeeping
  (steps 1-3, the channels' capacity and queues, accounting, KPI rows, data
  collection), which both implementations share;
* the per-agent ``ReferenceModel`` (experiments.tools.reference) up to
  ``--reference-max`` customers, on the same parameters and seed;
* a full run of the vectorised model (``--full-weeks``, default 520, after
  the scenario's own burn-in), its wall time and the process's peak RSS.

The weekly steps are timed after a warm-up long enough for the focal firm's
relocation to be live (the bench announces it at week 0, so the vendor channel
and offshore awareness are part of every timed week). ``--profile`` adds the
functions where the vectorised step spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from experiments.sweeps.pool import local_executor
from model.params import Params
from model.presets import scenario

#: Methods of both models that are not customer rules (shared firm side, bookkeeping).
SHARED_STEPS = ("calendar_and_events", "firm_decisions", "workforce", "channel", "channels",
                "accounting", "observation")  # channel: the reference's, channels: the model's


def bench_params(name: str, n: int, burn_in: int) -> Params:
    """The timed market: scenario ``name`` with its relocation announced at week 0."""
    return scenario(name, n_customers=n, burn_in_weeks=burn_in, **{"policy.week": 0})


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB; ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------- phase timing
class PhaseClock:
    """Wraps a model's shared-step methods to split a week's wall time.

    ``shared`` accumulates the time spent in ``SHARED_STEPS`` and data
    collection; the rest of a step is the customer rules.
    """

    def __init__(self, model) -> None:
        self.shared = 0.0
        for name in SHARED_STEPS:
            setattr(model, name, self._timed(getattr(model, name)))
        model.datacollector.collect = self._timed(model.datacollector.collect)

    def _timed(self, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.shared += time.perf_counter() - t0
        return wrapper


def time_steps(model, weeks: int, warmup: int) -> tuple[float, float]:
    """(mean seconds per step, mean seconds per step in customer rules) over ``weeks`` steps."""
    if warmup:
        model.run_for(warmup)
    clock = PhaseClock(model)
    t0 = time.perf_counter()
    model.run_for(weeks)
    total = time.perf_counter() - t0
    return total / weeks, (total - clock.shared) / weeks


# ---------------------------------------------------------------- measurements (children)
def measure_vectorised(job: dict) -> dict:
    """Build times, step times and (optionally) a profile of the vectorised model."""
    from model.model import OffshoringModel
    from model.network import build_network
    from model.population import create_population

    p = bench_params(job["scenario"], job["n"], job["burn_in"])
    t0 = time.perf_counter()
    build_network(p.n_customers, p.network, np.random.default_rng(job["seed"]))
    network_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    create_population(p, np.full(p.n_firms, 0.6), np.random.default_rng(job["seed"]))
    arrays_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = OffshoringModel(p, rng=job["seed"])
    build_s = time.perf_counter() - t0
    step, rules = time_steps(model, job["weeks"], job["warmup"])
    profile = _profile(model, job["weeks"], job["top"]) if job["profile"] else None
    t0 = time.perf_counter()
    views = len(model.customers)
    views_s = time.perf_counter() - t0
    assert views == p.n_customers
    return {"network_s": network_s, "agents_s": arrays_s, "views_s": views_s,
            "build_s": build_s, "step_s": step, "rules_s": rules, "rss_mb": peak_rss_mb(),
            "profile": profile}


def measure_reference(job: dict) -> dict:
    """Build and step times of the per-agent reference on the same market and seed."""
    from experiments.tools.reference import ReferenceModel

    p = bench_params(job["scenario"], job["n"], job["burn_in"])
    t0 = time.perf_counter()
    model = ReferenceModel(p, rng=job["seed"])
    build_s = time.perf_counter() - t0
    step, rules = time_steps(model, job["weeks"], job["warmup"])
    return {"agents_s": model.agent_build_seconds, "build_s": build_s, "step_s": step,
            "rules_s": rules, "rss_mb": peak_rss_mb()}


def measure_full_run(job: dict) -> dict:
    """A full run of the vectorised model: the scenario as is, ``full_weeks`` after burn-in."""
    from model.model import OffshoringModel

    p = scenario(job["scenario"], n_customers=job["n"], weeks=job["full_weeks"])
    t0 = time.perf_counter()
    model = OffshoringModel(p, rng=job["seed"])
    model.run_for(p.weeks)
    rows = len(model.kpis())
    assert rows == p.weeks * p.n_firms
    return {"full_s": time.perf_counter() - t0, "full_rss_mb": peak_rss_mb()}


def _profile(model, weeks: int, top: int) -> list[tuple[str, int, float, float]]:
    """(function, calls, own s/week, cumulative s/week) of the costliest functions."""
    prof = cProfile.Profile()
    prof.enable()
    model.run_for(weeks)
    prof.disable()
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    for (path, line, fn), (_cc, calls, own, cum, _callers) in stats.stats.items():
        where = f"{Path(path).parent.name}/{Path(path).name}:{line}" if line else path
        rows.append((f"{fn} ({where})", calls // weeks, own / weeks, cum / weeks))
    return sorted(rows, key=lambda r: r[2], reverse=True)[:top]


def in_child(fn, job: dict) -> dict:
    """Run ``fn(job)`` in a fresh interpreter, so its peak RSS is its own."""
    with local_executor(1, fresh=True) as pool:
        return pool.submit(fn, job).result()


# ---------------------------------------------------------------- the command
def run_bench(args: argparse.Namespace, console: Console) -> pd.DataFrame:
    """Every measurement, one row per size and implementation."""
    rows = []
    for n in args.sizes:
        job = {"scenario": args.scenario, "n": n, "seed": args.seed, "warmup": args.warmup,
               "burn_in": args.burn_in, "full_weeks": args.full_weeks, "top": args.top,
               "weeks": args.vector_weeks, "profile": args.profile and n == max(args.sizes)}
        with console.status(f"{n:,} customers: vectorised"):
            vec = in_child(measure_vectorised, job)
        if args.full_weeks:
            with console.status(f"{n:,} customers: vectorised, {args.full_weeks}-week run"):
                vec.update(in_child(measure_full_run, job))
        rows.append({"customers": n, "implementation": "vectorised", **vec})
        if n <= args.reference_max:
            with console.status(f"{n:,} customers: per-agent reference"):
                ref = in_child(measure_reference, {**job, "weeks": args.weeks})
            rows.append({"customers": n, "implementation": "reference", **ref,
                         "network_s": vec["network_s"]})
    return pd.DataFrame(rows)


def step_table(df: pd.DataFrame, title: str) -> Table:
    """Weekly step times side by side, and the ratios reference / vectorised."""
    table = Table(title=title)
    for header in ("customers", "vectorised ms/wk", "reference ms/wk", "ratio",
                   "vectorised rules ms/wk", "reference rules ms/wk", "ratio rules"):
        table.add_column(header, justify="right")
    for n, d in df.groupby("customers", sort=True):
        vec = d[d["implementation"] == "vectorised"].iloc[0]
        ref = d[d["implementation"] == "reference"]
        ref = ref.iloc[0] if len(ref) else None
        cells = [f"{n:,}", f"{vec['step_s'] * 1e3:.2f}",
                 "-" if ref is None else f"{ref['step_s'] * 1e3:.1f}",
                 "-" if ref is None else f"{ref['step_s'] / vec['step_s']:.0f}x",
                 f"{vec['rules_s'] * 1e3:.2f}",
                 "-" if ref is None else f"{ref['rules_s'] * 1e3:.1f}",
                 "-" if ref is None else f"{ref['rules_s'] / vec['rules_s']:.0f}x"]
        table.add_row(*cells)
    return table


BUILD_COLUMNS = [  # (column, header, format)
    ("network_s", "network s", "{:.2f}"), ("agents_s", "agents s", "{:.2f}"),
    ("views_s", "views s", "{:.2f}"), ("build_s", "constructor s", "{:.1f}"),
    ("rss_mb", "peak RSS MB", "{:,.0f}"), ("full_s", "full run s", "{:.1f}"),
    ("full_rss_mb", "full-run peak RSS MB", "{:,.0f}"),
]


def build_table(df: pd.DataFrame, title: str) -> Table:
    """Build times and memory per size and implementation."""
    table = Table(title=title)
    table.add_column("customers", justify="right")
    table.add_column("implementation")
    for _col, header, _fmt in BUILD_COLUMNS:
        table.add_column(header, justify="right")
    for _, r in df.iterrows():
        cells = [f"{r['customers']:,}", r["implementation"]]
        for col, _header, fmt in BUILD_COLUMNS:
            v = r.get(col)
            cells.append("-" if v is None or pd.isna(v) else fmt.format(v))
        table.add_row(*cells)
    return table


def profile_table(rows: list[tuple[str, int, float, float]], n: int) -> Table:
    table = Table(title=f"Where the vectorised step spends its time ({n:,} customers, "
                        "cProfile, per week)")
    for header in ("function", "calls/wk", "own ms/wk", "cumulative ms/wk"):
        table.add_column(header, justify="left" if header == "function" else "right")
    for fn, calls, own, cum in rows:
        table.add_row(fn, f"{calls:,}", f"{own * 1e3:.2f}", f"{cum * 1e3:.2f}")
    return table


# ---------------------------------------------------------------- ensemble (issue 12)
#: Figures measured on the project's 2-core machine before the firm side was made arrays
#: (commit 5ada565, quiet machine): the ten-year run at 3,000 customers in-process, and
#: ``python -m offshoring run offshore-morocco --customers 3000 --weeks 520 --quiet``.
BEFORE = {"ten_year_s": 0.44, "run_wall_s": 1.87}
#: The research-scale ensemble run: customers, burn-in and horizon (weeks).
ENSEMBLE_SIZE = {"n": 3_000, "burn_in": 52, "weeks": 520}


def ensemble_params(name: str, n: int, burn_in: int, weeks: int) -> Params:
    """One run of the ensemble: scenario ``name`` as preset, at ``n`` customers."""
    return scenario(name, n_customers=n, burn_in_weeks=burn_in, weeks=weeks)


def measure_in_process(job: dict) -> dict:
    """Ten-year runs in this process: the fastest wall time of ``repeats`` (build with burn-in,
    ``weeks`` steps, the KPI table) and the time per week split into customer rules and firm
    side (``PhaseClock`` around the firm-side methods of one more run's weeks)."""
    from model.model import OffshoringModel

    p = ensemble_params(job["scenario"], job["n"], job["burn_in"], job["weeks"])
    OffshoringModel(ensemble_params(job["scenario"], 200, 2, 2), rng=0)  # kernels loaded
    times = []
    for r in range(job["repeats"]):
        t0 = time.perf_counter()
        model = OffshoringModel(p, rng=job["seed"] + r)
        model.run_for(p.weeks)
        model.kpis()
        times.append(time.perf_counter() - t0)
    model = OffshoringModel(p, rng=job["seed"])
    step, rules = time_steps(model, p.weeks, 0)
    return {"ten_year_s": min(times), "ten_year_all_s": times, "week_ms": step * 1e3,
            "rules_ms": rules * 1e3, "firm_ms": (step - rules) * 1e3}


def measure_start(scenario_name: str, n: int, weeks: int, repeats: int = 3) -> dict:
    """Process start: wall time of ``python -m offshoring run`` (``weeks`` and 1 week) and
    of a sweep worker's imports (``experiments.sweeps.executors``), fastest of ``repeats``."""
    import subprocess
    import sys

    def wall(argv: list[str]) -> float:
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, *argv], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            best = min(best, time.perf_counter() - t0)
        return best

    run = ["-m", "offshoring", "run", scenario_name, "--customers", str(n), "--quiet"]
    return {"run_wall_s": wall([*run, "--weeks", str(weeks)]),
            "run_1wk_wall_s": wall([*run, "--weeks", "1"]),
            "worker_import_s": wall(["-c", "import experiments.sweeps.executors"])}


def measure_ensemble(scenario_name: str, n: int, burn_in: int, weeks: int, runs: int,
                     workers: int, seed: int = 0) -> dict:
    """``runs`` runs through the sweep engine (``run_jobs``, a temporary ``JobStore``) on a
    pool of ``workers`` local processes, timed after the pool has started and run one small
    job per worker (imports and compiled kernels loaded): runs per core-minute."""
    import tempfile

    from experiments.sweeps.executors import run_jobs
    from experiments.sweeps.jobs import Job, JobStore
    from experiments.sweeps.pool import local_executor

    p = ensemble_params(scenario_name, n, burn_in, weeks)
    jobs = [Job(p, seed + i, replicate=i) for i in range(runs)]
    warm = [Job(ensemble_params(scenario_name, 200, 2, 2), 10**6 + i) for i in range(workers)]
    with tempfile.TemporaryDirectory(prefix="offshoring-bench-") as tmp, \
            local_executor(workers) as pool:
        t0 = time.perf_counter()
        with JobStore.open(Path(tmp) / "warm") as warm_store:
            run_jobs(warm, warm_store, pool, in_flight=workers, progress=False)
        start_s = time.perf_counter() - t0
        with JobStore.open(Path(tmp) / "runs") as store:
            t0 = time.perf_counter()
            report = run_jobs(jobs, store, pool, in_flight=2 * workers, progress=False)
            wall = time.perf_counter() - t0
    return {"workers": workers, "runs": runs, "ok": report.ok, "failed": report.failed,
            "wall_s": wall, "pool_start_s": start_s, "s_per_run": wall / runs,
            "runs_per_core_minute": runs / (wall * workers / 60.0),
            "runs_per_minute": runs / wall * 60.0}


def run_ensemble_bench(scenario_name: str, n: int, burn_in: int, weeks: int, runs: int,
                       workers: Sequence[int], seed: int = 0, repeats: int = 3,
                       start: bool = True) -> dict:
    """Every ensemble measurement: in-process (fresh process), per pool size, process start."""
    job = {"scenario": scenario_name, "n": n, "burn_in": burn_in, "weeks": weeks,
           "seed": seed, "repeats": repeats}
    inproc = in_child(measure_in_process, job)
    pools = [measure_ensemble(scenario_name, n, burn_in, weeks, runs, w, seed) for w in workers]
    base = pools[0]["runs_per_minute"] if pools else float("nan")
    for row in pools:
        row["speedup"] = row["runs_per_minute"] / base
    return {"in_process": inproc, "pools": pools,
            "start": measure_start(scenario_name, n, weeks) if start else None}


def ensemble_report(r: dict, scenario_name: str, n: int, burn_in: int, weeks: int) -> list:
    """Rich renderables of ``run_ensemble_bench``'s result, with the ratios to ``BEFORE``."""
    ip = r["in_process"]
    head = Table(title=f"Ten-year run in-process: {scenario_name}, {n:,} customers x "
                       f"({burn_in} + {weeks}) weeks, one core")
    for col in ("run s (best)", "before s", "before / now", "ms/week", "customer rules ms/wk",
                "firm side ms/wk"):
        head.add_column(col, justify="right")
    head.add_row(f"{ip['ten_year_s']:.3f}", f"{BEFORE['ten_year_s']:.2f}",
                 f"{BEFORE['ten_year_s'] / ip['ten_year_s']:.2f}x", f"{ip['week_ms']:.3f}",
                 f"{ip['rules_ms']:.3f}", f"{ip['firm_ms']:.3f}")
    pools = Table(title="Ensemble through the sweep engine (run_jobs, JobStore, local pool)")
    for col in ("workers", "runs", "failed", "wall s", "s/run", "runs/core-minute",
                "runs/minute", "vs 1 worker", "pool start s"):
        pools.add_column(col, justify="right")
    for row in r["pools"]:
        pools.add_row(str(row["workers"]), str(row["runs"]), str(row["failed"]),
                      f"{row['wall_s']:.2f}", f"{row['s_per_run']:.3f}",
                      f"{row['runs_per_core_minute']:.0f}", f"{row['runs_per_minute']:.0f}",
                      f"{row['speedup']:.2f}x", f"{row['pool_start_s']:.2f}")
    out: list = [head, pools]
    if r.get("start"):
        st = r["start"]
        start = Table(title="Process start (fastest of 3, warm caches)")
        for col in ("offshoring run wall s", "before s", "before / now",
                    "run --weeks 1 wall s", "worker imports s"):
            start.add_column(col, justify="right")
        start.add_row(f"{st['run_wall_s']:.2f}", f"{BEFORE['run_wall_s']:.2f}",
                      f"{BEFORE['run_wall_s'] / st['run_wall_s']:.2f}x",
                      f"{st['run_1wk_wall_s']:.2f}", f"{st['worker_import_s']:.2f}")
        out.append(start)
    return out
