"""The controls of the sidebar, generated from :func:`viz.settings.controls`.

The controls edit a per-session *draft* (held by ``viz.app.Page``). Every change is
validated at once (:func:`viz.settings.validate`: ``Params.replace`` plus the seed and
customer parsers); a bad value shows its one-line message, in the control's own words,
under the control and is never passed on, so the session keeps running. A valid draft
becomes the *applied* settings, which Reset builds the next model from: as in every
SolaraViz app, settings apply on Reset. Every change is also written to the page's
address (``viz.app``), so a reload or a shared link restores the settings.
"""

# ruff: noqa: N802 (Solara components are CamelCase, like React's)

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from viz.session import AppModel
from viz.settings import (
    GENERAL,
    Control,
    change,
    control_note,
    controls,
    describe_params,
    run_controls,
    shown_label,
    speed_label,
    validate,
)


@solara.component
def ControlInput(control: Control, draft: dict[str, Any], error: str | None,
                 on_value: Callable[[Any], None]):
    """One input of the right kind, with its help as tooltip or hint."""
    value = draft[control.key]
    if control.kind == "text":
        return solara.InputText(control.label, value=str(value), on_value=on_value,
                                error=error or False, message=control.help,
                                classes=[f"control-{control.key}"])
    with (solara.Tooltip(control.help) as main,
          solara.Column(gap="0px", classes=[f"control-{control.key}"])):
            label = shown_label(control, draft)
            if control.kind == "select":
                if control.key == "speed":
                    items = [{"text": speed_label(c), "value": c} for c in control.choices]
                    solara.v.Select(label=control.label, items=items, v_model=value,
                                    on_v_model=on_value, hide_details=True)
                else:
                    solara.Select(control.label, values=list(control.choices), value=value,
                                  on_value=on_value)
            elif control.kind == "bool":
                solara.v.Checkbox(v_model=bool(value), on_v_model=on_value, label=control.label,
                                  dense=True, hide_details=True, class_="mt-0")
            elif control.kind == "int_slider":
                solara.SliderInt(label, value=int(value), min=int(control.lo),
                                 max=int(control.hi), step=int(control.step), on_value=on_value)
            else:
                solara.SliderFloat(label, value=float(value), min=control.lo, max=control.hi,
                                   step=control.step, on_value=on_value)
            note = control_note(control, draft)
            if note:
                solara.Text(note, style={"font-size": "12px"}, classes=[f"note-{control.key}"])
            if error:
                solara.Error(error, dense=True, classes=[f"error-{control.key}"])
    return main


def setter(draft: dict[str, Any], key: str, on_draft: Callable[[dict[str, Any]], None],
           steps: dict[str, float]) -> Callable[[Any], None]:
    """The on-value callback of control ``key``."""
    def set_value(value: Any) -> None:
        current = draft[key]
        if key in steps and abs(float(value) - float(current)) < steps[key] / 2:
            return  # the slider snapping a preset value (0.5778 -> 0.58) is no change
        on_draft(change(draft, key, value))
    return set_value


@solara.component
def RunSettings(draft: dict[str, Any], on_draft: Callable[[dict[str, Any]], None]):
    """Speed of Play and the stay-home twin."""
    with solara.Column(gap="2px", style={"margin-top": "14px"}) as main:
        for control in run_controls():
            ControlInput(control, draft, None, setter(draft, control.key, on_draft, {}))
    return main


@solara.component
def Controls(model: AppModel, draft: dict[str, Any], on_draft: Callable[[dict[str, Any]], None],
             notes: list[str]):
    """Scenario, destination, policy, practices, wage ratio, ethnocentrism, size, seed."""
    checked = validate(draft)
    shown = controls(draft)
    steps = {c.key: c.step for c in shown if c.kind == "float_slider"}
    with solara.Column(gap="2px") as main:
        text = describe_params(checked.params) if checked.params is not None else ""
        solara.Text(text or shown[0].help, style={"font-size": "12px"},
                    classes=["offshoring-scenario"])
        for note in notes:
            solara.Warning(f"From the address: {note}", dense=True,
                           classes=["settings-url-note"])
        for control in shown:
            ControlInput(control, draft, checked.errors.get(control.key),
                         setter(draft, control.key, on_draft, steps))
            if control.key == "wage_ratio" and checked.params is not None:
                p = checked.params
                solara.Text(f"destination {p.destination.hourly_cost:.2f} vs home "
                            f"{p.home.hourly_cost:.2f} {p.market.currency}/h",
                            style={"font-size": "12px"})
        if GENERAL in checked.errors:
            solara.Error(checked.errors[GENERAL])
        twin = bool(draft.get("twin"))
        if not checked.ok:
            solara.Warning("Not applied: correct the value above (Reset keeps the last "
                           "valid settings).", dense=True, classes=["settings-invalid"])
        elif (checked.params, checked.seed, twin) != (model.params, model.seed,
                                                     model.twin is not None):
            solara.Info("Changed: press Reset to apply.", dense=True,
                        classes=["settings-pending"])
    return main
