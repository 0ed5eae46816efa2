"""Pattern-oriented calibration (``offshoring calibrate --patterns``): structure, not values.

The model's numbers change with the model, so nothing here asserts a model value or a
verdict: the table is checked for its shape and for verdicts consistent with its numbers.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.research import patterns as pt
from offshoring.cli import main

TINY = pt.Settings(customers=500, replicates=2, weeks=120, workers=2)


def expected_verdict(row: dict) -> str:
    """The verdict recomputed from the row's own numbers."""
    lo, hi = row["tolerance_low"], row["tolerance_high"]
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return pt.NOT_COMPARABLE
    if not math.isfinite(row["value"]):
        return pt.NA
    return pt.MET if lo <= row["value"] <= hi else pt.NOT_MET


@pytest.fixture(scope="module")
def report() -> pt.Report:
    try:
        return pt.check(TINY)
    finally:
        from experiments.research.common import shutdown
        shutdown()


def test_one_row_per_pattern_with_its_fields(report: pt.Report) -> None:
    assert [r["pattern"] for r in report.rows] == [p.name for p in pt.PATTERNS]
    assert len({p.name for p in pt.PATTERNS}) == len(pt.PATTERNS)
    assert report.runs == len(pt.needed_runs(pt.PATTERNS)) * TINY.replicates
    for row in report.rows:
        assert row["source"].strip(), row["pattern"]
        assert row["source"].rstrip(")").split("(")[-1].strip() != ""  # confidence letter
        assert row["published"].strip(), row["pattern"]
        if math.isfinite(row["value"]):
            assert math.isfinite(row["ci_low"]) and math.isfinite(row["ci_high"]), row
            assert row["ci_low"] <= row["value"] <= row["ci_high"], row
        else:  # an explained NaN
            assert row["nan_reason"] and row["note"], row
            assert row["verdict"] in (pt.NA, pt.NOT_COMPARABLE)
        assert row["verdict"] in pt.VERDICTS
        assert row["verdict"] == expected_verdict(row), row
        assert row["conflict"] in ("", pt.CONFLICT_MARK)


def test_conflicts_follow_from_the_verdicts(report: pt.Report) -> None:
    by = {r["pattern"]: r for r in report.rows}
    for c in report.conflicts:
        assert by[c["met"]]["verdict"] == pt.MET
        assert by[c["not_met"]]["verdict"] == pt.NOT_MET
    marked = {r["pattern"] for r in report.rows if r["conflict"]}
    assert marked == {n for c in report.conflicts for n in (c["met"], c["not_met"])}
    for a, b, _ in pt.CONFLICTS:
        assert a in by and b in by


def test_every_pattern_needs_known_runs_and_each_run_is_done_once() -> None:
    labels = pt.needed_runs(pt.PATTERNS)
    assert len(labels) == len(set(labels))
    assert set(labels) <= set(pt.RUNS)


def test_verdict_logic_with_known_inputs() -> None:
    assert pt.verdict(1.0, (0.5, 2.0)) == pt.MET
    assert pt.verdict(0.5, (0.5, 2.0)) == pt.MET and pt.verdict(2.0, (0.5, 2.0)) == pt.MET
    assert pt.verdict(0.49, (0.5, 2.0)) == pt.NOT_MET
    assert pt.verdict(2.01, (0.5, 2.0)) == pt.NOT_MET
    assert pt.verdict(math.nan, (0.5, 2.0)) == pt.NA
    assert pt.verdict(1.0, None) == pt.NOT_COMPARABLE
    assert pt.verdict(math.nan, None) == pt.NOT_COMPARABLE
    rows = [{"pattern": "a", "verdict": pt.MET}, {"pattern": "b", "verdict": pt.NOT_MET},
            {"pattern": "c", "verdict": pt.NOT_MET}, {"pattern": "d", "verdict": pt.NA}]
    found = pt.conflicts(rows, [("a", "b", "x"), ("b", "c", "y"), ("a", "d", "z")])
    assert found == [{"met": "a", "not_met": "b", "why": "x"}]
    assert pt.conflicts(rows, [("b", "a", "x")]) == [{"met": "a", "not_met": "b", "why": "x"}]


def _fake(values: list[float]) -> list[dict[str, pt.RunData]]:
    out = []
    for v in values:
        s = pd.DataFrame({"week": np.arange(10), "x": np.full(10, v), "cutover": False})
        out.append({"r": pt.RunData(s, 3)})
    return out


def test_evaluate_with_synthetic_runs() -> None:
    pats = [
        pt.Pattern("inside", "s (M)", "1-3", (1.0, 3.0), (1.0, 3.0), "u", ("r",),
                  lambda r: r["r"].mean("x", (0, None)), "n"),
        pt.Pattern("outside", "s (M)", "5-6", (5.0, 6.0), (5.0, 6.0), "u", ("r",),
                  lambda r: r["r"].mean("x", (0, None)), "n"),
        pt.Pattern("never", "s (H)", "1", (1.0, 1.0), (0.0, 2.0), "u", ("r",),
                  lambda r: math.nan, "n"),
        pt.Pattern("info", "s (L)", "?", None, None, "u", ("r",), lambda r: 1.0, "n"),
    ]
    rows, found = pt.evaluate(pats, _fake([1.0, 2.0, 3.0]), [("inside", "outside", "w")])
    v = {r["pattern"]: r for r in rows}
    assert v["inside"]["value"] == pytest.approx(2.0)
    assert v["inside"]["ci_low"] < 2.0 < v["inside"]["ci_high"]
    assert [r["verdict"] for r in rows] == [pt.MET, pt.NOT_MET, pt.NA, pt.NOT_COMPARABLE]
    assert v["never"]["nan_reason"]
    assert found and v["inside"]["conflict"] == v["outside"]["conflict"] == pt.CONFLICT_MARK
    assert pt.RunData(_fake([1.0])[0]["r"].series, 3).window((2, 4))["week"].tolist() == [5, 6]


def test_cli_writes_markdown(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "cal.md"
    status = main(["calibrate", "--patterns", "--customers", "500", "--replicates", "2",
                   "--weeks", "120", "--workers", "2", "--out", str(out)])
    assert status == 0
    text = out.read_text()
    assert text.startswith("<!-- Generated by `offshoring calibrate --patterns`")
    assert "offshoring calibrate --patterns" in text
    for p in pt.PATTERNS:
        assert p.name in text
    assert "## Conflicts" in text
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["calibrate", "--patterns", "--replicates", "0"],
    ["calibrate", "--patterns", "--customers", "-5"],
    ["calibrate", "--patterns", "--scale", "huge"],
    ["calibrate", "--patterns", "--out", "/no/such/folder/x.md"],
    ["calibrate", "--replicates", "3"],
])
def test_bad_options_one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and err.count("\n") == 1, err
