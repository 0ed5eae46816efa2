"""Destination, market and scenario presets.

Site values come from ../shared/FACTS.md where a figure exists; the source is
recorded in ``SOURCES`` and shown by ``offshoring scenarios`` and docs/ODD.md.
Everything else is an assumption and belongs in sensitivity analyses.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from model.params import MarketParams, ParameterError, Params, SiteProfile, build, shown

# ---------------------------------------------------------------- sites (destinations)
SITES: dict[str, dict[str, Any]] = {
    "france": dict(name="France (home)", country="FR"),
    "morocco": dict(name="Morocco", country="MA", hourly_cost=14.0, annual_attrition=0.075,
                    ramp_weeks=19.0, initial_proficiency=0.55, language_fit=0.80,
                    customer_orientation=0.70, procedure_rigor=0.5, aht_factor=1.1,
                    paid_hours_week=44.0, observes_ramadan=True, extended_hours_gain=0.03,
                    outage_rate=0.5, breach_rate=0.1),
    "tunisia": dict(name="Tunisia", country="TN", hourly_cost=14.0, annual_attrition=0.075,
                    ramp_weeks=19.0, initial_proficiency=0.55, language_fit=0.80,
                    customer_orientation=0.70, procedure_rigor=0.5, aht_factor=1.1,
                    paid_hours_week=44.0, observes_ramadan=True, extended_hours_gain=0.03,
                    outage_rate=0.5, breach_rate=0.1),
    "romania": dict(name="Romania", country="RO", hourly_cost=14.0, annual_attrition=0.25,
                    ramp_weeks=19.0, initial_proficiency=0.5, language_fit=0.78,
                    customer_orientation=0.70, procedure_rigor=0.55, aht_factor=1.1,
                    paid_hours_week=40.0, extended_hours_gain=0.02, outage_rate=0.3,
                    breach_rate=0.1),
    "outsourcer-fr": dict(name="Onshore outsourcer (France)", country="FR", hourly_cost=26.5,
                          annual_attrition=0.35, ramp_weeks=12.0, language_fit=1.0,
                          customer_orientation=0.60, procedure_rigor=0.5, aht_factor=1.0,
                          paid_hours_week=35.0, outage_rate=0.1, breach_rate=0.1,
                          onshore_outsourcer=True),
    "us": dict(name="United States (home)", country="US", hourly_cost=36.0, monthly_pay=3000.0,
               annual_attrition=0.375, ramp_weeks=9.3, paid_hours_week=40.0),
    "india": dict(name="India", country="IN", hourly_cost=15.0, annual_attrition=0.425,
                  ramp_weeks=19.0, initial_proficiency=0.45, language_fit=0.64,
                  customer_orientation=0.70, procedure_rigor=0.6, aht_factor=1.25,
                  paid_hours_week=45.0, extended_hours_gain=0.05, outage_rate=0.5,
                  outage_weeks=1.5, breach_rate=0.2),
    "philippines": dict(name="Philippines", country="PH", hourly_cost=16.0,
                        annual_attrition=0.40, ramp_weeks=19.0, initial_proficiency=0.5,
                        language_fit=0.80, customer_orientation=0.75, procedure_rigor=0.55,
                        aht_factor=1.1, paid_hours_week=45.0, extended_hours_gain=0.05,
                        outage_rate=0.5, breach_rate=0.15),
    "outsourcer-us": dict(name="Onshore outsourcer (US)", country="US", hourly_cost=28.5,
                          annual_attrition=0.45, ramp_weeks=12.0, language_fit=1.0,
                          customer_orientation=0.60, procedure_rigor=0.5, paid_hours_week=40.0,
                          outage_rate=0.1, breach_rate=0.1, onshore_outsourcer=True),
}

#: Sources of preset values that are not the class defaults (others: assumption).
SOURCES: dict[str, dict[str, str]] = {
    "morocco": {
        "hourly_cost": "offshore vendor rate ~14 EUR/h in the Maghreb (AFRC via Banque des "
                       "Territoires, M); 12-14 EUR/h (Leaders.com.tn; Bladi.net, M)",
        "annual_attrition": "Maghreb offshore 5-10 %/yr (Webhelp via Bladi.net, M)",
        "ramp_weeks": "international offshore 6 wk + > 3 months (Cornell, H)",
        "paid_hours_week": "48 h legal week (Aujourd'hui le Maroc, M); 44 h contracted "
                           "assumption",
        "language_fit": "ease of understanding 54 % vs 85 % offshore (CFI, M); French "
                        "widely spoken: assumption above India",
    },
    "tunisia": {
        "hourly_cost": "offshore vendor rate ~14 EUR/h in the Maghreb (AFRC via Banque des "
                       "Territoires, M); 12-14 EUR/h (Leaders.com.tn; Bladi.net, M)",
        "annual_attrition": "Maghreb offshore 5-10 %/yr (Webhelp via Bladi.net, M)",
        "ramp_weeks": "international offshore 6 wk + > 3 months (Cornell, H)",
        "paid_hours_week": "48 h legal week in the Maghreb (Aujourd'hui le Maroc, M); 44 h "
                           "contracted assumption",
        "language_fit": "ease of understanding 54 % vs 85 % offshore (CFI, M); French "
                        "widely spoken: assumption above India",
    },
    "romania": {
        "hourly_cost": "850-1,200 EUR gross/month foreign-language agents (Capital.ro, M), "
                       "loaded: assumption",
        "ramp_weeks": "international offshore 6 wk + > 3 months (Cornell, H)",
    },
    "outsourcer-fr": {
        "hourly_cost": "French outsourcer 25-28 EUR/h (AFRC via Banque des Territoires; "
                       "Assemblee nationale report 242, M)",
    },
    "us": {
        "hourly_cost": "in-house fully loaded ~5,000 $/seat-month (Dimension Data, M) over "
                       "40 h x 52/12 x 0.8 production hours = 36 $/h; US staffing 30-60 $ "
                       "per agent hour (DMG Consulting in Callcenter Magazine, M)",
        "monthly_pay": "assumption: US agent pay with benefits ~3,000 $/month (range "
                       "2,500-3,800)",
        "annual_attrition": "US 25-50 %/yr (Global Call Center Report 2007, M)",
    },
    "outsourcer-us": {
        "hourly_cost": "US 22-35 $/h (Site Selection Group, M/L), read as an outsourcer's "
                       "rate: midpoint",
    },
    "india": {
        "hourly_cost": "vendor rate 13-18 $ per agent hour in India and the Philippines (DMG "
                       "Consulting in Callcenter Magazine, M); agent labour 5-9 $/h (Site "
                       "Selection Group, M/L) is ~30-40 % of a vendor's rate (PITON-Global; "
                       "BearingPoint: personnel 36 % of offshore cost, M)",
        "annual_attrition": "India 25-60 %/yr (NASSCOM, M)",
        "aht_factor": "Indian calls > 1 min longer; UK 25 % more calls/h (ContactBabel, M)",
        "language_fit": "ease of understanding 54 % vs 85 % (CFI Group, M)",
        "outage_severity": "2008 cable cuts ~50 % of bandwidth (BBC, M)",
    },
    "philippines": {
        "hourly_cost": "vendor rate 13-18 $ per agent hour (DMG Consulting in Callcenter "
                       "Magazine, M); labour 8-14 $/h (Site Selection Group, M/L), above "
                       "India's",
        "annual_attrition": "not found from a reliable source: assumption",
    },
}

# ---------------------------------------------------------------- markets
MARKETS: dict[str, dict[str, Any]] = {
    "telecom": dict(name="telecom", monthly_churn_target=0.010),
    "broadband": dict(name="broadband", monthly_churn_target=0.010, price_mass=6.35,
                      contact_rate_mass=0.027, contact_rate_premium=0.037),
    "us-telecom": dict(name="us-telecom", currency="USD", monthly_churn_target=0.010,
                       price_mass=9.8, acquisition_cost=300.0),
    "bank": dict(name="bank", monthly_churn_target=0.003, price_mass=6.0,
                 premium_price_factor=3.0, contact_rate_mass=0.03, contact_rate_premium=0.05,
                 sensitive_share=0.6, acquisition_cost=250.0, variable_cost_share=0.3),
}
MARKET_SOURCES: dict[str, dict[str, str]] = {
    "telecom": {
        "monthly_churn_target": "US postpaid mobile 0.8-1.0 %/month (Statista, M), as a proxy "
                                "for a French mobile operator",
        "price_mass": "mobile plan ARPU ~14 EUR/month (Arcep, M)",
        "contact_rate_mass": "2.5 calls per mobile subscriber per year (Oliver Wyman 2013, M)",
    },
    "broadband": {
        "monthly_churn_target": "French internet providers 1.9-4.4 %/quarter (LeMagIT, M) = "
                                "0.6-1.5 %/month",
        "price_mass": "fixed box ARPU ~33 EUR/month (Arcep, M)",
        "contact_rate_mass": "1.8 calls per fixed subscriber per year (Oliver Wyman 2013, M)",
        "contact_rate_premium": "assumption: 1.4 x the mass rate, range 1-2",
    },
    "us-telecom": {
        "monthly_churn_target": "US postpaid mobile 0.8-1.0 %/month (Statista, M)",
        "price_mass": "T-Mobile USA ARPU ~51 $/month (Q1 2006 results via TG Daily, L)",
        "acquisition_cost": "cost per gross add ~300 $ incl. handset subsidy (industry blog, L)",
        "contact_rate_mass": "2.5 calls per mobile subscriber per year (Oliver Wyman 2013, "
                             "European benchmark, M)",
    },
    "bank": {
        "monthly_churn_target": "French banks 2.5-5.5 %/yr ~ 0.3 %/month (Bain via "
                                "Boursier.com, M)",
        "variable_cost_share": "assumption, range 0.1-0.5",
    },
}

#: The all-at-home scenario of each market (calibration runs it).
STAY_HOME: dict[str, str] = {"telecom": "stay-home", "broadband": "broadband-stay-home",
                             "us-telecom": "us-stay-home", "bank": "bank-stay-home"}


def site(name: str) -> SiteProfile:
    """A site profile by preset name (``offshoring scenarios`` lists them)."""
    try:
        return SiteProfile(**SITES[name])
    except KeyError:
        raise ParameterError(f"unknown site '{name}': allowed {', '.join(SITES)}") from None


def market(name: str) -> MarketParams:
    """A market profile by preset name."""
    try:
        return MarketParams(**MARKETS[name])
    except KeyError:
        raise ParameterError(f"unknown market '{name}': allowed {', '.join(MARKETS)}") from None


ALL_PRACTICES = {"practices.cultural_adaptation": True, "practices.internal_communication": True,
                 "practices.procedures": True, "practices.link_redundancy": True,
                 "practices.data_security": True}

# name -> (description, market, home, destination, overrides)
class Scenario(NamedTuple):
    """A named scenario: what it is, and the presets and overrides that build it."""

    description: str              #: one line, shown by ``offshoring scenarios``
    market: str                   #: a key of ``MARKETS``
    home: str                     #: a key of ``SITES``: where the firms serve from today
    destination: str              #: a key of ``SITES``: where a relocation goes
    overrides: dict[str, Any]     #: dotted parameter overrides (policy, practices, rivals)


SCENARIOS: dict[str, Scenario] = {
    "stay-home": Scenario(
        "French telecom firm keeps customer relations at home",
        market="telecom", home="france", destination="morocco",
        overrides={"policy.kind": "never"}),
    "offshore-morocco": Scenario(
        "Offshore 70 % of contacts to Morocco at week 26, no practices",
        market="telecom", home="france", destination="morocco",
        overrides={"policy.kind": "offshore"}),
    "offshore-morocco-practices": Scenario(
        "Offshore to Morocco with all five practices",
        market="telecom", home="france", destination="morocco",
        overrides={"policy.kind": "offshore", **ALL_PRACTICES}),
    "offshore-tunisia": Scenario(
        "Offshore 70 % to Tunisia at week 26",
        market="telecom", home="france", destination="tunisia",
        overrides={"policy.kind": "offshore"}),
    "offshore-romania": Scenario(
        "Offshore 70 % to Romania at week 26",
        market="telecom", home="france", destination="romania",
        overrides={"policy.kind": "offshore"}),
    "tiered-morocco": Scenario(
        "Mass, non-sensitive contacts to Morocco; premium and billing at home",
        market="telecom", home="france", destination="morocco",
        overrides={"policy.kind": "tiered", "policy.share": 1.0}),
    "outsource-france": Scenario(
        "Outsource 70 % to a French onshore outsourcer at week 26",
        market="telecom", home="france", destination="outsourcer-fr",
        overrides={"policy.kind": "outsource"}),
    "cost-driven-morocco": Scenario(
        "Relocate to Morocco when projected savings exceed 25 %",
        market="telecom", home="france", destination="morocco",
        overrides={"policy.kind": "cost_driven"}),
    "adaptive-morocco": Scenario(
        "Cost-driven to Morocco, reshoring partly when service or savings stay below the "
        "business case",
        market="telecom", home="france", destination="morocco",
        overrides={"policy.kind": "adaptive"}),
    "broadband-stay-home": Scenario(
        "French internet provider keeps customer relations at home",
        market="broadband", home="france", destination="morocco",
        overrides={"policy.kind": "never"}),
    "broadband-offshore-morocco": Scenario(
        "French internet provider offshores 70 % to Morocco at week 26",
        market="broadband", home="france", destination="morocco",
        overrides={"policy.kind": "offshore"}),
    "us-stay-home": Scenario(
        "US telecom firm keeps customer relations at home",
        market="us-telecom", home="us", destination="india",
        overrides={"policy.kind": "never"}),
    "us-india": Scenario(
        "US telecom firm offshores 70 % to India at week 26",
        market="us-telecom", home="us", destination="india",
        overrides={"policy.kind": "offshore"}),
    "us-philippines": Scenario(
        "US telecom firm offshores 70 % to the Philippines at week 26",
        market="us-telecom", home="us", destination="philippines",
        overrides={"policy.kind": "offshore"}),
    "us-outsource": Scenario(
        "US telecom firm outsources 70 % to a US onshore outsourcer at week 26",
        market="us-telecom", home="us", destination="outsourcer-us",
        overrides={"policy.kind": "outsource"}),
    "market-offshores-morocco": Scenario(
        "The whole market offshores 70 % to Morocco: the focal firm at week 26, rivals "
        "follow 52 and 104 weeks later",
        market="telecom", home="france", destination="morocco",
        overrides={"policy.kind": "offshore", "rivals.policy": "follow", "rivals.lag_weeks": 52}),
    "rivals-offshore-morocco": Scenario(
        "The focal firm stays home while its rivals offshore 70 % to Morocco at week 26",
        market="telecom", home="france", destination="morocco",
        overrides={"policy.kind": "never",
                   "firms.1.policy.kind": "offshore",
                   "firms.2.policy.kind": "offshore"}),
    "bank-stay-home": Scenario(
        "French bank keeps customer relations at home",
        market="bank", home="france", destination="morocco",
        overrides={"policy.kind": "never"}),
    "bank-offshore-morocco": Scenario(
        "French bank offshores 70 % to Morocco at week 26",
        market="bank", home="france", destination="morocco",
        overrides={"policy.kind": "offshore"}),
}

DEFAULT_SCENARIO = "offshore-morocco"


def scenario(name: str, **overrides: Any) -> Params:
    """Params of a named scenario, with optional dotted overrides."""
    if not isinstance(name, str) or name not in SCENARIOS:
        raise ParameterError(f"unknown scenario {shown(name)}: allowed {', '.join(SCENARIOS)}")
    sc = SCENARIOS[name]
    base = Params(market=market(sc.market), home=site(sc.home), destination=site(sc.destination))
    return build(base, {**sc.overrides, **overrides})


def describe() -> list[tuple[str, str]]:
    """(name, one-line description) of every scenario preset."""
    return [(name, sc.description) for name, sc in SCENARIOS.items()]
