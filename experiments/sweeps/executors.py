"""Running sweeps and run lists on any ``concurrent.futures.Executor``: local, Dask, MPI.

``run_sweep(spec, out, executor)`` submits the runs not yet in ``out``, at most
``in_flight`` at a time, and commits finished runs in chunks (every
``chunk_runs`` runs or ``chunk_seconds`` seconds, whichever comes first). The
executor is the caller's: a ``ProcessPoolExecutor`` (``local_executor``), a Dask
cluster (``dask_executor``: ``distributed.Client(address).get_executor()``),
``mpi4py.futures.MPIPoolExecutor`` on HPC, or any other.

A run that raises is recorded with ``status = "error"`` and its message; the
sweep goes on. A task lost to the infrastructure (a worker killed, a broken
pool) is not recorded, so the next invocation runs it again.

``run_jobs(jobs, store, executor)`` does the same for a list of runs given as
(parameters, seed) (``Job``: the research reproduction, ``offshoring compare``,
the pattern check): the same worker isolation, chunked commits and progress bar,
into a ``JobStore`` keyed by a digest of the parameters' JSON and the seed, so
runs already stored are not run again.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from experiments.sweeps.designs import RunTask, build_design, plan
from experiments.sweeps.jobs import SERIES, Job, JobStore
from experiments.sweeps.spec import DIFF, SweepSpec, param_type
from experiments.sweeps.store import Store
from model.runner import simulate


# ------------------------------------------------------------------ one run (in a worker)
@dataclass(frozen=True)
class RunOutput:
    """What a worker sends back: the ``runs`` row and the long weekly series (or None)."""

    row: dict[str, Any]
    series: pd.DataFrame | None


def run_task(task: RunTask) -> RunOutput:
    """Run one task; any exception becomes ``status = "error"`` with its one-line message."""
    t0 = time.perf_counter()
    row: dict[str, Any] = {"run_id": task.run_id, "point": task.point,
                           "replicate": task.replicate, "seed": task.seed, **dict(task.values)}
    series = None
    try:
        result = simulate(task.base.replace(**dict(task.values)), task.seed)
        row.update(_outcomes(task, result.focal()), status="ok", error=None)
        if task.series:
            series = _long_series(task, result.kpis)
    except Exception as err:  # noqa: BLE001 (isolation: record and go on)
        row.update(dict.fromkeys(task.outcomes, float("nan")), status="error",
                   error=error_line(err))
    return RunOutput(_stamped(row, t0), series)


def _outcomes(task: RunTask, focal: dict[str, Any]) -> dict[str, float]:
    """The task's outcomes from the run's focal summary; a ``<name>_diff`` outcome is the
    run's ``name`` minus that of the baseline run (same values and seed)."""
    out = {k: focal[k] for k in task.outcomes if not k.endswith(DIFF)}
    diffs = [k for k in task.outcomes if k.endswith(DIFF)]
    if diffs:
        assert task.baseline is not None  # the spec checks it
        try:
            twin = simulate(task.baseline.replace(**dict(task.values)), task.seed).focal()
        except Exception as err:  # noqa: BLE001 (re-raised, named: the row says which run)
            raise RuntimeError(f"baseline run: {error_line(err)}") from err
        out |= {k: focal[k[:-len(DIFF)]] - twin[k[:-len(DIFF)]] for k in diffs}
    return {k: out[k] for k in task.outcomes}


def run_job(job: Job) -> RunOutput:
    """Run one job: its focal summary and weekly series (``jobs.SERIES``), errors isolated."""
    t0 = time.perf_counter()
    row: dict[str, Any] = {"key": job.key, "seed": job.seed}
    series = None
    try:
        result = simulate(job.params, job.seed)
        row.update(result.focal(), status="ok", error=None)
        k = result.kpis
        series = k.loc[k["firm"] == 0, list(SERIES)].reset_index(drop=True)
        series.insert(0, "key", job.key)
    except Exception as err:  # noqa: BLE001 (isolation: record and go on)
        row.update(status="error", error=error_line(err))
    return RunOutput(_stamped(row, t0), series)


def error_line(err: BaseException) -> str:
    """``Type: first line of the message`` of a failed run."""
    return f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"


def _stamped(row: dict[str, Any], t0: float) -> dict[str, Any]:
    row.update(seconds=time.perf_counter() - t0, finished=dt.datetime.now(dt.UTC),
               worker=f"{socket.gethostname()}:{os.getpid()}")
    return row


