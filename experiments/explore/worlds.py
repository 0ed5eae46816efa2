"""Worlds: points of the uncertainty space, their seeds and the runs' parameters.

World ``k`` takes row ``k`` of a scrambled Latin hypercube or Sobol' sample
(``scipy.stats.qmc``, seeded from the spec's root seed) scaled to the
uncertainties' ranges, and the integer seed of child ``k`` of
``numpy.random.SeedSequence(root)`` (``experiments.sweeps.seeds``): every run of the
world (the pattern runs and every strategy) uses that seed, so strategies are compared
with common random numbers. Nothing here touches global random state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from experiments.explore.spec import ExploreSpec, Uncertainty
from experiments.sweeps.seeds import seed_ints


def unit_sample(sampler: str, n: int, d: int, root: int) -> np.ndarray:
    """``n`` points of the unit cube [0, 1)^d from a scrambled LHS or Sobol' sequence.

    The sampler's generator is derived from the root seed (a child distinct from the
    worlds' seeds), so the design is reproducible and independent of the runs' noise.
    """
    rng = np.random.default_rng(np.random.SeedSequence([root, 1]))
    if sampler == "sobol":
        engine = qmc.Sobol(d, scramble=True, rng=rng)
        m = int(np.ceil(np.log2(max(n, 2))))
        return engine.random_base2(m)[:n]  # a prefix of a power-of-two sample
    return qmc.LatinHypercube(d, rng=rng).random(n)


def sample_worlds(spec: ExploreSpec) -> pd.DataFrame:
    """One row per world: ``world``, ``seed`` and each uncertainty by dotted name."""
    u = spec.uncertainties
    unit = unit_sample(spec.sampler, spec.worlds, len(u), spec.seed)
    lo = np.array([x.low for x in u])
    hi = np.array([x.high for x in u])
    values = qmc.scale(unit, lo, hi) if len(u) else unit
    df = pd.DataFrame(values, columns=[x.name for x in u])
    for x in u:
        if x.integer:
            df[x.name] = np.clip(np.floor(df[x.name]), x.low, x.high).astype("int64")
    df.insert(0, "seed", seed_ints(spec.seed, spec.worlds))
    df.insert(0, "world", np.arange(spec.worlds, dtype="int64"))
    return df


def run_overrides(uncertainties: Sequence[Uncertainty], world: dict[str, Any], preset: str,
                  fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    """Dotted overrides of one run: the world's values that apply to ``preset`` (site-
    specific ranges only at their sites), then the run's own ``fixed`` overrides on top
    (e.g. the onshore-outsourced home of a pattern run)."""
    out = {}
    for x in uncertainties:
        if x.applies(preset):
            v = world[x.name]
            out[x.name] = int(v) if x.integer else float(v)
    out.update(fixed or {})
    return out
