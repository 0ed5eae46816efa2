"""The exploration under deep uncertainty as an artefact of ``offshoring reproduce``.

``build`` runs the explore spec of the scale (``experiments/specs/explore_smoke.toml``
at ``smoke``, ``explore.toml`` at ``full``) into ``out_dir/explore/`` with
``experiments.explore.pipeline.explore`` on the reproduction's shared pool. The runs
are kept in that folder's own run store (``explore/store/``, git-ignored), so an
interrupted build resumes and a second build runs nothing; the results page renders
the section "What we cannot rule out" from the folder's small files
(``experiments.explore.report.section``), also with ``--report-only``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from experiments.research.common import Scale, executor, get_scale

SPECS = Path(__file__).resolve().parent.parent / "specs"
#: The explore spec of each scale.
SPEC = {"smoke": "explore_smoke.toml", "full": "explore.toml"}
#: The output folder, under the results folder.
FOLDER = "explore"


@dataclass
class Exploration:
    """What ``offshoring reproduce`` prints of the build (its files are in the folder)."""

    name: str
    runs: int
    runtime_s: float
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)


def build(scale: Scale | str, out_dir: Path, workers: int = 2) -> Exploration:
    """Run (or resume) the scale's explore spec into ``out_dir/explore``.

    RuntimeError when runs are missing after the build (lost to worker failures);
    KeyboardInterrupt, after committing the finished runs, when interrupted.
    """
    from experiments.explore.pipeline import explore
    from experiments.explore.spec import load_spec

    sc = get_scale(scale) if isinstance(scale, str) else scale
    spec = load_spec(SPECS / SPEC[sc.name])
    out = Path(out_dir) / FOLDER
    t0 = time.perf_counter()
    result = explore(spec, out, executor(workers), workers=workers)
    if result.status == 130:
        raise KeyboardInterrupt
    if result.status:
        raise RuntimeError(f"explore: {result.lines[0]}")
    runs = json.loads((out / "summary.json").read_text())["run_seconds"]
    return Exploration("explore", runs["pattern_runs"] + runs["strategy_runs"],
                       round(time.perf_counter() - t0, 1))
