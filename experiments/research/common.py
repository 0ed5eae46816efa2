"""Shared machinery of the research reproduction: scales, seeds, runs, files, metadata.

Every artefact (figure or table of docs/results.md) is built by one module of
this package from runs of the model. Runs are described by ``Job`` (parameters
and an integer seed) and executed by ``run_jobs`` on a local process pool; a
run asked for twice in one invocation (the stay-home baseline of several
artefacts, for instance) is computed once (in-process memo keyed by the
parameters' JSON and the seed).

Seeds: replicate k of every experiment uses child k of
``SeedSequence(BASE_SEED)`` (common random numbers), so differences between
strategies are paired and a run is repeated by ``offshoring run --seed S``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import pickle
import platform
import subprocess
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats
from tqdm import tqdm

from model.params import Params
from model.presets import scenario
from model.runner import simulate

matplotlib.use("Agg")

BASE_SEED = 20261127  # entropy of the root SeedSequence of every experiment
CONF = 0.95
#: Focal-firm weekly KPIs kept from each run (the rest is dropped to save memory).
SERIES = ["week", "customers", "churn_monthly", "image_all", "csat", "fcr", "csat_home",
          "csat_vendor", "quality_home", "quality_vendor", "vendor_proficiency",
          "vendor_attrition", "offshore_share", "alpha", "complaints_per_1000", "revenue",
          "service_cost", "cum_profit", "npv", "outage", "breach", "cutover", "reshore"]
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

    63-bit integers (as in experiments.sweep), the same for every experiment:
    common random numbers make paired differences between strategies.
    """
    children = np.random.SeedSequence(BASE_SEED).spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


@dataclass(frozen=True)
class Job:
    """One run: parameters, seed, and labels for the caller."""

    params: Params
    seed: int
    replicate: int = 0
    label: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return self.params.model_dump_json(), self.seed


@dataclass
class Run:
    """What is kept of a run: the focal firm's summary and weekly series."""

    summary: dict[str, float]
    series: pd.DataFrame
    seconds: float
    replicate: int = 0
    label: str = ""
    seed: int = 0
    key: tuple[str, int] = ("", 0)


def _work(p: Params, seed: int) -> tuple[dict[str, float], pd.DataFrame, float]:
    """Worker: one run, focal firm only (module-level so it pickles)."""
    res = simulate(p, seed)
    k = res.kpis
    series = k.loc[k["firm"] == 0, SERIES].reset_index(drop=True)
    return res.focal(), series, res.seconds


_MEMO: dict[tuple[str, int], tuple[dict[str, float], pd.DataFrame, float]] = {}
_CACHE: list[Path] = []  # optional on-disk cache folder (offshoring reproduce --cache)


def set_cache(folder: Path | None) -> None:
    """Keep finished runs in ``folder`` too (one pickle per run), so an interrupted build
    resumes and separate invocations share runs. Delete it when the model changes: the key
    is the parameters and the seed, not the code."""
    _CACHE.clear()
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        _CACHE.append(Path(folder))


def _cache_path(key: tuple[str, int]) -> Path | None:
    if not _CACHE:
        return None
    digest = hashlib.sha256(f"{key[0]}|{key[1]}".encode()).hexdigest()[:32]
    return _CACHE[0] / f"{digest}.pkl"


def _recall(key: tuple[str, int]) -> bool:
    """Load a cached run into the memo; True if found."""
    path = _cache_path(key)
    if path is None or not path.is_file():
        return False
    with path.open("rb") as fh:
        _MEMO[key] = pickle.load(fh)
    return True


def _remember(key: tuple[str, int], value: tuple) -> None:
    _MEMO[key] = value
    path = _cache_path(key)
    if path is not None:
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh)
        os.replace(tmp, path)


_POOL: dict[int, ProcessPoolExecutor] = {}


def executor(workers: int) -> ProcessPoolExecutor:
    """The shared process pool of ``workers`` processes (started once per invocation).

    forkserver: tqdm's monitor thread makes fork() from this process unsafe.
    """
    if workers not in _POOL:
        _POOL[workers] = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("forkserver"))
    return _POOL[workers]


