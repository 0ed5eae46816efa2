"""The explore spec: a TOML file naming uncertainties, levers, patterns and sizes.

Every problem is reported as one ``ParameterError`` line naming the field and what
is allowed (the command turns it into exit status 2). See docs/explore.md.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from experiments.explore.accept import PATTERN_COUNT, banded_patterns
from experiments.sweeps.spec import read_spec
from model.params import ParameterError, field_names, iter_fields
from model.presets import SCENARIOS, SITES

MAX_WORLDS = 100_000
SAMPLERS = ("lhs", "sobol")
METHODS = ("rejection",)
CI_METHODS = ("wilson", "clopper-pearson")
OBSERVABLES = ("service_cost_share", "churn_monthly", "csat", "image_all", "npv")
_TOP = {"name", "description", "seed", "worlds", "sampler", "customers", "weeks", "burn_in",
        "uncertainties", "levers", "abc", "answers", "discovery"}


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain parameter: dotted name, range, the sites it applies to, its source."""

    name: str
    low: float
    high: float
    integer: bool = False
    sites: tuple[str, ...] | None = None   # home.* / destination.*: only runs at these sites
    source: str = ""

    def applies(self, preset: str) -> bool:
        """Whether a run of scenario ``preset`` takes this value (site-specific ranges)."""
        if self.sites is None:
            return True
        sc = SCENARIOS[preset]
        where = sc.home if self.name.startswith("home.") else sc.destination
        return where in self.sites


@dataclass(frozen=True)
class ExploreSpec:
    """A validated explore spec (see docs/explore.md for the meaning of each field)."""

    name: str
    seed: int
    worlds: int
    sampler: str
    customers: int
    weeks: int
    burn_in: int
    uncertainties: tuple[Uncertainty, ...]
    strategies: tuple[str, ...]
    baseline: str
    patterns: tuple[int, ...]          # 1-based numbers of experiments.patterns.PATTERNS
    also_report: tuple[int, ...]
    abc_weeks: int
    method: str = "rejection"
    conf: float = 0.95
    ci: str = "wilson"
    threshold: float = 0.8
    mass_min: float = 0.05
    peel_alpha: float = 0.05
    observables: tuple[str, ...] = ("service_cost_share",)
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def computed_patterns(self) -> tuple[int, ...]:
        """Patterns computed in every world: those used for acceptance, then the others."""
        return tuple(dict.fromkeys(self.patterns + self.also_report))

    def digest(self) -> str:
        """Hash of everything that determines the runs (not the analysis settings)."""
        keep = {k: v for k, v in asdict(self).items()
                if k not in ("conf", "ci", "threshold", "mass_min", "peel_alpha",
                             "observables", "description", "extra", "patterns")}
        return hashlib.sha256(json.dumps(keep, sort_keys=True, default=str).encode()
                              ).hexdigest()[:16]


# ------------------------------------------------------------------ default uncertainties
def default_uncertainties(exclude: tuple[str, ...] = ()) -> list[Uncertainty]:
    """Every parameter with a ``plausible`` range in model/params.py, over that range.

    ``destination.*`` is left out: the class default destination is a French site, which
    every scenario preset replaces by its vendor's profile (whose evidence is in
    model.presets.SOURCES). ``home.*`` ranges describe a French in-house team, so they
    apply only to runs whose home site is France (US presets keep their own values).
    """
    out = []
    for row in iter_fields():
        if row["plausible"] is None or row["name"] in exclude:
            continue
        if row["name"].startswith("destination."):
            continue
        lo, hi = row["plausible"]
        sites = ("france",) if row["name"].startswith("home.") else None
        out.append(Uncertainty(row["name"], float(lo), float(hi), row["type"] == "int",
                               sites, row["source"]))
    return out


# ------------------------------------------------------------------ validation helpers
def _fail(where: str, what: str) -> ParameterError:
    return ParameterError(f"{where} {what}")


def _int(data: dict, key: str, default: int, lo: int, hi: int, where: str) -> int:
    v = data.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise _fail(f"field '{where}{key}'", f"must be an integer {lo}-{hi}, got {v!r}")
    return v


def _float(data: dict, key: str, default: float, lo: float, hi: float, where: str,
           open_ends: bool = True) -> float:
    v = data.get(key, default)
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and (
        lo < v < hi if open_ends else lo <= v <= hi)
    if not ok:
        between = f"between {lo:g} and {hi:g}" + (" (exclusive)" if open_ends else "")
        raise _fail(f"field '{where}{key}'", f"must be a number {between}, got {v!r}")
    return float(v)


