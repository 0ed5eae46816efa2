"""``offshoring explore`` end to end on the smoke spec (a few seconds, one process)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from experiments.explore.report import section
from offshoring.cli import main

SMOKE = "experiments/specs/explore_smoke.toml"


def test_explore_smoke_runs_end_to_end_and_resumes(tmp_path, capsys):
    out = tmp_path / "smoke"
    assert main(["explore", SMOKE, "--out", str(out), "--workers", "1", "--quiet"]) == 0
    for name in ("worlds.csv", "patterns.csv", "posterior.csv", "outcomes.csv",
                 "strategies.csv", "prim_boxes.csv", "cart_leaves.csv", "summary.json",
                 "explore.md", "explore.png", "store/.gitignore"):
        assert (out / name).exists(), name
    s = json.loads((out / "summary.json").read_text())
    worlds = pd.read_csv(out / "worlds.csv")
    assert s["worlds"] == len(worlds) == 6 and s["accepted"] == int(worlds["accepted"].sum())
    strat = pd.read_csv(out / "strategies.csv").set_index("strategy")
    moved = strat.drop("stay-home")
    assert (moved["ci_low"] <= moved["p_beats_baseline"]).all()
    assert (moved["p_beats_baseline"] <= moved["ci_high"]).all()
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert (outcomes.groupby("world")["regret"].min() == 0).all()
    boxes = pd.read_csv(out / "prim_boxes.csv")
    assert {"coverage", "density", "sentence"} <= set(boxes.columns)
    text = section(out)
    assert text.startswith("## What we cannot rule out") and "plausible" in text
    assert "../" not in text and "](explore.png)" in text  # the folder's own page
    stored = _stored_runs(out)
    assert len(stored) == stored["key"].nunique() > 0 and stored["status"].eq("ok").all()
    # a second invocation finds every job in the JobStore: no run is made or committed
    capsys.readouterr()
    assert main(["explore", SMOKE, "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert f"(0 run(s) now, {len(stored)} already stored" in capsys.readouterr().out
    assert _stored_runs(out).equals(stored)
    # another spec in the same folder is refused in one line
    other = tmp_path / "other.toml"
    other.write_text(Path(SMOKE).read_text().replace("worlds = 6", "worlds = 7"))
    capsys.readouterr()
    assert main(["explore", str(other), "--out", str(out), "--workers", "1"]) == 2
    assert "another spec" in capsys.readouterr().err


def _stored_runs(out: Path) -> pd.DataFrame:
    """Every row of the explore folder's JobStore (``store/runs``), in key order."""
    from experiments.sweeps.jobs import JobStore

    with JobStore.open(out / "store") as store:
        keys = store.done | store.failed_keys
        runs = store._table("runs", ["key", "status"], keys)
    return runs.sort_values("key").reset_index(drop=True)


def test_reproduce_explore_smoke_writes_the_section(tmp_path, capsys):
    import re

    out = tmp_path / "docs"
    assert main(["reproduce", "explore", "--scale", "smoke", "--out", str(out),
                 "--workers", "1"]) == 0
    folder = out / "results" / "explore"
    assert json.loads((folder / "summary.json").read_text())["name"] == "explore-smoke"
    page = (out / "results.md").read_text()
    assert "## What we cannot rule out" in page
    assert "![Answers across the plausible worlds](results/explore/explore.png)" in page
    for link in re.findall(r"\]\((results/explore/[^)]+)\)", page):
        assert (out / link).is_file(), link
    # --report-only re-renders the section from the folder's files, running nothing
    (out / "results.md").unlink()
    capsys.readouterr()
    assert main(["reproduce", "--report-only", "--out", str(out)]) == 0
    assert "0 artefacts rebuilt" in capsys.readouterr().out
    assert "## What we cannot rule out" in (out / "results.md").read_text()
