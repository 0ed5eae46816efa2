"""The process pool of every parallel run: sweeps, the research reproduction, compare, bench.

``local_executor(workers)`` starts its workers from a fork server (fast, and safe
beside tqdm's monitor thread) with a module preloaded; ``fresh=True`` spawns a
new interpreter per worker instead (``offshoring bench``: a peak RSS of its own).
The workers ignore Ctrl-C (the parent's business) and exit by themselves if the
process that started them dies, even by SIGKILL. ``abandon`` stops a pool now.

Standard library only, so a spawned worker imports nothing heavy to start.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence

#: How often a local worker checks that the process that started it is still alive.
WATCHDOG_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1
#: Modules a fork-server pool imports once, before forking its workers.
PRELOAD = ("experiments.sweeps.executors",)


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


def local_executor(workers: int, *, fresh: bool = False,
                   preload: Sequence[str] = PRELOAD) -> cf.ProcessPoolExecutor:
    """A process pool of ``workers`` processes (see the module docstring).

    Fork server by default, with ``preload`` imported once before the workers fork;
    ``fresh``: each worker is a new interpreter (spawn) importing only what it runs.
    """
    if fresh:
        ctx = multiprocessing.get_context("spawn")
    else:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(preload))
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


class _InlineExecutor(cf.Executor):
    """Runs each task at submission, in this process (one worker: no process to start)."""

    def submit(self, fn: Callable[..., object], /, *args: object, **kwargs: object
               ) -> cf.Future:
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as err:  # noqa: BLE001 (delivered through the future)
            fut.set_exception(err)
        return fut


def inline_executor() -> cf.Executor:
    """An executor running every task in this process, at submission."""
    return _InlineExecutor()
