"""Code-version stamps (experiments.provenance): ``-dirty`` follows the code, not the docs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from experiments.provenance import describe


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_describe_is_dirty_for_code_changes_only(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    for path in ("model/rules.py", "docs/notes.md", "tests/test_rules.py"):
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_text("one\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    clean = describe(tmp_path)
    assert clean and not clean.endswith("-dirty")

    (tmp_path / "docs/notes.md").write_text("two\n")
    (tmp_path / "tests/test_rules.py").write_text("two\n")
    (tmp_path / "viz").mkdir()
    (tmp_path / "viz/new.py").write_text("untracked\n")
    assert describe(tmp_path) == clean  # docs, tests and untracked files: not the code

    (tmp_path / "model/rules.py").write_text("two\n")
    assert describe(tmp_path) == clean + "-dirty"


def test_describe_outside_a_checkout_is_empty(tmp_path: Path) -> None:
    assert describe(tmp_path) == ""
