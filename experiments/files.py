"""Output files written whole or not at all: checks before a run, atomic writes after it.

``offshoring run --out`` (and ``bench --out``, ``compare --out``) go through here:

* :func:`check_file_target` / :func:`check_folder_target` refuse, *before* any work, an
  output that cannot be written: empty, wrong suffix, a folder where a file goes (the
  target or its ``_summary`` sibling), a missing folder, or a folder where no file can be
  created (read-only permissions or file system: probed by creating and removing a
  temporary file, because root ignores permission bits but not a read-only mount).
  They raise :class:`~model.params.ParameterError`: one line, exit status 2.
* :func:`write_group` writes every file of a group (the KPIs and their summary) to a
  hidden temporary ``.NAME.PID-XXXX.tmp`` in the target's folder, flushes it to disk,
  and only when *all* are complete renames them into place, the first file of the group
  last. A failure while writing (a full disk) removes the temporaries and changes
  nothing; the caller reports it as one line, exit status 1.
* Modes follow the user: a new file gets ``0666 & ~umask`` (as ``>`` in a shell), an
  overwritten file keeps the mode it had.
* The pair stays consistent: both Parquet files carry the same ``offshoring.run_id`` in
  their key-value metadata, and :func:`pair_problem` reports a mismatch. CSV has no
  place for it (a comment line would break readers), so for CSV the check relies on the
  rename order: a run killed between the two renames leaves the main file's temporary
  behind, which :func:`pair_problem` reports as an interrupted write.
* Stale temporaries of the same target left by a killed run (their process is gone) are
  removed by the next successful write to that target.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from model.params import ParameterError

#: Table formats ``--out`` accepts, by file-name suffix.
SUFFIXES = (".parquet", ".csv")
#: Parquet key-value metadata key holding the run id shared by a KPI file and its summary.
RUN_ID_KEY = b"offshoring.run_id"


# ------------------------------------------------------------------ before the run
def summary_path(out: Path) -> Path:
    """The summary sibling of a KPI file: ``x.parquet`` -> ``x_summary.parquet``."""
    return out.with_name(out.stem + "_summary" + out.suffix)


def check_file_target(text: str | os.PathLike[str], flag: str = "--out",
                      summary: bool = False) -> Path:
    """The output path ``text`` if a table can be written there (and at its summary)."""
    if not str(text).strip():
        raise ParameterError(f"{flag} is empty: give a file name ending in "
                             f"{' or '.join(SUFFIXES)}")
    path = Path(text)
    if path.suffix not in SUFFIXES:
        raise ParameterError(f"{flag} '{path}': the file name must end in "
                             f"{' or '.join(SUFFIXES)}")
    for target in (path, summary_path(path)) if summary else (path,):
        if target.is_dir():
            raise ParameterError(f"{flag} '{path}': '{target}' is a folder, not a file")
        if target.exists() and not target.is_file():
            raise ParameterError(f"{flag} '{path}': '{target}' exists and is not a file")
    if not path.parent.is_dir():
        raise ParameterError(f"{flag} '{path}': folder '{path.parent}' does not exist")
    _probe(path.parent, flag, path)
    return path


def check_folder_target(text: str | os.PathLike[str], flag: str = "--out") -> Path:
    """An output folder that exists and is writable, or can be created (not yet created)."""
    if not str(text).strip():
        raise ParameterError(f"{flag} is empty: give a folder")
    path = Path(text)
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise ParameterError(f"{flag} '{path}': '{existing}' is not a folder")
    _probe(existing, flag, path)
    return path


def _probe(folder: Path, flag: str, path: Path) -> None:
    """Create and remove a temporary file in ``folder``: refuse if that is not possible."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".offshoring-probe.", suffix=".tmp")
        os.close(fd)
        os.unlink(name)
    except OSError as err:
        raise ParameterError(f"{flag} '{path}': cannot write in folder '{folder}': "
                             f"{err.strerror or err}") from None


