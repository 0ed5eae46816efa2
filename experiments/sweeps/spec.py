"""Sweep specs (TOML): parsing and the checks that need the model.

A spec names a base scenario, the parameters to vary (dotted names of
``model.params``, each a value list or a range ``[lo, hi]``), a design, the
number of replicates per design point and the outcomes to keep::

    name = "smoke"
    scenario = "offshore-morocco"
    customers = 300
    weeks = 20
    design = "grid"            # grid | lhs | sobol | morris
    replicates = 2
    seed = 1
    outcomes = ["market_share", "cum_profit"]

    [parameters]
    "policy.share" = { range = [0.3, 0.9], levels = 3 }
    "practices.procedures" = { values = [false, true] }

With ``baseline = "stay-home"`` (any scenario preset) every run also runs the
baseline scenario with the same parameter values and seed, and an outcome named
``<outcome>_diff`` (e.g. ``npv_diff``) is the run's outcome minus the
baseline's: the gain of a strategy over the baseline under common random
numbers, which is what a decision turns on (the market's revenue moves both).

The designs built from a spec are in ``experiments.sweeps.designs``.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from model.metrics import KPI_COLUMNS, SUMMARY_COLUMNS
from model.params import ParameterError, Params, field_names, iter_fields, printable
from model.presets import DEFAULT_SCENARIO, scenario

DESIGNS = ("grid", "lhs", "sobol", "morris")
OUTCOMES = tuple(c for c in SUMMARY_COLUMNS if c != "firm")
#: Suffix of an outcome taken as the difference to the spec's ``baseline`` run.
DIFF = "_diff"
#: Every outcome a spec may keep: the summary's, and their differences to the baseline.
ALL_OUTCOMES = OUTCOMES + tuple(o + DIFF for o in OUTCOMES)
SERIES_KPIS = tuple(c for c in KPI_COLUMNS if c not in ("week", "firm"))
UNIT = "unit:"  # prefix of the unit-cube columns of a design table
_LEAF_KEYS = {"range", "values", "levels"}
#: The most runs (design points x replicates) a spec may imply. A larger design is
#: refused before anything is built: planning 10^7 runs already takes a few GB of
#: memory, and at a second a run it is some 4 months of CPU time.
MAX_RUNS = 10_000_000

# Spec fields are as strict as model parameters: no "3" or true or 2.0 for an
# integer, no text or boolean for a number, no NaN or infinity.
Int = Annotated[int, Field(strict=True)]
Finite = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Text = Annotated[str, Field(strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ParameterSpec(_Strict):
    """One varied parameter: a value list or an inclusive range (``levels``: grid points)."""

    range: tuple[Finite, Finite] | None = None
    values: tuple[StrictBool | StrictInt | StrictFloat | StrictStr, ...] | None = None
    levels: Int | None = Field(None, ge=2, le=1000)


class SeriesSpec(_Strict):
    """Weekly per-firm KPI series to keep (long ``timeseries`` table)."""

    kpis: tuple[Text, ...]
    firms: Text = "focal"

    @field_validator("kpis")
    @classmethod
    def _known(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        _check_names(v, SERIES_KPIS, "timeseries KPI")
        return v

    @field_validator("firms")
    @classmethod
    def _firms(cls, v: str) -> str:
        if v not in ("focal", "all"):
            raise ValueError(f"timeseries.firms must be 'focal' or 'all', got {v!r}")
        return v


class SweepSpec(_Strict):
    """A validated sweep spec (see the module docstring)."""

    name: Text
    scenario: Text = DEFAULT_SCENARIO
    baseline: Text | None = None
    customers: Int | None = Field(None, ge=50)
    weeks: Int | None = Field(None, ge=1)
    base: dict[str, Any] = Field(default_factory=dict)
    design: Text
    samples: Int | None = Field(None, ge=1)
    levels: Int = Field(4, ge=2, le=1000)
    replicates: Int = Field(1, ge=1)
    seed: Int = Field(0, ge=0)
    common_random_numbers: StrictBool = False
    outcomes: tuple[Text, ...] = OUTCOMES
    timeseries: SeriesSpec | None = None
    parameters: dict[str, ParameterSpec]

    @field_validator("design")
    @classmethod
    def _design(cls, v: str) -> str:
        if v not in DESIGNS:
            raise ValueError(f"unknown design '{v}': allowed {', '.join(DESIGNS)}")
        return v

    @field_validator("outcomes")
    @classmethod
    def _outcomes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        _check_names(v, ALL_OUTCOMES, "outcome")
        return v

    @property
    def diff_outcomes(self) -> tuple[str, ...]:
        """The outcomes taken as differences to the baseline run (``<outcome>_diff``)."""
        return tuple(o for o in self.outcomes if o.endswith(DIFF))

    @property
    def names(self) -> tuple[str, ...]:
        """The varied parameters, in spec order (the design's columns)."""
        return tuple(self.parameters)

    def digest(self) -> str:
        """A hash of the validated spec: two specs with the same digest run the same sweep.
        (A spec without a baseline hashes as it did before baselines existed.)"""
        dump = self.model_dump(mode="json", exclude={"baseline"} if self.baseline is None
                               else None)
        text = json.dumps(dump, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def base_params(self, preset: str | None = None) -> Params:
        """The scenario (or ``preset``, e.g. the baseline) with ``base`` overrides,
        customers and weeks applied."""
        extra = dict(self.base)
        if self.customers is not None:
            extra["n_customers"] = self.customers
        if self.weeks is not None:
            extra["weeks"] = self.weeks
        return scenario(preset or self.scenario, **extra)

    def baseline_params(self) -> Params | None:
        """``base_params`` of the baseline scenario (None without a baseline)."""
        return None if self.baseline is None else self.base_params(self.baseline)


def _check_names(given: tuple[str, ...], allowed: tuple[str, ...], what: str) -> None:
    for name in given:
        if name not in allowed:
            raise ValueError(f"unknown {what} '{name}'{_hint(name, allowed)}")
    if not given:
        raise ValueError(f"at least one {what} is needed")


def _hint(name: str, allowed: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# ------------------------------------------------------------------ loading and checks
def read_spec(path: Path) -> dict[str, Any]:
    """The parsed TOML of a spec file (sweep or explore); ParameterError (one line) when it
    is missing, unreadable or not TOML."""
    if not path.is_file():
        raise ParameterError(f"spec file '{path}' not found")
    try:
        return tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ParameterError(f"spec '{path}' is not valid TOML: "
                             f"{str(err).splitlines()[0]}") from None
    except OSError as err:
        raise ParameterError(f"spec '{path}' cannot be read: {err.strerror}") from None


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a spec file; ParameterError (one line) on any problem."""
    path = Path(path)
    data = read_spec(path)
    data.setdefault("name", path.stem)
    try:
        return parse_spec(data)
    except ParameterError as err:
        raise ParameterError(printable(f"spec '{path}': {err}")) from None


def parse_spec(data: Mapping[str, Any]) -> SweepSpec:
    """Validate a spec given as a mapping (the parsed TOML); ParameterError (one line)."""
    try:
        data = dict(data)
        data["parameters"] = _flatten_parameters(data.get("parameters", {}))
        try:
            spec = SweepSpec.model_validate(data)
        except ValidationError as err:
            raise ParameterError(_one_line(err)) from None
        check_spec(spec)
    except ParameterError as err:
        raise ParameterError(printable(str(err))) from None
    return spec


def _flatten_parameters(tree: Any, prefix: str = "") -> dict[str, Any]:
    """``[parameters.policy.share]`` tables and ``"policy.share" = {...}`` keys alike."""
    if not isinstance(tree, Mapping):
        raise ParameterError(f"parameters{'.' + prefix if prefix else ''} must be a table "
                             "with 'range' or 'values'")
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and not _LEAF_KEYS & set(value):
            out.update(_flatten_parameters(value, name + "."))
        else:
            out[name] = value
    return out


def _one_line(err: ValidationError) -> str:
    e = err.errors()[0]
    parts = list(e["loc"])
    if "values" in parts and len(parts) > parts.index("values") + 2:
        del parts[parts.index("values") + 2:]  # not the union member tried (".bool")
    loc = ".".join(str(p) for p in parts)
    if e["type"] == "extra_forbidden":
        return f"unknown key '{loc}'"
    if e["type"] == "value_error":
        return str(e["ctx"]["error"])
    if e["type"] == "missing":
        return f"missing key '{loc}'"
    given = repr(e.get("input"))
    given = given if len(given) <= 60 else given[:57] + "..."
    return f"{loc} = {given}: {e['msg'].lower()}"


def check_spec(spec: SweepSpec) -> None:
    """Checks that need the model: names, bounds, types, and what each design needs."""
    if not spec.parameters:
        raise ParameterError("no parameters to vary: add a [parameters] table")
    spec.base_params()  # scenario name and base overrides
    _check_baseline(spec)
    for name, ps in spec.parameters.items():
        _check_parameter(name, ps, spec.design)
    if spec.design == "grid":
        if spec.samples is not None:
            raise ParameterError("'samples' is not used by the grid design (use 'levels')")
    elif spec.samples is None:
        raise ParameterError(f"design '{spec.design}' needs 'samples' (" + {
            "lhs": "number of points", "sobol": "base sample size N, a power of 2",
            "morris": "number of trajectories"}[spec.design] + ")")
    if spec.design == "sobol" and spec.samples & (spec.samples - 1):
        raise ParameterError(f"sobol needs 'samples' a power of 2, got {spec.samples}")
    if spec.design == "morris" and spec.samples < 2:
        raise ParameterError("morris needs at least 2 trajectories ('samples' >= 2)")
    per_run = 2 if spec.baseline is not None else 1  # a baseline run beside each run
    runs = design_size(spec) * spec.replicates * per_run
    if runs > MAX_RUNS:
        raise ParameterError(f"the design implies {runs:,} runs ({design_size(spec):,} points x "
                             f"{spec.replicates:,} replicates"
                             + (" x 2 with the baseline" if per_run == 2 else "")
                             + f"): at most {MAX_RUNS:,} allowed "
                             "(fewer levels, samples or replicates, or split the sweep)")


def _check_baseline(spec: SweepSpec) -> None:
    """A ``_diff`` outcome needs a baseline; a baseline needs a ``_diff`` outcome (it
    doubles the runs)."""
    if spec.diff_outcomes and spec.baseline is None:
        raise ParameterError(f"outcome '{spec.diff_outcomes[0]}' is a difference to a "
                             "baseline run: add e.g. baseline = \"stay-home\"")
    if spec.baseline is not None:
        if not spec.diff_outcomes:
            raise ParameterError(f"baseline '{spec.baseline}' is set but no outcome ends in "
                                 f"'{DIFF}' (e.g. 'npv{DIFF}'): it would run twice for nothing")
        try:
            spec.baseline_params()
        except ParameterError as err:
            raise ParameterError(f"baseline: {err}") from None


def design_size(spec: SweepSpec) -> int:
    """The number of design points, computed without building the design."""
    d = len(spec.names)
    if spec.design == "grid":
        return math.prod(grid_levels(spec, name) for name in spec.names)
    assert spec.samples is not None
    return {"lhs": spec.samples, "sobol": spec.samples * (d + 2),
            "morris": spec.samples * (d + 1)}[spec.design]


@functools.cache
def _rows() -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in iter_fields()}


def _field_row(name: str) -> dict[str, Any]:
    """The parameter table row of ``name`` (type, min, max ...); ParameterError if unknown."""
    try:
        return _rows()[name]
    except KeyError:
        raise ParameterError(f"unknown parameter '{name}'{_hint(name, field_names())}") from None


def _field_enum(name: str) -> type[Enum] | None:
    """The Enum class of an enumerated parameter (``policy.kind``), else None."""
    cls: Any = Params
    for part in name.split("."):
        ann = cls.model_fields[part].annotation
        cls = ann
    return cls if isinstance(cls, type) and issubclass(cls, Enum) else None


def _check_parameter(name: str, ps: ParameterSpec, design: str) -> None:
    row = _field_row(name)
    kind, lo, hi = row["type"], row["min"], row["max"]
    if (ps.range is None) == (ps.values is None):
        raise ParameterError(f"parameter '{name}': give either 'range' or 'values'")
    if ps.range is not None:
        if kind not in ("int", "float"):
            raise ParameterError(f"parameter '{name}' is {kind}: give 'values', not 'range'")
        a, b = ps.range
        if not a < b:
            raise ParameterError(f"parameter '{name}': range [{a:g}, {b:g}] needs lo < hi")
        if (lo is not None and a < lo) or (hi is not None and b > hi):
            raise ParameterError(f"parameter '{name}': range [{a:g}, {b:g}] is outside the "
                                 f"parameter's range [{lo:g}, {hi:g}]")
        if kind == "int" and round(b) - round(a) < 1:
            raise ParameterError(f"parameter '{name}': integer range [{a:g}, {b:g}] holds "
                                 "fewer than 2 whole numbers")
    else:
        if not ps.values:
            raise ParameterError(f"parameter '{name}': 'values' is empty")
        for v in ps.values:
            _check_value(name, kind, lo, hi, v)
    if ps.levels is not None and (design != "grid" or ps.range is None):
        raise ParameterError(f"parameter '{name}': 'levels' only applies to a range in a "
                             "grid design")


def _check_value(name: str, kind: str, lo: Any, hi: Any, v: Any) -> None:
    enum = _field_enum(name)
    if enum is not None:
        allowed = [m.value for m in enum]
        if v not in allowed:
            raise ParameterError(f"parameter '{name}' = {v!r} is not allowed: expected one of "
                                 f"{', '.join(allowed)}")
        return
    if isinstance(v, float) and not math.isfinite(v):
        raise ParameterError(f"parameter '{name}' = {v!r}: expected a finite number")
    ok = {"bool": isinstance(v, bool), "int": isinstance(v, int) and not isinstance(v, bool),
          "float": isinstance(v, int | float) and not isinstance(v, bool),
          "str": isinstance(v, str)}.get(kind, True)
    if not ok:
        raise ParameterError(f"parameter '{name}' = {v!r}: expected a {kind}")
    if kind in ("int", "float") and ((lo is not None and v < lo) or (hi is not None and v > hi)):
        raise ParameterError(f"parameter '{name}' = {v!r} is out of range: allowed range "
                             f"[{lo:g}, {hi:g}]")


def grid_levels(spec: SweepSpec, name: str) -> int:
    ps = spec.parameters[name]
    return len(ps.values) if ps.values is not None else ps.levels or spec.levels


def param_type(name: str) -> str:
    """'int', 'float', 'bool' or 'str' (enums and names): the column type of a parameter."""
    kind = _field_row(name)["type"]
    return kind if kind in ("int", "float", "bool") else "str"
