"""The runs of an exploration as jobs of the sweep engine, and what is read back.

Every run is a ``experiments.sweeps.jobs.Job`` (parameters and seed; ``replicate`` is
the world's number, ``label`` the pattern run's label or the strategy) executed by
``experiments.sweeps.executors.run_jobs`` into one ``JobStore`` in ``DIR/store/``
(which carries its own ``.gitignore``): the engine's worker isolation, chunked
commits, progress bar and Ctrl-C handling, on whatever executor the caller gives
(local processes, this process, a Dask cluster).

* World ``k``'s **pattern runs**: one job per run label the chosen patterns need
  (``accept.pattern_runs``), with the world's values that apply to the label's preset
  and the label's own fixed overrides, ``abc.weeks`` weeks, the world's seed. The
  pattern values are computed here from the stored weekly series (``jobs.SERIES``
  holds ``patterns.COLUMNS``).
* Each **strategy run**: one job per (plausible world, strategy), ``weeks`` weeks, the
  world's seed (common random numbers); its metrics are the stored summary outcomes.

A job is keyed by its parameters and seed, so a second invocation runs only what the
store lacks, and a run needed twice (a pattern run equal to a strategy run) is made once.
A run that raises is recorded as failed and run again by the next invocation; until it
succeeds its world counts as rejected (pattern run) or is left out of the answers
(strategy run).
"""

from __future__ import annotations

import concurrent.futures as cf
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from experiments.explore import accept as abc
from experiments.explore.answers import METRICS
from experiments.explore.spec import ExploreSpec
from experiments.explore.worlds import run_overrides
from experiments.sweeps.executors import SweepReport, run_jobs
from experiments.sweeps.jobs import Job, JobStore
from model.presets import scenario

STORE = "store"
#: Pattern runs' series loaded at a time (bounded memory for thousands of worlds).
LOAD_BATCH = 400


def open_store(out: Path) -> JobStore:
    """The run store of the output folder ``out`` (created, git-ignored, locked)."""
    store = JobStore.open(out / STORE)
    ignore = out / STORE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")
    return store


def pattern_jobs(spec: ExploreSpec, worlds: pd.DataFrame) -> list[Job]:
    """The pattern runs of every world (none without computed patterns)."""
    labels = abc.pattern_runs(spec.computed_patterns) if spec.computed_patterns else []
    jobs = []
    for w in worlds.to_dict("records"):
        for label in labels:
            preset, fixed = abc.run_preset(label)
            p = scenario(preset, n_customers=spec.customers, weeks=spec.abc_weeks,
                         burn_in_weeks=spec.burn_in,
                         **run_overrides(spec.uncertainties, w, preset, fixed))
            jobs.append(Job(p, int(w["seed"]), int(w["world"]), label))
    return jobs


def strategy_jobs(spec: ExploreSpec, worlds: pd.DataFrame) -> list[Job]:
    """Every strategy in every world of ``worlds``."""
    return [Job(scenario(s, n_customers=spec.customers, weeks=spec.weeks,
                         burn_in_weeks=spec.burn_in,
                         **run_overrides(spec.uncertainties, w, s)),
                int(w["seed"]), int(w["world"]), s)
            for w in worlds.to_dict("records") for s in spec.strategies]


def run(jobs: Sequence[Job], store: JobStore, executor: cf.Executor, parallel: int,
        desc: str, progress: bool = True) -> SweepReport:
    """Run the jobs the store lacks (``run_jobs``); the report counts this invocation."""
    return run_jobs(jobs, store, executor, in_flight=max(4, 2 * parallel), desc=desc,
                    progress=progress)


def settled(report: SweepReport) -> bool:
    """Every job has a stored outcome (done or failed): nothing lost or interrupted."""
    return not report.interrupted and (
        report.done_in_store + report.failed_in_store == report.total)


def pattern_values(spec: ExploreSpec, store: JobStore, jobs: Sequence[Job],
                   worlds: pd.DataFrame) -> pd.DataFrame:
    """One row per world: ``world``, ``status`` (``ok`` when every pattern run of the
    world is stored as done, else ``error``) and the value of each computed pattern
    (NaN for a world without all its runs)."""
    numbers = list(spec.computed_patterns)
    cols = [abc.column(n) for n in numbers]
    v = worlds[["world"]].copy()
    if not cols:
        return v
    by_world: dict[int, list[Job]] = {}
    for job in jobs:
        by_world.setdefault(job.replicate, []).append(job)
    rows = []
    order = [int(w) for w in worlds["world"]]
    step = max(1, LOAD_BATCH // max(1, len(jobs) // max(1, len(order))))
    for start in range(0, len(order), step):
        batch = order[start:start + step]
        loaded = store.load(job.key for w in batch for job in by_world.get(w, []))
        for w in batch:
            mine = by_world.get(w, [])
            if mine and all(job.key in loaded for job in mine):
                runs = {job.label: abc.run_data(loaded[job.key][1], job.params)
                        for job in mine}
                rows.append({"world": w, "status": "ok", **abc.world_patterns(numbers, runs)})
            else:
                rows.append({"world": w, "status": "error", **dict.fromkeys(cols, math.nan)})
    return v.merge(pd.DataFrame(rows, columns=["world", "status", *cols]), on="world",
                   how="left")


def strategy_runs(store: JobStore, jobs: Sequence[Job]) -> pd.DataFrame:
    """One row per stored (world, strategy) run: ``world``, ``label``, ``METRICS``."""
    summaries = store.summaries(job.key for job in jobs).set_index("key")
    rows = [{"world": job.replicate, "label": job.label,
             **{m: float(summaries.at[job.key, m]) for m in METRICS}}
            for job in jobs if job.key in summaries.index]
    return pd.DataFrame(rows, columns=["world", "label", *METRICS])


def run_seconds(store: JobStore, jobs: Sequence[Job]) -> tuple[float, int]:
    """Summed model seconds and number of the distinct stored runs among ``jobs``."""
    s = store.summaries(job.key for job in jobs)
    return round(float(s["seconds"].sum()), 1) if len(s) else 0.0, int(len(s))


def failures(store: JobStore, jobs: Sequence[Job]) -> dict[str, str]:
    """Error message of each failed run among ``jobs`` (by key)."""
    return store.errors(job.key for job in jobs)
