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

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

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
#: Run controls (not model parameters): the speed of Play and the stay-home twin.
SPEEDS = ("1", "2", "5", "10", "20", "max")
DEFAULT_SPEED = "10"
SPEED_LABELS = {"max": "as fast as possible"}
RUN_ORDER = ("speed", "twin")
#: Policies with an announcement week and a cut-over (the others decide by themselves).
SCHEDULED = ("offshore", "outsource", "tiered")

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
    """Help of a field: :data:`HELP` if written, else its description with its unit."""
    if name in HELP:
        return HELP[name]
    row = fields()[name]
    unit = f" [{row['unit']}]" if row["unit"] else ""
    return f"{row['description']}{unit}"


#: Labels where the field's own name reads badly out of its table (UI wording only).
LABELS = {"policy.week": "Announcement week", "policy.share": "Share of calls relocated",
          "customers.ethnocentrism_mean": "Customer ethnocentrism"}
#: Help texts in users' words where the field's description is written for modellers.
HELP = {
    "destination": "Where the relocated calls are answered: the country (or onshore "
                   "outsourcer) with its wages, staff turnover, language fit and outage risk",
    "policy.kind": "What the focal firm does: never (stays at home), offshore (to a vendor "
                   "abroad), outsource (to an onshore outsourcer), tiered (mass-market calls "
                   "abroad, premium and billing at home), cost_driven (relocates once the "
                   "projected savings are large enough), adaptive (cost-driven, and brings "
                   "calls back home after repeated complaints)",
    "policy.week": "Week in which the relocation is announced to the staff; the calls move "
                   "to the vendor {notice} weeks later (the cut-over). Used by the offshore, "
                   "outsource and tiered policies",
    "policy.share": "Share of the focal firm's calls answered by the vendor after the "
                    "cut-over (0 to 1)",
    "customers.ethnocentrism_mean": "How much customers prefer, on average, to be served "
                                    "from their own country (0: not at all, 1: strongly)",
}


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


def notice_weeks(scenario_name: str) -> int:
    """Weeks from the announcement to the cut-over (``workforce.notice_weeks``)."""
    return scenario(scenario_name).workforce.notice_weeks


def cutover_week(draft: Mapping[str, Any]) -> int | None:
    """The cut-over week of a draft's announcement, or None (a policy without one)."""
    if str(draft["policy.kind"]) not in SCHEDULED:
        return None
    try:
        return int(draft["policy.week"]) + notice_weeks(draft["scenario"])
    except (TypeError, ValueError):
        return None


def shown_label(control: Control, draft: Mapping[str, Any]) -> str:
    """A slider's label with its value, e.g. ``Announcement week: 26``."""
    value = draft[control.key]
    if control.kind == "int_slider":
        return f"{control.label}: {int(value)}"
    if control.kind == "float_slider":
        return f"{control.label}: {float(value):.2f}"
    return control.label


def control_note(control: Control, draft: Mapping[str, Any]) -> str:
    """A line shown under a control: the cut-over week beside the announcement week."""
    if control.key != "policy.week":
        return ""
    cut = cutover_week(draft)
    if cut is None:
        return "No announcement: this policy decides when to move by itself"
    return f"Cut-over (calls move to the vendor) in week {cut}, " \
           f"{notice_weeks(draft['scenario'])} weeks after the announcement"


def controls(draft: Mapping[str, Any]) -> list[Control]:
    """The controls for a draft (choices and ranges depend on its scenario), in order."""
    name = draft["scenario"]
    base = scenario(name)
    home_cost = base.home.hourly_cost
    lo, hi = wage_ratio_bounds(home_cost)
    customers = fields()["n_customers"]
    currency = base.market.currency
    week = _slider("policy.week", hi_cap=base.weeks)
    specs = {
        "scenario": Control("scenario", "Scenario preset", "select",
                            "A starting point: loads the preset's market, home country, "
                            "destination and policy (customers and seed are kept). "
                            + dict(describe())[name], choices=tuple(SCENARIOS)),
        "destination": Control("destination", "Destination", "select", _help("destination"),
                               choices=destinations(name)),
        "policy.kind": Control("policy.kind", "Policy", "select", _help("policy.kind"),
                               choices=tuple(k.value for k in PolicyKind)),
        "policy.week": Control(week.key, week.label, week.kind,
                               HELP["policy.week"].format(notice=base.workforce.notice_weeks),
                               week.lo, week.hi, week.step),
        "policy.share": _slider("policy.share", step=0.05),
        "wage_ratio": Control("wage_ratio", "Wage ratio (destination / home)", "float_slider",
                              f"What an hour of the destination's service costs, as a share "
                              f"of an hour at home ({home_cost:g} {currency}/h, fully "
                              f"loaded: wages, supervision, premises, IT). Choosing a "
                              f"destination sets its own ratio", lo, hi, WAGE_RATIO_STEP),
        "customers.ethnocentrism_mean": _slider("customers.ethnocentrism_mean", step=0.05),
        "n_customers": Control("n_customers", "Customers", "text",
                               f"Simulated customers, a sample of the market: "
                               f"{customers['min']:,} to {APP_MAX_CUSTOMERS:,} in the app "
                               f"(larger markets: offshoring run)", customers["min"],
                               APP_MAX_CUSTOMERS),
        "seed": Control("seed", "Seed", "text", "Random seed: a whole number, 0 or more. The "
                        "same seed and settings give the same run", 0, None),
    }
    for key in PRACTICES:
        specs[key] = Control(key, _label(key), "bool", _help(key))
    return [specs[key] for key in ORDER]


