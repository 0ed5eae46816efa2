"""Accounting: the weekly ledger of each firm, and discounting to NPV.

Money is in the market's currency and at real-market scale: the simulated
customers stand for ``market.market_size`` real ones, so revenue and
acquisition costs are multiplied by market_size / n_customers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class Ledger:
    """One firm's money flows in one week (currency)."""

    revenue: float = 0.0
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
        """Running cost of customer service: home wages, vendor billing, practices."""
        return self.home_wages + self.vendor_billing + self.practices

    @property
    def total_cost(self) -> float:
        return sum(getattr(self, f.name) for f in fields(self) if f.name != "revenue")

    @property
    def profit(self) -> float:
        return self.revenue - self.total_cost

    def as_dict(self) -> dict[str, float]:
        d = asdict(self)
        d.update(service_cost=self.service_cost, total_cost=self.total_cost, profit=self.profit)
        return d


def discount_factor(week: int, annual_rate: float) -> float:
    """Present value of one unit paid at the end of ``week`` (weeks from 0)."""
    return (1.0 + annual_rate) ** (-(week + 1) / 52.0)


def weekly_pay(hourly_cost: float, paid_hours_week: float) -> float:
    """Cost of one employee-week."""
    return hourly_cost * paid_hours_week


def projected_saving(home_hourly: float, site_hourly: float, aht_factor: float,
                     extra_per_hour: float = 0.0) -> float:
    """Share of the cost of handling a contact that a site saves: 1 - site x AHT / home.

    This is the cost-driven policy's view: hourly prices and handle time only,
    blind to churn, learning and one-off costs.
    """
    return 1.0 - (site_hourly + extra_per_hour) * aht_factor / home_hourly
