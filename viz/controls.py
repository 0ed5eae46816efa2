"""The scenario controls of the sidebar, generated from :func:`viz.settings.controls`.

The controls edit a per-session *draft*. Every change is validated at once
(:func:`viz.settings.validate`: ``Params.replace`` plus the seed and customer parsers);
a bad value shows its one-line message under the control and is never passed on, so the
session keeps running. A valid draft becomes Mesa's ``model_parameters`` (``params`` and
``rng`` of :class:`~viz.session.AppModel`), which Mesa's Reset button builds the next
model from: as in every SolaraViz app, settings apply on Reset.
"""

# ruff: noqa: N802 (Solara components are CamelCase, like React's)

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from viz.session import AppModel
from viz.settings import GENERAL, Control, change, controls, validate


def parameters_of(checked_params: Any, seed: int) -> dict[str, Any]:
    """Mesa's ``model_parameters``: the keyword arguments of ``AppModel``."""
    return {"params": checked_params, "rng": seed}


@solara.component
def ControlInput(control: Control, value: Any, error: str | None,
                 on_value: Callable[[Any], None]):
    """One input of the right kind, with its description as tooltip or hint."""
    if control.kind == "text":
        return solara.InputText(control.label, value=str(value), on_value=on_value,
                                error=error or False, message=control.help,
                                classes=[f"control-{control.key}"])
    with (solara.Tooltip(control.help) as main,
          solara.Column(gap="0px", classes=[f"control-{control.key}"])):
            if control.kind == "select":
                solara.Select(control.label, values=list(control.choices), value=value,
                              on_value=on_value)
            elif control.kind == "bool":
                solara.v.Checkbox(v_model=bool(value), on_v_model=on_value, label=control.label,
                                  dense=True, hide_details=True, class_="mt-0")
            elif control.kind == "int_slider":
                solara.SliderInt(f"{control.label}: {int(value)}", value=int(value),
                                 min=int(control.lo), max=int(control.hi),
                                 step=int(control.step), on_value=on_value)
            else:
                solara.SliderFloat(f"{control.label}: {float(value):.2f}", value=float(value),
                                   min=control.lo, max=control.hi, step=control.step,
                                   on_value=on_value)
            if error:
                solara.Error(error, dense=True)
    return main


@solara.component
def Controls(model: solara.Reactive[AppModel], model_parameters: solara.Reactive[dict],
             initial: dict[str, Any]):
    """Scenario, destination, policy, practices, wage ratio, ethnocentrism, size, seed."""
    draft = solara.use_reactive(initial)
    checked = validate(draft.value)

    steps = {c.key: c.step for c in controls(draft.value) if c.kind == "float_slider"}

    def setter(key: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            current = draft.value[key]
            if key in steps and abs(float(value) - float(current)) < steps[key] / 2:
                return  # the slider snapping a preset value (0.5778 -> 0.58) is no change
            new = change(draft.value, key, value)
            draft.value = new
            result = validate(new)
            if result.ok:
                model_parameters.value = parameters_of(result.params, result.seed)
        return set_value

    with solara.Column(gap="2px") as main:
        solara.Text(controls(draft.value)[0].help, style={"font-size": "12px"})
        for control in controls(draft.value):
            ControlInput(control, draft.value[control.key], checked.errors.get(control.key),
                         setter(control.key))
            if control.key == "wage_ratio" and checked.params is not None:
                p = checked.params
                solara.Text(f"destination {p.destination.hourly_cost:.2f} vs home "
                            f"{p.home.hourly_cost:.2f} {p.market.currency}/h",
                            style={"font-size": "12px"})
        if GENERAL in checked.errors:
            solara.Error(checked.errors[GENERAL])
        current = model.value
        if not checked.ok:
            solara.Warning("Not applied: correct the value above (Reset keeps the last "
                           "valid settings).", dense=True, classes=["settings-invalid"])
        elif (checked.params, checked.seed) != (current.params, current.seed):
            solara.Info("Changed: press Reset to apply.", dense=True,
                        classes=["settings-pending"])
    return main
