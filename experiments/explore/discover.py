"""Scenario discovery: where a strategy pays (PRIM and CART of ``ema_workbench``).

For each strategy, ``x`` holds the plausible worlds' uncertain parameters (and any
observables of the world chosen in the spec, e.g. the stay-home run's service-cost
share of revenue) and ``y`` marks the worlds where the strategy beats the baseline.
PRIM peels a box towards higher density; along its peeling trajectory each box has a
*coverage* (share of all the worlds where the strategy pays that lie in the box) and
a *density* (share of the worlds in the box where it pays). We keep the box of
largest coverage whose density reaches the spec's threshold (else the densest box).
Its restrictions whose quasi-p value (Bryant & Lempert 2010, a one-sided binomial test)
is below 0.05 are kept and the others dropped: the reported box is that pruned box, its
coverage and density recomputed, and it is stated in words. With no restriction
distinguishable from chance, the sentence says so (the full box stays in the table).
CART gives a second view: the leaves of a classification tree.

ema_workbench 3.0 calls pandas APIs deprecated in pandas 3 (``inplace=``): those
warnings come from inside the library and are silenced here, narrowly by module.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MIN_CASES = 5  # fewer worlds of a class than this: no box


@contextlib.contextmanager
def quiet_ema() -> Iterator[None]:
    """Import and call ema_workbench without its import notice (ipyparallel missing) and
    without the pandas deprecation warnings its own code triggers."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ipyparallel not installed",
                                category=UserWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="ema_workbench")
        warnings.filterwarnings("ignore", category=FutureWarning, module="ema_workbench")
        yield


@dataclass
class Box:
    """A PRIM box chosen on the peeling trajectory."""

    target: str                               # "pays" or "does not pay"
    base_rate: float                          # share of all worlds in the target class
    coverage: float
    density: float
    mass: float
    n: int
    limits: dict[str, tuple[float, float]]    # restricted dimensions only
    quasi_p: dict[str, float]
    trajectory: pd.DataFrame = field(repr=False)
    chosen: int = -1
    raw_limits: dict[str, tuple[float, float]] = field(default_factory=dict)
    raw_coverage: float = math.nan
    raw_density: float = math.nan


def _restricted(lims: pd.DataFrame, init: pd.DataFrame) -> dict[str, tuple[float, float]]:
    out = {}
    for c in lims.columns:
        lo, hi = float(lims[c].iloc[0]), float(lims[c].iloc[1])
        if lo > float(init[c].iloc[0]) or hi < float(init[c].iloc[1]):
            out[c] = (lo, hi)
    return out


def prim_box(x: pd.DataFrame, y: np.ndarray, threshold: float = 0.8, mass_min: float = 0.05,
             peel_alpha: float = 0.05, target: str = "pays", alpha: float = 0.05
             ) -> Box | None:
    """The first PRIM box of ``y`` over ``x``, pruned to its restrictions of quasi-p below
    ``alpha`` (None when a class has fewer than MIN_CASES worlds)."""
    y = np.asarray(y, bool)
    if y.sum() < MIN_CASES or (~y).sum() < MIN_CASES:
        return None
    with quiet_ema():
        from ema_workbench.analysis import prim
        p = prim.Prim(x.reset_index(drop=True).astype(float), y, mass_min=mass_min,
                      peel_alpha=peel_alpha)
        box = p.find_box()
    traj = box.peeling_trajectory.copy()
    good = traj.index[traj["density"] >= threshold]
    i = int(traj.loc[good, "coverage"].idxmax()) if len(good) else int(traj["density"].idxmax())
    lims = _restricted(box.box_lims[i], p.box_init)
    qp = {k: float(min(v for v in pair if v >= 0)) if any(v >= 0 for v in pair) else math.nan
          for k, pair in box.p_values[i].items()} if i < len(box.p_values) else {}
    row = traj.loc[i]
    keep = {k: v for k, v in lims.items() if qp.get(k, math.nan) < alpha}
    inside = np.ones(len(y), bool)
    for k, (lo, hi) in keep.items():
        v = x[k].to_numpy(float)
        inside &= (v >= lo) & (v <= hi)
    return Box(target, float(y.mean()), float(y[inside].sum() / y.sum()),
               float(y[inside].mean()), float(inside.mean()), int(inside.sum()), keep,
               {k: qp[k] for k in keep}, traj, i, lims, float(row["coverage"]),
               float(row["density"]))


