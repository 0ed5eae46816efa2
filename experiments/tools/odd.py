"""Generate the tables of docs/ODD.md from the code, so the description cannot drift.

The prose of docs/ODD.md is written by hand; the tables between marker comments
are rendered here from the single sources of truth:

* ``PARAMETER TABLE`` -- every scalar parameter of ``model.params.iter_fields()``
  (name, default, range, unit, source, meaning), plus the fields of a scheduled shock
  and of a per-firm profile;
* ``SITE PRESETS`` / ``MARKET PRESETS`` -- one table per preset of ``model.presets``:
  the values that differ from the class defaults (and any value with a recorded
  source), each with its source or "assumption";
* ``SCENARIOS`` -- the named scenarios of ``model.presets.SCENARIOS``;
* ``CONSTANTS`` -- named fixed constants of the submodules.

``offshoring odd`` rewrites the file in place; ``--check`` only
compares and exits 1 with a one-line message when the file is stale.
"""

from __future__ import annotations

import enum
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from model import agents, baseline_hazard, calendar, image, metrics, params, presets, service
from model.params import ASSUMPTION, FirmProfile, MarketParams, Shock, SiteProfile, iter_fields

ODD_PATH = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"

#: Parameter groups in the order of the table (prefix of the dotted name; "" = top level).
GROUPS = ["", "market", "customers", "workforce", "economics", "home", "destination",
          "policy", "rivals", "practices", "network"]

#: Named module constants shown in the CONSTANTS block: (module, name, unit, meaning).
CONSTANTS: list[tuple[Any, str, str, str]] = [
    (calendar, "LUNAR_YEAR_DAYS", "days", "Mean Islamic (lunar) year: Ramadan starts about "
     "11 days earlier each Gregorian year"),
    (calendar, "RAMADAN_DAYS", "days", "Length of Ramadan (one lunar month)"),
    (calendar, "RAMADAN_REFERENCE", "date", "First day of a reference Ramadan (1447 AH, "
     "astronomical estimate)"),
    (agents, "MAX_EXPERIENCE", "weeks", "Oldest vendor experience cohort (older agents are "
     "pooled in it)"),
    (service, "MISUNDERSTOOD_RESOLUTION", "x", "Resolution multiplier of a contact the "
     "customer does not understand (25 % less likely resolved: CFI Group via GovTech, M)"),
    (image, "REPUTATION_IN_BASELINE", "weight", "rho: weight of reputation (vs brand equity) "
     "in the image baseline"),
    (metrics, "PROMOTER_AT", "satisfaction 0-1", "NPS promoter: cumulative satisfaction at "
     "or above (a 0-10 score of 8.5)"),
    (metrics, "DETRACTOR_BELOW", "satisfaction 0-1", "NPS detractor: cumulative satisfaction "
     "below (a 0-10 score of 6.5)"),
]


class OddError(ValueError):
    """docs/ODD.md or the presets cannot be rendered; the message is one line."""


# --------------------------------------------------------------------------- formatting
def cell(text: Any) -> str:
    """A value as a Markdown table cell (pipes escaped, no line breaks)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def fmt(value: Any) -> str:
    """A parameter value as written in a TOML file (floats without noise)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e7:
            return str(int(value))
        return f"{value:.6g}"
    return str(value)


