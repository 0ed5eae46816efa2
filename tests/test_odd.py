"""docs/ODD.md agrees with the code: generated tables, parameter names, sources, modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from experiments.tools import odd
from model import baseline_hazard, presets
from model.params import ASSUMPTION, FirmProfile, field_names, iter_fields
from offshoring.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEXT = odd.ODD_PATH.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- helpers
def block(text: str, name: str) -> str:
    """The generated content between the markers of ``name``."""
    begin, end = odd.markers(name)
    return text.split(begin, 1)[1].split(end, 1)[0]


def rows(markdown: str) -> list[list[str]]:
    """Body rows of every Markdown table in ``markdown`` as lists of unescaped cells."""
    out = []
    for line in markdown.splitlines():
        if not line.startswith("| ") or line.startswith("|---"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if cells[0] not in ("Parameter", "Field", "Scenario", "Constant"):
            out.append(cells)
    return out


def reference_keys(text: str) -> list[str]:
    """Bold names in the References section: what a source must cite."""
    refs = text.split("## 10. References", 1)[1]
    return re.findall(r"\*\*(.+?)\*\*", refs)


def parameter_rows() -> dict[str, list[str]]:
    return {r[0].strip("`"): r for r in rows(block(TEXT, "PARAMETER TABLE"))}


def site_tables() -> dict[str, list[list[str]]]:
    """Rows of each site preset table, by preset key."""
    parts = re.split(r"^#### `([^`]+)`.*$", block(TEXT, "SITE PRESETS"), flags=re.M)
    return {key: rows(body) for key, body in zip(parts[1::2], parts[2::2], strict=True)}


# --------------------------------------------------------------------------- drift
def test_generated_tables_match_the_code():
    stale = odd.stale_blocks(TEXT)
    assert stale == [], f"docs/ODD.md is stale in {stale}: run 'offshoring odd'"


def test_parameter_table_lists_every_parameter_exactly_once():
    names = [r[0].strip("`") for r in rows(block(TEXT, "PARAMETER TABLE"))]
    params = [n for n in names if not n.startswith(("shocks[].", "firms[]."))]
    assert len(params) == len(set(params))
    assert set(params) == set(field_names())
    assert {n.removeprefix("shocks[].") for n in names} - set(params) >= {"kind", "week",
                                                                            "salience"}
    assert {n.removeprefix("firms[].") for n in names if n.startswith("firms[].")} == \
        set(FirmProfile.model_fields)


def test_every_parameter_name_appears_in_the_odd():
    missing = [n for n in field_names() if f"`{n}`" not in TEXT]
    assert missing == []


def test_table_defaults_and_sources_are_the_code_values():
    table = parameter_rows()
    for row in iter_fields():
        cells = table[row["name"]]
        assert cells[1] == f"`{odd.fmt(row['default'])}`", row["name"]
        assert cells[4] == row["source"], row["name"]


# --------------------------------------------------------------------------- sources
def cites(source: str, keys: list[str]) -> bool:
    """A source cites a reference of ODD section 10, or is an assumption with its range."""
    return any(key in source for key in keys) or reasoned_assumption(source)


def reasoned_assumption(source: str) -> bool:
    """"assumption" followed by a plausible range (and so a reason for it)."""
    return source.startswith("assumption") and "range" in source


def test_sourced_defaults_cite_a_reference_and_unsourced_say_assumption():
    keys = reference_keys(TEXT)
    assert len(keys) > 20
    table = parameter_rows()
    for row in iter_fields():
        cell = table[row["name"]][4]
        if row["source"] == ASSUMPTION:
            assert cell == "assumption", row["name"]
        else:
            assert cites(cell, keys), f"{row['name']}: '{cell}' cites no reference of ODD §10"


def test_preset_sources_cite_a_reference():
    keys = reference_keys(TEXT)
    recorded = [s for site in presets.SOURCES.values() for s in site.values()]
    recorded += [s for market in presets.MARKET_SOURCES.values() for s in market.values()]
    uncited = [s for s in recorded if not cites(s, keys)]
    assert uncited == []


def test_site_preset_rows_without_a_recorded_source_say_assumption():
    tables = site_tables()
    assert set(tables) == set(presets.SITES)
    for key, table in tables.items():
        recorded = presets.SOURCES.get(key, {})
        for field, _value, _default, _unit, source in table:
            expected = recorded.get(field.strip("`"), ASSUMPTION)
            assert source == expected, f"{key}.{field}"


def test_site_preset_tables_show_every_changed_value():
    tables = site_tables()
    for key, values in presets.SITES.items():
        shown = {r[0].strip("`"): r[1].strip("`") for r in tables[key]}
        default = presets.SiteProfile()
        for field, value in values.items():
            if field in ("name", "country") or value == getattr(default, field):
                continue
            assert shown[field] == odd.fmt(value), f"{key}.{field}"


# --------------------------------------------------------------------------- the check
def test_check_detects_a_changed_default(monkeypatch):
    def tweaked(*args, **kwargs):
        for row in iter_fields(*args, **kwargs):
            if row["name"] == "customers.satisfaction_weight":
                row = {**row, "default": row["default"] + 0.05}
            yield row

    monkeypatch.setattr(odd, "iter_fields", tweaked)
    assert odd.stale_blocks(TEXT) == ["PARAMETER TABLE"]


def test_check_detects_changed_presets_and_calibration(monkeypatch):
    monkeypatch.setitem(presets.SITES, "morocco", {**presets.SITES["morocco"],
                                                    "hourly_cost": 99.0})
    monkeypatch.setitem(baseline_hazard.RELATIVE_HAZARD, "bank", 1.2345)
    assert odd.stale_blocks(TEXT) == ["SITE PRESETS", "MARKET PRESETS"]


def test_check_exit_status_and_rewrite(tmp_path, capsys):
    path = tmp_path / "ODD.md"
    row = parameter_rows()["customers.satisfaction_weight"]
    stale_line = "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"
    assert stale_line in TEXT
    path.write_text(TEXT.replace(stale_line, stale_line.replace(row[1], "`0.123`")))
    assert main(["odd", "--check", "--file", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "stale" in err and "PARAMETER TABLE" in err
    assert main(["odd", "--file", str(path)]) == 0
    assert path.read_text() == TEXT
    assert main(["odd", "--check", "--file", str(path)]) == 0


@pytest.mark.parametrize("content", ["# no markers\n", "<!-- BEGIN PARAMETER TABLE -->\n"])
def test_missing_markers_are_a_one_line_error(tmp_path, capsys, content):
    path = tmp_path / "ODD.md"
    path.write_text(content)
    assert main(["odd", "--check", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


# --------------------------------------------------------------------------- modules
def test_every_model_module_is_described_and_every_named_module_exists():
    named = set(re.findall(r"`model/(\w+)\.py`", TEXT))
    modules = {p.stem for p in (ROOT / "model").glob("*.py")} - {"__init__"}
    assert modules - named == set(), "modules missing from docs/ODD.md"
    assert named - modules == set(), "docs/ODD.md names modules that do not exist"


def test_submodel_sections_pair_each_module_with_its_test_file():
    headings = re.findall(r"^### 7\.\d+ .*$", TEXT, flags=re.M)
    assert len(headings) >= 14
    for heading in headings:
        mods = re.findall(r"`model/(\w+)\.py`", heading)
        tests = re.findall(r"`tests/test_(\w+)\.py`", heading)
        assert mods and mods == tests, heading


def test_every_test_file_named_in_the_odd_exists():
    named = set(re.findall(r"`(tests/test_\w+\.py)`", TEXT))
    assert named, "docs/ODD.md names no test file"
    assert sorted(n for n in named if not (ROOT / n).is_file()) == []