def shutdown() -> None:
    """Stop the shared pools (end of ``offshoring reproduce``)."""
    while _POOL:
        _POOL.popitem()[1].shutdown(wait=True, cancel_futures=True)


def run_jobs(jobs: Sequence[Job], workers: int, desc: str) -> list[Run]:
    """Run ``jobs`` (unique ones once, memoised across artefacts), in the given order."""
    todo = {job.key: job for job in jobs if job.key not in _MEMO and not _recall(job.key)}
    bar = tqdm(total=len(todo), desc=desc, unit="run", dynamic_ncols=True,
               disable=not todo)
    if workers <= 1 or len(todo) <= 1:
        for key, job in todo.items():
            _remember(key, _work(job.params, job.seed))
            bar.update()
    else:
        ex = executor(workers)
        futures = {ex.submit(_work, job.params, job.seed): key for key, job in todo.items()}
        try:
            for fut in as_completed(futures):
                _remember(futures[fut], fut.result())
                bar.update()
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
    bar.close()
    out = []
    for job in jobs:
        summary, series, seconds = _MEMO[job.key]
        out.append(Run(summary, series, seconds, job.replicate, job.label, job.seed, job.key))
    return out


def replicated(p: Params, scale: Scale, label: str = "") -> list[Job]:
    """``scale.replicates`` jobs of ``p`` with the common replicate seeds."""
    return [Job(p, s, k, label) for k, s in enumerate(replicate_seeds(scale.replicates))]


# ------------------------------------------------------------------ statistics
def mean_ci(x: Iterable[float], conf: float = CONF) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of the mean (NaN bounds with n < 2)."""
    a = np.asarray(list(x), float)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(a.mean())
    if a.size < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + conf / 2, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size))
    return m, m - half, m + half


def series_matrix(runs: Sequence[Run], column: str) -> np.ndarray:
    """Replicates x weeks matrix of a weekly KPI (weeks >= 0)."""
    return np.vstack([r.series.loc[r.series["week"] >= 0, column].to_numpy(float)
                      for r in runs])


def band(matrix: np.ndarray, conf: float = CONF) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-column mean and t interval of a replicates x weeks matrix."""
    n = np.isfinite(matrix).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN weeks (no vendor yet)
        m = np.nanmean(matrix, axis=0)
        sd = np.nanstd(matrix, axis=0, ddof=1) if matrix.shape[0] > 1 else np.zeros_like(m)
        t = stats.t.ppf(0.5 + conf / 2, np.maximum(n - 1, 1))
        half = t * sd / np.sqrt(np.maximum(n, 1))
    return m, m - half, m + half


def fmt_ci(m: float, lo: float, hi: float, digits: int = 2) -> str:
    """``m [lo, hi]`` for tables."""
    if not np.isfinite(m):
        return "n/a"
    if not np.isfinite(lo):
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def cutover_week(run: Run) -> int | None:
    """The week of the focal firm's cut-over (first ``cutover`` flag), None if never."""
    s = run.series
    weeks = s.loc[s["cutover"].astype(bool), "week"]
    return int(weeks.iloc[0]) if len(weeks) else None


# ------------------------------------------------------------------ files
def md_table(df: pd.DataFrame) -> str:
    """A GitHub Markdown table (strings as they are, floats with 4 significant digits)."""
    def cell(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return "" if not np.isfinite(v) else f"{v:.4g}"
        return str(v)
    align = ["---:" if pd.api.types.is_numeric_dtype(df[c]) else "---" for c in df.columns]
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(False)]
    return "\n".join(lines) + "\n"


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


@functools.cache
def code_version() -> dict[str, str]:
    """``git describe``, the commit, and a SHA-256 of the model's source files.

    Cached: taken once per invocation (``offshoring reproduce`` calls it before
    any run), so every artefact of a build records the same version. The source
    hash tells builds from a dirty tree apart.
    """
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for path in sorted((root / "model").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                 timeout=10)
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""
    return {"describe": git("describe", "--always", "--dirty", "--tags"),
            "commit": git("rev-parse", "HEAD"), "model_sha256": digest.hexdigest()}


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
