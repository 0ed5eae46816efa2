"""Accounting (model.economics): ledger, discounting, pay and projected saving."""

from __future__ import annotations

import pytest

from model.economics import Ledger, discount_factor, production_cost, projected_saving, weekly_pay


def test_discount_factor_hand_values() -> None:
    """One unit at the end of week w is worth (1 + r)^(-(w + 1) / 52)."""
    assert discount_factor(51, 0.08) == pytest.approx(1 / 1.08)
    assert discount_factor(103, 0.08) == pytest.approx(1 / 1.08 ** 2)
    assert discount_factor(0, 0.08) == pytest.approx(1.08 ** (-1 / 52))
    assert discount_factor(500, 0.0) == 1.0


def test_annuity_sums_to_the_closed_form() -> None:
    """52 weekly payments of 1 at r: sum v^k, k = 1..52, v = (1 + r)^(-1/52)."""
    r = 0.08
    v = (1 + r) ** (-1 / 52)
    closed = v * (1 - v ** 52) / (1 - v)
    assert sum(discount_factor(w, r) for w in range(52)) == pytest.approx(closed)


def test_ledger_totals() -> None:
    """Profit is the contribution margin less every other cost."""
    led = Ledger(revenue=3000.0, variable_cost=1000.0, home_wages=300.0, vendor_billing=200.0,
                 practices=50.0, transition=100.0, severance=80.0, hiring=20.0,
                 acquisition=40.0, exit_penalty=10.0)
    assert led.service_cost == 550.0
    assert led.margin == 2000.0
    assert led.total_cost == 1800.0
    assert led.profit == 1200.0 == led.margin - 800.0
    assert led.service_cost == 550.0 and led.revenue == 3000.0
    assert Ledger().profit == 0.0


def test_weekly_pay() -> None:
    """A month is 52 / 12 weeks: 2,200 a month is 507.69 a week."""
    assert weekly_pay(2200.0) == pytest.approx(2200.0 * 12 / 52)


def test_production_cost_prices_production_hours() -> None:
    """10 agents x 35 paid h x 0.8 on the phones x 55 per hour = 15,400 a week."""
    assert production_cost(10, 55.0, 35.0, 0.8) == pytest.approx(15_400.0)
    assert production_cost(0, 55.0, 35.0, 0.8) == 0.0


def test_projected_saving() -> None:
    """1 - (site + extra) x AHT / home: Morocco 1 - 13 x 1.1 / 22.5 = 0.3644."""
    assert projected_saving(20.0, 10.0, 1.0) == pytest.approx(0.5)
    assert projected_saving(20.0, 9.0, 1.0, 1.0) == pytest.approx(0.5)
    assert projected_saving(22.5, 13.0, 1.1) == pytest.approx(1 - 14.3 / 22.5)
    assert projected_saving(20.0, 20.0, 1.2) < 0  # dearer than home


def test_practice_costs_are_charged_per_production_hour() -> None:
    """All five practices at the vendor: (cultural 0.3 + procedures 0.4) per production
    hour (heads x paid hours x productive share) plus the weekly redundancy 2,000 and
    security 1,500 fees, as the cost-driven policy plans them."""
    from model.model import OffshoringModel
    from model.presets import scenario

    m = OffshoringModel(scenario("offshore-morocco-practices", n_customers=500,
                                 burn_in_weeks=4), rng=5)
    m.run_for(60)
    heads = m.vendor.contracts[0].heads
    site, pr = m.params.destination, m.params.practices
    expected = (heads * site.paid_hours_week * m.params.market.productive_share
                * (pr.cultural_cost + pr.procedures_cost) + pr.redundancy_cost
                + pr.security_cost)
    assert heads > 0
    assert m._practice_cost(heads) == pytest.approx(expected)
