"""The app's controls come from the parameter structure and refuse bad input with a message."""

from __future__ import annotations

import pytest

from model import ParameterError, scenario
from model.params import PolicyKind, field_bounds, iter_fields
from model.presets import SCENARIOS, SITES, site
from viz import settings as st


def test_every_scenario_default_draft_rebuilds_its_preset_exactly() -> None:
    """Opening a preset in the app runs that preset (at the app's size), bit for bit."""
    for name in SCENARIOS:
        checked = st.validate(st.default_draft(name))
        assert checked.ok, (name, checked.errors)
        assert checked.params == scenario(name, n_customers=st.DEFAULT_CUSTOMERS), name
        assert checked.seed == st.DEFAULT_SEED


def test_param_controls_take_bounds_defaults_and_text_from_the_fields() -> None:
    """Slider ranges, labels' help and choices are the field metadata, not retyped."""
    draft = st.default_draft()
    rows = {row["name"]: row for row in iter_fields()}
    by_key = {c.key: c for c in st.controls(draft)}
    assert [c.key for c in st.controls(draft)] == list(st.ORDER)
    for key in ("policy.share", "customers.ethnocentrism_mean"):
        assert (by_key[key].lo, by_key[key].hi) == field_bounds(key)
        assert by_key[key].help == st.HELP[key]  # in users' words, not the field's
    week = by_key["policy.week"]
    assert week.lo == field_bounds("policy.week")[0]
    assert week.hi == min(field_bounds("policy.week")[1], scenario(draft["scenario"]).weeks)
    assert by_key["policy.kind"].choices == tuple(k.value for k in PolicyKind)
    for key in st.PRACTICES:
        assert by_key[key].kind == "bool" and rows[key]["description"] in by_key[key].help
    assert by_key["scenario"].choices == tuple(SCENARIOS)
    assert "50 to 50,000" in by_key["n_customers"].help


def test_destinations_are_the_site_presets_except_home() -> None:
    for name in SCENARIOS:
        home = SCENARIOS[name].home
        assert set(st.destinations(name)) == set(SITES) - {home}


def test_wage_ratio_sets_the_destination_hourly_cost() -> None:
    """destination.hourly_cost = ratio x home hourly cost; the other site values stay."""
    draft = st.change(st.default_draft("us-india"), "wage_ratio", 0.5)
    p = st.validate(draft).params
    assert p is not None
    assert p.destination.hourly_cost == pytest.approx(0.5 * p.home.hourly_cost)
    assert p.destination.language_fit == site("india").language_fit


def test_wage_ratio_slider_stays_within_the_hourly_cost_bounds() -> None:
    lo_cost, hi_cost = field_bounds("destination.hourly_cost")
    for name in SCENARIOS:
        home_cost = scenario(name).home.hourly_cost
        lo, hi = st.wage_ratio_bounds(home_cost)
        assert lo_cost <= lo * home_cost and hi * home_cost <= hi_cost
        for ratio in (lo, hi):
            assert st.validate(st.change(st.default_draft(name), "wage_ratio", ratio)).ok


def test_new_destination_resets_the_ratio_to_that_sites_cost() -> None:
    draft = st.change(st.default_draft("offshore-morocco"), "destination", "romania")
    p = st.validate(draft).params
    assert p is not None and p.destination == site("romania")


def test_new_scenario_loads_its_values_but_keeps_size_and_seed() -> None:
    draft = st.change(st.change(st.default_draft(), "n_customers", "700"), "seed", "9")
    draft = st.change(draft, "practices.procedures", True)
    new = st.change(draft, "scenario", "offshore-morocco-practices")
    assert new["n_customers"] == "700" and new["seed"] == "9"
    p = st.validate(new).params
    assert p == scenario("offshore-morocco-practices", n_customers=700)


@pytest.mark.parametrize("text", ["abc", "4.2", "1e3", "", " ", "-1", "0x10"])
def test_seed_box_accepts_only_whole_numbers(text: str) -> None:
    checked = st.validate(st.change(st.default_draft(), "seed", text))
    assert not checked.ok and checked.params is None
    assert checked.errors["seed"].startswith("Seed must be")


@pytest.mark.parametrize("text,value", [("42", 42), (" 7 ", 7), ("1_000", 1000), ("0", 0)])
def test_seed_box_parses_whole_numbers(text: str, value: int) -> None:
    checked = st.validate(st.change(st.default_draft(), "seed", text))
    assert checked.ok and checked.seed == value


def test_customer_count_out_of_range_names_the_control_and_the_apps_limits() -> None:
    """The message uses the control's label and the app's own limits (issue 15)."""
    for text in ("10", "49", "50001", "5000000"):
        checked = st.validate(st.change(st.default_draft(), "n_customers", text))
        assert not checked.ok
        assert checked.errors["n_customers"].startswith(
            "Customers must be between 50 and 50,000"), checked.errors
        assert "parameter" not in checked.errors["n_customers"]


def test_customer_count_above_the_app_cap_is_refused() -> None:
    too_many = str(st.APP_MAX_CUSTOMERS + 1)
    checked = st.validate(st.change(st.default_draft(), "n_customers", too_many))
    assert "offshoring run" in checked.errors["n_customers"]
    assert checked.errors["n_customers"].startswith("Customers must be between 50 and 50,000")
    ok = st.validate(st.change(st.default_draft(), "n_customers", str(st.APP_MAX_CUSTOMERS)))
    assert ok.ok and ok.params is not None and ok.params.n_customers == st.APP_MAX_CUSTOMERS


def test_a_refused_parameter_is_reported_on_its_control() -> None:
    """A value the model refuses (here a share above 1) names that control, never raises."""
    checked = st.validate(st.change(st.default_draft(), "policy.share", 1.5))
    assert checked.errors == {"policy.share": "Share of calls relocated must be between 0 and "
                                              "1, got 1.5"}


def test_several_bad_values_are_all_reported() -> None:
    draft = st.change(st.change(st.default_draft(), "seed", "x"), "n_customers", "many")
    assert set(st.validate(draft).errors) == {"seed", "n_customers"}


def test_parse_helpers_raise_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="whole number"):
        st.parse_whole("3.5", "thing")
    with pytest.raises(ParameterError, match="0 or more"):
        st.parse_seed("-4")
