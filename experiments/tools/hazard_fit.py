"""``offshoring calibrate``: fit the stored churn constant Z of each market preset once.

With every firm at home, weekly churn is about h0 x mean relative hazard, and
h0 = weekly(target) / Z; so the measured churn is proportional to 1 / Z. The
fit iterates Z <- Z x measured / target on all-at-home runs of the preset (a
few seeds, a large market) until it moves less than ``--tol``, then rewrites
the table in model/baseline_hazard.py. Runs use the stored Z and never retune it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from model import baseline_hazard
from model.presets import MARKETS, STAY_HOME, scenario
from model.runner import simulate

CALIBRATION_FILE = Path(baseline_hazard.__file__)


def measured_churn(market: str, z: float, customers: int, weeks: int, seeds: list[int]
                   ) -> float:
    """Mean monthly churn over firms, weeks and seeds with everything at home and Z = z."""
    baseline_hazard.RELATIVE_HAZARD[market] = z
    preset = STAY_HOME[market]
    p = scenario(preset, n_customers=customers, weeks=weeks)
    return float(np.mean([simulate(p, s).kpis["churn_monthly"].mean() for s in seeds]))


def fit(market: str, customers: int, weeks: int, seeds: list[int], tol: float,
        max_iter: int = 6) -> float:
    """Z for ``market`` by fixed-point iteration (prints each step)."""
    target = MARKETS[market]["monthly_churn_target"]
    z = baseline_hazard.relative_hazard(market)
    for i in range(max_iter):
        churn = measured_churn(market, z, customers, weeks, seeds)
        new = z * churn / target
        print(f"{market}: iteration {i + 1}: Z={z:.5f} churn={100 * churn:.4f} %/month "
              f"(target {100 * target:.3f}) -> Z={new:.5f}")
        if abs(new - z) / z < tol:
            return new
        z = new
    return z


def write_table(values: dict[str, float]) -> None:
    """Rewrite the RELATIVE_HAZARD table of model/baseline_hazard.py."""
    text = CALIBRATION_FILE.read_text()
    body = "".join(f'    "{k}": {v:.6f},\n' for k, v in values.items())
    new = re.sub(r"RELATIVE_HAZARD: dict\[str, float\] = \{\n.*?\n\}",
                 "RELATIVE_HAZARD: dict[str, float] = {\n" + body + "}", text, flags=re.S)
    CALIBRATION_FILE.write_text(new)
