"""``offshoring analyze``: known-answer tests of the indices on synthetic outcomes written
through the real store, and the command on a tiny real Morris sweep."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.sweeps.analyze import analyze, morris_indices, point_summary
from experiments.sweeps.designs import build_design, plan
from experiments.sweeps.spec import UNIT, param_type, parse_spec
from experiments.sweeps.store import Store
from offshoring.cli import main

PARAMS = {"policy.share": {"range": [0.2, 0.8]},
          "customers.awareness_bias": {"range": [0.0, 0.4]},
          "workforce.notice_weeks": {"range": [4, 26]}}
WEIGHTS = np.array([3.0, -2.0, 0.0])  # outcome = WEIGHTS . unit coordinates (+ noise)


def synthetic(root: Path, design: str, samples: int, noise: float = 5.0,
              fail_points: tuple[int, ...] = ()):
    """A sweep folder whose 'csat' is linear in the unit coordinates plus replicate noise
    that cancels exactly in the mean of the two replicates (+e, -e)."""
    spec = parse_spec({"name": "synthetic", "customers": 300, "weeks": 10, "design": design,
                       "samples": samples, "levels": 4, "replicates": 2, "seed": 7,
                       "outcomes": ["csat", "market_share"], "parameters": PARAMS})
    types = {n: param_type(n) for n in spec.names}
    rng = np.random.default_rng(1)
    with Store.open(root, spec, lambda: build_design(spec), types) as store:
        unit = store.design[[UNIT + n for n in spec.names]].to_numpy()
        e = rng.normal(0, noise, len(unit))
        rows = []
        for t in plan(spec, store.design):
            y = float(unit[t.point] @ WEIGHTS) + (e[t.point] if t.replicate == 0 else
                                                  -e[t.point])
            bad = t.point in fail_points
            rows.append({"run_id": t.run_id, "point": t.point, "replicate": t.replicate,
                         "seed": t.seed, **dict(t.values),
                         "status": "error" if bad else "ok",
                         "error": "RuntimeError: synthetic" if bad else None,
                         "seconds": 0.0, "finished": dt.datetime.now(dt.UTC), "worker": "x",
                         "csat": np.nan if bad else y, "market_share": 0.3})
        store.commit(rows, [])
    return spec, unit, e


def test_morris_recovers_known_effects_after_averaging_replicates(tmp_path: Path) -> None:
    synthetic(tmp_path, "morris", samples=6)
    result = analyze(tmp_path, outcomes=["csat"], plots=False)
    t = result.indices.set_index("parameter").loc[list(PARAMS)]
    assert np.allclose(t["mu_star"], np.abs(WEIGHTS))
    assert np.allclose(t["mu"], WEIGHTS)
    assert np.allclose(t["sigma"], 0.0, atol=1e-9)  # linear: no interaction, noise averaged
    assert (result.root / "analysis" / "morris.csv").is_file()


def test_single_replicates_would_inflate_sigma_and_weak_factors(tmp_path: Path) -> None:
    """Why replicates are averaged first: the noise of one run per point swamps the indices."""
    spec, unit, e = synthetic(tmp_path, "morris", samples=6)
    one_run = unit @ WEIGHTS + e
    t = morris_indices(unit, list(spec.names), one_run, 4, 0.95, 200, 0)[0]
    assert (t["sigma"] > 1.0).all()
    assert t.loc[2, "mu_star"] > 1.0  # the factor without effect looks influential


def test_sobol_of_an_additive_function(tmp_path: Path) -> None:
    synthetic(tmp_path, "sobol", samples=256)
    t = analyze(tmp_path, outcomes=["csat"], plots=False).indices.set_index("parameter")
    t = t.loc[list(PARAMS)]
    share = WEIGHTS**2 / (WEIGHTS**2).sum()  # variance shares of independent uniforms
    assert np.allclose(t["S1"], share, atol=0.08)
    assert np.allclose(t["ST"], share, atol=0.08)
    assert (t["S1_conf"] > 0).all()


def test_failed_points_drop_their_morris_trajectories(tmp_path: Path) -> None:
    synthetic(tmp_path, "morris", samples=6, fail_points=(5,))  # point 5 is in trajectory 1
    result = analyze(tmp_path, outcomes=["csat"], plots=False)
    assert any("1 of 6 trajectories left out" in n for n in result.notes)
    t = result.indices.set_index("parameter").loc[list(PARAMS)]
    assert np.allclose(t["mu_star"], np.abs(WEIGHTS))


def test_point_intervals_are_student_t() -> None:
    runs = pd.DataFrame({"point": [0, 0, 0, 1], "replicate": [0, 1, 2, 0],
                         "status": ["ok", "ok", "ok", "ok"], "policy.share": [0.5] * 3 + [0.7],
                         "csat": [1.0, 2.0, 3.0, 4.0]})
    p = point_summary(runs, ["policy.share"], ["csat"], 0.95).set_index("point")
    half = 4.302653 / np.sqrt(3)  # t(0.975, 2 df) from the tables, sd = 1
    assert p.loc[0, "mean"] == 2.0 and p.loc[0, "n"] == 3
    assert p.loc[0, "ci_low"] == pytest.approx(2 - half) and p.loc[0, "ci_high"] == \
        pytest.approx(2 + half, rel=1e-6)
    assert np.isnan(p.loc[1, "ci_low"])  # one replicate: no interval


def test_analyze_command_on_a_real_morris_sweep(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "m.toml"
    spec.write_text('name = "tiny-morris"\ncustomers = 300\nweeks = 10\ndesign = "morris"\n'
                    'samples = 3\nreplicates = 1\nseed = 4\noutcomes = ["csat", "cum_profit"]\n'
                    '[base]\n"policy.week" = 2\nburn_in_weeks = 8\n[parameters]\n'
                    '"policy.share" = { range = [0.2, 1.0] }\n'
                    '"destination.language_fit" = { range = [0.5, 1.0] }\n')
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["analyze", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "morris: csat" in printed and "mu_star" in printed and "policy.share" in printed
    table = pd.read_csv(out / "analysis" / "morris.csv")
    assert list(table.columns) == ["outcome", "parameter", "mu_star", "mu_star_conf", "mu",
                                   "sigma"]
    assert len(table) == 2 * 2 and table["mu_star"].notna().all()
    md = (out / "analysis" / "summary.md").read_text()
    header = [c.strip() for c in md.splitlines()[md.splitlines().index("### npv") + 2]
              .strip("|").split("|")] if "### npv" in md else []
    assert re.search(r"\|\s*parameter\s*\|\s*mu_star\s*\|\s*mu_star_conf\s*\|\s*mu\s*\|"
                     r"\s*sigma\s*\|", md), header
    for name in ("morris_csat.png", "morris_cum_profit.png"):
        assert (out / "analysis" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    points = pd.read_csv(out / "analysis" / "points.csv")
    assert len(points) == 3 * 3 * 2  # 3 trajectories x 3 points x 2 outcomes


def test_analyze_refuses_unknown_outcome_and_folder(tmp_path: Path, capsys) -> None:
    synthetic(tmp_path / "s", "morris", samples=2)
    assert main(["analyze", str(tmp_path / "s"), "--outcomes", "profit"]) == 2
    assert "outcome 'profit' is not in this sweep" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "none")]) == 2
    assert "holds no sweep" in capsys.readouterr().err
