"""The app's controls, generated from the parameter structure, and their validation.

Nothing here imports Solara: the page (``viz.controls``) shows these controls, this
module says what they are and turns what the user typed into a validated
:class:`~model.params.Params` plus a seed, or into one-line messages.

* Bounds, defaults, units and descriptions come from ``model.params`` field metadata
  (:func:`model.params.iter_fields`), never retyped here. The few app-level limits are
  named constants below (the horizon caps the relocation-week slider; the browser app
  caps the number of customers).
* A *draft* is what the controls hold: a plain dict from control key to the raw value
  (text boxes keep the text the user typed, so a bad value can be shown and corrected).
* :func:`validate` builds the Params with ``Params.replace`` (so every bound and
  cross-field rule of the model applies) and parses the seed; it never raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from model.params import ParameterError, Params, PolicyKind, iter_fields
from model.presets import DEFAULT_SCENARIO, SCENARIOS, SITES, describe, scenario, site

#: Customers of the default scenario in the app: big enough for a market, quick to step.
DEFAULT_CUSTOMERS = 1_000
DEFAULT_SEED = 1
#: The browser app steps interactively; larger markets belong to ``offshoring run``.
APP_MAX_CUSTOMERS = 50_000
#: Displayed range of the wage-ratio slider, intersected with the range the
#: ``destination.hourly_cost`` bounds allow at the scenario's home cost.
WAGE_RATIO_RANGE = (0.1, 1.5)
WAGE_RATIO_STEP = 0.01

PRACTICES = ("practices.cultural_adaptation", "practices.internal_communication",
             "practices.procedures", "practices.link_redundancy", "practices.data_security")
#: Control keys that are Params fields by dotted name (the others are app-level).
PARAM_KEYS = ("policy.kind", "policy.week", "policy.share", *PRACTICES,
              "customers.ethnocentrism_mean")
#: Controls in display order.
ORDER = ("scenario", "destination", "policy.kind", "policy.week", "policy.share", *PRACTICES,
         "wage_ratio", "customers.ethnocentrism_mean", "n_customers", "seed")
GENERAL = "general"  # key of a message that belongs to no single control

Kind = Literal["select", "int_slider", "float_slider", "bool", "text"]


@dataclass(frozen=True)
class Control:
    """One input of the sidebar: what to show and its limits (from the field metadata)."""

    key: str
    label: str
    kind: Kind
    help: str
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Validation:
    """The outcome of :func:`validate`: a runnable configuration or messages by control."""

    params: Params | None
    seed: int | None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@cache
def fields() -> dict[str, dict[str, Any]]:
    """The rows of :func:`model.params.iter_fields` by dotted name."""
    return {row["name"]: row for row in iter_fields()}


def _help(name: str) -> str:
    """Description of a field with its unit, e.g. ``Announcement week (...) [week]``."""
    row = fields()[name]
    unit = f" [{row['unit']}]" if row["unit"] else ""
    return f"{row['description']}{unit}"


#: Labels where the field's own name reads badly out of its table (UI wording only).
LABELS = {"policy.week": "Relocation week", "policy.share": "Relocation share",
          "customers.ethnocentrism_mean": "Customer ethnocentrism"}


def _label(name: str) -> str:
    """A readable label: ``practices.link_redundancy`` -> ``Link redundancy``."""
    return LABELS.get(name) or name.rpartition(".")[2].replace("_", " ").capitalize()


def home_of(scenario_name: str) -> str:
    """The home site preset of a scenario (``france`` or ``us``)."""
    return SCENARIOS[scenario_name].home


def destinations(scenario_name: str) -> tuple[str, ...]:
    """Site presets a scenario can relocate to: every site but its own home."""
    home = home_of(scenario_name)
    return tuple(name for name in SITES if name != home)


def wage_ratio_bounds(home_cost: float) -> tuple[float, float]:
    """Slider range of the wage ratio: the hourly-cost bounds over the home cost, clipped."""
    lo, hi = fields()["destination.hourly_cost"]["min"], fields()["destination.hourly_cost"]["max"]
    return (round(max(lo / home_cost, WAGE_RATIO_RANGE[0]), 2),
            round(min(hi / home_cost, WAGE_RATIO_RANGE[1]), 2))


def _slider(name: str, hi_cap: float | None = None, step: float | None = None) -> Control:
    row = fields()[name]
    is_int = row["type"] == "int"
    hi = row["max"] if hi_cap is None else min(row["max"], hi_cap)
    default_step = 1 if is_int else round((hi - row["min"]) / 20, 4)
    return Control(name, _label(name), "int_slider" if is_int else "float_slider", _help(name),
                   row["min"], hi, step or default_step)


def controls(draft: Mapping[str, Any]) -> list[Control]:
    """The controls for a draft (choices and ranges depend on its scenario), in order."""
    name = draft["scenario"]
    base = scenario(name)
    home_cost = base.home.hourly_cost
    lo, hi = wage_ratio_bounds(home_cost)
    customers = fields()["n_customers"]
    specs = {
        "scenario": Control("scenario", "Scenario preset", "select",
                            dict(describe())[name], choices=tuple(SCENARIOS)),
        "destination": Control("destination", "Destination", "select",
                               _help("destination.name") + ": a site preset of model.presets",
                               choices=destinations(name)),
        "policy.kind": Control("policy.kind", "Policy", "select", _help("policy.kind"),
                               choices=tuple(k.value for k in PolicyKind)),
        "policy.week": _slider("policy.week", hi_cap=base.weeks),
        "policy.share": _slider("policy.share", step=0.05),
        "wage_ratio": Control("wage_ratio", "Wage ratio (destination / home)", "float_slider",
                              f"Destination hourly cost over the home cost "
                              f"({home_cost:g} {base.market.currency}/h); sets "
                              f"destination.hourly_cost. {_help('destination.hourly_cost')}",
                              lo, hi, WAGE_RATIO_STEP),
        "customers.ethnocentrism_mean": _slider("customers.ethnocentrism_mean", step=0.05),
        "n_customers": Control("n_customers", "Customers", "text",
                               f"{_help('n_customers')}; {customers['min']:,} to "
                               f"{APP_MAX_CUSTOMERS:,} in the app", customers["min"],
                               APP_MAX_CUSTOMERS),
        "seed": Control("seed", "Seed", "text", "Random seed of the run: a whole number >= 0 "
                        "(the same seed and settings give the same run)", 0, None),
    }
    for key in PRACTICES:
        specs[key] = Control(key, _label(key), "bool", _help(key))
    return [specs[key] for key in ORDER]


def site_ratio(destination: str, home: str) -> float:
    """Hourly cost of a destination preset over the home preset's (unrounded, so the
    default draft reproduces the preset's hourly cost exactly)."""
    return site(destination).hourly_cost / site(home).hourly_cost


