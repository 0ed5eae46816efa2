"""Mechanisms of experiments.explore with known answers (fast, no model runs)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments.explore import accept as abc
from experiments.explore.answers import paired, proportion_ci, strategy_table
from experiments.explore.discover import in_words, prim_box
from experiments.explore.spec import default_uncertainties, load_spec, parse_spec
from experiments.explore.worlds import run_overrides, sample_worlds
from experiments.sweeps.seeds import seed_ints
from model.params import ParameterError, iter_fields

SMOKE = "experiments/specs/explore_smoke.toml"


# ------------------------------------------------------------------ ABC rejection
def test_rejection_keeps_exactly_the_worlds_inside_every_band():
    values = pd.DataFrame({"p1": [0.5, 1.0, 1.2, 0.9, math.nan, 0.8],
                           "p2": [10.0, 15.0, 15.0, 30.0, 15.0, 12.0],
                           "p3": [99.0, 99.0, 99.0, 99.0, 99.0, 0.0]})
    bands = {"p1": (0.75, 1.05), "p2": (12.0, 24.0), "p3": (0.0, 1.0)}
    flags = abc.accept(values, bands, ["p1", "p2"])       # p3 is reported, not used
    assert flags["accepted"].tolist() == [False, True, False, False, False, True]
    assert flags["p3"].tolist() == [False] * 5 + [True]
    assert abc.accept(values, bands, [])["accepted"].all()  # no pattern: every world


def test_rejection_table_counts_rejections_and_sole_rejecters():
    n1, n2 = abc.banded_patterns()[:2]
    b1, b2 = abc.pattern(n1).tolerance, abc.pattern(n2).tolerance
    inside1, outside1 = sum(b1) / 2, b1[1] + 1
    inside2, outside2 = sum(b2) / 2, b2[1] + 1
    values = pd.DataFrame({abc.column(n1): [inside1, outside1, outside1, math.nan],
                           abc.column(n2): [inside2, inside2, outside2, inside2]})
    flags = abc.accept(values, {abc.column(n1): b1, abc.column(n2): b2},
                       [abc.column(n1), abc.column(n2)])
    t = abc.rejection_table(values, flags, [n1, n2], [n1, n2]).set_index("number")
    assert flags["accepted"].tolist() == [True, False, False, False]
    assert t.loc[n1, "rejected"] == 3 and t.loc[n1, "not_computed"] == 1
    assert t.loc[n1, "sole_rejecter"] == 2 and t.loc[n2, "sole_rejecter"] == 0


def test_constrained_finds_the_parameter_a_pattern_depends_on():
    rng = np.random.default_rng(1)
    worlds = pd.DataFrame({"a": rng.random(400), "b": rng.random(400)})
    ok = pd.DataFrame({abc.column(1): worlds["a"] < 0.5})
    c = abc.constrained(worlds, ok, ["a", "b"], [1])
    assert c["parameter"].tolist() == ["a"]
    assert c.loc[0, "pass_p95"] < 0.5


# ------------------------------------------------------------------ answers
def test_proportion_ci_on_a_known_count():
    p, lo, hi = proportion_ci(8, 10, 0.95, "wilson")
    assert p == 0.8 and lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(
        0.9433, abs=1e-4)
    _, lo, hi = proportion_ci(8, 10, 0.95, "clopper-pearson")
    assert lo == pytest.approx(0.4439, abs=1e-4) and hi == pytest.approx(0.9748, abs=1e-4)
    assert all(math.isnan(v) for v in proportion_ci(0, 0))


def _runs(npv: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for s, values in npv.items():
        for w, v in enumerate(values):
            rows.append({"world": w, "label": s, "npv": v, "cum_profit": v,
                         "image_all": 60.0 + (s != "home"), "churn_monthly": 0.01,
                         "csat": 80.0, "market_share": 0.3, "offshore_share": 0.0,
                         "service_cost_share": 0.1, "reshorings": 0.0})
    return pd.DataFrame(rows)


def test_regret_is_zero_for_the_best_strategy_of_each_world():
    npv = {"home": [10.0, 10.0, 10.0], "a": [12.0, 9.0, 10.5], "b": [11.0, 13.0, 8.0]}
    pairs = paired(_runs(npv), "home", list(npv))
    best = pairs.loc[pairs["regret"] == 0, ["world", "label"]].values.tolist()
    assert best == [[0, "a"], [1, "b"], [2, "a"]]
    r = pairs.set_index(["world", "label"])
    assert r.loc[(1, "a"), "regret"] == 4.0 and r.loc[(2, "home"), "regret"] == 0.5
    assert r.loc[(0, "b"), "npv_diff"] == 1.0 and r.loc[(0, "a"), "image_diff"] == 1.0
    t = strategy_table(pairs, "home", list(npv)).set_index("strategy")
    assert t.loc["a", "wins"] == 2 and t.loc["a", "p_beats_baseline"] == pytest.approx(2 / 3)
    assert t.loc["a", "best_share"] == pytest.approx(2 / 3)


def test_worlds_with_a_failed_strategy_are_left_out():
    runs = _runs({"home": [1.0, 1.0], "a": [2.0, 0.0]})
    pairs = paired(runs[~((runs["world"] == 1) & (runs["label"] == "a"))], "home",
                   ["home", "a"])
    assert sorted(pairs["world"].unique()) == [0]


# ------------------------------------------------------------------ scenario discovery
def test_prim_box_recovers_a_known_region_and_states_it_in_words():
    rng = np.random.default_rng(3)
    x = pd.DataFrame({"market.variable_cost_share": rng.random(500),
                      "customers.awareness_bias": rng.random(500)})
    y = (x["market.variable_cost_share"] > 0.6).to_numpy()
    box = prim_box(x, y, threshold=0.9)
    assert box is not None and box.density >= 0.9 and box.coverage > 0.8
    assert list(box.limits) == ["market.variable_cost_share"]
    lo, hi = box.limits["market.variable_cost_share"]
    assert 0.55 < lo <= 0.6 and hi == x["market.variable_cost_share"].max()
    text = in_words("Offshore Morocco", box, x, {})
    assert f"`market.variable_cost_share` exceeds {lo:.3g}" in text
    assert f"in {100 * box.density:.0f} % of the plausible worlds" in text
    assert prim_box(x, np.zeros(500, bool)) is None  # nothing to find


# ------------------------------------------------------------------ worlds and seeds
def test_default_uncertainties_are_the_plausible_ranges():
    names = {u.name: u for u in default_uncertainties()}
    expected = {r["name"] for r in iter_fields() if r["plausible"] is not None
                and not r["name"].startswith("destination.")}
    assert set(names) == expected
    u = names["customers.churn_satisfaction_beta"]
    row = next(r for r in iter_fields() if r["name"] == u.name)
    assert (u.low, u.high) == row["plausible"]
    assert names["home.hourly_cost"].sites == ("france",)


def test_worlds_seeds_are_seedsequence_children_and_values_in_range():
    spec = load_spec(SMOKE)
    w = sample_worlds(spec)
    children = np.random.SeedSequence(spec.seed).spawn(3)
    assert w["seed"].tolist()[:3] == [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1))
                                      for c in children]
    assert seed_ints(spec.seed, 3) == w["seed"].tolist()[:3]
    for u in spec.uncertainties:
        assert w[u.name].between(u.low, u.high).all()
    assert sample_worlds(spec).equals(w)  # reproducible, no global state


def test_site_specific_ranges_apply_only_at_their_sites():
    us = default_uncertainties()
    world = {u.name: u.low for u in us}
    fr = run_overrides(us, world, "stay-home")
    usa = run_overrides(us, world, "us-stay-home")
    assert "home.hourly_cost" in fr and "home.hourly_cost" not in usa
    assert "customers.awareness_bias" in usa
    assert run_overrides(us, world, "stay-home", {"home.hourly_cost": 26.5})[
        "home.hourly_cost"] == 26.5


# ------------------------------------------------------------------ spec validation
BASE = {"levers": {"strategies": ["stay-home", "offshore-morocco"]}}


@pytest.mark.parametrize("data, field", [
    ({"worlds": 0}, "'worlds'"),
    ({"worlds": "many"}, "'worlds'"),
    ({"sampler": "grid"}, "'sampler'"),
    ({"colour": 1}, "'colour'"),
    ({"levers": {"strategies": ["stay-home", "mars"]}}, "'levers.strategies'"),
    ({"levers": {"strategies": ["stay-home", "offshore-morocco"], "baseline": "x"}},
     "'levers.baseline'"),
    ({"abc": {"patterns": [9]}}, "'abc.patterns'"),
    ({"abc": {"patterns": [99]}}, "'abc.patterns'"),
    ({"abc": {"weeks": 52}}, "'abc.weeks'"),
    ({"uncertainties": {"add": {"customers.nope": {"range": [0, 1]}}}},
     "'uncertainties.add.\"customers.nope\"'"),
    ({"uncertainties": {"add": {"customers.awareness_bias": {"range": [0.5, 0.1]}}}},
     ".range"),
    ({"uncertainties": {"add": {"customers.awareness_bias": {"range": [0, 2]}}}}, ".range"),
    ({"uncertainties": {"add": {"customers.awareness_bias": {"range": [0, 1],
                                                             "sites": ["morocco"]}}}},
     ".sites"),
    ({"uncertainties": {"defaults": False}}, "'uncertainties'"),
    ({"answers": {"ci": "bayes"}}, "'answers.ci'"),
    ({"discovery": {"threshold": 1.5}}, "'discovery.threshold'"),
    ({"discovery": {"observables": ["profit"]}}, "'discovery.observables'"),
])
def test_spec_errors_are_one_line_naming_the_field(data, field):
    with pytest.raises(ParameterError) as err:
        parse_spec({**BASE, **data})
    msg = str(err.value)
    assert field in msg and "\n" not in msg


def test_bad_spec_on_the_command_line_is_one_line_exit_2(tmp_path, capsys):
    from offshoring.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text('worlds = -3\n')
    out = tmp_path / "out"
    assert main(["explore", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'worlds'" in err and "Traceback" not in err
    assert not out.exists()  # nothing written before the spec is checked
    assert main(["explore", str(tmp_path / "missing.toml"), "--out", str(out)]) == 2
    assert main(["explore", SMOKE, "--out", str(out), "--scheduler", "nowhere"]) == 2
    assert "--scheduler" in capsys.readouterr().err


# ------------------------------------------------------------------ execution
def test_a_world_with_a_failed_pattern_run_is_rejected_and_retried(tmp_path):
    """Failure isolation on the sweep engine: the failed run is recorded, the other
    worlds go on, the world is rejected; the next invocation runs only that run again."""
    import concurrent.futures as cf

    from experiments.explore.execute import open_store, pattern_jobs, pattern_values, run
    from experiments.sweeps import executors

    spec = load_spec(SMOKE)
    worlds = sample_worlds(spec).head(2)
    jobs = pattern_jobs(spec, worlds)
    bad = next(j for j in jobs if j.replicate == 1)

    class FailOne(cf.Executor):  # in this process; one job's run raises
        def submit(self, fn, job):
            fut = cf.Future()
            fut.set_result(executors.run_job(job) if job.key != bad.key else
                           executors.RunOutput(executors._stamped(
                               {"key": job.key, "seed": job.seed, "status": "error",
                                "error": "ValueError: boom"}, 0.0), None))
            return fut

    with open_store(tmp_path) as store:
        report = run(jobs, store, FailOne(), 1, "test", progress=False)
        assert report.failed == 1 and report.ok == len(jobs) - 1
        v = pattern_values(spec, store, jobs, worlds).set_index("world")
        assert v.loc[0, "status"] == "ok" and v.loc[1, "status"] == "error"
        assert np.isnan(v.loc[1, abc.column(spec.computed_patterns[0])])
        assert store.errors([bad.key]) == {bad.key: "ValueError: boom"}
    with open_store(tmp_path) as store:
        from experiments.sweeps.pool import inline_executor

        again = run(jobs, store, inline_executor(), 1, "test", progress=False)
        assert (again.ok, again.skipped) == (1, len(jobs) - 1)
        assert pattern_values(spec, store, jobs, worlds)["status"].eq("ok").all()


@pytest.mark.parametrize("name", ["explore", "explore_smoke"])
def test_shipped_explore_specs_are_valid(name, capsys):
    from offshoring.cli import main

    spec = load_spec(f"experiments/specs/{name}.toml")
    assert main(["explore", f"experiments/specs/{name}.toml", "--out", "unused",
                 "--dry-run"]) == 0
    assert f"{spec.worlds} worlds x {len(spec.uncertainties)} uncertainties" in (
        capsys.readouterr().out)