def run_controls() -> list[Control]:
    """The controls of the Run card: the speed of Play and the stay-home twin."""
    return [
        Control("speed", "Speed of Play (weeks per second)", "select",
                "How fast Play runs; when drawing cannot keep up, weeks go on and the "
                "charts skip frames", choices=SPEEDS),
        Control("twin", "Stay-home twin (NPV comparison)", "bool",
                "Also run the same market with the focal firm staying at home (same seed), "
                "to show each firm's NPV against it; doubles the time a week takes. "
                "Applies at Reset"),
    ]


def speed_label(value: str) -> str:
    """``10`` -> ``10 weeks/s``; ``max`` -> ``as fast as possible``."""
    return SPEED_LABELS.get(value, f"{value} weeks/s")


def speed_period(value: str) -> float:
    """Seconds between weeks while playing (0: as fast as possible)."""
    return 0.0 if value == "max" else 1.0 / float(value)


def all_controls(draft: Mapping[str, Any]) -> list[Control]:
    """Every control of the page: the scenario's, then the run's."""
    return [*controls(draft), *run_controls()]


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
                             "n_customers": str(n_customers), "seed": str(seed),
                             "speed": DEFAULT_SPEED, "twin": False}
    for key in PARAM_KEYS:
        draft[key] = flat[key]
    return draft