def default_draft(scenario_name: str = DEFAULT_SCENARIO, n_customers: int | str =
                  DEFAULT_CUSTOMERS, seed: int | str = DEFAULT_SEED) -> dict[str, Any]:
    """The controls' values for a scenario preset (customers and seed kept as text)."""
    p = scenario(scenario_name)
    home, dest = SCENARIOS[scenario_name].home, SCENARIOS[scenario_name].destination
    flat = p.flat()
    draft: dict[str, Any] = {"scenario": scenario_name, "destination": dest,
                             "wage_ratio": site_ratio(dest, home),
                             "n_customers": str(n_customers), "seed": str(seed)}
    for key in PARAM_KEYS:
        draft[key] = flat[key]
    return draft


def change(draft: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    """The draft after one control changed.

    A new scenario loads that preset's values (keeping customers and seed); a new
    destination resets the wage ratio to that site's own cost ratio.
    """
    if key == "scenario":
        return default_draft(value, draft["n_customers"], draft["seed"])
    new = {**draft, key: value}
    if key == "destination":
        new["wage_ratio"] = site_ratio(value, home_of(draft["scenario"]))
    return new


_WHOLE = re.compile(r"^[+-]?\d+$")


def parse_whole(text: Any, what: str) -> int:
    """A whole number typed in a text box (``" 42 "`` ok; ``4.2``, ``abc`` refused)."""
    s = str(text).strip().replace(",", "").replace("_", "")
    if not _WHOLE.match(s):
        raise ParameterError(f"{what} must be a whole number, got {str(text).strip()!r}")
    return int(s)


def parse_seed(text: Any) -> int:
    """The seed: a whole number >= 0 (as ``offshoring run --seed``)."""
    value = parse_whole(text, "seed")
    if value < 0:
        raise ParameterError(f"seed must be >= 0, got {value}")
    return value


def parse_customers(text: Any) -> int:
    """Number of customers: Params' own bounds apply later; the app caps the top."""
    value = parse_whole(text, "customers")
    if value > APP_MAX_CUSTOMERS:
        raise ParameterError(f"the browser app runs at most {APP_MAX_CUSTOMERS:,} customers, "
                             f"got {value:,} (use `offshoring run` for larger markets)")
    return value


def _owner(message: str) -> str:
    """The control a ParameterError message is about (by the field it names)."""
    match = re.search(r"parameter '([\w.]+)'", message)
    name = match.group(1) if match else ""
    if name.startswith("destination."):
        return "wage_ratio" if name == "destination.hourly_cost" else "destination"
    return name if name in ORDER else GENERAL


def build_params(draft: Mapping[str, Any], n_customers: int) -> Params:
    """Params of a draft: the scenario preset, the destination site, then the controls.

    The destination's hourly cost is the wage ratio times the home hourly cost. Raises
    :class:`ParameterError` (one line) for anything the model refuses.
    """
    base = scenario(draft["scenario"])
    dest = site(draft["destination"]).model_dump()
    # rounded to a millionth of the currency, so the preset's own ratio gives its exact cost
    dest["hourly_cost"] = round(float(draft["wage_ratio"]) * base.home.hourly_cost, 6)
    changes: dict[str, Any] = {key: draft[key] for key in PARAM_KEYS}
    changes["destination"] = dest
    changes["n_customers"] = n_customers
    return base.replace(**changes)


def validate(draft: Mapping[str, Any]) -> Validation:
    """Params and seed of a draft, or one-line messages by control key. Never raises."""
    errors: dict[str, str] = {}
    seed = n = None
    for key, parse in (("seed", parse_seed), ("n_customers", parse_customers)):
        try:
            value = parse(draft[key])
        except ParameterError as err:
            errors[key] = str(err)
            continue
        if key == "seed":
            seed = value
        else:
            n = value
    if n is None:
        return Validation(None, seed, errors)
    try:
        params = build_params(draft, n)
    except ParameterError as err:
        errors[_owner(str(err))] = str(err)
        return Validation(None, seed, errors)
    return Validation(params if not errors else None, seed, errors)