def cart_leaves(x: pd.DataFrame, y: np.ndarray, mass_min: float = 0.05) -> pd.DataFrame:
    """The leaves of a CART classification tree: coverage, density, mass and limits."""
    y = np.asarray(y, bool)
    cols = ["leaf", "coverage", "density", "mass", "limits"]
    if y.sum() < MIN_CASES or (~y).sum() < MIN_CASES:
        return pd.DataFrame(columns=cols)
    with quiet_ema():
        from ema_workbench.analysis import cart
        c = cart.CART(x.reset_index(drop=True).astype(float), y, mass_min=mass_min)
        c.build_tree()
        st = c.stats_to_dataframe()
        boxes = c.boxes
    init = pd.DataFrame({k: [x[k].min(), x[k].max()] for k in x.columns})
    rows = []
    for (name, s), lims in zip(st.iterrows(), boxes, strict=True):
        r = _restricted(lims[list(x.columns)], init)
        rows.append({"leaf": name, "coverage": float(s["coverage"]),
                     "density": float(s["density"]), "mass": float(s["mass"]),
                     "limits": "; ".join(f"{k} in [{lo:.4g}, {hi:.4g}]"
                                         for k, (lo, hi) in r.items())})
    return pd.DataFrame(rows, columns=cols)


def _num(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1e4 else f"{v:,.0f}"


def condition(name: str, lo: float, hi: float, init: tuple[float, float],
              label: str | None = None) -> str:
    """One restriction in words: 'X exceeds a', 'X is below b' or 'X is between a and b'."""
    what = label or f"`{name}`"
    if lo > init[0] and hi < init[1]:
        return f"{what} is between {_num(lo)} and {_num(hi)}"
    if lo > init[0]:
        return f"{what} exceeds {_num(lo)}"
    return f"{what} is below {_num(hi)}"


def in_words(strategy: str, box: Box | None, x: pd.DataFrame, labels: dict[str, str],
             base: str = "stay home", target: str = "pays",
             counts: tuple[int, int] | None = None) -> str:
    """A box as a sentence, e.g. 'Offshore Morocco pays in 78 % of the plausible worlds
    where A exceeds a and B is below b (...)'."""
    phrase = {"pays": f"beats {base}", "does not pay": f"does not beat {base}",
              "is best": "is the best strategy"}[box.target if box else target]
    if box is None:
        share = (f" in {counts[0]} of {counts[1]} plausible worlds" if counts else "")
        return (f"{strategy} {phrase}{share}: no box (fewer than {MIN_CASES} worlds on one "
                "side).")
    if not box.limits:
        return (f"{strategy} {phrase} in {100 * box.base_rate:.0f} % of the plausible worlds; "
                "PRIM's box (density "
                f"{100 * box.raw_density:.0f} %, coverage {100 * box.raw_coverage:.0f} %) rests "
                f"on {len(box.raw_limits)} restriction(s), none distinguishable from chance "
                "(quasi-p >= 0.05): no region stands out.")
    conds = [condition(k, lo, hi, (float(x[k].min()), float(x[k].max())), labels.get(k))
             for k, (lo, hi) in box.limits.items()]
    joined = conds[0] if len(conds) == 1 else ", ".join(conds[:-1]) + " and " + conds[-1]
    verb, what = {"pays": (f"beats {base}", "pays"),
                  "does not pay": (f"does not beat {base}", "does not"),
                  "is best": ("is the best strategy", "is best")}[box.target]
    return (f"{strategy} {verb} in {100 * box.density:.0f} % of the plausible worlds "
            f"where {joined} (against {100 * box.base_rate:.0f} % over all plausible worlds; "
            f"these worlds are {100 * box.mass:.0f} % of the plausible ones and hold "
            f"{100 * box.coverage:.0f} % of those where it {what}).")
