"""Crash-safe sweep storage: a directory of Parquet chunk files plus a manifest.

Layout of a sweep directory::

    DIR/manifest.json            spec, spec digest, code and package versions, sessions
    DIR/design.parquet           one row per design point: values and unit-cube coordinates
    DIR/runs/part-000001.parquet          one row per finished run (the commit record)
    DIR/timeseries/part-000001.parquet    long weekly series of the same runs (optional)

Each chunk is written to a hidden temporary file, flushed to disk and renamed
into place with ``os.replace`` (atomic on POSIX): a reader or a resumed sweep
sees a chunk whole or not at all. The ``runs`` part of a chunk is renamed last,
so a ``timeseries`` part without its ``runs`` part is an interrupted chunk and
is deleted when the sweep resumes (until then, join the series on ``run_id``).
A resumed sweep first checks what it finds (the manifest's keys and types, the
design table, every committed chunk) and refuses a damaged folder in one line
without touching it; ``offshoring sweep SPEC --out DIR --repair`` moves
unreadable chunks to ``DIR/quarantine/<time>/`` (with a ``NOTE.txt``) and runs
their runs again. Everything is plain Parquet (integers, floats, booleans, strings, UTC
timestamps): pandas, pyarrow, Polars or DuckDB read it without this package,
e.g. ``pandas.read_parquet("DIR/runs")``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import platform
import re
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from experiments.provenance import code_version_text, package_version
from model.params import ParameterError

MANIFEST, DESIGN, RUNS, SERIES, LOCK = ("manifest.json", "design.parquet", "runs",
                                        "timeseries", ".lock")
QUARANTINE = "quarantine"
FORMAT = 1
#: Columns that differ between two executions of the same run (excluded when comparing).
VOLATILE_COLUMNS = ("seconds", "finished", "worker")
PACKAGES = ("offshoring-abm", "mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic",
            "networkx", "SALib", "dask", "distributed")
_PART = re.compile(r"^part-(\d{6})\.parquet$")
_ARROW = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
SERIES_SCHEMA = pa.schema([("run_id", pa.int64()), ("week", pa.int64()), ("firm", pa.int64()),
                           ("kpi", pa.string()), ("value", pa.float64())])


def runs_schema(param_types: dict[str, str], outcomes: Sequence[str]) -> pa.Schema:
    """Schema of the ``runs`` table: ids, parameters, status, timings, outcomes."""
    fields = [("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64()),
              ("seed", pa.int64())]
    fields += [(name, _ARROW[kind]) for name, kind in param_types.items()]
    fields += [("status", pa.string()), ("error", pa.string()), ("seconds", pa.float64()),
               ("finished", pa.timestamp("ms", tz="UTC")), ("worker", pa.string())]
    fields += [(name, pa.float64()) for name in outcomes]
    return pa.schema(fields)


# ------------------------------------------------------------------ versions
def code_version() -> str:
    """The code version recorded in manifests (``experiments.provenance``)."""
    return code_version_text()


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages a run depends on."""
    return {"python": platform.python_version(), **{p: package_version(p) for p in PACKAGES}}


# ------------------------------------------------------------------ atomic files
def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace(tmp: Path, dest: Path) -> None:
    """fsync ``tmp``, rename it over ``dest`` and fsync the folder (survives power loss)."""
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    _fsync_dir(dest.parent)


def write_table(table: pa.Table, dest: Path) -> None:
    """Write a Parquet file atomically (hidden temporary name, then rename)."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    pq.write_table(table, tmp)
    _replace(tmp, dest)


def write_json(data: dict[str, Any], dest: Path) -> None:
    """Write JSON atomically."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    _replace(tmp, dest)


