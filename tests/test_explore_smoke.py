"""``offshoring explore`` end to end on the smoke spec (a few seconds, one process)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from experiments.cli import main
from experiments.explore.report import section

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
    parts = sorted(p.name for p in (out / "store").rglob("part-*.parquet"))
    # a second invocation finds every task stored: nothing runs again
    capsys.readouterr()
    assert main(["explore", SMOKE, "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert sorted(p.name for p in (out / "store").rglob("part-*.parquet")) == parts
    # another spec in the same folder is refused in one line
    other = tmp_path / "other.toml"
    other.write_text(Path(SMOKE).read_text().replace("worlds = 6", "worlds = 7"))
    capsys.readouterr()
    assert main(["explore", str(other), "--out", str(out), "--workers", "1"]) == 2
    assert "another spec" in capsys.readouterr().err
