"""``offshoring reproduce --scale smoke`` rebuilds every figure and table from nothing.

One smoke build (module fixture, a subprocess with warnings as errors) into an
empty temporary folder; the tests then check the files, the results page, the
metadata and the seeds. Plus fast unit tests of the pieces with exact answers.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.research import ARTEFACTS, FIGURES, TARGETS
from experiments.research.common import replicate_seeds
from experiments.research.strategies import break_even_rise
from experiments.stats import mean_ci
from offshoring.cli import main
from offshoring.commands.reproduce import selected

TABLE_ONLY = {"calibration"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("reproduce") / "docs"
    assert not out.exists()
    proc = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-W", "error::FutureWarning", "-m",
         "offshoring", "reproduce", "--scale", "smoke", "--out", str(out), "--workers",
         "2"], capture_output=True, text=True, timeout=900)
    return out, proc


def test_command_succeeds(built) -> None:
    out, proc = built
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "wrote" in proc.stdout


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_and_table_exists(built, name: str) -> None:
    folder = built[0] / "results"
    if name not in TABLE_ONLY:
        assert (folder / f"{name}.png").read_bytes()[:8] == PNG_MAGIC
        assert "<svg" in (folder / f"{name}.svg").read_text()[:2000]
    table = pd.read_csv(folder / f"{name}.csv")
    assert len(table) > 0
    md = (folder / f"{name}.md").read_text().splitlines()
    assert md[0].startswith("|") and set(md[1]) <= set("|-: ")
    assert len(md) >= 3


def test_results_page_references_all_eight_and_the_verdicts(built) -> None:
    page = (built[0] / "results.md").read_text()
    for name in FIGURES:
        assert f"(results/{name}.csv)" in page
        assert f"(results/{name}.json)" in page
        if name not in TABLE_ONLY:
            assert f"](results/{name}.png)" in page
    for key, (_, title) in TARGETS.items():
        assert re.search(rf"\| {key}\. {re.escape(title)} \| \*\*(MET|NOT MET)\*\* \|", page), key
    assert "## The answer in plain words" in page
    # every linked file exists
    for link in re.findall(r"\]\((results/[^)]+)\)", page):
        assert (built[0] / link).is_file(), link


@pytest.mark.parametrize("name", FIGURES)
def test_metadata_records_seeds_replicates_version(built, name: str) -> None:
    meta = json.loads((built[0] / "results" / f"{name}.json").read_text())
    assert meta["scale"]["name"] == "smoke"
    assert meta["replicates"] >= 1 and meta["runs"] >= 1
    assert meta["seeds"] and all(isinstance(s, int) and s >= 0 for s in meta["seeds"])
    assert meta["code_version"]["describe"] and re.fullmatch(r"[0-9a-f]{40}",
                                                             meta["code_version"]["commit"])
    assert meta["runtime_s"] >= 0 and meta["parameters"]
    for f in meta["files"]:
        assert (built[0] / "results" / f).is_file()
    if name != "morris":  # replicate k has child k of SeedSequence(base_seed) everywhere
        children = np.random.SeedSequence(meta["base_seed"]).spawn(meta["replicates"])
        assert meta["seeds"] == [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1))
                                 for c in children]


def test_the_exploration_section_follows_the_figures(built) -> None:
    page = (built[0] / "results.md").read_text()
    assert page.index("## What we cannot rule out") > page.index("## 8. Table")
    summary = json.loads((built[0] / "results" / "explore" / "summary.json").read_text())
    assert summary["name"] == "explore-smoke" and summary["worlds"] > 0


def test_per_replicate_tables_use_the_recorded_seeds(built) -> None:
    folder = built[0] / "results"
    seeds = json.loads((folder / "adaptive.json").read_text())["seeds"]
    assert pd.read_csv(folder / "adaptive.csv")["seed"].tolist() == seeds
    maps = pd.read_csv(folder / "phase_maps_replicates.csv")
    assert set(maps["seed"]) == set(seeds)
    assert maps.groupby(["map", "x", "y"]).size().eq(len(seeds)).all()


def test_stay_home_pairs_with_itself(built) -> None:
    """Common random numbers: stay home minus itself is exactly zero in every replicate."""
    t = pd.read_csv(built[0] / "results" / "strategies.csv").set_index("preset")
    assert t.loc["stay-home", "npv_diff"] == 0.0
    assert t.loc["stay-home", "npv_diff_lo"] == 0.0 == t.loc["stay-home", "npv_diff_hi"]


def test_unknown_artefact_is_a_one_line_error(capsys) -> None:
    assert main(["reproduce", "nosuchfigure", "--scale", "smoke"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown artefact 'nosuchfigure'") and "\n" not in err


def test_selected_keeps_report_order() -> None:
    assert selected([]) == list(ARTEFACTS)
    assert selected(["morris", "strategies"]) == ["strategies", "morris"]


def test_break_even_rise_one_month_is_exact() -> None:
    # one month: lost margin = margin * N * d, so d = saving / (margin * N)
    d = break_even_rise(saving_month=1000.0, margin_month=10.0, customers=5000.0, months=1,
                        annual_rate=0.08)
    assert d == pytest.approx(1000.0 / (10.0 * 5000.0), rel=1e-9)


def test_break_even_rise_grows_with_the_saving_and_is_zero_without() -> None:
    args = dict(margin_month=20.0, customers=1e5, months=120, annual_rate=0.08)
    assert break_even_rise(0.0, **args) == pytest.approx(0.0, abs=1e-12)
    small, large = break_even_rise(1e4, **args), break_even_rise(4e4, **args)
    assert 0 < small < large


def test_mean_ci_matches_the_t_interval() -> None:
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0])
    # t(0.975, 3) = 3.182446; sd = 1.290994; half = t * sd / 2
    assert m == 2.5 and hi - m == pytest.approx(3.182446 * 1.290994 / 2, rel=1e-5)
    assert m - lo == pytest.approx(hi - m)


def test_replicate_seeds_are_stable_prefixes() -> None:
    assert replicate_seeds(5)[:2] == replicate_seeds(2)
    assert len(set(replicate_seeds(20))) == 20


def test_why_not_met_explains_failed_checks_with_their_numbers() -> None:
    from experiments.research.narrative import why_not_met

    def target(key: str, checks: dict[str, bool]) -> dict:
        return {key: {"verdict": "MET" if all(checks.values()) else "NOT MET",
                      "checks": checks}}
    meta = {
        "calibration": {"targets": target("a", {"Morocco gap in range": True,
                                                "Morocco gap disappears when equalised": False}),
                        "findings": {"CSAT gap, Morocco equalised (points)": {"model": 4.25},
                                     "CSAT gap, Morocco equalised, no awareness bias (points)":
                                         {"model": -1.5}}},
        "cutover": {"targets": target("b", {"Morocco recovers almost fully": True})},
        "adaptive": {"targets": target("c", {"median delay >= 1 year": False}),
                     "findings": {"median_years_to_reshore": 0.5, "replicates_reshoring": 12,
                                  "median_csat_drop_first_quarter": 9.75,
                                  "policy_csat_drop": 4.0, "policy_bad_reviews": 3,
                                  "policy_review_weeks": 13}},
    }
    text = why_not_met(meta)
    assert "* **a.**" in text and "4.2 points" in text and "-1.5" in text
    assert "lies outside the published" not in text  # that check passed
    assert "* **b.**" not in text                     # target b is met
    assert "* **c.**" in text and "median 0.5 years" in text and "3 consecutive" in text
    assert "Complaints had risen" not in text          # that check passed
    meta["adaptive"]["targets"]["c"]["checks"]["median delay >= 1 year"] = True
    meta["adaptive"]["targets"]["c"]["checks"]["at least 80% after complaints rose"] = False
    meta["adaptive"]["findings"]["share_after_complaints_rose"] = 0.6
    text = why_not_met(meta)
    assert "median 0.5 years" not in text  # that check passed
    assert "in only 60 % of the reshoring replicates" in text
    meta["adaptive"]["findings"]["replicates_reshoring"] = 0
    assert "No replicate reshores" in why_not_met(meta)
    for m in meta.values():
        for t in m["targets"].values():
            t["verdict"] = "MET"
    assert why_not_met(meta) == ""
