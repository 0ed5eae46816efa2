"""Firms that differ (``Params.firms``) and rivals that relocate (``rivals``, per-firm policies)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.runs import params_from
from model import OffshoringModel, scenario
from model import image as image_mod
from model.config import load_toml
from model.params import FirmProfile, ParameterError, Params, PolicyKind
from model.runner import simulate

SHORT = dict(n_customers=1000, weeks=30, burn_in_weeks=10)


def _firm(kpis: pd.DataFrame, f: int) -> pd.DataFrame:
    return kpis[kpis["firm"] == f].set_index("week")


# ---------------------------------------------------------------- parameters
def test_defaults_resolve_to_the_market_values() -> None:
    p = scenario("offshore-morocco")
    for i in range(p.n_firms):
        fp = p.firm(i)
        assert fp.advertising == p.market.advertising
        assert fp.price_factor == 1.0
        assert fp.hourly_cost == p.home.hourly_cost
        assert fp.variable_cost_share == p.market.variable_cost_share
    assert p.firm(0).policy == p.policy
    assert p.firm(1).policy.kind == PolicyKind.never


def test_a_profile_beyond_n_firms_is_refused_in_one_line() -> None:
    for bad in ({"firms.5.price_factor": 1.2}, {"firms": [{}] * 4}):
        with pytest.raises(ParameterError) as err:
            scenario("stay-home", **bad)
        msg = str(err.value)
        assert "\n" not in msg and "'firms'" in msg and "n_firms = 3" in msg


def test_a_bad_profile_value_names_its_field() -> None:
    with pytest.raises(ParameterError, match=r"firms\.1\.price_factor"):
        Params().replace(**{"firms.1.price_factor": 0.0})
    with pytest.raises(ParameterError, match=r"unknown parameter 'firms\.1\.colour'"):
        Params().replace(**{"firms.1.colour": 1})


def test_toml_firms_tables_and_cli_set(tmp_path) -> None:
    path = tmp_path / "firms.toml"
    path.write_text('preset = "offshore-morocco"\n\n[[firms]]\n\n[[firms]]\nprice_factor = 1.2\n'
                    'advertising = 0.8\n\n[firms.policy]\nkind = "offshore"\nweek = 60\n')
    p = load_toml(path)
    assert len(p.firms) == 2 and p.firm(0).price_factor == 1.0
    assert p.firm(1).price_factor == 1.2 and p.firm(1).advertising == 0.8
    assert p.firm(1).policy.kind == PolicyKind.offshore and p.firm(1).policy.week == 60
    q = params_from("stay-home", overrides=["firms.2.hourly_cost=60", "rivals.policy=follow"])
    assert q.firm(2).hourly_cost == 60.0 and q.firm(1).hourly_cost == q.home.hourly_cost
    assert q.rivals.policy == "follow"


def test_follow_rule_staggers_the_rivals() -> None:
    p = scenario("market-offshores-morocco")
    weeks = [p.firm(i).policy.week for i in range(3)]
    assert weeks == [26, 78, 130]
    assert all(p.firm(i).policy.kind == PolicyKind.offshore for i in range(3))
    assert all(p.firm(i).policy.share == p.policy.share for i in range(3))
    assert scenario("stay-home", **{"rivals.policy": "follow"}).firm(2).policy.kind == "never"


# ---------------------------------------------------------------- identity
def test_explicit_default_profiles_change_nothing() -> None:
    base = scenario("offshore-morocco", **SHORT, **{"policy.week": 4})
    explicit = base.replace(firms=[
        {"advertising": 0.5, "price_factor": 1.0, "hourly_cost": 55.0,
         "variable_cost_share": 0.35, "policy": base.policy.model_dump()},
        {"policy": {"kind": "never"}}, FirmProfile().model_dump()])
    a = simulate(base, 5).kpis
    b = simulate(explicit, 5).kpis
    pd.testing.assert_frame_equal(a, b, check_exact=True)


# ---------------------------------------------------------------- firms differ
def test_price_factor_scales_revenue_and_loses_customers() -> None:
    p = scenario("stay-home", n_customers=2000, weeks=104, burn_in_weeks=10,
                 **{"market.premium_share": 0.0, "firms.1.price_factor": 2.0})
    model = OffshoringModel(p, rng=3)
    prices = model.prices(np.zeros(4, np.int8))
    assert np.allclose(prices[:, 1] / prices[:, 0], 2.0) and np.all(prices[:, 2] == prices[:, 0])
    model.run_for(p.weeks)
    k = model.kpis()
    per_customer = k["revenue"] / k["customers"]
    scale = p.market.market_size / p.n_customers
    expected = p.market.price_mass * scale * np.where(k["firm"] == 1, 2.0, 1.0)
    assert np.allclose(per_customer, expected, rtol=1e-12)
    acquired = k.groupby("firm")["acquisitions"].sum()
    final = _firm(k, 1)["customers"].iloc[-1]
    assert acquired[1] < 0.8 * min(acquired[0], acquired[2])
    assert final < min(_firm(k, 0)["customers"].iloc[-1], _firm(k, 2)["customers"].iloc[-1])


def test_advertising_sets_the_image_baseline() -> None:
    p = scenario("stay-home", **SHORT, **{"firms.1.advertising": 0.9})
    model = OffshoringModel(p.replace(burn_in_weeks=0), rng=1)
    effect = p.customers.advertising_effect
    assert model.firms[1].equity == image_mod.brand_equity(0.9, effect) == pytest.approx(0.64)
    assert model.firms[0].equity == model.firms[2].equity == image_mod.brand_equity(0.5, effect)
    equity = np.array([f.equity for f in model.firms])
    base = image_mod.baseline(equity, equity)  # reputation starts at brand equity
    assert base[1] == pytest.approx(0.64) and base[0] == pytest.approx(0.60)
    assert model.population.image[:, 1].mean() > model.population.image[:, 0].mean() + 0.03


def test_hourly_cost_changes_only_that_firms_service_cost() -> None:
    p = scenario("stay-home", **SHORT, **{"firms.1.hourly_cost": 110.0})
    k = simulate(p, 2).kpis
    per_head = k["service_cost"] / k["home_heads"]
    home = p.home
    unit = home.paid_hours_week * p.market.productive_share
    assert np.allclose(per_head[k["firm"] == 0], unit * 55.0, rtol=1e-12)
    assert np.allclose(per_head[k["firm"] == 1], unit * 110.0, rtol=1e-12)
    assert np.allclose(per_head[k["firm"] == 2], unit * 55.0, rtol=1e-12)


def test_variable_cost_share_per_firm() -> None:
    p = scenario("stay-home", **SHORT, **{"firms.2.variable_cost_share": 0.5})
    model = OffshoringModel(p, rng=2)
    seen = {}
    original = model.observation

    def spy(w: int) -> None:
        seen.update({f.index: (f.ledger.variable_cost, f.ledger.revenue) for f in model.firms})
        original(w)

    model.observation = spy
    model.run_for(1)
    assert seen[2][0] == pytest.approx(0.5 * seen[2][1])
    assert seen[0][0] == pytest.approx(0.35 * seen[0][1])


# ---------------------------------------------------------------- the whole market offshores
@pytest.fixture(scope="module")
def market_run(request):
    stepped = request.getfixturevalue("stepped")
    p = scenario("market-offshores-morocco", n_customers=1000, weeks=150, burn_in_weeks=20)
    return stepped(p, 4, 150)


def test_every_firm_cuts_over_at_its_own_week(market_run) -> None:
    p, k = market_run.params, market_run.kpis
    notice = p.workforce.notice_weeks
    for i, firm in enumerate(market_run.model.firms):
        announce = p.firm(i).policy.week
        assert firm.announce_week == announce
        assert firm.cutover_week == announce + notice
        assert market_run.model.vendor.contracts[i].live
        d = _firm(k, i)
        assert list(d.index[d["announcement"]]) == [announce]
        assert list(d.index[d["cutover"]]) == [announce + notice]
        assert (d.loc[: announce + notice - 1, "offshore_share"] == 0).all()
        assert (d.loc[announce + notice:, "offshore_share"] > 0).all()
        assert (d.loc[: announce + notice - 1, "vendor_heads"] == 0).all()
        assert (d.loc[announce + notice:, "vendor_heads"] > 0).all()


def test_market_run_invariants(market_run, kpi_check) -> None:
    assert market_run.violations == {}  # customers + prospects == n_customers every week
    assert kpi_check(market_run.kpis, market_run.params, market_run.weeks) == []
    counts = np.array([c.sum() for c in market_run.population_counts])
    assert counts.max() <= market_run.params.n_customers


def test_vendor_events_hit_every_live_contract() -> None:
    """A vendor outage cuts every firm's offshore capacity; a breach makes news for each."""
    p = scenario("market-offshores-morocco", n_customers=600, weeks=60, burn_in_weeks=5,
                 **{"policy.week": 2, "rivals.lag_weeks": 3,
                    "shocks": [{"kind": "outage", "week": 40, "weeks": 2}]})
    model = OffshoringModel(p, rng=1)
    model.run_for(40)  # week 39 done: every contract live
    assert all(c.live for c in model.vendor.contracts.values())
    before = [model.channel(f, True, 10).queue.service_level for f in model.firms]
    model.run_for(1)   # week 40: the outage starts
    assert not model.vendor.link_up
    after = [model.channel(f, True, 10).queue.service_level for f in model.firms]
    assert all(a < b for a, b in zip(after, before, strict=True))
    assert _firm(model.kpis(), 2).loc[40, "outage"]


def test_rivals_offshore_while_the_focal_firm_stays() -> None:
    p = scenario("rivals-offshore-morocco", n_customers=800, weeks=45, burn_in_weeks=10)
    k = simulate(p, 1).kpis
    assert (_firm(k, 0)["offshore_share"] == 0).all()
    for i in (1, 2):
        d = _firm(k, i)
        assert list(d.index[d["announcement"]]) == [26]
        assert (d.loc[40:, "offshore_share"] > 0).all()
