"""The model as an EMA Workbench model (``ema_workbench.Model``).

``ema_model()`` returns a model whose uncertainties are the explore spec's (by default
every parameter with a plausible range, plus any given), named by their dotted names
mapped to Python identifiers (``customers.churn_satisfaction_beta`` ->
``customers__churn_satisfaction_beta``: dots become double underscores), whose lever
is the strategy (a scenario preset; ``CategoricalParameter("strategy", ...)``) and
whose outcomes are scalars of the focal firm over the horizon:

``npv``, ``npv_diff`` (to the baseline strategy in the same world and seed),
``image_all``, ``churn_monthly``, ``csat``, ``market_share``, ``offshore_share``,
``reshorings``.

Each experiment runs the strategy and, for ``npv_diff``, the baseline, both with one
seed derived from the root seed and the experiment's uncertainty values
(``numpy.random.SeedSequence``): every policy meets the same noise in a scenario
(common random numbers) and an experiment is reproducible. Example::

    from ema_workbench import SequentialEvaluator
    from experiments.explore.ema import ema_model
    model = ema_model(customers=1000, weeks=104)
    with SequentialEvaluator(model) as ev:
        experiments, outcomes = ev.perform_experiments(scenarios=50, policies=4)
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from experiments.explore.discover import quiet_ema
from experiments.explore.spec import Uncertainty, default_uncertainties
from experiments.explore.worlds import run_overrides
from model.presets import scenario
from model.runner import simulate

OUTCOMES = ("npv", "npv_diff", "image_all", "churn_monthly", "csat", "market_share",
            "offshore_share", "reshorings")
DEFAULT_STRATEGIES = ("stay-home", "offshore-morocco", "offshore-morocco-practices",
                      "offshore-romania", "tiered-morocco", "outsource-france",
                      "adaptive-morocco")


def identifier(dotted: str) -> str:
    """A dotted parameter name as a Python identifier (``a.b`` -> ``a__b``)."""
    return dotted.replace(".", "__")


def dotted(ident: str) -> str:
    """Inverse of ``identifier``."""
    return ident.replace("__", ".")


def world_seed(root: int, values: dict[str, float]) -> int:
    """63-bit seed of an experiment: ``SeedSequence([root, crc32 of its values])``."""
    key = zlib.crc32(repr(sorted((k, float(v)) for k, v in values.items())).encode())
    return int(np.random.SeedSequence([root, key]).generate_state(1, np.uint64)[0]
               >> np.uint64(1))


class OffshoringFunction:
    """The callable behind the EMA model (picklable, for the multiprocessing evaluator)."""

    def __init__(self, uncertainties: Sequence[Uncertainty], baseline: str, customers: int,
                 weeks: int, burn_in: int, root_seed: int) -> None:
        self.uncertainties = tuple(uncertainties)
        self.baseline, self.customers, self.weeks = baseline, customers, weeks
        self.burn_in, self.root_seed = burn_in, root_seed

    def _run(self, preset: str, world: dict[str, Any], seed: int) -> dict[str, float]:
        p = scenario(preset, n_customers=self.customers, weeks=self.weeks,
                     burn_in_weeks=self.burn_in,
                     **run_overrides(self.uncertainties, world, preset))
        return simulate(p, seed).focal()

    def __call__(self, strategy: str = "stay-home", **kwargs: float) -> dict[str, float]:
        world = {dotted(k): v for k, v in kwargs.items()}
        seed = world_seed(self.root_seed, world)
        res = self._run(strategy, world, seed)
        base = res if strategy == self.baseline else self._run(self.baseline, world, seed)
        out = {k: float(res[k]) for k in OUTCOMES if k != "npv_diff"}
        out["npv_diff"] = float(res["npv"] - base["npv"])
        return out


def ema_model(uncertainties: Sequence[Uncertainty] | None = None,
              strategies: Sequence[str] = DEFAULT_STRATEGIES, baseline: str = "stay-home",
              customers: int = 3000, weeks: int = 520, burn_in: int = 52,
              root_seed: int = 20261127, name: str = "offshoring"):
    """An ``ema_workbench.Model`` of the offshoring model (see the module doc)."""
    with quiet_ema():
        from ema_workbench import CategoricalParameter, Model, RealParameter, ScalarOutcome
        from ema_workbench.em_framework.parameters import IntegerParameter
    us = tuple(uncertainties) if uncertainties is not None else tuple(default_uncertainties())
    model = Model(name, function=OffshoringFunction(us, baseline, customers, weeks, burn_in,
                                                    root_seed))
    model.uncertainties = [
        IntegerParameter(identifier(u.name), int(u.low), int(u.high)) if u.integer
        else RealParameter(identifier(u.name), u.low, u.high) for u in us]
    model.levers = [CategoricalParameter("strategy", list(strategies))]
    model.outcomes = [ScalarOutcome(o) for o in OUTCOMES]
    return model
