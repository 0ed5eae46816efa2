"""The EMA Workbench bridge: a tiny experiment end to end, warnings as errors."""

from __future__ import annotations

import warnings

import numpy as np

from experiments.explore.discover import quiet_ema
from experiments.explore.ema import OUTCOMES, dotted, ema_model, identifier
from experiments.explore.spec import default_uncertainties


def test_identifiers_round_trip():
    for u in default_uncertainties():
        ident = identifier(u.name)
        assert ident.isidentifier() and dotted(ident) == u.name


def test_ema_experiment_end_to_end_without_warnings():
    with quiet_ema():  # only the import notice about the optional ipyparallel is silenced
        from ema_workbench import Sample, SequentialEvaluator
    us = [u for u in default_uncertainties() if u.name.startswith("customers.churn")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ema_model(us, strategies=("stay-home", "offshore-morocco"), customers=200,
                          weeks=40, burn_in=8)
        policies = [Sample("home", strategy="stay-home"),
                    Sample("morocco", strategy="offshore-morocco")]
        with SequentialEvaluator(model) as ev:
            experiments, outcomes = ev.perform_experiments(scenarios=3, policies=policies)
    assert len(experiments) == 6
    assert {"customers__churn_satisfaction_beta", "strategy"} <= set(experiments.columns)
    assert set(outcomes) == set(OUTCOMES)
    home = experiments["strategy"] == "stay-home"
    assert np.all(outcomes["npv_diff"][home.to_numpy()] == 0)
    assert np.all(np.isfinite(outcomes["npv"]))
