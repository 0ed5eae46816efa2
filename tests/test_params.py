"""The parameter structure (model.params): validation, one-line errors, TOML, the table."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from model.config import load_toml
from model.params import (
    ParameterError,
    Params,
    field_bounds,
    field_names,
    iter_fields,
    json_schema,
)
from model.presets import SCENARIOS, scenario

NUMERIC = [r for r in iter_fields() if r["type"] in ("int", "float")]
#: Fields whose bound conflicts with the cross-field rule dissatisfied_below < satisfied_above.
CROSS_FIELD = {"customers.dissatisfied_below", "customers.satisfied_above"}


def _error(**dotted) -> str:
    with pytest.raises(ParameterError) as info:
        Params().replace(**dotted)
    return str(info.value)


def _check_one_line(msg: str, *needles: str) -> None:
    assert "\n" not in msg and msg.strip() == msg and msg
    for needle in needles:
        assert needle in msg, f"{needle!r} not in {msg!r}"


def test_defaults_validate_and_are_frozen() -> None:
    p = Params()
    with pytest.raises(ValidationError):
        p.weeks = 3  # type: ignore[misc]
    q = p.replace(**{"policy.share": 0.5, "weeks": 10})
    assert (q.policy.share, q.weeks) == (0.5, 10) and (p.policy.share, p.weeks) == (0.7, 520)


@pytest.mark.parametrize("row", NUMERIC, ids=lambda r: r["name"])
def test_every_numeric_field_default_and_bounds(row: dict) -> None:
    """Defaults lie in range; just outside either bound is refused, naming field and range."""
    name, lo, hi = row["name"], row["min"], row["max"]
    assert lo is not None and hi is not None, f"{name} has no range"
    assert lo <= row["default"] <= hi
    step = 1 if row["type"] == "int" else max(abs(hi - lo) * 1e-3, 1e-9)
    rng_text = f"[{lo:g}, {hi:g}]" if isinstance(lo, float) else f"[{lo}, {hi}]"
    for bad in (lo - step, hi + step):
        _check_one_line(_error(**{name: bad}), f"'{name}'", "out of range", rng_text)
    if name not in CROSS_FIELD and name not in ("network.degree", "n_customers"):
        for ok in (lo, hi):
            assert Params().replace(**{name: ok}).flat()[name] == ok


def test_unknown_names() -> None:
    _check_one_line(_error(**{"policy.shaer": 0.5}), "unknown parameter 'policy.shaer'")
    _check_one_line(_error(nosuch=1), "unknown parameter 'nosuch'")
    _check_one_line(_error(**{"nosuch.table.key": 1}), "unknown parameter 'nosuch'")
    with pytest.raises(ParameterError, match="unknown parameter 'x.y'"):
        field_bounds("x.y")


@pytest.mark.parametrize(("name", "value"), [
    ("weeks", "abc"), ("policy.share", "high"), ("policy.week", 2.5),
    ("practices.procedures", "perhaps"), ("market.price_mass", [1, 2]),
    ("policy.share", "0.5"), ("practices.procedures", "yes"), ("practices.data_security", 1),
    ("n_customers", "500"),
])
def test_wrong_types(name: str, value: object) -> None:
    _check_one_line(_error(**{name: value}), f"'{name}'")


def test_enum_and_cross_field_errors() -> None:
    _check_one_line(_error(**{"policy.kind": "sometimes"}), "'policy.kind'", "never", "adaptive")
    _check_one_line(_error(**{"customers.dissatisfied_below": 0.8}),
              "customers.dissatisfied_below", "customers.satisfied_above")
    _check_one_line(_error(n_customers=50, **{"network.degree": 60}), "network.degree",
              "n_customers")
    _check_one_line(_error(**{"policy.kind": "outsource"}), "policy.kind", "onshore_outsourcer")


def test_out_of_range_message_example() -> None:
    assert _error(**{"policy.share": 3}) == \
        "parameter 'policy.share' = 3 is out of range: allowed range [0, 1]"


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(text)
    return path


def test_load_toml_preset_and_overrides(tmp_path: Path) -> None:
    p = load_toml(_toml(tmp_path, 'preset = "offshore-morocco"\nweeks = 40\n'
                                  '[policy]\nshare = 0.5\n[practices]\nprocedures = true\n'))
    assert p == scenario("offshore-morocco", weeks=40, **{"policy.share": 0.5,
                                                           "practices.procedures": True})
    assert load_toml(_toml(tmp_path, "")) == Params()


@pytest.mark.parametrize(("text", "needles"), [
    ('[policy]\nshare = "high"\n', ("'policy.share'",)),
    ("[policy]\nshare = 3\n", ("'policy.share'", "[0, 1]")),
    ("[policy]\nshaer = 0.5\n", ("unknown parameter 'policy.shaer'",)),
    ("[nosuch]\nx = 1\n", ("unknown parameter 'nosuch'",)),
    ('preset = "atlantis"\n', ("unknown scenario 'atlantis'",)),
    ("[policy\nshare = 1\n", ("not valid TOML", "run.toml")),
    ("weeks = \n", ("not valid TOML",)),
])
def test_load_toml_errors(tmp_path: Path, text: str, needles: tuple[str, ...]) -> None:
    with pytest.raises(ParameterError) as info:
        load_toml(_toml(tmp_path, text))
    _check_one_line(str(info.value), *needles)


def test_load_toml_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParameterError) as info:
        load_toml(tmp_path / "nope.toml")
    _check_one_line(str(info.value), "nope.toml", "not found")
    with pytest.raises(ParameterError, match="is not a regular file"):
        load_toml(tmp_path)  # a folder is not a config file


def test_parameter_error_is_a_value_error() -> None:
    assert issubclass(ParameterError, ValueError)


def test_table_names_units_and_sources() -> None:
    names = field_names()
    assert len(names) == len(set(names))
    assert set(names) == set(Params().flat())
    for row in iter_fields():
        assert row["description"], f"{row['name']} has no description"
        assert row["source"], f"{row['name']} has no source"
        if row["type"] in ("int", "float"):
            assert row["unit"], f"{row['name']} has no unit"
    assert field_bounds("policy.share") == (0.0, 1.0)
    assert field_bounds("n_firms") == (2, 10)


def test_json_schema_covers_every_section() -> None:
    props = json_schema()["properties"]
    assert {"n_customers", "market", "customers", "policy", "practices", "network"} <= set(props)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_builds(name: str) -> None:
    p = scenario(name, n_customers=500, weeks=10)
    assert p.n_customers == 500 and p.weeks == 10
    with pytest.raises(ParameterError, match="unknown scenario"):
        scenario(name + "-nope")
