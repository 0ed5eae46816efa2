"""Plausible worlds: approximate Bayesian computation by rejection on published patterns.

The pattern table is that of ``offshoring calibrate --patterns``
(experiments/research/patterns.py, docs/calibration.md); patterns are named by their
number there (1-based). In each world, the runs the chosen patterns need
(``needed_runs``) are made once with the world's parameters and seed (jobs of the
sweep engine, ``execute``), and every pattern's value is computed from their stored
weekly series (``world_patterns``, ``Pattern.value``). A world is **accepted** when every pattern
used for acceptance has a finite value inside its tolerance band (a value that
cannot be computed rejects). Patterns in ``also_report`` are computed and reported
(how many worlds they would reject) but do not decide.

"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.research.patterns import (
    COLUMNS,
    PATTERNS,
    RUNS,
    RunData,
    needed_runs,
    verdict,
)
from model.params import Params

PATTERN_COUNT = len(PATTERNS)


def banded_patterns() -> list[int]:
    """Numbers (1-based) of the patterns with a tolerance band (the comparable ones)."""
    return [i for i, p in enumerate(PATTERNS, 1) if p.tolerance is not None]


def pattern(number: int):
    """The ``Pattern`` numbered ``number`` in docs/calibration.md."""
    return PATTERNS[number - 1]


def pattern_runs(numbers: Sequence[int]) -> list[str]:
    """Labels (keys of ``RUNS``) of the runs the patterns need."""
    return needed_runs([pattern(n) for n in numbers])


def run_preset(label: str) -> tuple[str, dict[str, Any]]:
    """(scenario preset, fixed overrides) of a pattern run label."""
    return RUNS[label]


def column(number: int) -> str:
    """Column of pattern ``number``'s value in the world tables."""
    return f"p{number}"


# ------------------------------------------------------------------ pattern values
def run_data(series: pd.DataFrame, params: Params) -> RunData:
    """The pattern view of one stored run: weeks >= 0 of ``COLUMNS``, and the nominal
    cut-over of its parameters (``policy.week + workforce.notice_weeks``)."""
    s = series.loc[series["week"] >= 0, COLUMNS].reset_index(drop=True)
    return RunData(s, params.policy.week + params.workforce.notice_weeks)


def world_patterns(numbers: Sequence[int], runs: dict[str, RunData]) -> dict[str, float]:
    """Pattern values of one world from its runs (``runs[label]``), NaN where a pattern
    cannot be computed."""
    out = {}
    for n in numbers:
        try:
            v = float(pattern(n).value(runs))
        except (ArithmeticError, ValueError, IndexError, KeyError):
            v = math.nan
        out[column(n)] = v
    return out


# ------------------------------------------------------------------ acceptance
def passes(values: pd.Series, band: tuple[float, float]) -> pd.Series:
    """True where a value lies inside the band (NaN: False), as ``patterns.verdict``."""
    return values.map(lambda v: verdict(v, band) == "MET").astype(bool)


def accept(values: pd.DataFrame, bands: dict[str, tuple[float, float]],
           use: Sequence[str]) -> pd.DataFrame:
    """Pass/fail per pattern column and ``accepted`` (every column of ``use`` passes).

    ``values`` has one row per world and one column per pattern; ``bands`` maps a
    column to its tolerance band. With ``use`` empty every world is accepted.
    """
    out = pd.DataFrame(index=values.index)
    for col, band in bands.items():
        out[col] = passes(values[col], band)
    out["accepted"] = out[list(use)].all(axis=1) if use else True
    return out


def rejection_table(values: pd.DataFrame, ok: pd.DataFrame, use: Sequence[int],
                    report: Sequence[int]) -> pd.DataFrame:
    """Per pattern: band, whether it decides, how many worlds it passes and rejects, how
    many it alone rejects among the deciding patterns, and the spread of its values."""
    rows = []
    cols = [column(n) for n in use]
    n_worlds = len(values)
    for n in list(use) + [n for n in report if n not in use]:
        c = column(n)
        pat = pattern(n)
        v = values[c].to_numpy(float)
        fails = ~ok[c]
        others = ok[[x for x in cols if x != c]].all(axis=1) if len(cols) > 1 else True
        finite = v[np.isfinite(v)]
        rows.append({
            "number": n, "pattern": pat.name, "unit": pat.unit,
            "band_low": pat.tolerance[0], "band_high": pat.tolerance[1],
            "used": n in use, "worlds": n_worlds, "passed": int(ok[c].sum()),
            "rejected": int(fails.sum()), "not_computed": int((~np.isfinite(v)).sum()),
            "sole_rejecter": int((fails & others).sum()) if n in use else 0,
            "value_p05": float(np.quantile(finite, 0.05)) if len(finite) else math.nan,
            "value_median": float(np.median(finite)) if len(finite) else math.nan,
            "value_p95": float(np.quantile(finite, 0.95)) if len(finite) else math.nan,
        })
    return pd.DataFrame(rows)


def constrained(worlds: pd.DataFrame, ok: pd.DataFrame, names: Sequence[str],
                numbers: Sequence[int], alpha: float = 0.01) -> pd.DataFrame:
    """Which parameters each pattern constrains: a two-sample Kolmogorov-Smirnov test of
    each parameter between the worlds that pass the pattern and those that fail it;
    rows with p < ``alpha`` and the 5-95 % range of the parameter among the passers."""
    rows = []
    for n in numbers:
        keep = ok[column(n)].to_numpy(bool)
        if keep.sum() < 5 or (~keep).sum() < 5:
            continue
        for name in names:
            x = worlds[name].to_numpy(float)
            res = stats.ks_2samp(x[keep], x[~keep])
            if res.pvalue < alpha:
                rows.append({"number": n, "parameter": name, "ks_d": float(res.statistic),
                             "p_value": float(res.pvalue),
                             "prior_low": float(x.min()), "prior_high": float(x.max()),
                             "pass_p05": float(np.quantile(x[keep], 0.05)),
                             "pass_p95": float(np.quantile(x[keep], 0.95)),
                             "pass_median": float(np.median(x[keep])),
                             "fail_median": float(np.median(x[~keep]))})
    return pd.DataFrame(rows, columns=["number", "parameter", "ks_d", "p_value", "prior_low",
                                       "prior_high", "pass_p05", "pass_p95", "pass_median",
                                       "fail_median"])


def posterior_ranges(worlds: pd.DataFrame, accepted: pd.Series, names: Sequence[str]
                     ) -> pd.DataFrame:
    """Prior range and the accepted worlds' 5 %, 50 % and 95 % quantiles per parameter,
    with the KS distance between accepted and all sampled worlds."""
    rows = []
    acc = accepted.to_numpy(bool)
    for name in names:
        x = worlds[name].to_numpy(float)
        a = x[acc]
        d = float(stats.ks_2samp(a, x).statistic) if len(a) else math.nan
        q = np.quantile(a, [0.05, 0.5, 0.95]) if len(a) else [math.nan] * 3
        rows.append({"parameter": name, "prior_low": float(x.min()),
                     "prior_high": float(x.max()), "post_p05": float(q[0]),
                     "post_median": float(q[1]), "post_p95": float(q[2]), "ks_d": d})
    return pd.DataFrame(rows)
