"""Stored churn normalisation Z: the mean relative hazard with everything at home.

The base hazard is h0 = weekly(monthly target) / Z, where Z is the mean of the
relative hazard exp(x) of model.churn over customers and weeks in a run of the
market preset with every firm at home, at default parameters. Z is fitted once
by ``offshoring calibrate`` (which rewrites this table) and never per run, so a
scenario's churn moves with its mechanisms, not with a retuned constant.
"""

from __future__ import annotations

# market preset -> Z; regenerate with: offshoring calibrate
RELATIVE_HAZARD: dict[str, float] = {
    "telecom": 1.001953,
    "bank": 1.010369,
    "broadband": 0.994625,
    "us-telecom": 0.995130,
}


def relative_hazard(market: str) -> float:
    """Stored Z of a market preset (1.0 for a market that has not been calibrated)."""
    return RELATIVE_HAZARD.get(market, 1.0)
