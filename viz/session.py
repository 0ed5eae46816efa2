"""The model as the app runs it: remembers its seed, caches KPIs, steps under a lock.

Each browser session builds its own :class:`AppModel` (``viz.app.Page`` holds it in a
per-session reactive variable; Mesa's Reset builds the next one from the validated
controls), so two tabs never share a model.

**One lock per model.** Mesa's Play loop steps the model in a worker thread while the page
redraws from the websocket thread (and a quick ▶ ❚❚ ▶ can leave two Play threads
stepping). Every advance of time (``step``, ``run_for``, ``run_until``: all go through
Mesa's ``Model._advance_time``) holds :attr:`AppModel.lock`, and so does every read for
drawing (:meth:`AppModel.series`, :meth:`AppModel.snapshot`, ``viz.views.Board.show``),
so a redraw never sees half a week (issue 14: ``kpis()`` read while a step appended rows
raised ``Length of values (633) does not match length of index (636)``). The lock is
re-entrant: a reader may call ``series()`` while holding it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from model import OffshoringModel, Params
from model.metrics import EVENT_FLAGS, KPI_COLUMNS
from viz.settings import default_draft, validate

NUMERIC = [c for c in KPI_COLUMNS if c not in ("week", "firm", *EVENT_FLAGS)]


@dataclass(frozen=True)
class Series:
    """The KPIs so far as arrays: ``weeks`` (W,), ``values[col]`` (W, firms), flags (W,).

    The burn-in weeks come first, numbered from ``-burn_in_weeks`` to -1.

    Event flags are the focal firm's (firm 0): its announcement, cut-over and reshoring,
    and the calendar and vendor events every firm sees.
    """

    weeks: np.ndarray
    values: dict[str, np.ndarray]
    flags: dict[str, np.ndarray]

    @property
    def n_weeks(self) -> int:
        """Weeks simulated since the burn-in (rows of week >= 0)."""
        return int((self.weeks >= 0).sum())


class AppModel(OffshoringModel):
    """:class:`OffshoringModel` for the browser.

    The model's own ``running`` turns False once ``params.weeks`` weeks have been
    simulated (``time`` reaches the horizon), which disables Mesa's Play and Step
    buttons until Reset.
    """

    def __init__(self, params: Params | None = None, *, rng: int | None = None,
                 twin: bool = False, preset: str | None = None) -> None:
        #: Held by whatever advances the model and whatever reads it for drawing.
        self.lock = threading.RLock()
        super().__init__(params, rng=rng)
        self.seed = rng
        #: The scenario preset the settings started from (for the exported TOML).
        self.preset = preset
        #: The same market with the focal firm staying at home, stepped in lockstep.
        self.twin = OffshoringModel(stay_home(self.params), rng=rng) if twin else None
        self._series: tuple[float, Series] | None = None

    def _advance_time(self, until: float) -> None:
        """Mesa's time advance (``step``, ``run_for``, ``run_until``), under :attr:`lock`.

        Mesa sets ``time`` before it runs the week, so the whole advance is one critical
        section: a reader never sees the new week number with the old week's rows. The
        stay-home twin, if any, advances in the same critical section.
        """
        with self.lock:
            super()._advance_time(until)
            if self.twin is not None:
                self.twin.run_until(self.time)

    def snapshot(self) -> tuple[int, bool]:
        """``(time, running)`` of one finished week (weeks simulated since the burn-in, as
        an int), read under :attr:`lock`."""
        with self.lock:
            return int(round(self.time)), bool(self.running)

    def series(self) -> Series:
        """The KPIs as arrays, computed once per week however many views ask.

        Holds :attr:`lock`, so it waits for a step under way and never reads half a week.
        """
        with self.lock:
            if self._series is None or self._series[0] != self.time:
                self._series = (self.time, series_of(self))
            return self._series[1]


def stay_home(params: Params) -> Params:
    """The same scenario with the focal firm keeping every call at home (the twin)."""
    changes: dict = {"policy.kind": "never"}
    if params.firms and params.firms[0].policy is not None:
        changes["firms.0.policy"] = None
    return params.replace(**changes)


def series_of(model: OffshoringModel) -> Series:
    """Reshape the KPIs, burn-in weeks (< 0) included, into :class:`Series`."""
    kpis = model.kpis(include_burn_in=True)
    firms = model.params.n_firms
    weeks = kpis["week"].to_numpy()[::firms]
    shape = (weeks.size, firms)
    values = {c: kpis[c].to_numpy(dtype=float).reshape(shape) for c in NUMERIC}
    flags = {f: kpis[f].to_numpy(dtype=bool).reshape(shape)[:, 0] for f in EVENT_FLAGS}
    return Series(weeks, values, flags)


def new_model(params: Params, seed: int, twin: bool = False,
              preset: str | None = None) -> AppModel:
    """A fresh model for the app (the constructor runs the burn-in)."""
    return AppModel(params, rng=seed, twin=twin, preset=preset)


def default_params() -> Params:
    """The scenario the page opens on: the default preset at the app's default size."""
    checked = validate(default_draft())
    if checked.params is None:  # the presets are valid by construction: a bug if reached
        raise RuntimeError(f"default scenario refused: {checked.errors}")
    return checked.params

