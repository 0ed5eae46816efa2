"""The ``offshoring`` package: a light front end above ``experiments`` and ``viz``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "matplotlib", "scipy", "SALib", "dask", "solara", "pyarrow", "model",
         "mesa", "numpy")


def test_help_imports_no_heavy_module() -> None:
    """``offshoring --help`` builds every subparser without importing the model or pandas."""
    code = ("import sys\nfrom offshoring.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "usage: offshoring" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_help_names_match_the_model() -> None:
    """The names written out for help texts are those of the model and the reproduction."""
    from experiments.research.common import SCALES
    from experiments.tools.odd import ODD_PATH
    from model.presets import DEFAULT_SCENARIO, MARKETS
    from offshoring.commands import argtypes, odd

    assert argtypes.DEFAULT_SCENARIO == DEFAULT_SCENARIO
    assert tuple(MARKETS) == argtypes.MARKETS
    assert tuple(SCALES) == argtypes.SCALES
    assert odd.ODD_PATH == ODD_PATH and ODD_PATH.is_file()


def test_libraries_do_not_import_the_cli() -> None:
    """experiments/ and viz/ never import offshoring (the CLI sits above both)."""
    pattern = re.compile(r"^\s*(from|import)\s+offshoring\b", re.M)
    offenders = [str(p.relative_to(ROOT)) for folder in ("experiments", "viz", "model")
                 for p in (ROOT / folder).rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


def test_python_m_offshoring_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "offshoring", "reproduce", "nosuch"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("error: unknown artefact 'nosuch'")


def test_python_m_offshoring_quick_exit_keeps_output_and_files(tmp_path: Path) -> None:
    """``python -m offshoring`` skips the interpreter's finalization once the command has
    returned: the printed table, the files written and the exit status are all there, and
    ``atexit`` handlers still run."""
    out = tmp_path / "kpis.csv"
    code = ("import atexit, runpy, sys\n"
            "atexit.register(lambda: print('atexit ran', file=sys.stderr))\n"
            "sys.argv = ['offshoring', 'run', 'stay-home', '--customers', '200', '--weeks', '3',"
            f" '--quiet', '--out', {str(out)!r}]\n"
            "runpy.run_module('offshoring', run_name='__main__', alter_sys=True)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "stay-home: 3 weeks, 200 customers" in done.stdout
    assert done.stdout.rstrip().endswith(")")  # the last line ("wrote ... (x s)") complete
    assert "atexit ran" in done.stderr
    assert len(out.read_text().splitlines()) == 1 + 3 * 3  # header, 3 firms x 3 weeks
    assert len((tmp_path / "kpis_summary.csv").read_text().splitlines()) == 1 + 3


@pytest.mark.parametrize("argv", [
    ["sweep", "experiments/specs/smoke.toml", "--out", "{tmp}/sweep", "--workers", "100000"],
    ["explore", "explore.toml", "--out", "{tmp}/explore", "--workers", "5000"],
    ["reproduce", "--workers", "999"],
    ["compare", "--workers", "999"],
    ["calibrate", "--workers", "999"],
    ["bench", "--ensemble", "--workers", "1,999"]])
def test_workers_beyond_the_machine_are_one_line_errors(argv: list[str], tmp_path: Path,
                                                         capsys) -> None:
    """A mistyped --workers would start thousands of processes: refused before any work,
    naming the flag and the limit, nothing written."""
    from offshoring.cli import main

    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--workers" in err and "at most" in err
    assert list(tmp_path.iterdir()) == []