def _choice(data: dict, key: str, default: str, allowed: tuple[str, ...], where: str) -> str:
    v = data.get(key, default)
    if v not in allowed:
        raise _fail(f"field '{where}{key}'", f"must be one of {', '.join(allowed)}; got {v!r}")
    return v


def _table(data: dict, key: str) -> dict:
    v = data.get(key, {})
    if not isinstance(v, dict):
        raise _fail(f"field '{key}'", "must be a table")
    return v


def _unknown(data: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise _fail(f"field '{where}{extra[0]}'",
                    f"is unknown: allowed {', '.join(sorted(allowed))}")


def _str_list(data: dict, key: str, default: list, where: str) -> list:
    v = data.get(key, default)
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _fail(f"field '{where}{key}'", f"must be a list of strings, got {v!r}")
    return v


def _pattern_list(data: dict, key: str, default: list[int], where: str) -> tuple[int, ...]:
    v = data.get(key, default)
    banded = banded_patterns()
    if not isinstance(v, list) or not all(isinstance(x, int) and not isinstance(x, bool)
                                          for x in v):
        raise _fail(f"field '{where}{key}'", "must be a list of pattern numbers (the # column "
                    f"of docs/calibration.md), got {v!r}")
    for x in v:
        if x not in banded:
            raise _fail(f"field '{where}{key}'", f"has pattern {x}: allowed the patterns with "
                        f"a tolerance band, {', '.join(map(str, banded))} (of 1-{PATTERN_COUNT})")
    if len(set(v)) != len(v):
        raise _fail(f"field '{where}{key}'", f"lists a pattern twice: {v!r}")
    return tuple(v)


def _uncertainties(data: dict) -> tuple[Uncertainty, ...]:
    where = "uncertainties."
    _unknown(data, {"defaults", "exclude", "add"}, where)
    defaults = data.get("defaults", True)
    if not isinstance(defaults, bool):
        raise _fail("field 'uncertainties.defaults'", f"must be true or false, got {defaults!r}")
    names = set(field_names())
    exclude = tuple(_str_list(data, "exclude", [], where))
    for n in exclude:
        if n not in names:
            raise _fail("field 'uncertainties.exclude'", f"names unknown parameter {n!r}")
    out = {u.name: u for u in default_uncertainties(exclude)} if defaults else {}
    add = data.get("add", {})
    if not isinstance(add, dict):
        raise _fail("field 'uncertainties.add'", "must be a table of name = {range = [lo, hi]}")
    rows = {r["name"]: r for r in iter_fields()}
    for name, entry in add.items():
        w = f"field 'uncertainties.add.\"{name}\"'"
        if name not in names:
            raise _fail(w, "is not a parameter (offshoring params lists them)")
        row = rows[name]
        if row["type"] not in ("float", "int"):
            raise _fail(w, f"is a {row['type']} parameter: only numbers can be uncertainties")
        if not isinstance(entry, dict):
            raise _fail(w, "must be a table {range = [lo, hi], sites = [...], source = \"...\"}")
        _unknown(entry, {"range", "sites", "source"}, f"uncertainties.add.\"{name}\".")
        rng = entry.get("range")
        if not (isinstance(rng, list) and len(rng) == 2 and all(
                isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
                for x in rng) and rng[0] < rng[1]):
            raise _fail(w + ".range", f"must be [low, high] with low < high, got {rng!r}")
        lo_ok = row["min"] is None or rng[0] >= row["min"]
        hi_ok = row["max"] is None or rng[1] <= row["max"]
        if not (lo_ok and hi_ok):
            raise _fail(w + ".range", f"must lie within the parameter's bounds "
                        f"[{row['min']}, {row['max']}], got {rng!r}")
        sites = entry.get("sites")
        if sites is not None:
            if not (name.startswith("home.") or name.startswith("destination.")):
                raise _fail(w + ".sites", "is allowed only for home.* and destination.* "
                            "parameters")
            if not isinstance(sites, list) or not sites or any(s not in SITES for s in sites):
                raise _fail(w + ".sites", f"must be a list of sites among {', '.join(SITES)}; "
                            f"got {sites!r}")
            sites = tuple(sites)
        source = entry.get("source", "")
        if not isinstance(source, str):
            raise _fail(w + ".source", "must be a string")
        out[name] = Uncertainty(name, float(rng[0]), float(rng[1]), row["type"] == "int",
                                sites, source or "given in the spec")
    if not out:
        raise _fail("field 'uncertainties'", "leaves no uncertain parameter: set defaults = "
                    "true or add some")
    return tuple(out.values())


# ------------------------------------------------------------------ the spec
def parse_spec(data: dict[str, Any], name: str = "explore") -> ExploreSpec:
    """Validate a parsed TOML mapping; ParameterError (one line) on the first problem."""
    _unknown(data, _TOP, "")
    levers, abc, answers, disc = (_table(data, k) for k in ("levers", "abc", "answers",
                                                           "discovery"))
    _unknown(levers, {"strategies", "baseline"}, "levers.")
    _unknown(abc, {"patterns", "also_report", "weeks", "method"}, "abc.")
    _unknown(answers, {"conf", "ci"}, "answers.")
    _unknown(disc, {"threshold", "mass_min", "peel_alpha", "observables"}, "discovery.")
    nm = data.get("name", name)
    if not isinstance(nm, str) or not nm or not nm.replace("-", "").replace("_", "").isalnum():
        raise _fail("field 'name'", f"must be letters, digits, '-' or '_', got {nm!r}")
    strategies = _str_list(levers, "strategies", ["stay-home", "offshore-morocco"], "levers.")
    for s in strategies:
        if s not in SCENARIOS:
            raise _fail("field 'levers.strategies'", f"has unknown scenario {s!r}: allowed "
                        f"{', '.join(SCENARIOS)}")
    if len(set(strategies)) != len(strategies) or len(strategies) < 2:
        raise _fail("field 'levers.strategies'", "must list at least two distinct scenarios")
    baseline = levers.get("baseline", "stay-home")
    if baseline not in strategies:
        raise _fail("field 'levers.baseline'", f"must be one of levers.strategies, got "
                    f"{baseline!r}")
    method = _choice(abc, "method", "rejection", METHODS, "abc.")
    observables = _str_list(disc, "observables", ["service_cost_share"], "discovery.")
    for o in observables:
        if o not in OBSERVABLES:
            raise _fail("field 'discovery.observables'", f"has {o!r}: allowed "
                        f"{', '.join(OBSERVABLES)}")
    patterns = _pattern_list(abc, "patterns", [], "abc.")
    desc = data.get("description", "")
    if not isinstance(desc, str):
        raise _fail("field 'description'", "must be a string")
    return ExploreSpec(
        name=nm, description=desc,
        seed=_int(data, "seed", 20261127, 0, 2**63 - 1, ""),
        worlds=_int(data, "worlds", 64, 1, MAX_WORLDS, ""),
        sampler=_choice(data, "sampler", "lhs", SAMPLERS, ""),
        customers=_int(data, "customers", 3000, 50, 5_000_000, ""),
        weeks=_int(data, "weeks", 520, 1, 2080, ""),
        burn_in=_int(data, "burn_in", 52, 0, 520, ""),
        uncertainties=_uncertainties(_table(data, "uncertainties")),
        strategies=tuple(strategies), baseline=baseline,
        patterns=patterns,
        also_report=tuple(p for p in _pattern_list(abc, "also_report", [], "abc.")
                          if p not in patterns),
        abc_weeks=_int(abc, "weeks", 260, 160, 2080, "abc."),
        method=method,
        conf=_float(answers, "conf", 0.95, 0.0, 1.0, "answers."),
        ci=_choice(answers, "ci", "wilson", CI_METHODS, "answers."),
        threshold=_float(disc, "threshold", 0.8, 0.0, 1.0, "discovery."),
        mass_min=_float(disc, "mass_min", 0.05, 0.0, 0.5, "discovery."),
        peel_alpha=_float(disc, "peel_alpha", 0.05, 0.0, 0.5, "discovery."),
        observables=tuple(observables),
    )


def load_spec(path: str | Path) -> ExploreSpec:
    """Read and validate a spec file; ParameterError naming the file and the field."""
    path = Path(path)
    data = read_spec(path)
    try:
        return parse_spec(data, path.stem)
    except ParameterError as err:
        raise ParameterError(f"spec '{path}': {err}") from None