@contextlib.contextmanager
def deferred_sigint() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM) until the block is done, then raise KeyboardInterrupt.

    Used around a chunk commit so that an interrupt cannot fall between the
    rename and the bookkeeping that follows (which would write a run twice).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    old = {s: signal.signal(s, lambda n, _f: caught.append(n))
           for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if caught:
            raise KeyboardInterrupt


# ------------------------------------------------------------------ the store
class ChunkFolder:
    """A locked folder of Parquet chunks (``runs/`` and ``timeseries/``): what a sweep
    directory and a run store (``experiments.sweeps.jobs.JobStore``) share."""

    root: Path
    schema: pa.Schema
    _lock_fd: int
    _next: int

    def close(self) -> None:
        """Release the directory lock."""
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> ChunkFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cleanup(self) -> None:
        """Remove temporary files and the series part of an interrupted chunk."""
        for folder in (self.root / RUNS, self.root / SERIES, self.root):
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink()
        committed = set(_chunks(self.root / RUNS))
        for n in set(_chunks(self.root / SERIES)) - committed:
            (self.root / SERIES / _part_name(n)).unlink()

    def _write_chunk(self, rows: list[dict[str, Any]], series: list[pd.DataFrame],
                     series_schema: pa.Schema | None = None) -> None:
        """Write the next chunk: the series part first, then the runs part (the commit).

        Call inside ``deferred_sigint()``, with the bookkeeping that follows.
        """
        name = _part_name(self._next)
        if series:
            frame = pd.concat(series, ignore_index=True)
            write_table(pa.Table.from_pandas(frame, schema=series_schema, preserve_index=False),
                        self.root / SERIES / name)
        write_table(pa.Table.from_pylist(rows, schema=self.schema), self.root / RUNS / name)
        self._next += 1


class Store(ChunkFolder):
    """An open sweep directory: completed run ids and chunk commits (one writer at a time)."""

    def __init__(self, root: Path, manifest: dict[str, Any], design: pd.DataFrame,
                 lock_fd: int, done: set[int] | None = None, failed: int = 0) -> None:
        self.root = root
        self.manifest = manifest
        self.design = design
        self._lock_fd = lock_fd
        self.schema = runs_schema(manifest["parameter_types"], manifest["outcomes"])
        self._cleanup()
        self.done: set[int] = set(done or ())
        self.failed = failed
        self._next = max(_chunks(root / RUNS), default=0) + 1

    @classmethod
    def open(cls, root: str | Path, spec: Any, make_design: Any,
             param_types: dict[str, str], repair: bool = False) -> Store:
        """Create or resume the sweep in ``root``; refuse a different spec (ParameterError).

        ``make_design()`` builds the design table, called only for a new sweep: a
        resumed sweep reuses the stored design, so library upgrades between
        sessions cannot move the design points. A damaged folder (see
        ``check_out``) is refused before anything in it is changed; with
        ``repair`` its unreadable chunks are moved to ``quarantine/`` first.
        """
        root = Path(root)
        lock_fd = _lock(root, "--out ")
        try:
            manifest = _read_manifest(root)
            scan = _Scan()
            if manifest is None:
                _refuse_foreign(root)
                design = make_design()
                manifest = _new_manifest(spec, design, param_types)
                write_table(pa.Table.from_pandas(design, preserve_index=False), root / DESIGN)
            else:
                _check_same(root, manifest, spec)
                design = _read_design(root, manifest)
                scan = _scan(root, manifest, full=True)
                _refuse_damage(root, scan, repair)
            session = {"started": _now(), "code_version": code_version(),
                       "host": platform.node()}
            if scan.bad:
                session["quarantined"] = _quarantine(root, scan.bad)
            manifest.setdefault("sessions", []).append(session)
            (root / RUNS).mkdir(exist_ok=True)
            (root / SERIES).mkdir(exist_ok=True)
            write_json(manifest, root / MANIFEST)
            return cls(root, manifest, design, lock_fd, scan.done, scan.failed)
        except BaseException:
            os.close(lock_fd)
            raise

    def commit(self, rows: list[dict[str, Any]], series: list[pd.DataFrame]) -> None:
        """Write one chunk of finished runs: series first, then the runs part (the commit).

        Runs already in the store are dropped, so no run_id is ever written twice.
        """
        new = {int(r["run_id"]) for r in rows} - self.done
        rows = [r for r in rows if int(r["run_id"]) in new]
        series = [s[s["run_id"].isin(new)] for s in series]
        if not rows:
            return
        with deferred_sigint():
            self._write_chunk(rows, series, SERIES_SCHEMA)
            self.done.update(int(r["run_id"]) for r in rows)
            self.failed += sum(r["status"] != "ok" for r in rows)


def check_out(root: str | Path, spec: Any, repair: bool = False) -> int:
    """Refuse ``root`` before any work: not a folder, foreign content, another spec, or
    damage (a manifest of the wrong shape, an unreadable design or chunk).

    Returns the number of damaged chunks (non-zero only with ``repair``; without
    it they are refused). ``Store.open`` checks again, fully, under the lock;
    this early check (Parquet footers only) lets the CLI fail in one line before
    it starts workers. Nothing is written.
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise ParameterError(f"--out '{root}' exists and is not a folder")
    if not root.is_dir():
        return 0
    manifest = _read_manifest(root)
    if manifest is None:
        _refuse_foreign(root)
        return 0
    _check_same(root, manifest, spec)
    _read_design(root, manifest)
    scan = _scan(root, manifest, full=False)
    _refuse_damage(root, scan, repair)
    return len(scan.bad)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _lock(root: Path, shown: str = "") -> int:
    """Create ``root`` if needed and take its writer lock (a file descriptor to close).

    ``shown`` prefixes the folder in the error (``"--out "`` for a sweep)."""
    if root.exists() and not root.is_dir():
        raise ParameterError(f"{shown}'{root}' exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ParameterError(f"another sweep is writing into '{root}'") from None
    return fd


def _part_name(n: int) -> str:
    return f"part-{n:06d}.parquet"


def _chunks(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return [int(m.group(1)) for p in folder.iterdir() if (m := _PART.match(p.name))]


def _read_manifest_file(root: Path) -> Any:
    """The parsed ``manifest.json`` of ``root`` (None if absent; ParameterError if unreadable)."""
    path = root / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ParameterError(f"'{path}' is not valid JSON (damaged?)") from None
    except OSError as err:
        raise ParameterError(f"cannot read '{path}': {err.strerror}") from None


def _read_manifest(root: Path) -> dict[str, Any] | None:
    path = root / MANIFEST
    data = _read_manifest_file(root)
    if data is None:
        return None
    problem = _manifest_problem(data)
    if problem:
        raise ParameterError(f"'{path}' is damaged: {problem}")
    return data


#: Keys every manifest has, and their JSON types (bool is refused where int is asked).
_MANIFEST_KEYS: dict[str, type | tuple[type, ...]] = {
    "format": int, "name": str, "spec_digest": str, "spec": dict, "points": int,
    "replicates": int, "runs": int, "parameters": list, "parameter_types": dict,
    "outcomes": list}


def _manifest_problem(data: Any) -> str | None:
    """What is wrong with the shape of a parsed manifest, or None."""
    if not isinstance(data, dict):
        return f"expected a JSON object, found {type(data).__name__}"
    if "format" in data and data["format"] != FORMAT:
        return None  # another version's layout: _check_same says so
    for key, kind in _MANIFEST_KEYS.items():
        if key not in data:
            return f"key '{key}' is missing"
        value = data[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"'{key}' should be a JSON {_JSON_NAMES[kind]}, found {_json_type(value)}"
    types = data["parameter_types"]
    if list(types) != data["parameters"] or not all(t in _ARROW for t in types.values()):
        return "'parameter_types' should give 'int', 'float', 'bool' or 'str' for each parameter"
    if not all(isinstance(o, str) for o in data["outcomes"]):
        return "'outcomes' should be a list of names"
    if not isinstance(data["spec"].get("name"), str):
        return "'spec' has no name"
    if not isinstance(data.get("sessions", []), list):
        return f"'sessions' should be a JSON array, found {_json_type(data['sessions'])}"
    if min(data["points"], data["replicates"], data["runs"]) < 0:
        return "'points', 'replicates' and 'runs' cannot be negative"
    return None


_JSON_NAMES = {int: "integer", str: "string", dict: "object", list: "array"}


def _json_type(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "an object", type(None): "null"}.get(type(value), "?")


def _read_design(root: Path, manifest: dict[str, Any]) -> pd.DataFrame:
    """The stored design, checked against the manifest (ParameterError naming the file)."""
    path = root / DESIGN
    try:
        design = pq.read_table(path).to_pandas()
    except FileNotFoundError:
        raise ParameterError(f"'{root}' has a manifest but no {DESIGN}") from None
    except Exception as err:  # noqa: BLE001 (pyarrow raises many kinds)
        raise ParameterError(f"'{path}' is damaged: {_first_line(err)}") from None
    missing = [c for c in ["point", *manifest["parameters"]] if c not in design.columns]
    if missing:
        raise ParameterError(f"'{path}' is damaged: column '{missing[0]}' is missing")
    if len(design) != manifest["points"]:
        raise ParameterError(f"'{path}' is damaged: {len(design)} rows, the manifest says "
                             f"{manifest['points']} points")
    return design


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


@dataclass
class _Scan:
    """What the committed chunks hold, and the chunks that cannot be trusted."""

    done: set[int] = field(default_factory=set)
    failed: int = 0
    bad: dict[int, tuple[str, str]] = field(default_factory=dict)  # chunk -> (file, why)


def _scan(root: Path, manifest: dict[str, Any], full: bool) -> _Scan:
    """Check every committed chunk: readable, the runs schema, run ids in range, no run twice.

    ``full`` reads every chunk (as a resume does); otherwise only the run ids
    and status of the runs parts and the footers of the series parts (which a
    truncation breaks).
    """
    schema = runs_schema(manifest["parameter_types"], manifest["outcomes"])
    scan = _Scan()
    good: dict[int, tuple[list[int], int]] = {}
    seen: set[int] = set()
    runs = set(_chunks(root / RUNS))
    for n in sorted(runs):
        path = root / RUNS / _part_name(n)
        try:
            if not pq.read_schema(path).equals(schema):
                raise ValueError("not the runs schema of this sweep")
            table = pq.read_table(path, columns=None if full else ["run_id", "status"])
            ids = table.column("run_id").to_pylist()
            status = table.column("status").to_pylist()
        except Exception as err:  # noqa: BLE001 (pyarrow raises many kinds)
            scan.bad[n] = (f"{RUNS}/{path.name}", _first_line(err))
            continue
        out = [i for i in ids if i is None or not 0 <= i < manifest["runs"]]
        if out or set(ids) & seen or len(set(ids)) != len(ids):
            why = f"run_id {out[0]} out of range" if out else "a run_id stored twice"
            scan.bad[n] = (f"{RUNS}/{path.name}", why)
            continue
        seen.update(ids)
        good[n] = (ids, sum(s != "ok" for s in status))
    for n in sorted(set(_chunks(root / SERIES)) & set(good)):
        path = root / SERIES / _part_name(n)
        try:
            if full:
                pq.read_table(path)
            else:
                pq.read_metadata(path)
        except Exception as err:  # noqa: BLE001
            scan.bad[n] = (f"{SERIES}/{path.name}", _first_line(err))
            del good[n]
    for ids, failed in good.values():
        scan.done.update(ids)
        scan.failed += failed
    return scan


def _refuse_damage(root: Path, scan: _Scan, repair: bool) -> None:
    if not scan.bad or repair:
        return
    name, why = scan.bad[min(scan.bad)]
    name = str(root / name)
    more = f" (and {len(scan.bad) - 1} more damaged chunk(s))" if len(scan.bad) > 1 else ""
    raise ParameterError(f"'{name}' is damaged: {why}{more}; nothing was changed: run again "
                         "with --repair to move damaged chunks to quarantine/ and rerun "
                         "their runs")


def _quarantine(root: Path, bad: dict[int, tuple[str, str]]) -> list[str]:
    """Move damaged chunks (runs and series parts) to ``quarantine/<time>/``, with a note."""
    dest = root / QUARANTINE / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    note = [f"Moved here by 'offshoring sweep --repair' on {_now()}: these chunks could not",
            "be read back; their runs were removed from the sweep and are run again.", ""]
    moved = []
    for n, (name, why) in sorted(bad.items()):
        for folder in (RUNS, SERIES):
            src = root / folder / _part_name(n)
            if src.exists():
                (dest / folder).mkdir(parents=True, exist_ok=True)
                os.replace(src, dest / folder / src.name)
                moved.append(f"{folder}/{src.name}")
                note.append(f"{folder}/{src.name}: " + (why if name == f"{folder}/{src.name}"
                                                        else f"its {name} is damaged"))
        for folder in (RUNS, SERIES):
            if (root / folder).is_dir():
                _fsync_dir(root / folder)
    _write_text("\n".join(note) + "\n", dest / "NOTE.txt")
    return moved


def _write_text(text: str, dest: Path) -> None:
    """Write a text file atomically."""
    tmp = dest.with_name(f".{dest.name}.tmp")
    tmp.write_text(text)
    _replace(tmp, dest)


def _refuse_foreign(root: Path) -> None:
    """A folder without a manifest must be empty (apart from our own leftovers)."""
    ours = {LOCK, DESIGN, RUNS, SERIES, f".{DESIGN}.tmp", f".{MANIFEST}.tmp"}
    other = sorted(p.name for p in root.iterdir() if p.name not in ours)
    if other or any(_chunks(root / d) for d in (RUNS, SERIES)):
        raise ParameterError(f"--out '{root}' is not empty and holds no sweep manifest "
                             f"(found '{other[0] if other else RUNS}')")


def _check_same(root: Path, manifest: dict[str, Any], spec: Any) -> None:
    if manifest.get("format") != FORMAT:
        raise ParameterError(f"'{root}' was written by an incompatible version "
                             f"(format {manifest.get('format')}, expected {FORMAT})")
    if manifest.get("spec_digest") != spec.digest():
        raise ParameterError(f"'{root}' holds a different sweep ('{manifest['spec']['name']}', "
                             f"spec {manifest['spec_digest']}; this spec is {spec.digest()}): "
                             "choose another --out")
    if not (root / DESIGN).is_file():
        raise ParameterError(f"'{root}' has a manifest but no {DESIGN}")


def _new_manifest(spec: Any, design: pd.DataFrame,
                  param_types: dict[str, str]) -> dict[str, Any]:
    return {
        "format": FORMAT, "name": spec.name, "spec_digest": spec.digest(),
        "spec": spec.model_dump(mode="json"), "created": _now(),
        "code_version": code_version(), "packages": package_versions(),
        "points": len(design), "replicates": spec.replicates,
        "runs": len(design) * spec.replicates, "parameters": list(spec.names),
        "parameter_types": param_types, "outcomes": list(spec.outcomes),
        "timeseries": list(spec.timeseries.kpis) if spec.timeseries else [],
        "volatile_columns": list(VOLATILE_COLUMNS),
        "python": sys.version.split()[0],
    }


# ------------------------------------------------------------------ readers
def _read_columns(folder: Path, columns: list[str]) -> pd.DataFrame:
    if not _chunks(folder):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pads.dataset(folder, format="parquet").to_table(columns=columns).to_pandas()


def read_manifest(root: str | Path) -> dict[str, Any]:
    """The manifest of a sweep directory (ParameterError if there is none)."""
    manifest = _read_manifest(Path(root))
    if manifest is None:
        raise ParameterError(f"'{root}' holds no sweep ({MANIFEST} not found)")
    return manifest


def read_runs(root: str | Path) -> pd.DataFrame:
    """The ``runs`` table sorted by run_id (empty if no chunk is committed yet)."""
    folder = Path(root) / RUNS
    if not _chunks(folder):
        m = read_manifest(root)
        return runs_schema(m["parameter_types"], m["outcomes"]).empty_table().to_pandas()
    df = pd.read_parquet(folder)
    return df.sort_values("run_id", kind="stable").reset_index(drop=True)


def read_timeseries(root: str | Path) -> pd.DataFrame:
    """The long ``timeseries`` table of committed runs, sorted by run_id, firm, kpi, week.

    After a crash inside a commit, the series part of that chunk can be on disk
    without its runs part until the sweep resumes (which deletes it); such rows
    are left out here. Other readers get the same by joining on ``run_id``.
    """
    folder = Path(root) / SERIES
    if not _chunks(folder):
        return SERIES_SCHEMA.empty_table().to_pandas()
    df = pd.read_parquet(folder)
    df = df[df["run_id"].isin(_read_columns(Path(root) / RUNS, ["run_id"])["run_id"])]
    return df.sort_values(["run_id", "firm", "kpi", "week"], kind="stable").reset_index(drop=True)


def read_design(root: str | Path) -> pd.DataFrame:
    """The design table of a sweep directory."""
    return pd.read_parquet(Path(root) / DESIGN)
