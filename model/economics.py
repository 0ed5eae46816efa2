"""Accounting: the weekly ledger of each firm, and discounting to NPV.

Money is in the market's currency and at real-market scale: the simulated
customers stand for ``market.market_size`` real ones, so revenue and
acquisition costs are multiplied by market_size / n_customers.

A customer is worth its contribution margin: revenue minus the variable cost
of serving it (``market.variable_cost_share`` of its price). A service hour
is priced by who runs it (``SiteProfile.hourly_cost``, per production hour:
the in-house team's fully loaded cost at home, a vendor's or outsourcer's
billing rate); production hours are paid hours x ``market.productive_share``.
Severance and hiring are counted in weeks of an agent's pay
(``SiteProfile.monthly_pay``), not of the fully loaded hour.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Ledger:
    """One firm's money flows in one week (currency)."""

    revenue: float = 0.0
    variable_cost: float = 0.0
    home_wages: float = 0.0
    vendor_billing: float = 0.0
    practices: float = 0.0
    transition: float = 0.0
    severance: float = 0.0
    hiring: float = 0.0
    acquisition: float = 0.0
    exit_penalty: float = 0.0

    @property
    def service_cost(self) -> float:
        """Running cost of customer service: home team, vendor billing, practices."""
        return self.home_wages + self.vendor_billing + self.practices

    @property
    def margin(self) -> float:
        """Contribution margin: revenue minus the variable cost of serving the customers."""
        return self.revenue - self.variable_cost

    @property
    def total_cost(self) -> float:
        # every field but revenue, in field order: the sum Python computes is order-dependent
        return sum((self.variable_cost, self.home_wages, self.vendor_billing, self.practices,
                    self.transition, self.severance, self.hiring, self.acquisition,
                    self.exit_penalty))

    @property
    def profit(self) -> float:
        return self.revenue - self.total_cost


def discount_factor(week: int, annual_rate: float) -> float:
    """Present value of one unit paid at the end of ``week`` (weeks from 0)."""
    return (1.0 + annual_rate) ** (-(week + 1) / 52.0)


def weekly_pay(monthly_pay: float) -> float:
    """Employer cost of one agent's pay for one week (currency): monthly x 12 / 52."""
    return monthly_pay * 12.0 / 52.0


def production_cost(heads: float, hourly_cost: float, paid_hours_week: float,
                    productive_share: float) -> float:
    """Weekly cost of ``heads`` agents: their production hours x the cost of an hour.

    A production hour is a paid hour on the phones (paid hours x productive
    share): the unit in which in-house costs and vendor rates are quoted.
    """
    return heads * paid_hours_week * productive_share * hourly_cost


def projected_saving(home_hourly: float, site_hourly: float, aht_factor: float,
                     extra_per_hour: float = 0.0) -> float:
    """Share of the cost of handling a contact that a site saves: 1 - site x AHT / home.

    This is the cost-driven policy's view: hourly prices and handle time only,
    blind to churn, learning and one-off costs.
    """
    return 1.0 - (site_hourly + extra_per_hour) * aht_factor / home_hourly
