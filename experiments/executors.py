"""Running a sweep on any ``concurrent.futures.Executor``: local processes, Dask, MPI.

``run_sweep(spec, out, executor)`` submits the runs not yet in ``out``, at most
``in_flight`` at a time, and commits finished runs in chunks (every
``chunk_runs`` runs or ``chunk_seconds`` seconds, whichever comes first). The
executor is the caller's: a ``ProcessPoolExecutor`` (``local_executor``), a Dask
cluster (``dask_executor``: ``distributed.Client(address).get_executor()``),
``mpi4py.futures.MPIPoolExecutor`` on HPC, or any other.

A run that raises is recorded with ``status = "error"`` and its message; the
sweep goes on. A task lost to the infrastructure (a worker killed, a broken
pool) is not recorded, so the next invocation runs it again.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from experiments.store import Store
from experiments.sweep import RunTask, SweepSpec, build_design, param_type, plan
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
        focal = result.focal()
        row.update({k: focal[k] for k in task.outcomes}, status="ok", error=None)
        if task.series:
            series = _long_series(task, result.kpis)
    except Exception as err:  # noqa: BLE001 (isolation: record and go on)
        row.update(dict.fromkeys(task.outcomes, float("nan")), status="error",
                   error=f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
    row.update(seconds=time.perf_counter() - t0, finished=dt.datetime.now(dt.UTC),
               worker=f"{socket.gethostname()}:{os.getpid()}")
    return RunOutput(row, series)


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

    def commit(self, store: Store) -> None:
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
        todo = iter([t for t in tasks if t.run_id not in store.done])
        chunk = _Chunk(chunk_runs, chunk_seconds)
        pending: dict[cf.Future, int] = {}
        bar = tqdm(total=len(tasks), initial=len(store.done), unit="run", desc=spec.name,
                   disable=not progress, dynamic_ncols=True, smoothing=0.1)
        try:
            _submit(executor, todo, pending, in_flight, report)
            while pending:
                finished, _ = cf.wait(pending, timeout=chunk.wait_seconds(),
                                      return_when=cf.FIRST_COMPLETED)
                for fut in finished:
                    pending.pop(fut)
                    _collect(fut, chunk, report, bar)
                if chunk.due():
                    chunk.commit(store)
                _submit(executor, todo, pending, in_flight, report)
        except KeyboardInterrupt:
            report.interrupted = True
            for fut in pending:
                fut.cancel()
        finally:
            bar.close()
            _commit_finally(chunk, store, report)
        report.failed_in_store, report.done_in_store = store.failed, len(store.done)
        return report


def _commit_finally(chunk: _Chunk, store: Store, report: SweepReport) -> None:
    """Commit what finished; a second Ctrl-C during the write is held until it is done."""
    try:
        chunk.commit(store)
    except KeyboardInterrupt:
        report.interrupted = True


def _submit(executor: cf.Executor, todo: Iterator[RunTask], pending: dict[cf.Future, int],
            in_flight: int, report: SweepReport) -> None:
    """Keep ``in_flight`` tasks submitted (bounded memory on the scheduler and here)."""
    while len(pending) < in_flight:
        task = next(todo, None)
        if task is None:
            return
        try:
            pending[executor.submit(run_task, task)] = task.run_id
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


# ------------------------------------------------------------------ executors
#: How often a local worker checks that the sweep that started it is still alive.
WATCHDOG_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1


def _init_worker(sweep_pid: int) -> None:
    """Worker initializer: ignore Ctrl-C (the parent's business) and die with the parent.

    The workers are children of the fork server, not of the sweep. The fork
    server exits when the sweep dies (its pipe closes); on Linux
    ``PR_SET_PDEATHSIG`` then kills the worker at once. Everywhere, a daemon
    thread also ends the worker within ``WATCHDOG_SECONDS`` of the fork server
    or the sweep going away (the worker is re-parented), even in mid-run.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watchdog, args=(parent, sweep_pid), daemon=True,
                     name="offshoring-watchdog").start()


def _watchdog(parent: int, sweep_pid: int) -> None:
    while os.getppid() == parent and _alive(sweep_pid):
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)  # no cleanup: nobody is left to receive the result


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's (pid reused): treat as gone
        return False
    try:  # a killed parent stays a zombie until its own parent reaps it
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rpartition(b")")[2].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def local_executor(workers: int) -> cf.ProcessPoolExecutor:
    """A process pool of ``workers`` processes started by a fork server (fast, thread-safe).

    The workers exit by themselves if the sweep process dies (even by SIGKILL):
    see ``_init_worker``.
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["experiments.executors"])
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                  initializer=_init_worker, initargs=(os.getpid(),))


def abandon(executor: cf.Executor) -> None:
    """Stop an executor now: cancel queued tasks and end running local workers."""
    terminate: Callable[[], None] | None = getattr(executor, "terminate_workers", None)
    if terminate is not None:  # Python >= 3.14
        terminate()
        return
    procs = []
    if isinstance(executor, cf.ProcessPoolExecutor):  # Python 3.12-3.13: no public API
        procs = list((getattr(executor, "_processes", None) or {}).values())
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except TypeError:  # distributed's ClientExecutor has no cancel_futures
        executor.shutdown(wait=False)
    for proc in procs:
        proc.terminate()


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
