"""Experimental designs of a sweep: grid, Latin hypercube, Sobol', Morris; run seeds; tasks.

Every design is first drawn in the unit cube (one column per parameter, in
[0, 1]) and then mapped to values: a range linearly (integers rounded), a value
list by equal-width bins. The unit coordinates are what SALib analyses.
Seeds: ``SeedSequence(seed).spawn(2)`` gives one child for the design sampler
and one whose children seed the runs (``experiments.sweeps.seeds``), so run
seeds never depend on the design.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from experiments.sweeps.seeds import seed_ints
from experiments.sweeps.spec import UNIT, ParameterSpec, SweepSpec, grid_levels, param_type
from model.params import Params


def design_seed(spec: SweepSpec) -> np.random.SeedSequence:
    """The sampler's seed: first child of ``SeedSequence(spec.seed)``."""
    return np.random.SeedSequence(spec.seed).spawn(2)[0]


def run_seeds(spec: SweepSpec, n_points: int) -> np.ndarray:
    """One integer seed per run (run_id order), from the second child of the spec's seed.

    With ``common_random_numbers`` replicate r of every point shares a seed (less
    noise in differences between points); otherwise every run has its own.
    Seeds are 63-bit integers, so ``offshoring run --seed S`` repeats any run.
    """
    runs = np.random.SeedSequence(spec.seed).spawn(2)[1]
    count = spec.replicates if spec.common_random_numbers else n_points * spec.replicates
    seeds = np.array(seed_ints(runs, count), dtype=np.int64)
    if spec.common_random_numbers:
        return np.tile(seeds, n_points)
    return seeds


def unit_design(spec: SweepSpec) -> np.ndarray:
    """The design in the unit cube: one row per point, one column per parameter."""
    d = len(spec.names)
    rng_seed = int(design_seed(spec).generate_state(1, np.uint32)[0])
    problem = {"num_vars": d, "names": list(spec.names), "bounds": [[0.0, 1.0]] * d}
    if spec.design == "grid":
        axes = [np.linspace(0.0, 1.0, grid_levels(spec, name)) for name in spec.names]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, d)
    if spec.design == "lhs":
        from scipy.stats import qmc
        return qmc.LatinHypercube(d, rng=np.random.default_rng(rng_seed)).random(spec.samples)
    if spec.design == "sobol":
        from SALib.sample import sobol
        return sobol.sample(problem, spec.samples, calc_second_order=False, seed=rng_seed)
    from SALib.sample import morris
    return morris.sample(problem, spec.samples, num_levels=spec.levels, seed=rng_seed)


def to_value(name: str, ps: ParameterSpec, u: float) -> Any:
    """Map a unit coordinate to a parameter value (ranges linear, integers rounded)."""
    kind = param_type(name)
    if ps.values is not None:
        k = len(ps.values)
        v = ps.values[min(int(u * k), k - 1)]
        return float(v) if kind == "float" else v
    lo, hi = ps.range
    x = (1.0 - u) * lo + u * hi  # exact at both ends (lo + u * (hi - lo) is not at u = 1)
    if kind == "int":
        return int(np.clip(round(x), np.ceil(lo), np.floor(hi)))
    return float(x)


def build_design(spec: SweepSpec) -> pd.DataFrame:
    """The design table: ``point``, one column of values per parameter, and the unit cube."""
    unit = unit_design(spec)
    table: dict[str, Any] = {"point": np.arange(len(unit), dtype=np.int64)}
    for j, name in enumerate(spec.names):
        ps = spec.parameters[name]
        table[name] = [to_value(name, ps, u) for u in unit[:, j]]
    for j, name in enumerate(spec.names):
        table[UNIT + name] = unit[:, j]
    return pd.DataFrame(table)


# ------------------------------------------------------------------ runs
@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (pickled to the worker)."""

    run_id: int
    point: int
    replicate: int
    seed: int
    values: tuple[tuple[str, Any], ...]
    base: Params
    outcomes: tuple[str, ...]
    series: tuple[str, ...] = ()
    all_firms: bool = False
    baseline: Params | None = None  # run too, with the same values and seed (``_diff``)


def plan(spec: SweepSpec, design: pd.DataFrame) -> list[RunTask]:
    """All runs of a sweep in run_id order: ``run_id = point * replicates + replicate``."""
    base, baseline = spec.base_params(), spec.baseline_params()
    seeds = run_seeds(spec, len(design))
    series = spec.timeseries.kpis if spec.timeseries else ()
    all_firms = bool(spec.timeseries and spec.timeseries.firms == "all")
    rows = design[list(spec.names)].to_dict("records")
    tasks = []
    for point, row in enumerate(rows):
        values = tuple((k, _native(v)) for k, v in row.items())
        for r in range(spec.replicates):
            run_id = point * spec.replicates + r
            tasks.append(RunTask(run_id, point, r, int(seeds[run_id]), values, base,
                                 spec.outcomes, series, all_firms, baseline))
    return tasks


def _native(v: Any) -> Any:
    """numpy scalars to plain Python (for ``Params.replace`` and Parquet)."""
    return v.item() if isinstance(v, np.generic) else v
