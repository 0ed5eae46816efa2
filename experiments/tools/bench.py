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
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from experiments.sweeps.pool import local_executor
from model.params import Params
from model.presets import scenario

#: Methods of both models that are not customer rules (shared firm side, bookkeeping).
SHARED_STEPS = ("calendar_and_events", "firm_decisions", "workforce", "channel", "accounting",
                "observation")


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
