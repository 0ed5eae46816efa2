"""A sweep through a real Dask cluster (``dask scheduler`` + ``dask worker`` processes on
127.0.0.1) equals the same sweep on local worker processes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from experiments.sweeps.store import VOLATILE_COLUMNS, read_runs, read_timeseries

BIN = Path(sys.executable).parent
SMOKE = Path(__file__).resolve().parent.parent / "experiments" / "specs" / "smoke.toml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        assert proc.poll() is None, proc.communicate()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


def stop(proc: subprocess.Popen) -> None:
    """End a process group: SIGTERM, then SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[tuple[str, int]]:
    """A scheduler and two single-threaded workers, each command in its own process group."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    commands = [["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                ["worker", address, "--nthreads", "1", "--nworkers", "2", "--host",
                 "127.0.0.1", "--no-dashboard", "--death-timeout", "60"]]
    procs: list[subprocess.Popen] = []
    with contextlib.ExitStack() as stack:
        try:
            for i, args in enumerate(commands):
                log = stack.enter_context(open(logs / f"{args[0]}.log", "w"))
                procs.append(subprocess.Popen([str(BIN / "dask"), *args],
                                              stdout=subprocess.DEVNULL, stderr=log,
                                              start_new_session=True))
                if i == 0:
                    wait_port(port, procs[0])
            yield address, procs[1].pid
        finally:
            for proc in reversed(procs):
                stop(proc)


def sweep(out: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "offshoring", "sweep", str(SMOKE), "--out",
                           str(out), "--quiet", *extra], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def stable(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_runs(out).drop(columns=list(VOLATILE_COLUMNS)), read_timeseries(out)


@pytest.fixture(scope="module")
def local(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    sweep(out, "--workers", "2")
    return out


def test_sweep_through_a_dask_scheduler_equals_local(cluster, local: Path, tmp_path) -> None:
    address, worker_pgid = cluster
    out = tmp_path / "dask"
    proc = sweep(out, "--scheduler", address)
    assert "done: 8/8 runs" in proc.stdout and "Dask tcp://127.0.0.1" in proc.stderr
    for got, want in zip(stable(out), stable(local), strict=True):
        pd.testing.assert_frame_equal(got, want)
    # the runs really ran in the dask worker processes, not here
    group = subprocess.run(["pgrep", "-g", str(worker_pgid)], capture_output=True, text=True)
    pids = {int(w.rsplit(":", 1)[1]) for w in read_runs(out)["worker"]}
    assert pids and pids <= {int(p) for p in group.stdout.split()}


def test_local_dask_cluster_equals_local(local: Path, tmp_path) -> None:
    out = tmp_path / "dask-local"
    sweep(out, "--scheduler", "local", "--workers", "2")
    for got, want in zip(stable(out), stable(local), strict=True):
        pd.testing.assert_frame_equal(got, want)


def test_unreachable_scheduler_is_one_line(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "offshoring", "sweep", str(SMOKE), "--out",
                           str(tmp_path / "o"), "--scheduler", "ftp:/nowhere"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "--scheduler expects tcp://HOST:PORT" in proc.stderr
