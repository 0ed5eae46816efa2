"""The browser app: ``offshoring viz`` (or ``solara run viz/app.py``).

Built from Mesa's SolaraViz parts: its ``ModelController`` (Reset / Play / Step, the
threaded play loop, ``update_counter``) and its ``ComponentsView`` (the draggable grid of
views). SolaraViz's own parameter panel (``ModelCreator``) is replaced by
:mod:`viz.controls`, because it cannot validate input or show a message (its seed box
crashes the session on text in Mesa 3.5.1). Its space renderer is not used: the network
view draws its own layout once per network (:mod:`viz.network_view`).

One model per browser session: :func:`Page` builds its model inside the component, so
every tab, window or browser gets its own; nothing mutable lives at module level (the
network-layout cache holds only immutable layouts).
"""

# ruff: noqa: N802 (Solara components are CamelCase, like React's)

from __future__ import annotations

import solara
import solara.server.settings
from mesa.visualization.solara_viz import ComponentsView, ModelController

from viz.controls import Controls, parameters_of
from viz.session import AppModel, new_model
from viz.settings import default_draft, validate
from viz.views import VIEWS, Board, BoardContext, WeekCounter

TITLE = "Offshoring customer relations"
PLAY_INTERVAL_MS = 50  # pause between weeks while playing

# Defence in depth for `solara run viz/app.py` without `offshoring viz`: no telemetry from
# the server process (`offshoring viz` also sets SOLARA_TELEMETRY_MIXPANEL_ENABLE=False).
solara.server.settings.telemetry.mixpanel_enable = False


def initial_state() -> tuple[dict, dict]:
    """The default draft of the controls and Mesa's model parameters built from it."""
    draft = default_draft()
    checked = validate(draft)
    if checked.params is None or checked.seed is None:  # presets are valid: a bug if reached
        raise RuntimeError(f"default settings refused: {checked.errors}")
    return draft, parameters_of(checked.params, checked.seed)


@solara.component
def Page():
    """The whole page: title bar, sidebar (run, scenario) and the grid of views."""
    draft, parameters = solara.use_memo(initial_state, [])
    first = solara.use_memo(lambda: new_model(parameters["params"], parameters["rng"]), [])
    model: solara.Reactive[AppModel] = solara.use_reactive(first)
    model_parameters = solara.use_reactive(parameters)
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    board = solara.use_memo(Board, [])
    solara.provide_context(BoardContext, board)

    solara.Title(TITLE)
    with solara.AppBar():
        solara.AppBarTitle(children=[TITLE])
    with solara.Sidebar():
        with solara.Card("Run", margin=0, classes=["offshoring-run"]):
            ModelController(model, model_parameters=model_parameters,
                            play_interval=play_interval, render_interval=render_interval,
                            use_threads=use_threads)
            WeekCounter(model.value, board)
        with solara.Card("Scenario", margin=0, classes=["offshoring-controls"]):
            Controls(model, model_parameters, draft)
    ComponentsView(list(VIEWS), model.value)