def change(draft: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    """The draft after one control changed.

    A new scenario loads that preset's values (keeping customers and seed); a new
    destination resets the wage ratio to that site's own cost ratio.
    """
    if key == "scenario":
        new = default_draft(value, draft["n_customers"], draft["seed"])
        return {**new, **{k: draft[k] for k in RUN_ORDER if k in draft}}
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
    value = parse_whole(text, "Seed")
    if value < 0:
        raise ParameterError(f"Seed must be 0 or more, got {value}")
    return value


def parse_customers(text: Any) -> int:
    """Number of customers, within the app's limits (the model's own minimum, the app's
    maximum); the message names the control and those limits."""
    lo = int(fields()["n_customers"]["min"])
    value = parse_whole(text, "Customers")
    if not lo <= value <= APP_MAX_CUSTOMERS:
        raise ParameterError(f"Customers must be between {lo:,} and {APP_MAX_CUSTOMERS:,}, "
                             f"got {value:,} (larger markets: `offshoring run`)")
    return value


_RANGE = re.compile(r"^parameter '([\w.]+)' = (.+?) is out of range: allowed range "
                    r"\[(.+), (.+)\]$")
_PARAM = re.compile(r"parameter '([\w.]+)'")


def _owner(name: str) -> str:
    """The control a Params field belongs to (``destination.hourly_cost``: wage ratio)."""
    if name.startswith("destination."):
        return "wage_ratio" if name == "destination.hourly_cost" else "destination"
    return name if name in ORDER else GENERAL


def _number(text: str) -> str:
    """``0.25`` stays, ``5000000`` -> ``5,000,000``."""
    try:
        value = float(text)
    except ValueError:
        return text
    return f"{int(value):,}" if value.is_integer() else f"{value:g}"


def user_message(message: str, draft: Mapping[str, Any]) -> tuple[str, str]:
    """(control key, message in the page's words) for a one-line ParameterError.

    ``parameter 'policy.share' = 1.5 is out of range: allowed range [0, 1]`` becomes
    ``Share of calls relocated must be between 0 and 1, got 1.5``; the wage ratio's
    bounds are told as ratios, not hourly costs.
    """
    labels = {c.key: c.label for c in all_controls(draft)}
    if "'outsource' needs an onshore outsourcer" in message:
        return "policy.kind", ("Policy outsource needs an onshore outsourcer as destination "
                               "(choose one under Destination, or another policy)")
    match = _RANGE.match(message)
    if match:
        name, got, lo, hi = match.groups()
        key = _owner(name)
        if key == "wage_ratio":
            home = scenario(draft["scenario"]).home.hourly_cost
            lo_r, hi_r = wage_ratio_bounds(home)
            ratio = float(draft["wage_ratio"])
            return key, f"{labels[key]} must be between {lo_r:g} and {hi_r:g}, got {ratio:.2f}"
        if key in labels:
            return key, f"{labels[key]} must be between {_number(lo)} and {_number(hi)}, " \
                        f"got {got}"
    match = _PARAM.search(message)
    key = _owner(match.group(1)) if match else GENERAL
    if key in labels and match:
        return key, message.replace(match.group(0), labels[key])
    return key, message


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
        key, message = user_message(str(err), draft)
        errors[key] = message
        return Validation(None, seed, errors)
    return Validation(params if not errors else None, seed, errors)


# --------------------------------------------------------------- the scenario in words
#: Site names as they read in a sentence.
_ARTICLE = {"Philippines": "the Philippines", "United States": "the United States"}


def place(name: str) -> str:
    """``Philippines`` -> ``the Philippines``; ``France (home)`` -> ``France``."""
    bare = name.removesuffix(" (home)")
    return _ARTICLE.get(bare, bare)


def describe_params(p: Params) -> str:
    """What the configured scenario does, in one sentence that follows every control
    (destination, policy, week, share), e.g. ``Offshores 70 % of the calls from France
    to the Philippines: announced in week 26, cut-over in week 39``."""
    pol, home, dest = p.policy, place(p.home.name), place(p.destination.name)
    share = f"{100 * pol.share:.0f} %"
    cut = pol.week + p.workforce.notice_weeks
    when = f": announced in week {pol.week}, cut-over in week {cut}"
    kind = pol.kind.value
    text = {
        "never": f"The focal firm keeps its calls in {home}",
        "offshore": f"The focal firm offshores {share} of its calls from {home} to {dest}{when}",
        "outsource": f"The focal firm outsources {share} of its calls to {dest}{when}",
        "tiered": f"The focal firm moves its mass-market, non-sensitive calls from {home} to "
                  f"{dest} (premium and billing stay at home){when}",
        "cost_driven": f"The focal firm moves {share} of its calls from {home} to {dest} once "
                       f"the projected savings exceed {100 * pol.savings_threshold:.0f} %",
        "adaptive": f"The focal firm moves {share} of its calls from {home} to {dest} when "
                    f"it pays, and brings part back after repeated complaints",
    }[kind]
    rivals = [p.firm(i).policy.kind.value for i in range(1, p.n_firms)]
    if any(k != "never" for k in rivals):
        text += "; its rivals relocate too"
        if p.rivals.policy.value == "follow":
            text += f", {p.rivals.lag_weeks} weeks apart"
    return text + f" ({p.market.name} market)."


# --------------------------------------------------------------- settings in the URL
def _text(value: Any) -> str:
    """A control value as query-string text (floats exactly, booleans as 1/0)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_query(draft: Mapping[str, Any]) -> str:
    """The query string of a draft: every control, in display order (``a=1&b=x``)."""
    keys = [c.key for c in all_controls(draft)]
    return urlencode([(key, _text(draft[key])) for key in keys])


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse_value(control: Control, text: str) -> Any:
    """The value of ``control`` from query text; ValueError when it is not one."""
    if control.kind == "select":
        if text not in control.choices:
            raise ValueError(f"{control.label}: {text!r} is not one of the choices")
        return text
    if control.kind == "bool":
        low = text.strip().lower()
        if low not in _TRUE | _FALSE:
            raise ValueError(f"{control.label}: {text!r} is not on (1) or off (0)")
        return low in _TRUE
    if control.kind == "int_slider":
        value = float(text)
        if not value.is_integer():
            raise ValueError(f"{control.label}: {text!r} is not a whole number")
        return int(value)
    if control.kind == "float_slider":
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{control.label}: {text!r} is not a number")
        return value
    return text  # text boxes keep what was typed: validation tells what is wrong


def from_query(query: str | None) -> tuple[dict[str, Any], list[str]]:
    """The draft a query string describes, and a note for each value left out.

    Starts from the scenario's preset (the default one if the query has none or an
    unknown one), applies the destination (which sets its own wage ratio), then every
    other control; a value that is no value of its control (an unknown choice, text in a
    slider) keeps the preset's value and gets a note. Values of the right kind but out of
    range are kept: the controls show why they cannot run, as if typed.
    """
    given = dict(parse_qsl((query or "").lstrip("?"), keep_blank_values=True))
    notes: list[str] = []
    name = given.get("scenario", DEFAULT_SCENARIO)
    if name not in SCENARIOS:
        notes.append(f"Scenario preset: {name!r} is not one of the presets")
        name = DEFAULT_SCENARIO
    draft = default_draft(name, given.get("n_customers", DEFAULT_CUSTOMERS),
                          given.get("seed", DEFAULT_SEED))
    by_key = {c.key: c for c in all_controls(draft)}
    for key in ("destination", *(k for k in given if k not in ("scenario", "destination"))):
        if key not in given:
            continue
        control = by_key.get(key)
        if control is None:
            notes.append(f"unknown setting {key!r} ignored")
            continue
        try:
            value = _parse_value(control, given[key])
        except ValueError as err:
            notes.append(f"{str(err).removeprefix('could not convert string to float: ')}"
                         if control.kind in ("select", "bool") else
                         f"{control.label}: {given[key]!r} is not a number")
            continue
        draft = change(draft, key, value)
    return draft, notes