# ------------------------------------------------------------------ writing
def current_umask() -> int:
    """The process umask, read without changing it where /proc allows."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The mode ``path`` keeps if it exists, else ``0666 & ~umask``."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~current_umask()


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def write_group(items: Sequence[tuple[Path, Callable[[str], None]]]) -> None:
    """Write each ``(path, writer)``: ``writer(tmp)`` fills a temporary, then all rename.

    Renames run in reverse order, so the first path of the group lands last: a reader
    seeing it new sees the others new too. On any error every temporary is removed and
    the error propagates; nothing that existed before has changed unless a rename itself
    failed (then the message says which files are new).
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, writer in items:
            fd, tmp = tempfile.mkstemp(dir=path.parent,
                                       prefix=f"{_temp_prefix(path)}{os.getpid()}-",
                                       suffix=".tmp")
            os.close(fd)
            temps.append((tmp, path))
            writer(tmp)
            os.chmod(tmp, _mode_for(path))
            _fsync(tmp)
        renamed: list[Path] = []
        for tmp, path in reversed(temps):
            try:
                os.replace(tmp, path)
            except OSError as err:
                if renamed:
                    done = ", ".join(f"'{p}'" for p in renamed)
                    raise OSError(err.errno, f"{err.strerror}; already replaced: {done}",
                                  str(path)) from None
                raise
            renamed.append(path)
        for folder in {path.parent for _, path in temps}:
            _fsync_dir(folder)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    for _, path in temps:
        remove_stale_temps(path)


def write_frames(items: Sequence[tuple[Path, pd.DataFrame]],
                 run_id: str | None = None) -> str:
    """Write DataFrames as one group (Parquet or CSV by suffix); returns the run id.

    Parquet files carry ``run_id`` in their key-value metadata (:data:`RUN_ID_KEY`).
    By default the id is a digest of the frames' contents: the same run writes the
    same bytes (the CLI promises byte-identical files for the same seed), and two
    different runs carry different ids.
    """
    run_id = run_id or content_id([frame for _, frame in items])
    group = [(path, _table_writer(frame, path.suffix, run_id)) for path, frame in items]
    write_group(group)
    return run_id


def content_id(frames: Sequence[pd.DataFrame]) -> str:
    """A 32-hex-digit digest of the frames' values and column names."""
    h = hashlib.sha256()
    for frame in frames:
        h.update("\x1f".join(map(str, frame.columns)).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()[:32]


def _table_writer(frame: pd.DataFrame, suffix: str, run_id: str) -> Callable[[str], None]:
    def write(tmp: str) -> None:
        if suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            meta = dict(table.schema.metadata or {})
            meta[RUN_ID_KEY] = run_id.encode()
            pq.write_table(table.replace_schema_metadata(meta), tmp)
        elif suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            raise ValueError(f"unsupported table format {suffix!r}")
    return write


def _fsync(name: str) -> None:
    with open(name, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ------------------------------------------------------------------ temporaries, pairs
def stale_temps(path: Path) -> list[Path]:
    """Temporaries of ``path`` whose writing process is gone (or unknown)."""
    prefix = _temp_prefix(path)
    stale = []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return []
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid_text = name[len(prefix):].partition("-")[0]
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        stale.append(path.parent / name)
    return stale


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError as err:  # EPERM: someone else's live process
        return err.errno == errno.EPERM
    return True


def remove_stale_temps(path: Path) -> None:
    """Remove temporaries of ``path`` left by killed runs (best effort)."""
    for tmp in stale_temps(path):
        with contextlib.suppress(OSError):
            tmp.unlink()


def run_id(path: Path) -> str | None:
    """The run id in a Parquet file's metadata (None for CSV or a file without one)."""
    if path.suffix != ".parquet":
        return None
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    value = meta.get(RUN_ID_KEY)
    return value.decode() if value is not None else None


def pair_problem(out: Path) -> str | None:
    """Why ``out`` and its summary may not come from the same run, or None if they do."""
    out = Path(out)
    summary = summary_path(out)
    if out.suffix == ".parquet":
        if out.is_file() and summary.is_file():
            a, b = run_id(out), run_id(summary)
            if a != b:
                return f"'{out.name}' (run {a}) and '{summary.name}' (run {b}) differ"
        return None
    leftovers = [p.name for p in stale_temps(out)]
    if leftovers:
        return (f"'{out}': a write was interrupted (left {', '.join(sorted(leftovers))}); "
                f"'{summary.name}' may be newer than '{out.name}'")
    return None
