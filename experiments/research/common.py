"""Shared machinery of the research reproduction: scales, seeds, runs, files, metadata.

Every artefact (figure or table of docs/results.md) is built by one module of
this package from runs of the model. Runs are described by ``Job`` (parameters
and an integer seed) and executed by the sweep engine
(``experiments.sweeps.executors.run_jobs``) on the shared process pool of this
invocation, into a Parquet run store (``experiments.sweeps.jobs.JobStore``):
a temporary one, or the folder of ``offshoring reproduce --cache DIR``, which
then resumes an interrupted build and shares runs between invocations. A run
asked for twice in one invocation (the stay-home baseline of several
artefacts, for instance) is computed once.

Seeds: replicate k of every experiment uses child k of
``SeedSequence(BASE_SEED)`` (``experiments.sweeps.seeds``, common random
numbers), so differences between strategies are paired and a run is repeated
by ``offshoring run --seed S``.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.markdown import md_table
from experiments.provenance import code_version
from experiments.sweeps import executors
from experiments.sweeps.jobs import Job, JobStore, Run
from experiments.sweeps.pool import abandon, inline_executor, local_executor
from experiments.sweeps.seeds import seed_ints
from model.params import Params
from model.presets import scenario

matplotlib.use("Agg")

BASE_SEED = 20261127  # entropy of the root SeedSequence of every experiment
MILLION = 1e6


@dataclass(frozen=True)
class Scale:
    """Size of the experiments: ``smoke`` checks the pipeline, ``full`` is published."""

    name: str
    customers: int        # simulated customers per run
    weeks: int            # horizon after burn-in (520 = ten years)
    burn_in: int          # burn-in weeks before week 0
    replicates: int       # replicates per design point
    grid: int             # levels per axis of the phase maps
    morris_r: int         # Morris trajectories
    morris_weeks: int     # horizon of the Morris runs
    short_weeks: int      # horizon of the calibration runs (satisfaction/FCR gaps)


SCALES = {
    "smoke": Scale("smoke", customers=500, weeks=60, burn_in=13, replicates=2, grid=3,
                   morris_r=2, morris_weeks=60, short_weeks=60),
    "full": Scale("full", customers=3000, weeks=520, burn_in=52, replicates=20, grid=4,
                  morris_r=4, morris_weeks=156, short_weeks=104),
}


def get_scale(name: str) -> Scale:
    """The scale called ``name`` (``smoke`` or ``full``)."""
    return SCALES[name]


def params(name: str, scale: Scale, weeks: int | None = None, **overrides: Any) -> Params:
    """Scenario ``name`` at ``scale`` with dotted ``overrides`` (preset defaults otherwise)."""
    return scenario(name, n_customers=scale.customers, weeks=weeks or scale.weeks,
                    burn_in_weeks=scale.burn_in, **overrides)


def replicate_seeds(n: int) -> list[int]:
    """Integer seeds of replicates 0..n-1: child k of ``SeedSequence(BASE_SEED)``.

    The same for every experiment: common random numbers make paired differences
    between strategies.
    """
    return seed_ints(BASE_SEED, n)


_MEMO: dict[str, tuple[dict[str, float], pd.DataFrame, float]] = {}
_STORE: list[JobStore] = []  # the run store of this invocation (set_cache, else temporary)
_TEMP: list[tempfile.TemporaryDirectory] = []
_POOL: dict[int, cf.Executor] = {}


def set_cache(folder: Path | None) -> None:
    """Keep finished runs in the run store ``folder`` (``offshoring reproduce --cache``), so
    an interrupted build resumes and separate invocations share runs; None: a temporary
    store. Delete the folder when the model changes: the key is the parameters and the
    seed, not the code (reusing it with another code version warns)."""
    _close_store()
    if folder is not None:
        _STORE.append(JobStore.open(folder))


def _store() -> JobStore:
    if not _STORE:
        tmp = tempfile.TemporaryDirectory(prefix="offshoring-runs-")
        _TEMP.append(tmp)
        _STORE.append(JobStore.open(Path(tmp.name) / "runs"))
    return _STORE[0]


def _close_store() -> None:
    while _STORE:
        _STORE.pop().close()
    while _TEMP:
        _TEMP.pop().cleanup()


def executor(workers: int) -> cf.Executor:
    """The shared pool of ``workers`` processes (started once per invocation; in this
    process for one worker)."""
    if workers not in _POOL:
        _POOL[workers] = inline_executor() if workers <= 1 else local_executor(workers)
    return _POOL[workers]


def shutdown() -> None:
    """Stop the shared pools and close the run store (end of ``offshoring reproduce``)."""
    while _POOL:
        abandon(_POOL.popitem()[1])
    _MEMO.clear()
    _close_store()


def run_jobs(jobs: Sequence[Job], workers: int, desc: str) -> list[Run]:
    """Run ``jobs`` (unique ones once, reused across artefacts), in the given order.

    RuntimeError when a run fails (its message) or is lost to a worker failure;
    KeyboardInterrupt after committing the finished runs when interrupted.
    """
    keys = list(dict.fromkeys(job.key for job in jobs if job.key not in _MEMO))
    store = _store()
    todo = [job for job in jobs if job.key in keys and job.key not in store.done]
    if todo:
        report = executors.run_jobs(todo, store, executor(workers),
                                    in_flight=max(4, 2 * workers), desc=desc)
        if report.interrupted:
            raise KeyboardInterrupt
        errors = store.errors(keys)
        if errors:
            raise RuntimeError(f"{desc}: {len(errors)} run(s) failed, e.g. "
                               f"{next(iter(errors.values()))}")
        if report.lost:
            raise RuntimeError(f"{desc}: {report.lost} run(s) lost to worker failures, e.g. "
                               f"{report.lost_messages[0]}")
    _MEMO.update(store.load(keys))
    return [Run(*_MEMO[job.key], job.replicate, job.label, job.seed, job.key)
            for job in jobs]


def replicated(p: Params, scale: Scale, label: str = "") -> list[Job]:
    """``scale.replicates`` jobs of ``p`` with the common replicate seeds."""
    return [Job(p, s, k, label) for k, s in enumerate(replicate_seeds(scale.replicates))]


# ------------------------------------------------------------------ statistics
def series_matrix(runs: Sequence[Run], column: str) -> np.ndarray:
    """Replicates x weeks matrix of a weekly KPI (weeks >= 0)."""
    return np.vstack([r.series.loc[r.series["week"] >= 0, column].to_numpy(float)
                      for r in runs])


def cutover_week(run: Run) -> int | None:
    """The week of the focal firm's cut-over (first ``cutover`` flag), None if never."""
    s = run.series
    weeks = s.loc[s["cutover"].astype(bool), "week"]
    return int(weeks.iloc[0]) if len(weeks) else None


