"""Play at a chosen speed; a Play that cannot keep up skips redraws instead of queueing them.

One :class:`Player` per browser session. :meth:`Player.start` runs two threads:

* the **stepper** steps the model on a clock: one week every ``period()`` seconds (0: as
  fast as possible). A week that starts late does not make the next ones hurry to catch
  up: the clock restarts from now.
* the **drawer** waits for "a new week is there", clears that flag and redraws (``redraw``
  re-renders the page, which draws the frames of the model's *current* week). Weeks
  stepped while a redraw runs set the flag once, so they cost one more redraw, not one
  each: when drawing is slower than stepping, frames are skipped, never queued.

Pause (:meth:`Player.stop`) lets the week under way finish, then the drawer draws the last
week and calls ``on_end``. A Play started before the previous run's threads have ended
gets a new generation: the old run's ``on_end`` sees it is stale and leaves the buttons
alone, and the model's lock keeps the two steppers from overlapping a week.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

logger = logging.getLogger(__name__)


class Steppable(Protocol):
    running: bool

    def step(self) -> None: ...


class Player:
    """The Play loop of one session (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stop.set()  # not playing
        self.generation = 0
        #: Seconds between weeks, read before each week (so a speed change applies at once).
        self.period: float = 0.1
        self.redraws = 0  # redraws done (tests: fewer than weeks when drawing is slow)

    @property
    def playing(self) -> bool:
        return not self._stop.is_set()

    def stop(self) -> None:
        """Pause: the week under way finishes, then the last week is drawn."""
        self._stop.set()

    def start(self, model: Steppable, redraw: Callable[[], None],
              on_end: Callable[[int, str | None], None]) -> int:
        """Play ``model`` until it stops running or :meth:`stop`; return the generation.

        ``on_end(generation, error)`` runs in the drawer thread after the last redraw;
        ``error`` is a one-line message if a step raised.
        """
        with self._lock:
            self._stop.set()  # a previous run, if any, ends after its week
            stop = threading.Event()
            self._stop = stop
            self.generation += 1
            generation = self.generation
        pending, finished = threading.Event(), threading.Event()
        error: list[str] = []

        def stepper() -> None:
            due = time.monotonic()
            try:
                while not stop.is_set() and model.running:
                    wait = due - time.monotonic()
                    if wait > 0 and stop.wait(wait):
                        break
                    model.step()
                    pending.set()
                    due = max(due + self.period, time.monotonic())
            except Exception as exc:  # noqa: BLE001 (shown on the page)
                logger.exception("step failed while playing")
                lines = str(exc).splitlines() or [""]
                error.append(f"{type(exc).__name__}: {lines[0]}")
            finally:
                stop.set()
                finished.set()
                pending.set()

        def drawer() -> None:
            try:
                while True:
                    pending.wait()
                    pending.clear()
                    try:
                        redraw()
                        self.redraws += 1
                    except Exception:  # noqa: BLE001 (the next week draws again)
                        logger.exception("redraw failed while playing")
                    if finished.is_set() and not pending.is_set():
                        break
            finally:
                on_end(generation, error[0] if error else None)

        threading.Thread(target=stepper, name="offshoring-play-step", daemon=True).start()
        threading.Thread(target=drawer, name="offshoring-play-draw", daemon=True).start()
        return generation