def allowed(row: dict[str, Any]) -> str:
    """The allowed values of a parameter row: a closed range, enum values or a type."""
    kind = getattr(params, row["type"], None)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return ", ".join(str(m.value) for m in kind)
    if row["type"] == "bool":
        return "true, false"
    if row["min"] is None and row["max"] is None:
        return "text" if row["type"] == "str" else "any"
    lo = fmt(row["min"]) if row["min"] is not None else "-inf"
    hi = fmt(row["max"]) if row["max"] is not None else "inf"
    return f"[{lo}, {hi}]"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """Markdown table lines."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return lines


# --------------------------------------------------------------------------- blocks
def _param_rows(rows: Iterable[dict[str, Any]]) -> list[list[str]]:
    return [[f"`{r['name']}`", f"`{fmt(r['default'])}`", allowed(r) + plausible(r),
             r["unit"] or "-", r["source"], r["description"] or "-"] for r in rows]


def plausible(row: dict[str, Any]) -> str:
    """"; plausible [lo, hi]" for a parameter whose evidence leaves a narrower range."""
    if row.get("plausible") is None:
        return ""
    lo, hi = row["plausible"]
    return f"; plausible [{fmt(lo)}, {fmt(hi)}]"


def group_of(name: str) -> str:
    """Section of a dotted parameter name ("" for a top-level parameter)."""
    return name.rsplit(".", 1)[0] if "." in name else ""


def parameter_table() -> str:
    """Every parameter of ``Params`` grouped by section, then the fields of a shock."""
    header = ["Parameter", "Default", "Allowed", "Unit", "Source", "Meaning"]
    rows = list(iter_fields())
    unknown = sorted({group_of(r["name"]) for r in rows} - set(GROUPS))
    if unknown:
        raise OddError(f"parameter section '{unknown[0]}' is not in experiments.tools.odd.GROUPS")
    out: list[str] = []
    for group in GROUPS:
        mine = [r for r in rows if group_of(r["name"]) == group]
        title = f"`{group}.*`" if group else "Run (top level)"
        out += ["", f"#### {title}", "", *table(header, _param_rows(mine))]
    shock_rows = list(iter_fields(Shock, "shocks[]."))
    out += ["", "#### `shocks` (a list; each entry has these fields)", "",
            *table(header, _param_rows(shock_rows))]
    firm_rows = [r for r in iter_fields(FirmProfile, "firms[].") if r["name"] != "firms[].policy"]
    firm_rows.append({"name": "firms[].policy", "default": "unset", "min": None, "max": None,
                      "unit": "", "source": ASSUMPTION, "type": "PolicyParams",
                      "description": FirmProfile.model_fields["policy"].description
                      + " (a table with the fields of `policy.*`)"})
    out += ["", "#### `firms` (a list; entry i is firm i, unset fields take the market-wide "
            "values)", "", *table(header, _param_rows(firm_rows))]
    return "\n".join(out[1:])


def _field_meta(model: type[BaseModel], name: str) -> tuple[str, str]:
    """(unit, class-default source) of a field of ``model``."""
    f = model.model_fields[name]
    extra = f.json_schema_extra or {}
    return extra.get("unit", "") or "-", extra.get("source", ASSUMPTION)


def preset_rows(model: type[BaseModel], values: dict[str, Any], sources: dict[str, str],
                always: Sequence[str] = ()) -> list[list[str]]:
    """Rows (field, preset value, default, unit, source) of one preset.

    A field is shown when the preset sets it to a value other than the class
    default, when a source is recorded for it, or when it is in ``always``.
    """
    unknown = sorted(set(sources) - set(model.model_fields))
    if unknown:
        raise OddError(f"source recorded for unknown field '{unknown[0]}' of {model.__name__}")
    preset, default = model(**values), model()
    rows = []
    for name in model.model_fields:
        if name in ("name", "country"):
            continue
        value, base = getattr(preset, name), getattr(default, name)
        if (name in values and value != base) or name in sources or name in always:
            unit, _ = _field_meta(model, name)
            rows.append([f"`{name}`", f"`{fmt(value)}`", f"`{fmt(base)}`", unit,
                         sources.get(name, ASSUMPTION)])
    return rows


def site_presets() -> str:
    """One table per site preset of ``model.presets.SITES``."""
    unknown = sorted(set(presets.SOURCES) - set(presets.SITES))
    if unknown:
        raise OddError(f"sources recorded for unknown site preset '{unknown[0]}'")
    header = ["Field", "Preset", "Default", "Unit", "Source"]
    out: list[str] = []
    for key, values in presets.SITES.items():
        site = SiteProfile(**values)
        rows = preset_rows(SiteProfile, values, presets.SOURCES.get(key, {}))
        out += ["", f"#### `{key}`: {site.name} ({site.country})", ""]
        out += table(header, rows) if rows else ["Identical to the `SiteProfile` defaults."]
    return "\n".join(out[1:])


def market_presets() -> str:
    """One table per market preset of ``model.presets.MARKETS`` with its stored calibration."""
    unknown = sorted(set(presets.MARKET_SOURCES) - set(presets.MARKETS))
    if unknown:
        raise OddError(f"source recorded for unknown market preset '{unknown[0]}'")
    header = ["Field", "Preset", "Default", "Unit", "Source"]
    out: list[str] = []
    for key, values in presets.MARKETS.items():
        sources = presets.MARKET_SOURCES.get(key, {})
        rows = preset_rows(MarketParams, values, sources, always=("monthly_churn_target",))
        z = baseline_hazard.relative_hazard(MarketParams(**values).name)
        out += ["", f"#### `{key}`", "",
                f"Stored churn normalisation (`model/baseline_hazard.py`): Z = {fmt(z)}.", "",
                *table(header, rows)]
    return "\n".join(out[1:])


def scenarios() -> str:
    """The named scenarios: description, market, home and destination presets, overrides."""
    rows = []
    for name, (desc, mkt, home, dest, extra) in presets.SCENARIOS.items():
        over = ", ".join(f"`{k} = {fmt(v)}`" for k, v in extra.items()) or "-"
        rows.append([f"`{name}`", desc, f"`{mkt}`", f"`{home}`", f"`{dest}`", over])
    note = f"Default scenario of the CLI: `{presets.DEFAULT_SCENARIO}`."
    return "\n".join([*table(["Scenario", "Description", "Market", "Home", "Destination",
                              "Overrides"], rows), "", note])


def constants() -> str:
    """Named fixed constants of the submodules (not parameters: not swept)."""
    rows = []
    for module, name, unit, meaning in CONSTANTS:
        if not hasattr(module, name):
            raise OddError(f"constant {module.__name__}.{name} no longer exists")
        rows.append([f"`{name}`", f"`{fmt(getattr(module, name))}`", unit,
                     f"`{module.__name__.replace('.', '/')}.py`", meaning])
    return "\n".join(table(["Constant", "Value", "Unit", "Module", "Meaning"], rows))


BLOCKS: dict[str, Callable[[], str]] = {
    "PARAMETER TABLE": parameter_table,
    "SITE PRESETS": site_presets,
    "MARKET PRESETS": market_presets,
    "SCENARIOS": scenarios,
    "CONSTANTS": constants,
}


# --------------------------------------------------------------------------- the file
def markers(block: str) -> tuple[str, str]:
    """The begin and end marker comments of a generated block."""
    return f"<!-- BEGIN {block} -->", f"<!-- END {block} -->"


def replace_block(text: str, block: str, body: str) -> str:
    """``text`` with the lines between the markers of ``block`` replaced by ``body``."""
    begin, end = markers(block)
    if text.count(begin) != 1 or text.count(end) != 1:
        raise OddError(f"docs/ODD.md must contain '{begin}' and '{end}' exactly once")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def render(text: str) -> str:
    """``text`` with every generated block brought up to date with the code."""
    for block, make in BLOCKS.items():
        text = replace_block(text, block, make())
    return text


def stale_blocks(text: str) -> list[str]:
    """Names of the blocks whose content differs from what the code generates."""
    return [b for b, make in BLOCKS.items() if replace_block(text, b, make()) != text]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(path: Path, check: bool) -> int:
    """Rewrite (or with ``check`` only compare) the generated blocks of ``path``."""
    if not path.is_file():
        raise OddError(f"{path} not found")
    text = path.read_text(encoding="utf-8")
    stale = stale_blocks(text)
    if check:
        if stale:
            print(f"{path} is stale ({', '.join(stale)}): run 'offshoring odd' "
                  "to regenerate", file=sys.stderr)
            return 1
        return 0
    if stale:
        write_atomic(path, render(text))
        print(f"wrote {path} ({', '.join(stale)})")
    else:
        print(f"{path} is up to date")
    return 0