# ------------------------------------------------------------------ files
def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def save_table(df: pd.DataFrame, folder: Path, name: str, md: pd.DataFrame | None = None
               ) -> list[str]:
    """``name.csv`` (full precision) and ``name.md`` (``md`` or ``df``); the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / f"{name}.csv", df.to_csv(index=False))
    _atomic_write(folder / f"{name}.md", md_table(md if md is not None else df))
    return [f"{name}.csv", f"{name}.md"]


def new_figure(nrows: int, ncols: int, width: float = 12.0, height: float = 4.0) -> tuple[
        Figure, np.ndarray]:
    """A figure with a grid of axes (object API, no pyplot state)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    return fig, axes


def save_figure(fig: Figure, folder: Path, name: str) -> list[str]:
    """``name.png`` (120 dpi) and ``name.svg``; the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    fig.savefig(folder / f"{name}.png", dpi=120)
    fig.savefig(folder / f"{name}.svg")
    return [f"{name}.png", f"{name}.svg"]


@dataclass
class Artefact:
    """Metadata of one figure/table: written as ``results/<name>.json``."""

    name: str
    title: str
    caption: str
    scale: dict[str, Any]
    seeds: list[int]
    replicates: int
    runs: int
    parameters: dict[str, Any]
    files: list[str]
    findings: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    base_seed: int = BASE_SEED
    code_version: dict[str, str] = field(default_factory=code_version)
    python: str = field(default_factory=platform.python_version)
    runtime_s: float = 0.0
    run_seconds: float = 0.0

    def write(self, folder: Path) -> Path:
        """Write the JSON metadata next to the artefact's files."""
        path = folder / f"{self.name}.json"
        _atomic_write(path, json.dumps(_jsonable(asdict(self)), indent=1, sort_keys=False))
        return path


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


def timed(build: Callable[..., Artefact]) -> Callable[..., Artefact]:
    """Decorator: record the wall time of a ``build`` in its metadata and write it."""
    def wrapper(scale: Scale | str, out_dir: Path, workers: int = 2) -> Artefact:
        sc = get_scale(scale) if isinstance(scale, str) else scale
        out_dir = Path(out_dir)
        t0 = time.perf_counter()
        art = build(sc, out_dir, workers)
        art.runtime_s = round(time.perf_counter() - t0, 1)
        art.write(out_dir)
        return art
    wrapper.__doc__ = build.__doc__
    wrapper.__name__ = build.__name__
    return wrapper


def scale_dict(scale: Scale) -> dict[str, Any]:
    """The scale as a plain dict for metadata."""
    return asdict(scale)


def total_seconds(runs: Sequence[Run]) -> float:
    """Summed run time of distinct runs (CPU seconds spent in the model)."""
    seen = {r.key: r.seconds for r in runs}
    return round(sum(seen.values()), 1)


def distinct(runs: Sequence[Run]) -> int:
    """Number of distinct runs (parameters, seed) among ``runs``."""
    return len({r.key for r in runs})
