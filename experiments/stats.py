"""Means and Student-t confidence intervals: the one implementation of every table.

The t quantile is ``scipy.stats.t.interval(conf, n - 1)``; intervals are symmetric,
``mean -+ t * sd / sqrt(n)``, over the finite values, NaN with fewer than two.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
from scipy import stats

CONF = 0.95


def t_quantile(conf: float, df: float | np.ndarray) -> float | np.ndarray:
    """Upper bound of the central ``conf`` interval of Student's t with ``df`` degrees."""
    return stats.t.interval(conf, df)[1]


def mean_ci(x: Iterable[float], conf: float = CONF) -> tuple[float, float, float]:
    """Mean and t confidence interval of the mean of the finite values of ``x``.

    ``(nan, nan, nan)`` without a finite value; NaN bounds with one.
    """
    a = np.asarray(list(x), float)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(a.mean())
    if a.size < 2:
        return m, float("nan"), float("nan")
    half = float(t_quantile(conf, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size))
    return m, m - half, m + half


def describe(x: Iterable[float], conf: float = CONF) -> dict[str, float]:
    """``n``, ``mean``, ``sd`` and the t interval (``ci_low``, ``ci_high``) of the finite x."""
    a = np.asarray(list(x), float)
    a = a[np.isfinite(a)]
    m, lo, hi = mean_ci(a, conf)
    sd = float(a.std(ddof=1)) if a.size > 1 else float("nan")
    return {"n": int(a.size), "mean": m, "sd": sd, "ci_low": lo, "ci_high": hi}


def half_width(x: Iterable[float], conf: float = CONF) -> float:
    """Half-width of the t interval of the mean (NaN with fewer than two finite values)."""
    m, _, hi = mean_ci(x, conf)
    return hi - m


def band(matrix: np.ndarray, conf: float = CONF) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-column mean and t interval of a replicates x weeks matrix (NaN ignored)."""
    n = np.isfinite(matrix).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN weeks (no vendor yet)
        m = np.nanmean(matrix, axis=0)
        sd = np.nanstd(matrix, axis=0, ddof=1) if matrix.shape[0] > 1 else np.zeros_like(m)
        t = t_quantile(conf, np.maximum(n - 1, 1))
        half = t * sd / np.sqrt(np.maximum(n, 1))
    return m, m - half, m + half


def fmt_ci(m: float, lo: float, hi: float, digits: int = 2) -> str:
    """``m [lo, hi]`` for tables (``n/a`` without a mean, ``m`` alone without bounds)."""
    if not np.isfinite(m):
        return "n/a"
    if not np.isfinite(lo):
        return f"{m:.{digits}f}"
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
