"""Output paths (``run --out``, ``compare --out``): refused early, written whole or not at all.

One test per class of bad output path. The CLI cases run the real command in a
subprocess, all started together (each spends ~1.5 s importing the model) while the
file systems they need are mounted: a read-only tmpfs, a read-only bind mount and a
16 KiB tmpfs that a run's Parquet file overflows. Mounting needs root (CI runs as root); where
the platform refuses it those tests are skipped with the reason. Every mount is
unmounted in the fixture's ``finally``. Atomic-write details (stale temporaries, the run
id shared by a Parquet pair, a run killed between the two renames, modes) are checked
in-process or with a tiny script.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from experiments import files

ROOT = Path(__file__).resolve().parents[1]
PYTHON = [sys.executable, "-W", "error::DeprecationWarning", "-W", "error::FutureWarning"]
RUN = ["run", "stay-home", "--weeks", "2", "--customers", "100", "--quiet"]
OLD = b"results of last week's run"


def assert_one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2 (bad input), nothing on stdout, one stderr line naming what was wrong."""
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    assert done.stdout == ""


def offshoring(*args: str, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    """``offshoring ARGS`` in a fresh interpreter, optionally under ``umask``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    preexec = (lambda: os.umask(umask)) if umask is not None else None
    return subprocess.run([*PYTHON, "-m", "offshoring", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, preexec_fn=preexec)


def mount(*args: str) -> str | None:
    """Run ``mount ARGS``; None if it worked, else why not (for pytest.skip)."""
    try:
        done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)
    except OSError as err:
        return f"cannot run mount: {err}"
    return None if done.returncode == 0 else f"mount {' '.join(args)}: {done.stderr.strip()}"


def unmount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):
    """Every CLI case, started at once while its mounts exist; results by case name."""
    base = tmp_path_factory.mktemp("out")
    folders = {name: base / name for name in
               ("dir", "ro", "bind_src", "bind", "full", "sibling", "umask", "kept")}
    for folder in folders.values():
        folder.mkdir()
    (folders["dir"] / "x.parquet").mkdir()
    (folders["bind_src"] / "x.parquet").write_bytes(OLD)
    (folders["sibling"] / "x_summary.parquet").mkdir()
    kept = folders["kept"] / "x.csv"
    kept.write_bytes(OLD)
    kept.chmod(0o644)
    mounted: list[Path] = []
    skipped: dict[str, str] = {}
    try:
        why = mount("-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(folders["ro"]))
        if why:
            skipped["ro"] = why
        else:
            mounted.append(folders["ro"])
        why = mount("--bind", str(folders["bind_src"]), str(folders["bind"]))
        if why:
            skipped["bind"] = why
        else:
            mounted.append(folders["bind"])
            why = mount("-o", "remount,ro,bind", str(folders["bind"]))
            if why:
                skipped["bind"] = why
        why = mount("-t", "tmpfs", "-o", "size=16k", "tmpfs", str(folders["full"]))
        if why:
            skipped["full"] = why
        else:
            mounted.append(folders["full"])
            (folders["full"] / "x.parquet").write_bytes(OLD)
        cases: dict[str, tuple[list[str], int | None]] = {
            "dir": ([*RUN, "--out", str(folders["dir"] / "x.parquet")], None),
            "ro": ([*RUN, "--out", str(folders["ro"] / "x.parquet")], None),
            "bind": ([*RUN, "--out", str(folders["bind"] / "x.parquet")], None),
            "full": ([*RUN, "--out", str(folders["full"] / "x.parquet")], None),
            "sibling": ([*RUN, "--out", str(folders["sibling"] / "x.parquet")], None),
            "empty": ([*RUN, "--out", ""], None),
            "suffix": ([*RUN, "--out", str(base / "x.txt")], None),
            "umask 022": ([*RUN, "--out", str(folders["umask"] / "a.parquet")], 0o022),
            "kept mode": ([*RUN, "--out", str(kept)], 0o077),
            "compare ro": (["compare", "--out", str(folders["ro"] / "figs")], None),
            "compare file": (["compare", "--out", str(kept / "figs")], None),
        }
        cases = {k: v for k, v in cases.items()
                 if not any(k == s or k.endswith(" " + s) for s in skipped)}
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            futures = {k: pool.submit(offshoring, *args, umask=m)
                       for k, (args, m) in cases.items()}
            done = {k: f.result() for k, f in futures.items()}
        yield done, folders, skipped
    finally:
        for path in reversed(mounted):
            unmount(path)


def result(runs, case: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Path]]:
    done, folders, skipped = runs
    key = case.split()[-1]
    if key in skipped:
        pytest.skip(f"this platform cannot mount here: {skipped[key]}")
    return done[case], folders


def test_existing_directory(runs) -> None:
    done, folders = result(runs, "dir")
    assert_one_line_error(done, "is a folder")
    assert listing(folders["dir"]) == ["x.parquet"]


def test_read_only_file_system(runs) -> None:
    """A read-only tmpfs: refused before the run (exit 2), nothing created."""
    done, folders = result(runs, "ro")
    assert_one_line_error(done, "cannot write in folder", "Read-only file system")
    assert listing(folders["ro"]) == []


def test_read_only_folder(runs) -> None:
    """A read-only bind mount of a folder holding last week's file: untouched."""
    done, folders = result(runs, "bind")
    assert_one_line_error(done, "cannot write in folder", "Read-only file system")
    assert listing(folders["bind"]) == ["x.parquet"]
    assert (folders["bind"] / "x.parquet").read_bytes() == OLD


def test_full_disk_during_write(runs) -> None:
    """The disk fills during the write: exit 1, one line, old file untouched, no temps."""
    done, folders = result(runs, "full")
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "No space left on device" in lines[0] and "nothing was changed" in lines[0]
    assert listing(folders["full"]) == ["x.parquet"]
    assert (folders["full"] / "x.parquet").read_bytes() == OLD


def test_summary_sibling_is_a_directory(runs) -> None:
    done, folders = result(runs, "sibling")
    assert_one_line_error(done, "x_summary.parquet", "is a folder")
    assert listing(folders["sibling"]) == ["x_summary.parquet"]


def test_empty_out(runs) -> None:
    assert_one_line_error(result(runs, "empty")[0], "--out is empty")


def test_unsupported_extension(runs) -> None:
    assert_one_line_error(result(runs, "suffix")[0], "x.txt", ".parquet or .csv")


def test_new_files_follow_umask_022(runs) -> None:
    done, folders = result(runs, "umask 022")
    assert done.returncode == 0, done.stderr
    main = folders["umask"] / "a.parquet"
    for path in (main, files.summary_path(main)):
        assert path.stat().st_mode & 0o777 == 0o644, oct(path.stat().st_mode)
    assert listing(folders["umask"]) == ["a.parquet", "a_summary.parquet"]
    assert files.pair_problem(main) is None


def test_umask_077_and_overwritten_file_keeps_its_mode(runs) -> None:
    """Under umask 077 a new file gets 0600; an overwritten 0644 file stays 0644."""
    done, folders = result(runs, "kept mode")
    assert done.returncode == 0, done.stderr
    kept = folders["kept"] / "x.csv"
    assert kept.read_bytes() != OLD
    assert kept.stat().st_mode & 0o777 == 0o644
    assert files.summary_path(kept).stat().st_mode & 0o777 == 0o600
    assert listing(folders["kept"]) == ["x.csv", "x_summary.csv"]


@pytest.mark.parametrize("case, needle", [("compare ro", "Read-only file system"),
                                          ("compare file", "is not a folder")])
def test_compare_out_refused_before_the_runs(runs, case: str, needle: str) -> None:
    assert_one_line_error(result(runs, case)[0], needle)


# ---------------------------------------------------------------- atomic writes in-process
def frame(value: int) -> pd.DataFrame:
    return pd.DataFrame({"week": [1, 2], "value": [value, value]})


def test_stale_temporaries_removed_by_next_write(tmp_path: Path) -> None:
    """Temporaries of a dead process go; a live writer's and other targets' stay."""
    out = tmp_path / "x.parquet"
    dead = tmp_path / ".x.parquet.999999999-abcd.tmp"
    old_style = tmp_path / ".x.parquet.skgy927h.tmp"
    live = tmp_path / f".x.parquet.{os.getppid()}-efgh.tmp"
    other = tmp_path / ".y.parquet.999999999-abcd.tmp"
    for p in (dead, old_style, live, other):
        p.write_bytes(b"half")
    files.write_frames([(out, frame(1)), (files.summary_path(out), frame(2))])
    assert listing(tmp_path) == sorted([live.name, other.name, "x.parquet",
                                        "x_summary.parquet"])


def test_failed_write_changes_nothing(tmp_path: Path) -> None:
    """A writer failing on the second file: both temporaries removed, old pair intact."""
    out, summary = tmp_path / "x.csv", tmp_path / "x_summary.csv"
    out.write_bytes(OLD)
    summary.write_bytes(OLD)

    def fail(tmp: str) -> None:
        Path(tmp).write_bytes(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        files.write_group([(out, lambda tmp: frame(1).to_csv(tmp)), (summary, fail)])
    assert listing(tmp_path) == ["x.csv", "x_summary.csv"]
    assert out.read_bytes() == OLD and summary.read_bytes() == OLD


KILLED = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import pandas as pd
    from experiments import files
    real, out = os.replace, Path(sys.argv[1])
    def replace(src, dst):  # the run is killed right after the first rename
        real(src, dst)
        os._exit(9)
    os.replace = replace
    new = pd.DataFrame({"week": [1], "value": [99]})
    files.write_frames([(out, new), (files.summary_path(out), new)])
""")


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_pair_killed_between_renames_is_detected(tmp_path: Path, suffix: str) -> None:
    """Summary renamed first, KPIs last: a kill between leaves a detectable mismatch."""
    out = tmp_path / f"x{suffix}"
    summary = files.summary_path(out)
    files.write_frames([(out, frame(1)), (summary, frame(1))])
    assert files.pair_problem(out) is None
    if suffix == ".parquet":
        assert files.run_id(out) == files.run_id(summary) is not None
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([*PYTHON, "-c", KILLED, str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 9, done.stderr
    read = pd.read_parquet if suffix == ".parquet" else pd.read_csv
    assert read(out)["value"].tolist() == [1, 1]  # the main file is still the old one
    assert read(summary)["value"].tolist() == [99]  # its summary is already new
    problem = files.pair_problem(out)
    assert problem is not None and out.name in problem
    files.write_frames([(out, frame(3)), (summary, frame(3))])  # the next good write
    assert files.pair_problem(out) is None
    assert listing(tmp_path) == sorted([out.name, summary.name])