def _long_series(task: RunTask, kpis: pd.DataFrame) -> pd.DataFrame:
    """Weekly KPIs as a long table: run_id, week, firm, kpi, value (booleans as 0/1)."""
    if not task.all_firms:
        kpis = kpis[kpis["firm"] == 0]
    long = kpis.melt(id_vars=["week", "firm"], value_vars=list(task.series), var_name="kpi",
                     value_name="value")
    long.insert(0, "run_id", task.run_id)
    return long.astype({"run_id": "int64", "week": "int64", "firm": "int64", "kpi": "str",
                        "value": "float64"})


# ------------------------------------------------------------------ the sweep loop
@dataclass
class SweepReport:
    """Counts of one invocation and of the whole directory."""

    total: int
    skipped: int = 0
    ok: int = 0
    failed: int = 0
    lost: int = 0
    interrupted: bool = False
    failed_in_store: int = 0
    done_in_store: int = 0
    lost_messages: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.done_in_store == self.total

    def line(self, out: Path) -> str:
        """The final line: what is in the directory and how many runs failed."""
        head = "interrupted" if self.interrupted else "done" if self.complete else "incomplete"
        text = (f"{head}: {self.done_in_store}/{self.total} runs in {out} "
                f"({self.ok} run now, {self.skipped} already there), "
                f"{self.failed_in_store} failed")
        if self.lost:
            text += f", {self.lost} lost to worker failures (re-run to retry)"
        return text

    @property
    def exit_status(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed_in_store or self.lost or not self.complete else 0


class _Chunk:
    """Finished runs waiting to be committed."""

    def __init__(self, runs: int, seconds: float) -> None:
        self.max_runs, self.max_seconds = runs, seconds
        self.rows: list[dict[str, Any]] = []
        self.series: list[pd.DataFrame] = []
        self.since = time.monotonic()

    def add(self, out: RunOutput) -> None:
        if not self.rows:
            self.since = time.monotonic()
        self.rows.append(out.row)
        if out.series is not None:
            self.series.append(out.series)

    def due(self) -> bool:
        return len(self.rows) >= self.max_runs or (
            bool(self.rows) and time.monotonic() - self.since >= self.max_seconds)

    def wait_seconds(self) -> float | None:
        """How long to wait for results before the time limit forces a commit."""
        if not self.rows:
            return None
        left = self.max_seconds - (time.monotonic() - self.since)
        return min(3600.0, max(0.05, left))  # finite: huge limits must not overflow a wait

    def commit(self, store: Store | JobStore) -> None:
        """Hand the runs to the store; the buffer is emptied first, so an interrupt raised
        at the end of the commit cannot make a second commit of the same runs."""
        rows, series = self.rows, self.series
        self.rows, self.series = [], []
        store.commit(rows, series)


def run_sweep(spec: SweepSpec, out: str | Path, executor: cf.Executor, *,
              in_flight: int = 64, chunk_runs: int = 50, chunk_seconds: float = 60.0,
              progress: bool = True, repair: bool = False) -> SweepReport:
    """Run (or resume) ``spec`` into ``out`` on ``executor``; KeyboardInterrupt stops cleanly.

    On an interrupt the finished runs are committed, queued tasks are
    cancelled and the report says ``interrupted``; stopping the executor's
    running tasks is left to the caller (see ``abandon``). A damaged ``out`` is
    refused (ParameterError) unless ``repair`` (see ``Store.open``).
    """
    if not (chunk_seconds > 0 and chunk_runs >= 1):  # also refuses NaN
        raise ValueError(f"chunk_runs >= 1 and chunk_seconds > 0 needed, got {chunk_runs}, "
                         f"{chunk_seconds}")
    types = {name: param_type(name) for name in spec.names}
    with Store.open(out, spec, lambda: build_design(spec), types, repair=repair) as store:
        first, now = store.manifest["code_version"], store.manifest["sessions"][-1]
        if store.done and now["code_version"] != first:
            print(f"warning: resuming a sweep started with code {first} using "
                  f"{now['code_version']}", file=sys.stderr)
        tasks = plan(spec, store.design)
        report = SweepReport(total=len(tasks), skipped=len(store.done))
        _drive(executor, run_task, [t for t in tasks if t.run_id not in store.done], store,
               report, _Chunk(chunk_runs, chunk_seconds), in_flight,
               tqdm(total=len(tasks), initial=len(store.done), unit="run", desc=spec.name,
                    disable=not progress, dynamic_ncols=True, smoothing=0.1))
        report.failed_in_store, report.done_in_store = store.failed, len(store.done)
        return report


def run_jobs(jobs: Iterable[Job], store: JobStore, executor: cf.Executor, *,
             in_flight: int = 64, chunk_runs: int = 50, chunk_seconds: float = 60.0,
             desc: str = "runs", progress: bool = True) -> SweepReport:
    """Run the jobs not yet in ``store`` (each distinct key once) on ``executor``.

    Finished runs are committed to ``store`` in chunks; a run that raises is
    recorded as failed (``status = "error"``) and the others go on. The report
    counts this invocation (``skipped``: already stored); ``done_in_store`` and
    ``failed_in_store`` count the requested jobs as stored afterwards.
    """
    unique = {job.key: job for job in jobs}
    todo = [job for key, job in unique.items() if key not in store.done]
    report = SweepReport(total=len(unique), skipped=len(unique) - len(todo))
    _drive(executor, run_job, todo, store, report, _Chunk(chunk_runs, chunk_seconds),
           in_flight, tqdm(total=len(todo), desc=desc, unit="run", dynamic_ncols=True,
                           disable=not progress or not todo))
    report.done_in_store = sum(key in store.done for key in unique)
    report.failed_in_store = sum(key in store.failed_keys for key in unique)
    return report


def _drive(executor: cf.Executor, work: Callable[[Any], RunOutput], tasks: Sequence[Any],
           store: Store | JobStore, report: SweepReport, chunk: _Chunk, in_flight: int,
           bar: tqdm) -> None:
    """Submit ``work(task)`` for every task, ``in_flight`` at a time, committing in chunks.

    KeyboardInterrupt: the finished runs are committed, queued tasks cancelled and
    the report marked ``interrupted``.
    """
    todo = iter(tasks)
    pending: dict[cf.Future, Any] = {}
    try:
        _submit(executor, work, todo, pending, in_flight, report)
        while pending:
            finished, _ = cf.wait(pending, timeout=chunk.wait_seconds(),
                                  return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                pending.pop(fut)
                _collect(fut, chunk, report, bar)
            if chunk.due():
                chunk.commit(store)
            _submit(executor, work, todo, pending, in_flight, report)
    except KeyboardInterrupt:
        report.interrupted = True
        for fut in pending:
            fut.cancel()
    finally:
        bar.close()
        _commit_finally(chunk, store, report)


def _commit_finally(chunk: _Chunk, store: Store | JobStore, report: SweepReport) -> None:
    """Commit what finished; a second Ctrl-C during the write is held until it is done."""
    try:
        chunk.commit(store)
    except KeyboardInterrupt:
        report.interrupted = True


def _submit(executor: cf.Executor, work: Callable[[Any], RunOutput], todo: Iterator[Any],
            pending: dict[cf.Future, Any], in_flight: int, report: SweepReport) -> None:
    """Keep ``in_flight`` tasks submitted (bounded memory on the scheduler and here)."""
    while len(pending) < in_flight:
        task = next(todo, None)
        if task is None:
            return
        try:
            pending[executor.submit(work, task)] = task
        except (RuntimeError, cf.BrokenExecutor) as err:  # pool broken or shut down
            report.lost += 1 + sum(1 for _ in todo)
            report.lost_messages.append(f"{type(err).__name__}: {err}")
            return


def _collect(fut: cf.Future, chunk: _Chunk, report: SweepReport, bar: tqdm) -> None:
    try:
        out: RunOutput = fut.result()
    except (cf.CancelledError, Exception) as err:  # noqa: BLE001 (lost, retried on resume)
        report.lost += 1
        report.lost_messages.append(f"{type(err).__name__}: {err}")
        return
    chunk.add(out)
    if out.row["status"] == "ok":
        report.ok += 1
    else:
        report.failed += 1
    bar.update()
    bar.set_postfix(failed=report.failed, refresh=False)


@contextlib.contextmanager
def dask_executor(address: str) -> Iterator[tuple[cf.Executor, int]]:
    """An executor on a running Dask cluster, and its number of worker threads.

    ``address`` is ``tcp://HOST:PORT`` of a ``dask scheduler``, or ``local:N`` for a
    local cluster of N single-threaded worker processes (the model holds the GIL,
    so threads would not run in parallel).
    """
    from distributed import Client, LocalCluster

    with contextlib.ExitStack() as stack:
        if address.startswith("local"):
            workers = int(address.partition(":")[2] or os.cpu_count() or 1)
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(address, timeout="30s"))
        threads = sum(client.nthreads().values()) or 1
        yield client.get_executor(pure=False), threads
