"""One run from parameters and a seed to tidy results (used by the CLI and sweeps)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from model.model import OffshoringModel
from model.params import Params


@dataclass(frozen=True)
class RunResult:
    """Per-firm weekly KPIs, the per-firm summary and the wall time of one run."""

    kpis: pd.DataFrame
    summary: pd.DataFrame
    seconds: float

    def focal(self) -> dict[str, float]:
        """The focal firm's summary as plain floats (scalar outcomes of a sweep)."""
        row = self.summary[self.summary["firm"] == 0].iloc[0].drop("firm")
        return {k: float(v) for k, v in row.items()}


def simulate(params: Params, seed: int | np.random.SeedSequence, weeks: int | None = None,
             progress=None) -> RunResult:
    """Build, run ``weeks`` (default ``params.weeks``) and collect the results.

    ``progress`` is an optional callable called with the number of weeks done.
    """
    t0 = time.perf_counter()
    model = OffshoringModel(params, rng=seed)
    for w in range(weeks if weeks is not None else params.weeks):
        model.step()
        if progress is not None:
            progress(w + 1)
    return RunResult(model.kpis(), model.summary(), time.perf_counter() - t0)
