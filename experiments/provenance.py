"""Code-version stamps of what experiments write (sweep manifests, run stores, results).

``code_version()`` is taken once per process: every artefact of an ``offshoring
reproduce`` build and every session of a sweep records the same version.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


#: What makes the numbers: a change here (uncommitted) marks a build ``-dirty``; a change
#: to the docs or the tests does not.
CODE_PATHS = ("model", "experiments", "offshoring", "viz", "pyproject.toml")


def git(*args: str, root: Path = ROOT) -> str:
    """The output of ``git ARGS`` run in ``root`` (stripped), or "" when it fails or git is
    missing."""
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def describe(root: Path = ROOT) -> str:
    """``git describe --always --tags`` of ``root``, with ``-dirty`` when the code
    (``CODE_PATHS``) has uncommitted changes; empty outside a git checkout."""
    text = git("describe", "--always", "--tags", root=root)
    if text and git("status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS,
                     root=root):
        text += "-dirty"
    return text


def package_version(package: str) -> str:
    """The installed version of ``package``, or ``not installed``."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def code_version() -> dict[str, str]:
    """``describe()``, the commit, and a SHA-256 of the model's source files.

    The source hash tells builds from a dirty tree apart; ``describe`` and
    ``commit`` are empty outside a git checkout.
    """
    digest = hashlib.sha256()
    for path in sorted((ROOT / "model").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {"describe": describe(), "commit": git("rev-parse", "HEAD"),
            "model_sha256": digest.hexdigest()}


def code_version_text() -> str:
    """One line: ``git <describe>`` in a checkout, else ``offshoring-abm <version>``."""
    describe = code_version()["describe"] if (ROOT / ".git").exists() else ""
    return f"git {describe}" if describe else "offshoring-abm " + package_version(
        "offshoring-abm")
