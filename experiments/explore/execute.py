"""Running a list of tasks: the one execution seam of ``experiments.explore``.

``run_tasks(tasks, workers, scheduler, out, desc)`` runs the tasks not yet stored in
``out`` on local processes (``experiments.executors.local_executor``), on a Dask
cluster (``--scheduler tcp://HOST:PORT`` or ``local``: ``dask_executor``) or, with one
worker and no scheduler, in this process; it commits finished tasks in Parquet parts
(``out/part-NNNNNN.parquet``, written atomically by ``experiments.store.write_table``)
every ``chunk`` tasks or ``chunk_seconds`` seconds, with a tqdm progress bar. A task
that raises is stored with ``status = "error"`` and its one-line message (the others
go on); a task lost to the infrastructure is not stored and runs again next time. On
Ctrl-C (or SIGTERM in the command) finished tasks are committed and the report says
``interrupted``; re-running resumes, skipping every stored task.

The sweep engine's ``run_sweep``/``Store`` are tied to a sweep's design table; tasks
here are arbitrary (a world's pattern runs, a strategy in a world), so this module
uses the engine's executors and atomic writes directly. Repoint the two imports
below when experiments/executors.py and experiments/store.py move.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import fcntl
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from experiments.executors import abandon, dask_executor, local_executor
from experiments.store import write_table
from model.params import ParameterError

PART = "part-{:06d}.parquet"
META = ("task_id", "world", "label", "seed", "status", "error", "seconds", "worker",
        "finished")


@dataclass(frozen=True)
class Task:
    """One unit of work: ``fn(**kwargs)`` returning a dict of floats (module-level ``fn``,
    so it pickles by reference). ``task_id`` is unique within an output folder."""

    task_id: str
    world: int
    label: str
    seed: int
    fn: Callable[..., dict[str, float]]
    kwargs: dict[str, Any]


def run_task(task: Task) -> dict[str, Any]:
    """Run one task in a worker; an exception becomes ``status = "error"``."""
    t0 = time.perf_counter()
    row: dict[str, Any] = {"task_id": task.task_id, "world": task.world, "label": task.label,
                           "seed": task.seed}
    try:
        out = task.fn(**task.kwargs)
        row.update(status="ok", error=None)
        row.update({k: float(v) for k, v in out.items()})
    except Exception as err:  # noqa: BLE001 (failure isolation: record and go on)
        msg = str(err).splitlines()[0] if str(err) else ""
        row.update(status="error", error=f"{type(err).__name__}: {msg}")
    row.update(seconds=time.perf_counter() - t0, worker=f"{socket.gethostname()}:{os.getpid()}",
               finished=dt.datetime.now(dt.UTC))
    return row


@dataclass
class TaskReport:
    """What one ``run_tasks`` call did, and every stored row of its tasks."""

    results: pd.DataFrame
    total: int
    skipped: int = 0
    ran: int = 0
    failed: int = 0
    lost: int = 0
    interrupted: bool = False
    lost_messages: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return len(self.results) == self.total


# ------------------------------------------------------------------ the store
def stored(out: Path) -> pd.DataFrame:
    """Every committed row in ``out`` (empty frame if none)."""
    parts = sorted(Path(out).glob("part-*.parquet"))
    if not parts:
        return pd.DataFrame(columns=list(META))
    frames = [pd.read_parquet(p) for p in parts]
    return pd.concat([f for f in frames if len(f)], ignore_index=True) if any(
        len(f) for f in frames) else frames[0]


def _commit(out: Path, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    numbers = [int(p.name[5:11]) for p in out.glob("part-*.parquet")]
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c not in META:
            df[c] = df[c].astype("float64")
    write_table(pa.Table.from_pandas(df, preserve_index=False),
                out / PART.format(max(numbers, default=0) + 1))


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ParameterError(f"--out '{out}' is in use by another explore run") from None
        yield


@contextlib.contextmanager
def _executor(workers: int, scheduler: str | None) -> Iterator[cf.Executor | None]:
    if scheduler:
        address = f"local:{workers}" if scheduler == "local" else scheduler
        try:
            with dask_executor(address) as (ex, _threads):
                yield ex
        except (OSError, TimeoutError) as err:
            raise ParameterError(f"--scheduler '{scheduler}' cannot be reached: "
                                 f"{str(err).splitlines()[0]}") from None
        return
    if workers <= 1:
        yield None  # in this process
        return
    ex = local_executor(workers)
    try:
        yield ex
    finally:
        abandon(ex)


# ------------------------------------------------------------------ the loop
def run_tasks(tasks: Sequence[Task], workers: int = 1, scheduler: str | None = None,
              out: str | Path = ".", desc: str = "tasks", *, progress: bool = True,
              chunk: int = 50, chunk_seconds: float = 60.0) -> TaskReport:
    """Run the ``tasks`` not yet stored in ``out``; return every stored row of them."""
    out = Path(out)
    t0 = time.perf_counter()
    ids = {t.task_id for t in tasks}
    if len(ids) != len(tasks):
        raise ValueError("task ids must be unique")
    with _locked(out):
        done = set(stored(out)["task_id"])
        todo = [t for t in tasks if t.task_id not in done]
        report = TaskReport(pd.DataFrame(), total=len(tasks), skipped=len(tasks) - len(todo))
        rows: list[dict[str, Any]] = []
        since = time.monotonic()
        bar = tqdm(total=len(tasks), initial=report.skipped, unit="task", desc=desc,
                   disable=not progress, dynamic_ncols=True, smoothing=0.1)

        def take(row: dict[str, Any]) -> None:
            nonlocal rows, since
            if not rows:
                since = time.monotonic()
            rows.append(row)
            report.ran += 1
            report.failed += row["status"] != "ok"
            bar.update()
            if len(rows) >= chunk or time.monotonic() - since >= chunk_seconds:
                batch, rows = rows, []
                _commit(out, batch)

        try:
            with _executor(workers, scheduler) as ex:
                if ex is None:
                    for t in todo:
                        take(run_task(t))
                else:
                    _pool_loop(ex, todo, take, report, in_flight=max(4, 2 * workers),
                               wait=lambda: max(0.05, chunk_seconds
                                                - (time.monotonic() - since)))
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            bar.close()
            try:
                _commit(out, rows)
            except KeyboardInterrupt:
                report.interrupted = True
        every = stored(out)
        report.results = every[every["task_id"].isin(ids)].reset_index(drop=True)
        report.seconds = time.perf_counter() - t0
        return report


def _pool_loop(ex: cf.Executor, todo: list[Task], take: Callable[[dict], None],
               report: TaskReport, in_flight: int, wait: Callable[[], float]) -> None:
    queue = iter(todo)
    pending: dict[cf.Future, str] = {}

    def submit() -> None:
        while len(pending) < in_flight:
            t = next(queue, None)
            if t is None:
                return
            try:
                pending[ex.submit(run_task, t)] = t.task_id
            except (RuntimeError, cf.BrokenExecutor) as err:  # the pool is gone
                report.lost += 1 + sum(1 for _ in queue)
                report.lost_messages.append(f"{type(err).__name__}: {err}")
                return

    try:
        submit()
        while pending:
            finished, _ = cf.wait(pending, timeout=wait(), return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                pending.pop(fut)
                try:
                    row = fut.result()
                except (cf.CancelledError, Exception) as err:  # noqa: BLE001 (lost: rerun)
                    report.lost += 1
                    report.lost_messages.append(f"{type(err).__name__}: {err}")
                    continue
                take(row)
            submit()
    finally:
        for fut in pending:
            fut.cancel()
