"""Sweep specs: validation (one-line errors, exit 2), designs, seeds and shipped specs."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import numpy as np
import pytest

from experiments.sweeps.designs import build_design, plan, run_seeds, unit_design
from experiments.sweeps.spec import UNIT, load_spec, parse_spec
from model.params import ParameterError, field_bounds
from offshoring.cli import main

SPECS = Path(__file__).resolve().parent.parent / "experiments" / "specs"
#: The shipped sweep specs (explore*.toml are explore specs: tests/test_explore.py).
SWEEP_SPECS = sorted(p for p in SPECS.glob("*.toml") if not p.stem.startswith("explore"))

GOOD = """
name = "t"
customers = 300
weeks = 10
design = "grid"
replicates = 2
seed = 3
[parameters]
"policy.share" = { range = [0.3, 0.9], levels = 3 }
"practices.procedures" = { values = [false, true] }
"""


def spec_of(**changes: object) -> dict:
    """A valid spec as a mapping, with top-level keys changed."""
    data = {"name": "t", "customers": 300, "weeks": 10, "design": "grid", "replicates": 2,
            "seed": 3, "parameters": {"policy.share": {"range": [0.3, 0.9], "levels": 3},
                                      "practices.procedures": {"values": [False, True]}}}
    data.update(changes)
    return data


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.toml"
    path.write_text(text)
    return path


# ------------------------------------------------------------------ bad specs
BAD = {
    "unknown parameter": (GOOD.replace('"policy.share"', '"policy.shares"'),
                          "unknown parameter 'policy.shares' (did you mean 'policy.share'?)"),
    "range outside bounds": (GOOD.replace("[0.3, 0.9]", "[0.3, 1.5]"),
                             "range [0.3, 1.5] is outside the parameter's range [0, 1]"),
    "unknown design": (GOOD.replace('design = "grid"', 'design = "factorial"'),
                       "unknown design 'factorial': allowed grid, lhs, sobol, morris"),
    "value out of range": (GOOD.replace('{ range = [0.3, 0.9], levels = 3 }',
                                        '{ values = [0.5, 2.0] }'),
                           "parameter 'policy.share' = 2.0 is out of range"),
    "range on a boolean": (GOOD.replace("{ values = [false, true] }", "{ range = [0, 1] }"),
                           "is bool: give 'values', not 'range'"),
    "unknown enum value": (GOOD + '"policy.kind" = { values = ["offshore", "teleport"] }\n',
                           "'teleport' is not allowed"),
    "sobol not a power of 2": (GOOD.replace('design = "grid"', 'design = "sobol"\nsamples = 6')
                               .replace(", levels = 3", ""), "power of 2"),
    "missing samples": (GOOD.replace('design = "grid"', 'design = "lhs"')
                        .replace(", levels = 3", ""), "needs 'samples'"),
    "unknown outcome": (GOOD.replace("seed = 3", 'seed = 3\noutcomes = ["profit"]'),
                        "unknown outcome 'profit'"),
    "unknown key": (GOOD.replace("seed = 3", "seed = 3\nreplicate = 4"),
                    "unknown key 'replicate'"),
    "unknown scenario": (GOOD.replace("customers = 300", 'scenario = "mars"\ncustomers = 300'),
                         "unknown scenario 'mars'"),
    "not TOML": ("design = [", "is not valid TOML"),
    "difference without a baseline": (
        GOOD.replace("seed = 3", 'seed = 3\noutcomes = ["npv_diff"]'),
        "outcome 'npv_diff' is a difference to a baseline run"),
    "baseline without a difference": (
        GOOD.replace("seed = 3", 'seed = 3\nbaseline = "stay-home"\noutcomes = ["npv"]'),
        "no outcome ends in '_diff'"),
    "unknown baseline": (
        GOOD.replace("seed = 3", 'seed = 3\nbaseline = "mars"\noutcomes = ["npv_diff"]'),
        "baseline: unknown scenario 'mars'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_spec_is_one_line_exit_2(case: str, tmp_path: Path, capsys) -> None:
    text, expected = BAD[case]
    path = write(tmp_path, text)
    status = main(["sweep", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("error: spec ")
    assert expected in err
    assert not (tmp_path / "out").exists()  # refused before any work


def test_bad_spec_from_the_console_script(tmp_path: Path) -> None:
    target = {e.name: e.value for e in entry_points(group="console_scripts")}.get("offshoring")
    assert target == "offshoring.cli:run", f"the installed script runs {target}: make venv"
    path = write(tmp_path, GOOD.replace('design = "grid"', 'design = "factorial"'))
    exe = Path(sys.executable).parent / "offshoring"
    proc = subprocess.run([str(exe), "sweep", str(path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "unknown design 'factorial'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_spec_file(tmp_path: Path, capsys) -> None:
    assert main(["sweep", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "not found" in capsys.readouterr().err


def test_range_must_fit_the_parameter_table() -> None:
    """The error quotes the bounds of model.params, not a copy of them."""
    lo, hi = field_bounds("customers.churn_satisfaction_beta")
    spec = spec_of(parameters={"customers.churn_satisfaction_beta": {"range": [lo, hi + 1]}})
    with pytest.raises(ParameterError, match=f"range \\[{lo:g}, {hi:g}\\]"):
        parse_spec(spec)
    parse_spec(spec_of(parameters={"customers.churn_satisfaction_beta": {"range": [lo, hi]}}))


# ------------------------------------------------------------------ designs
def test_grid_is_the_full_product() -> None:
    spec = parse_spec(spec_of())
    d = build_design(spec)
    assert len(d) == 3 * 2
    pairs = set(zip(d["policy.share"].round(9), d["practices.procedures"], strict=True))
    assert pairs == {(s, p) for s in (0.3, 0.6, 0.9) for p in (False, True)}


def test_lhs_has_one_point_per_stratum() -> None:
    spec = parse_spec(spec_of(design="lhs", samples=12, parameters={
        "policy.share": {"range": [0.2, 0.8]}, "customers.wom_neg_prob": {"range": [0, 0.2]}}))
    u = unit_design(spec)
    for column in u.T:
        assert sorted(np.floor(column * 12).astype(int)) == list(range(12))


def test_morris_trajectories_move_one_parameter_per_step() -> None:
    levels = 4
    spec = parse_spec(spec_of(design="morris", samples=5, levels=levels, parameters={
        "policy.share": {"range": [0.2, 0.8]}, "customers.wom_neg_prob": {"range": [0, 0.2]},
        "workforce.notice_weeks": {"range": [4, 26]}}))
    u = unit_design(spec).reshape(5, 4, 3)
    steps = np.diff(u, axis=1)
    delta = levels / (2 * (levels - 1))
    assert ((np.abs(steps) > 1e-12).sum(axis=2) == 1).all()
    assert np.allclose(np.abs(steps).sum(axis=2), delta)


def test_sobol_size_and_integer_rounding() -> None:
    spec = parse_spec(spec_of(design="sobol", samples=16, parameters={
        "workforce.notice_weeks": {"range": [4, 26]}, "policy.share": {"range": [0.1, 0.9]}}))
    d = build_design(spec)
    assert len(d) == 16 * (2 + 2)  # Saltelli without second order: N (d + 2)
    weeks = d["workforce.notice_weeks"].tolist()
    assert all(isinstance(w, int) and 4 <= w <= 26 for w in weeks)
    expected = np.rint(4 + d[UNIT + "workforce.notice_weeks"] * 22).astype(int)
    assert (d["workforce.notice_weeks"] == expected).all()


def test_value_lists_map_to_every_value() -> None:
    spec = parse_spec(spec_of(design="lhs", samples=30, parameters={
        "policy.kind": {"values": ["offshore", "tiered", "outsource"]}}))
    d = build_design(spec)
    assert set(d["policy.kind"]) == {"offshore", "tiered", "outsource"}


def test_designs_are_reproducible_and_depend_on_the_seed() -> None:
    params = {"policy.share": {"range": [0.2, 0.8]}, "practices.procedures":
              {"values": [False, True]}}
    a = parse_spec(spec_of(design="lhs", samples=8, parameters=params))
    assert build_design(a).equals(build_design(parse_spec(spec_of(design="lhs", samples=8,
                                                                  parameters=params))))
    b = parse_spec(spec_of(design="lhs", samples=8, seed=4, parameters=params))
    assert not np.allclose(unit_design(a), unit_design(b))


# ------------------------------------------------------------------ seeds and runs
def test_run_seeds_come_from_the_seed_sequence() -> None:
    spec = parse_spec(spec_of())
    seeds = run_seeds(spec, 6)
    children = np.random.SeedSequence(3).spawn(2)[1].spawn(12)
    assert seeds.tolist() == [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1))
                              for c in children]
    assert len(set(seeds.tolist())) == 12


def test_common_random_numbers_share_seeds_across_points() -> None:
    spec = parse_spec(spec_of(common_random_numbers=True))
    tasks = plan(spec, build_design(spec))
    by_rep = {r: {t.seed for t in tasks if t.replicate == r} for r in range(2)}
    assert len(by_rep[0]) == len(by_rep[1]) == 1 and by_rep[0] != by_rep[1]


def test_plan_numbers_runs_by_point_and_replicate() -> None:
    spec = parse_spec(spec_of())
    tasks = plan(spec, build_design(spec))
    assert [t.run_id for t in tasks] == list(range(12))
    assert all(t.run_id == t.point * 2 + t.replicate for t in tasks)
    assert tasks[0].base.n_customers == 300 and tasks[0].base.weeks == 10


def test_digest_ignores_layout_but_not_content(tmp_path: Path) -> None:
    a = load_spec(write(tmp_path, GOOD))
    b = load_spec(write(tmp_path, "# a comment\n" + GOOD.replace(" = ", "=")))
    c = load_spec(write(tmp_path, GOOD.replace("seed = 3", "seed = 4")))
    assert a.digest() == b.digest() != c.digest()


def test_nested_parameter_tables_equal_dotted_keys(tmp_path: Path) -> None:
    nested = GOOD.split("[parameters]")[0] + (
        "[parameters.policy.share]\nrange = [0.3, 0.9]\nlevels = 3\n"
        "[parameters.practices.procedures]\nvalues = [false, true]\n")
    assert load_spec(write(tmp_path, nested)).digest() == parse_spec(spec_of()).digest()


@pytest.mark.parametrize("path", SWEEP_SPECS, ids=lambda p: p.stem)
def test_shipped_specs_are_valid(path: Path, capsys) -> None:
    assert main(["sweep", str(path), "--out", "unused", "--dry-run"]) == 0
    spec = load_spec(path)
    n = len(build_design(spec))
    assert f"= {n * spec.replicates} runs" in capsys.readouterr().out


def test_shipped_examples_cover_smoke_morris_and_grid() -> None:
    designs = {load_spec(p).name: load_spec(p).design for p in SWEEP_SPECS}
    assert designs.get("morris") == "morris" and designs.get("grid") == "grid"
    smoke = load_spec(SPECS / "smoke.toml")
    assert smoke.customers <= 500 and smoke.weeks <= 30


# ------------------------------------------------------------------ baselines
def test_a_spec_without_baseline_hashes_as_before() -> None:
    """Adding the optional baseline did not change the digest of existing specs (a sweep
    folder made before resumes): the dump hashed has no ``baseline`` key."""
    import hashlib
    import json

    spec = parse_spec(spec_of())
    dump = spec.model_dump(mode="json")
    assert dump.pop("baseline") is None
    assert spec.digest() == hashlib.sha256(json.dumps(dump, sort_keys=True).encode()
                                           ).hexdigest()[:16]
    with_baseline = parse_spec(spec_of(baseline="stay-home", outcomes=["npv_diff"]))
    assert with_baseline.digest() != spec.digest()


def test_diff_outcomes_are_the_run_minus_its_baseline(tmp_path: Path) -> None:
    """npv_diff = the run's NPV minus that of the baseline scenario run with the same
    values and seed (checked against runs made here); a baseline equal to the scenario
    gives exactly 0."""
    from experiments.sweeps.executors import run_task
    from model.runner import simulate

    spec = parse_spec(spec_of(baseline="stay-home", outcomes=["npv", "npv_diff",
                                                               "churn_monthly_diff"],
                              weeks=60))  # past the announcement (week 26)
    tasks = plan(spec, build_design(spec))
    assert all(t.baseline is not None for t in tasks)
    task = tasks[-1]
    row = run_task(task).row
    values = dict(task.values)
    mine = simulate(spec.base_params().replace(**values), task.seed).focal()
    home = simulate(spec.base_params("stay-home").replace(**values), task.seed).focal()
    assert row["status"] == "ok" and row["npv"] == mine["npv"]
    assert row["npv_diff"] == mine["npv"] - home["npv"] != 0
    assert row["churn_monthly_diff"] == mine["churn_monthly"] - home["churn_monthly"]

    same = parse_spec(spec_of(baseline="offshore-morocco", outcomes=["npv_diff"], weeks=20))
    assert run_task(plan(same, build_design(same))[-1]).row["npv_diff"] == 0.0


def test_the_run_limit_counts_the_baseline_runs() -> None:
    """6M design runs pass alone; with a baseline beside each they are 12M: refused."""
    big = {"design": "lhs", "samples": 6_000_000, "replicates": 1,
           "parameters": {"policy.share": {"range": [0.3, 0.9]}}}
    assert parse_spec(spec_of(**big)).samples == 6_000_000
    with pytest.raises(ParameterError, match=r"12,000,000 runs .* x 2 with the baseline"):
        parse_spec(spec_of(**big, baseline="stay-home", outcomes=["npv_diff"]))


def test_a_failing_baseline_run_is_named_in_the_error(monkeypatch) -> None:
    from experiments.sweeps import executors

    real = executors.simulate

    def failing_at_home(params, seed):
        if params.policy.kind.value == "never":
            raise ValueError("home broke")
        return real(params, seed)

    monkeypatch.setattr(executors, "simulate", failing_at_home)
    spec = parse_spec(spec_of(baseline="stay-home", outcomes=["npv", "npv_diff"]))
    row = executors.run_task(plan(spec, build_design(spec))[0]).row
    assert row["status"] == "error"
    assert row["error"] == "RuntimeError: baseline run: ValueError: home broke"
    assert np.isnan(row["npv_diff"])
