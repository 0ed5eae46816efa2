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


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def package_version(package: str) -> str:
    """The installed version of ``package``, or ``not installed``."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def code_version() -> dict[str, str]:
    """``git describe``, the commit, and a SHA-256 of the model's source files.

    The source hash tells builds from a dirty tree apart; ``describe`` and
    ``commit`` are empty outside a git checkout.
    """
    digest = hashlib.sha256()
    for path in sorted((ROOT / "model").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {"describe": _git("describe", "--always", "--dirty", "--tags"),
            "commit": _git("rev-parse", "HEAD"), "model_sha256": digest.hexdigest()}


def code_version_text() -> str:
    """One line: ``git <describe>`` in a checkout, else ``offshoring-abm <version>``."""
    describe = code_version()["describe"] if (ROOT / ".git").exists() else ""
    return f"git {describe}" if describe else "offshoring-abm " + package_version(
        "offshoring-abm")
