"""The one parameter structure: names, defaults, ranges, units and sources.

Everything else derives from it: the CLI and TOML files, the browser controls,
sweep specs and the parameter table of docs/ODD.md. Models are frozen pydantic
models that refuse unknown names, wrong types and values out of range.

A field's metadata (``json_schema_extra``) carries its ``unit`` and ``source``.
``source`` cites ../shared/FACTS.md; a value without a published figure says
``"assumption"`` and belongs in the sensitivity analysis.
"""

from __future__ import annotations

import functools
import re
import reprlib
from collections.abc import Iterator, Mapping
from enum import StrEnum
from types import UnionType
from typing import Any, get_args

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

ASSUMPTION = "assumption"


def printable(text: str) -> str:
    """``text`` with every non-printable character escaped (``\\n``, ``\\x1b``, ``\\u2028``).

    Messages echo names and values from files and the command line; escaping
    keeps them on one line and keeps terminal escape sequences from acting.
    """
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c.isprintable():
            out.append(c)
        elif c in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        else:
            n = ord(c)
            out.append(f"\\x{n:02x}" if n <= 0xFF else f"\\u{n:04x}" if n <= 0xFFFF
                       else f"\\U{n:08x}")
    return "".join(out)


class ParameterError(ValueError):
    """A parameter value, name or file was refused; the message is one line.

    The message is escaped (``printable``) once here, so every raise site may
    echo what it was given.
    """

    def __init__(self, message: object = "") -> None:
        super().__init__(printable(str(message)))


#: Echoed values: bounded in length and depth, non-printables escaped by repr.
_REPR = reprlib.Repr(maxlevel=3, maxstring=60, maxother=60, maxlist=6, maxtuple=6,
                     maxdict=4, maxset=6, maxlong=40)


def shown(value: Any) -> str:
    """A value as echoed in a message: its repr, shortened (deep or long input)."""
    try:
        return _REPR.repr(value)
    except ValueError:  # an integer of more than 4,300 digits
        return f"<{type(value).__name__} too large to show>"


def P(default: Any,  # noqa: N802 (short: the field table reads as a table)
       lo: float | None = None, hi: float | None = None, *, unit: str = "",
      source: str = ASSUMPTION, doc: str = "",
      plausible: tuple[float, float] | None = None) -> Any:
    """A field with bounds, unit and source (``lo``/``hi`` inclusive).

    ``lo``/``hi`` are what the model accepts; ``plausible`` is the narrower
    range the evidence leaves open (its reason is in ``source``), the range
    sensitivity analyses and explorations sample.
    """
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if plausible is not None:
        extra["plausible"] = list(plausible)
    return Field(default, ge=lo, le=hi, description=doc, json_schema_extra=extra)


class Frozen(BaseModel):
    """Base: immutable, no unknown names, no silent type coercion of strings to numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False,
                              validate_default=True, use_enum_values=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_coercion(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse text for numbers and anything but true/false for switches."""
        kind = cls.model_fields[info.field_name].annotation
        if value is not None and isinstance(kind, UnionType):  # ``float | None``: as float
            kind = next((a for a in get_args(kind) if a is not type(None)), kind)
        if kind is bool and not isinstance(value, bool | np.bool_):
            raise ValueError("expected true or false")
        if kind in (int, float) and isinstance(value, str | bool):
            raise ValueError("expected a number")
        return value


# --------------------------------------------------------------------------- sites
class SiteProfile(Frozen):
    """A contact-centre site: the home team or an offshore/onshore vendor.

    Money is in the home market's currency (EUR for France, USD for the US).
    """

    name: str = P("France (home)", doc="Display name of the site")
    country: str = P("FR", doc="ISO country code")
    hourly_cost: float = P(55.0, 1.0, 200.0, unit="currency/production hour",
                           source="France in-house 50-60 EUR/h (AFRC via Banque des "
                                  "Territoires, M); ~70 EUR/h (Assemblee nationale report 242, "
                                  "2012, M). Range 50-70: the two sources",
                           plausible=(50.0, 70.0),
                           doc="Fully loaded cost of one production hour, by who runs the "
                               "site: the firm's own cost at home (wages and charges, "
                               "supervision, training, facilities, IT, telephony); the "
                               "billing rate at a vendor or outsourcer")
    monthly_pay: float = P(2200.0, 100.0, 20000.0, unit="currency/agent-month",
                           source="French adviser 1,520 EUR/month (A.T. Kearney via Les Echos "
                                  "2012, M/L) x employer charges ~1.45 (assumption); range "
                                  "1,900-2,600 for charges 1.25-1.7",
                           plausible=(1900.0, 2600.0),
                           doc="Employer cost of one agent's pay (prices severance and "
                               "hiring, which are counted in months of pay; home site only)")
    annual_attrition: float = P(0.30, 0.0, 1.5, unit="1/year",
                                source="France ~30 % (Webhelp via Bladi.net, M)",
                                doc="Share of agents leaving per year at normal morale")
    ramp_weeks: float = P(9.3, 1.0, 52.0, unit="weeks",
                          source="domestic 2.3 wk training + 7 wk (Cornell Global Call Center, H)",
                          doc="Weeks for a new agent to reach 90 % of full proficiency")
    initial_proficiency: float = P(0.5, 0.0, 1.0, unit="share",
                                   doc="Proficiency of an agent on the first week after training")
    language_fit: float = P(1.0, 0.0, 1.0, unit="probability",
                            source="ease of understanding 85 % home vs 54 % offshore "
                                   "(CFI Group via Connections Magazine, M) -> relative fit",
                            doc="Probability that a home-market customer understands the agent "
                                "without effort")
    customer_orientation: float = P(0.80, 0.0, 1.0, unit="index 0-1",
                                    source="Walsh et al. 2012 (H, direction only); level "
                                           "assumption",
                                    doc="Perceived customer orientation of agents (training)")
    procedure_rigor: float = P(0.6, 0.0, 1.0, unit="index 0-1",
                               doc="Written procedures: shrinks week-to-week variation of "
                                   "resolution")
    aht_factor: float = P(1.0, 0.5, 2.0, unit="x home handle time",
                          source="Indian calls > 1 min longer; UK agents 25 % more calls/h "
                                 "(ContactBabel, M)",
                          doc="Average handle time relative to the market's home value")
    paid_hours_week: float = P(35.0, 10.0, 60.0, unit="hours/week",
                               source="35 h France vs 48 h Maghreb legal week "
                                      "(Aujourd'hui le Maroc, M)",
                               doc="Paid hours per agent per week")
    observes_ramadan: bool = P(False, doc="Staff availability dips in Ramadan weeks")
    ramadan_availability: float = P(0.85, 0.3, 1.0, unit="share",
                                    doc="Availability in Ramadan weeks without cultural "
                                        "adaptation (Ramadan productivity: not found)")
    extended_hours_gain: float = P(0.0, 0.0, 0.2, unit="quality points",
                                   doc="Accessibility gain of longer opening hours at no "
                                       "premium")
    outage_rate: float = P(0.0, 0.0, 12.0, unit="1/year",
                           doc="Rate of link outages cutting the site from home customers "
                               "(link-failure frequency: not found)")
    outage_weeks: float = P(1.0, 0.0, 8.0, unit="weeks",
                            source="2008 cable cuts: ~50 % of India's bandwidth for a week or "
                                   "more (BBC, M)",
                            doc="Mean duration of an outage")
    outage_severity: float = P(0.5, 0.0, 1.0, unit="share of capacity",
                               source="~50 % of bandwidth lost in 2008 (BBC, M)",
                               doc="Share of capacity lost during an outage")
    breach_rate: float = P(0.0, 0.0, 4.0, unit="1/year", doc="Rate of data-breach events")
    onshore_outsourcer: bool = P(False, doc="An outsourcer in the home country (checks "
                                            "'outsourcing, not geography')")


# --------------------------------------------------------------------------- market
class MarketParams(Frozen):
    """The home market: prices, contacts, baseline churn and service targets."""

    name: str = P("telecom", doc="Market preset name")
    currency: str = P("EUR", doc="Currency of all money amounts")
    market_size: float = P(1.5e6, 1e3, 1e9, unit="real customers",
                           doc="Customers in the real market that the simulated population "
                               "represents (sets queue volumes and money; agent count does not)")
    monthly_churn_target: float = P(0.010, 0.0005, 0.10, unit="1/month",
                                    source="US postpaid mobile 0.8-1.0 %/month "
                                           "(carriers via Statista, M)",
                                    doc="Monthly churn with everything at home (calibration "
                                        "target)")
    price_mass: float = P(2.7, 0.1, 1000.0, unit="currency/customer-week",
                          source="mobile plan ARPU ~14 EUR/month (Arcep, M): mean price "
                                 "(1 - premium_share + premium_share x premium_price_factor) "
                                 "x price_mass = 14 EUR/month",
                          doc="Revenue per mass-segment customer per week")
    variable_cost_share: float = P(0.35, 0.0, 0.95, unit="share of revenue",
                                   source="assumption, range 0.2-0.5: interconnect, bad debt "
                                          "and retention handsets (lower end, assumption); "
                                          "cash cost per user / ARPU ~0.50 at T-Mobile USA "
                                          "2006 (TG Daily, L) includes fixed network and G&A "
                                          "costs (upper bound); EBITDA margins ~30 % (T-Mobile "
                                          "USA 2009-10 results) are net of fixed costs",
                                   plausible=(0.2, 0.5),
                                   doc="Variable cost of serving a customer (network use, "
                                       "interconnect, equipment, bad debt) as a share of its "
                                       "price: a lost customer costs the firm its contribution "
                                       "margin, price x (1 - this share)")
    premium_price_factor: float = P(2.0, 1.0, 10.0, unit="x mass price",
                                    doc="Premium price relative to mass")
    premium_share: float = P(0.2, 0.0, 1.0, unit="share of customers",
                             doc="Share of customers in the premium segment")
    contact_rate_mass: float = P(0.037, 0.0, 1.0, unit="contacts/customer-week",
                                 source="2.5 calls per mobile subscriber per year, repeats "
                                        "included (Oliver Wyman 2013, M): new problems "
                                        "~0.04/week, mass and premium mixed",
                                 doc="Weekly probability of a new contact, mass segment")
    contact_rate_premium: float = P(0.052, 0.0, 1.0, unit="contacts/customer-week",
                                    source="assumption: 1.4 x the mass rate, range 1-2 "
                                           "(premium customers use more services)",
                                    doc="Weekly probability of a new contact, premium segment")
    repeat_contact_prob: float = P(0.6, 0.0, 1.0, unit="probability",
                                   doc="Probability that an unresolved problem brings a repeat "
                                       "contact next week")
    sensitive_share: float = P(0.3, 0.0, 1.0, unit="share of contacts",
                               source="Lu, Gregory & Thelen 2020 (H, direction only)",
                               doc="Share of contacts that are personal/billing "
                                   "(data-sensitive)")
    aht_minutes: float = P(6.0, 1.0, 60.0, unit="minutes", doc="Average handle time at home")
    fcr_base: float = P(0.74, 0.1, 1.0, unit="probability",
                        source="domestic first-call resolution 67 % (CFI Group, M) at home "
                               "steady state",
                        doc="First-contact resolution of a fully proficient, fully understood, "
                            "fully oriented agent")
    open_hours_week: float = P(60.0, 10.0, 168.0, unit="hours/week",
                               doc="Opening hours of the service per week")
    patience_minutes: float = P(3.0, 0.1, 60.0, unit="minutes",
                                doc="Mean customer patience in the queue (Erlang-A)")
    sl_target: float = P(0.80, 0.1, 0.99, unit="share within 20 s",
                         source="80/20 target (Call Centre Helper survey of > 600 centres, M)",
                         doc="Service level the home team is staffed for")
    productive_share: float = P(0.80, 0.3, 1.0, unit="share of paid hours",
                                doc="Share of paid hours spent on the phones (shrinkage)")
    acquisition_cost: float = P(150.0, 0.0, 1e4, unit="currency/new customer",
                                doc="Marketing cost of acquiring one customer")
    advertising: float = P(0.5, 0.0, 1.0, unit="index 0-1",
                           doc="Advertising pressure of every firm (raises the image baseline)")


# --------------------------------------------------------------------------- customers
class CustomerParams(Frozen):
    """Customer behaviour: satisfaction, word of mouth, churn and adoption."""

    prospect_share: float = P(0.10, 0.0, 0.9, unit="share", doc="Initial share of prospects")
    satisfaction_weight: float = P(0.3, 0.05, 0.9, unit="weight",
                                   source="anchoring and adjustment (Bolton 1998, H); weight "
                                          "not found: sweep 0.1-0.5",
                                   plausible=(0.1, 0.5),
                                   doc="lambda: weight of the latest experience in the "
                                       "cumulative satisfaction of a new customer")
    satisfaction_tenure_weeks: float = P(104.0, 1.0, 5200.0, unit="weeks",
                                         source="long-tenure customers weigh a new experience "
                                                "less (Bolton 1998, H, direction); level "
                                                "assumption, range 26-520 weeks (half a year "
                                                "to the 10-year horizon)",
                                         plausible=(26.0, 520.0),
                                         doc="Tenure at which the weight of a new experience "
                                             "has halved: lambda / (1 + tenure / this)")
    disconfirmation_weight: float = P(0.5, 0.0, 2.0, unit="weight",
                                      doc="Weight of (quality - expectation) in transaction "
                                          "satisfaction")
    expectation_rate: float = P(0.05, 0.0, 1.0, unit="1/contact",
                                doc="How fast expectation adapts after each contact")
    expectation_anchor: float = P(0.5, 0.0, 1.0, unit="weight",
                                  doc="Weight of the firm's reputation in the expectation "
                                      "target")
    weight_resolution: float = P(0.45, 0.0, 1.0, unit="weight",
                                 source="67 % of service switchers cite first-contact resolution "
                                        "(Accenture, M)",
                                 doc="Weight of resolution in experience quality")
    weight_wait: float = P(0.15, 0.0, 1.0, unit="weight", doc="Weight of (short) waiting")
    weight_comprehension: float = P(0.2, 0.0, 1.0, unit="weight",
                                    doc="Weight of understanding the agent")
    weight_orientation: float = P(0.2, 0.0, 1.0, unit="weight",
                                  source="Walsh et al. 2012 (H)",
                                  doc="Weight of the agent's customer orientation")
    ethnocentrism_mean: float = P(0.3, 0.0, 1.0, unit="index 0-1",
                                  source="Sharma 2012 (H, direction only)",
                                  doc="Mean consumer ethnocentrism (Beta-distributed)")
    ethnocentrism_concentration: float = P(4.0, 0.5, 100.0, unit="Beta a + b",
                                           source="customers differ in their preference for "
                                                  "onshore vs offshore service (Sun & Li 2011, "
                                                  "H); spread assumption, range 2-20",
                                           plausible=(2.0, 20.0),
                                           doc="Concentration of the Beta distribution of "
                                               "ethnocentrism: low = customers differ a lot")
    awareness_bias: float = P(0.08, 0.0, 1.0, unit="quality points at ethnocentrism 1",
                              source="residual beyond the simulated service: 'believed "
                                     "offshore' gap 26 points (CFI 2007) minus the "
                                     "actual-location gap 16-21 (CFI) leaves <= 7.5 CSAT points, "
                                     "~0 once customer orientation is controlled (Walsh et al. "
                                     "2012, H); midpoint 3.75 points = 0.08 x mean ethnocentrism "
                                     "0.3 x (1 + disconfirmation 0.5) x 100",
                              plausible=(0.0, 0.17),
                              doc="Quality subtracted for an aware customer, times "
                                  "ethnocentrism (perception beyond the service itself)")
    awareness_fade: float = P(0.04, 0.0, 1.0, unit="1/week",
                              source="assumption: awareness of where one was served fades over "
                                     "months without a reminder; range 0.01-0.2 (two years to "
                                     "five weeks)",
                              plausible=(0.01, 0.2),
                              doc="Weekly probability that an aware customer forgets that the "
                                  "firm serves from offshore (a new noticed contact or a news "
                                  "story reminds)")
    sensitive_bias_factor: float = P(1.5, 1.0, 3.0, unit="x",
                                     source="Lu, Gregory & Thelen 2020 (H, direction only)",
                                     doc="Awareness bias multiplier for personal/billing "
                                         "contacts")
    notice_prob: float = P(0.2, 0.0, 1.0, unit="probability",
                           doc="Chance a customer served offshore notices it (certain when "
                               "not understood)")
    complaint_prob: float = P(0.15, 0.0, 1.0, unit="probability",
                              source="TARP (M, direction)",
                              doc="Chance a dissatisfied contact complains formally")
    dissatisfied_below: float = P(0.45, 0.0, 1.0, unit="satisfaction 0-1",
                                  doc="Transaction satisfaction below which an experience is "
                                      "negative")
    satisfied_above: float = P(0.75, 0.0, 1.0, unit="satisfaction 0-1",
                               doc="Satisfaction above which an experience is positive / a "
                                   "customer counts as satisfied")
    wom_neg_prob: float = P(0.10, 0.0, 1.0, unit="probability per tie",
                            source="Anderson 1998 (H): dissatisfied talk more per person",
                            doc="Chance a dissatisfied customer tells a strong-tie neighbour")
    wom_pos_prob: float = P(0.05, 0.0, 1.0, unit="probability per tie",
                            source="East, Hammond & Wright 2007 (H): positive ~3x as frequent "
                                   "overall",
                            doc="Chance a satisfied customer tells a strong-tie neighbour")
    weak_tie_factor: float = P(0.3, 0.0, 1.0, unit="x",
                               source="Goldenberg, Libai & Muller 2001 (H): beta_w < beta_s",
                               doc="Talk probability over a weak tie relative to a strong tie")
    wom_influence: float = P(0.10, 0.0, 1.0, unit="share of gap",
                             doc="How far one message moves the receiver's image toward its "
                                 "valence")
    image_memory: float = P(0.02, 0.0, 1.0, unit="1/week",
                            doc="Weekly decay of images toward the firm's baseline")
    reputation_rate: float = P(0.01, 0.0, 1.0, unit="1/week",
                               doc="Weekly adjustment of reputation toward the mean image")
    advertising_effect: float = P(0.1, 0.0, 0.5, unit="image points",
                                  doc="Image baseline gain at full advertising pressure")
    churn_responsive_share: float = P(0.3, 0.0, 1.0, unit="share of baseline hazard",
                                      source="only part of switching follows service "
                                             "encounters (Keaveney 1995, H): service-encounter "
                                             "failures and failed responses ~30 % of causes "
                                             "cited (shares not verified: assumption); range "
                                             "0.15-0.5",
                                      plausible=(0.15, 0.5),
                                      doc="Share of the all-at-home churn hazard that responds "
                                          "to satisfaction and image; the rest (price, moves, "
                                          "involuntary) does not")
    churn_satisfaction_beta: float = P(2.2, 0.0, 20.0, unit="1/satisfaction",
                                       source="behaviour responds less than intentions "
                                              "(Mittal & Kamakura 2001; Seiders et al. 2005; "
                                              "Gustafsson et al. 2005: modest effects, H): "
                                              "responsive hazard x3 from S 0.75 to 0.25 "
                                              "(assumption) vs x13 in stated intentions (5 vs "
                                              "65 % would not return, CFI 2008): range 0.8-5.1",
                                       plausible=(0.8, 5.1),
                                       doc="Log-hazard increase of the responsive part per "
                                           "point of satisfaction below the reference")
    churn_unresolved_ratio: float = P(1.3, 1.0, 5.0, unit="hazard ratio",
                                      source="unresolved callers ~2x as likely to defect "
                                             "(CFI 2008, M; TARP ~1.8x), stated and total: the "
                                             "satisfaction path gives ~1.15x, so the residual "
                                             "lies in 1-1.7 (assumption 1.3)",
                                      plausible=(1.0, 1.7),
                                      doc="Hazard multiplier while a problem is unresolved, "
                                          "beyond its effect through satisfaction (not "
                                          "compounded week by week)")
    churn_image_beta: float = P(3.0, 0.0, 20.0, unit="1/image point",
                                doc="Log-hazard increase per image point a rival leads by")
    satisfaction_reference: float = P(0.75, 0.0, 1.0, unit="satisfaction 0-1",
                                      doc="Satisfaction at which the satisfaction term is "
                                          "zero")
    logit_image: float = P(8.0, 0.0, 50.0, unit="1/image point",
                           doc="Logit weight of image in choosing a firm")
    logit_price: float = P(0.1, 0.0, 5.0, unit="1/currency-week",
                           doc="Logit weight of weekly price in choosing a firm")
    leave_utility: float = P(4.0, -20.0, 20.0, unit="utility",
                             doc="Utility of leaving the market (outside option) for a churner")
    adoption_ad: float = P(0.003, 0.0, 0.1, unit="1/week",
                           source="alpha 0.0005-0.01 (Goldenberg, Libai & Muller 2001, H)",
                           doc="a: weekly adoption probability from advertising")
    adoption_wom: float = P(0.01, 0.0, 0.2, unit="1/week per satisfied neighbour",
                            source="beta 0.005-0.07 (Goldenberg, Libai & Muller 2001, H)",
                            doc="beta: adoption probability per satisfied neighbour using a "
                                "firm")
    media_salience: float = P(0.05, 0.0, 0.5, unit="image points",
                              doc="Image loss of an average customer on a relocation "
                                  "announcement")
    media_reach: float = P(0.3, 0.0, 1.0, unit="share",
                           doc="Share of the whole population a news story about a firm "
                               "reaches (relocation, outage, breach)")
    breach_salience: float = P(0.10, 0.0, 0.5, unit="image points",
                               doc="Image loss from a data-breach story")
    outage_salience: float = P(0.03, 0.0, 0.5, unit="image points",
                               doc="Image loss from an outage story")


# --------------------------------------------------------------------------- staff
class WorkforceParams(Frozen):
    """Home staff: morale, strikes, knowledge transfer and acceptance."""

    morale_attrition_factor: float = P(2.0, 0.0, 10.0, unit="x",
                                       doc="Attrition multiplier at morale 0 (1 + f*(1-m))")
    morale_recovery: float = P(0.04, 0.0, 1.0, unit="1/week",
                               doc="Weekly recovery of morale toward 1 (survivor syndrome "
                                   "fades over months)")
    morale_drop: float = P(0.4, 0.0, 1.0, unit="morale points",
                           doc="Morale drop of survivors at a relocation announcement")
    morale_productivity: float = P(0.2, 0.0, 1.0, unit="share",
                                   doc="Productivity lost at morale 0")
    strike_prob: float = P(0.15, 0.0, 1.0, unit="1/week at morale 0",
                           doc="Weekly strike probability during the notice period")
    strike_capacity_loss: float = P(0.5, 0.0, 1.0, unit="share", doc="Capacity lost in a "
                                                                      "strike week")
    notice_weeks: int = P(13, 1, 52, unit="weeks",
                          source="transition ~90 days (vendor guidance, L)",
                          doc="Weeks between announcement and cut-over")
    knowledge_transfer_weeks: float = P(4.0, 0.0, 26.0, unit="weeks",
                                        source="knowledge transfer >= 3-4 weeks (vendor "
                                               "guidance, L)",
                                        doc="Experience the vendor's first cohort gains from a "
                                            "perfect transfer")
    acceptance_rate: float = P(0.05, 0.0, 1.0, unit="1/week",
                               doc="Speed at which home staff accept the offshore centre "
                                   "(not found)")
    acceptance_tolerance: float = P(0.1, 0.01, 1.0, unit="quality points",
                                    doc="Quality gap at which acceptance stops rising")
    escalation_gain: float = P(0.1, 0.0, 0.5, unit="share of unresolved",
                               doc="Share of vendor-unresolved contacts fixed by escalation at "
                                   "full acceptance")
    resolution_noise: float = P(0.15, 0.0, 1.0, unit="relative sd",
                                doc="Week-to-week relative variation of resolution at zero "
                                    "procedure rigor")


# --------------------------------------------------------------------------- economics
class EconomicsParams(Frozen):
    """Money: one-off and running costs, discounting."""

    discount_rate: float = P(0.08, 0.0, 0.5, unit="1/year", doc="Annual discount rate for NPV")
    severance_weeks: float = P(26.0, 0.0, 104.0, unit="weeks of pay",
                               doc="Severance per laid-off employee")
    hiring_weeks: float = P(15.0, 0.0, 52.0, unit="weeks of pay",
                            source="3-4 months of pay (Global Call Center Report, M)",
                            doc="Hiring and training cost per replacement")
    setup_per_seat: float = P(3000.0, 0.0, 1e5, unit="currency/seat",
                              doc="One-off vendor set-up cost per seat")
    parallel_weeks: int = P(3, 0, 26, unit="weeks",
                            source="2-4 weeks of parallel running (vendor guidance, L)",
                            doc="Weeks leaving staff keep working after cut-over")
    vendor_exit_weeks: float = P(8.0, 0.0, 52.0, unit="weeks of billing",
                                 doc="Contract exit penalty per seat released at reshoring")


# --------------------------------------------------------------------------- policies
class PolicyKind(StrEnum):
    never = "never"
    offshore = "offshore"
    outsource = "outsource"
    tiered = "tiered"
    cost_driven = "cost_driven"
    adaptive = "adaptive"


class PolicyParams(Frozen):
    """A firm's relocation policy.

    ``Params.policy`` is the focal firm's (firm 0); a rival's is its own
    ``firms[i].policy`` if set, else the ``rivals`` rule (stay home, or follow
    the focal firm).
    """

    kind: PolicyKind = P(PolicyKind.never, doc="never | offshore | outsource | tiered | "
                                               "cost_driven | adaptive")
    week: int = P(26, 0, 2080, unit="week", doc="Announcement week (offshore, outsource, "
                                                 "tiered)")
    share: float = P(0.7, 0.0, 1.0, unit="share of contacts",
                     doc="alpha: share of contacts routed to the vendor")
    review_weeks: int = P(13, 1, 104, unit="weeks", doc="Weeks between policy reviews")
    savings_threshold: float = P(0.25, 0.0, 1.0, unit="share of hourly cost",
                                 doc="Cost-driven: relocate when projected saving exceeds this")
    complaint_ratio: float = P(1.3, 1.0, 10.0, unit="x planned level",
                               source="reshoring follows visible complaints (Dell, Santander "
                                      "UK cases, FACTS.md); tolerance: assumption",
                               doc="Adaptive: observed complaints above this multiple of the "
                                   "business case's planned post-ramp level make a bad review")
    csat_drop: float = P(4.0, 0.0, 100.0, unit="CSAT points",
                         doc="Adaptive: survey CSAT more than this below the business case's "
                             "planned post-ramp CSAT makes a bad review (tolerance)")
    bad_reviews: int = P(3, 1, 20, unit="reviews", doc="K: consecutive bad (or costly) reviews "
                                                       "before reshoring")
    reshore_share: float = P(0.5, 0.0, 1.0, unit="share of alpha",
                             source="returns are usually partial (Aviva, BT, Dell; FACTS.md)",
                             doc="Share of the offshore volume brought back at reshoring")
    ramp_allowance_weeks: int = P(52, 13, 156, unit="weeks after cut-over",
                                  source="assumption: vendor time to proficiency 3+ months "
                                         "(Cornell, H) and firms judge a transition over a "
                                         "budget year",
                                  doc="Adaptive: reviews are judged against the business case "
                                      "only this long after cut-over (or a reshoring)")
    min_saving_ratio: float = P(0.5, 0.0, 1.0, unit="share of planned saving",
                                source="assumption; reshoring at cost parity (New Call Telecom "
                                       "2008-2011, FACTS.md)",
                                doc="Adaptive: a realised saving on service cost per contact "
                                    "below this share of the planned saving makes a costly "
                                    "review")
    cooldown_weeks: int = P(104, 0, 1040, unit="weeks", doc="Weeks before re-offshoring is "
                                                             "considered")
    survey_size: int = P(200, 10, 100000, unit="respondents/review",
                         doc="CSAT survey sample size")


class Practices(Frozen):
    """Practices of the essay, each with a running or one-off cost."""

    cultural_adaptation: bool = P(False, doc="Ramadan staffing plan, prayer rooms: no "
                                             "availability dip, lower attrition")
    internal_communication: bool = P(False, doc="Shrinks morale drop, resistance and strike "
                                                "risk at home")
    procedures: bool = P(False, doc="Written procedures: vendor rigor and orientation up")
    link_redundancy: bool = P(False, doc="Redundant links: fewer and shorter outages")
    data_security: bool = P(False, doc="Security programme: fewer breaches")
    cultural_cost: float = P(0.3, 0.0, 10.0, unit="currency/production hour",
                             doc="Cost of cultural adaptation")
    cultural_attrition_factor: float = P(0.8, 0.0, 1.0, unit="x", doc="Attrition multiplier "
                                                                      "with adaptation")
    communication_cost: float = P(1500.0, 0.0, 1e5, unit="currency/home employee",
                                  doc="One-off cost per home employee at announcement")
    communication_effect: float = P(0.6, 0.0, 1.0, unit="share",
                                    doc="Share of the morale drop and strike risk removed")
    procedures_cost: float = P(0.4, 0.0, 10.0, unit="currency/production hour",
                               doc="Cost of writing and enforcing procedures")
    procedures_gain: float = P(0.3, 0.0, 1.0, unit="share of gap to 1",
                               doc="Rise of vendor rigor and orientation with procedures")
    redundancy_cost: float = P(2000.0, 0.0, 1e6, unit="currency/week", doc="Cost of a second "
                                                                           "link")
    redundancy_effect: float = P(0.8, 0.0, 1.0, unit="share", doc="Share of outage rate and "
                                                                  "severity removed")
    security_cost: float = P(1500.0, 0.0, 1e6, unit="currency/week", doc="Cost of the security "
                                                                          "programme")
    security_effect: float = P(0.8, 0.0, 1.0, unit="share", doc="Share of breach rate removed")


class ShockKind(StrEnum):
    outage = "outage"
    breach = "breach"
    media = "media"


class Shock(Frozen):
    """A scheduled event of the scenario (weeks after burn-in)."""

    kind: ShockKind = P(ShockKind.outage, doc="outage | breach | media")
    week: int = P(0, 0, 2080, unit="week")
    weeks: int = P(1, 1, 52, unit="weeks", doc="Duration (outage)")
    salience: float = P(0.05, 0.0, 0.5, unit="image points", doc="Image loss (media, breach)")


class FirmProfile(Frozen):
    """One firm's own brand, prices, costs and relocation policy (``Params.firms[i]``).

    A field left unset (None) takes the market-wide value: ``market.advertising``,
    ``home.hourly_cost``, ``market.variable_cost_share``; the policy defaults to
    ``policy`` for firm 0 and to the ``rivals`` rule for the others. Practices,
    destination and home-site staffing stay market-wide. In TOML::

        [[firms]]            # firm 0
        [[firms]]            # firm 1: a premium brand that advertises more
        price_factor = 1.2
        advertising = 0.8
    """

    advertising: float | None = P(None, 0.0, 1.0, unit="index 0-1",
                                  doc="The firm's advertising pressure (sets its brand equity, "
                                      "the image baseline); unset: market.advertising")
    price_factor: float = P(1.0, 0.2, 5.0, unit="x market prices",
                            doc="The firm's prices relative to market.price_mass (both "
                                "segments): what its customers pay and what switchers and "
                                "adopters compare")
    hourly_cost: float | None = P(None, 1.0, 200.0, unit="currency/production hour",
                                  doc="The firm's in-house cost of a service hour at home; "
                                      "unset: home.hourly_cost")
    variable_cost_share: float | None = P(None, 0.0, 0.95, unit="share of revenue",
                                          doc="The firm's variable cost share; unset: "
                                              "market.variable_cost_share")
    policy: PolicyParams | None = Field(None, description="The firm's relocation policy; "
                                        "unset: policy (firm 0) or the rivals rule")


class RivalPolicy(StrEnum):
    never = "never"
    follow = "follow"


class RivalParams(Frozen):
    """What rivals (firms 1..N-1) without their own ``firms[i].policy`` do.

    ``follow`` (an assumption: imitation, not a decision of their own): rival i
    copies the focal firm's policy (kind, share and every other field; practices
    are market-wide) with its announcement week, or first review week, moved
    ``i x lag_weeks`` later, so firm 1 follows first and the others stagger.
    """

    policy: RivalPolicy = P(RivalPolicy.never, doc="never (rivals stay home) | follow (copy the "
                                                   "focal firm's policy, later)")
    lag_weeks: int = P(52, 0, 1040, unit="weeks",
                       doc="Follow: rival i announces i x this many weeks after the focal "
                           "firm's announcement week")


class NetworkKind(StrEnum):
    watts_strogatz = "watts_strogatz"
    barabasi_albert = "barabasi_albert"


class NetworkParams(Frozen):
    """The customers' social network."""

    kind: NetworkKind = P(NetworkKind.watts_strogatz, doc="watts_strogatz | barabasi_albert")
    degree: int = P(12, 2, 60, unit="ties/customer",
                    source="strong and weak ties 5-29 each (Goldenberg, Libai & Muller 2001, H)",
                    doc="Average number of ties")
    rewiring: float = P(0.1, 0.0, 1.0, unit="probability",
                        doc="Watts-Strogatz rewiring: rewired ties are weak ties")


# --------------------------------------------------------------------------- top level
class Params(Frozen):
    """Everything a run needs. Build with ``Params()``, ``from_preset`` or ``load_toml``."""

    n_customers: int = P(10_000, 50, 5_000_000, unit="agents",
                         doc="Simulated customers (a sample of the market)")
    n_firms: int = P(3, 2, 10, unit="firms", doc="Competing firms; firm 0 is the focal firm")
    weeks: int = P(520, 1, 2080, unit="weeks", doc="Horizon after burn-in")
    burn_in_weeks: int = P(52, 0, 520, unit="weeks",
                           doc="Weeks simulated before week 0 with everything at home")
    start_year: int = P(2027, 1990, 2100, unit="year", doc="Calendar year of week 0")
    market: MarketParams = Field(default_factory=MarketParams)
    customers: CustomerParams = Field(default_factory=CustomerParams)
    workforce: WorkforceParams = Field(default_factory=WorkforceParams)
    economics: EconomicsParams = Field(default_factory=EconomicsParams)
    home: SiteProfile = Field(default_factory=SiteProfile)
    destination: SiteProfile = Field(default_factory=lambda: SiteProfile(name="none"))
    policy: PolicyParams = Field(default_factory=PolicyParams)
    practices: Practices = Field(default_factory=Practices)
    network: NetworkParams = Field(default_factory=NetworkParams)
    shocks: tuple[Shock, ...] = Field(default=(), description="Scheduled shocks")
    rivals: RivalParams = Field(default_factory=RivalParams)
    firms: tuple[FirmProfile, ...] = Field(default=(), description="Per-firm profiles: entry i "
                                           "is firm i; missing entries and unset fields take "
                                           "the market-wide values")

    @model_validator(mode="after")
    def _check(self) -> Params:
        c = self.customers
        if c.dissatisfied_below >= c.satisfied_above:
            raise ValueError("customers.dissatisfied_below must be below "
                             "customers.satisfied_above")
        if len(self.firms) > self.n_firms:
            raise ValueError(f"parameter 'firms' has an entry for firm {len(self.firms) - 1} "
                             f"but n_firms = {self.n_firms} (firms 0 to {self.n_firms - 1})")
        for i, fp in enumerate(self.firms):
            if fp.policy is not None and fp.policy.kind == PolicyKind.outsource \
                    and not self.destination.onshore_outsourcer:
                raise ValueError(f"firms[{i}].policy.kind 'outsource' needs an onshore "
                                 "outsourcer as destination (destination.onshore_outsourcer "
                                 "= true)")
        if self.policy.kind == PolicyKind.outsource and not self.destination.onshore_outsourcer:
            raise ValueError("policy.kind 'outsource' needs an onshore outsourcer as "
                             "destination (destination.onshore_outsourcer = true)")
        if self.network.degree >= self.n_customers:
            raise ValueError("network.degree must be below n_customers")
        for i, shock in enumerate(self.shocks):
            if shock.week >= self.weeks:  # it would never happen
                raise ValueError(f"parameter 'shocks.{i}.week' = {shock.week} is out of range: "
                                 f"allowed range [0, {self.weeks - 1}] (the horizon: weeks = "
                                 f"{self.weeks})")
        return self

    # --- convenience -------------------------------------------------------
    def replace(self, **dotted: Any) -> Params:
        """A copy with values changed by dotted name: ``p.replace(**{"policy.share": 0.5})``."""
        return build(self, dotted)

    def flat(self) -> dict[str, Any]:
        """All scalar values by dotted name (shocks and per-firm profiles excluded)."""
        return dict(_flatten(self.model_dump(mode="json", exclude={"shocks", "firms"})))

    def firm(self, i: int) -> FirmProfile:
        """Firm ``i``'s profile with every field resolved (no None): its own value, else
        the market-wide one; its policy: ``firms[i].policy``, else ``policy`` for firm 0
        and the ``rivals`` rule for the others."""
        own = self.firms[i] if i < len(self.firms) else FirmProfile()
        m = self.market
        if own.policy is not None:
            policy = own.policy
        elif i == 0:
            policy = self.policy
        elif self.rivals.policy == RivalPolicy.follow:
            focal = self.firm(0).policy
            policy = focal.model_copy(update={"week": focal.week + i * self.rivals.lag_weeks})
        else:
            policy = PolicyParams()
        return FirmProfile.model_construct(
            advertising=m.advertising if own.advertising is None else own.advertising,
            price_factor=own.price_factor,
            hourly_cost=self.home.hourly_cost if own.hourly_cost is None else own.hourly_cost,
            variable_cost_share=m.variable_cost_share if own.variable_cost_share is None
            else own.variable_cost_share,
            policy=policy)


# --------------------------------------------------------------------------- helpers
def _flatten(d: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in d.items():
        if isinstance(v, Mapping):
            yield from _flatten(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}", v


def _nest(dotted: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in dotted.items():
        parts = key.split(".")
        d = out
        for part in parts[:-1]:
            d = d.setdefault(part, {})
            if not isinstance(d, dict):
                raise ParameterError(f"unknown parameter '{key}'")
        d[parts[-1]] = value
    return out


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def one_line(err: ValidationError) -> str:
    """The first validation error as one line naming the field and what is allowed.

    Names and values are escaped (``printable``) and echoed values shortened.
    """
    return printable(_one_line(err))


def _one_line(err: ValidationError) -> str:
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e["loc"] if p != "__root__")
    ctx = e.get("ctx") or {}
    kind = e["type"]
    got = e.get("input")
    if kind == "extra_forbidden":
        return f"unknown parameter '{loc}'"
    bounds = {"greater_than_equal": ">= {ge}", "less_than_equal": "<= {le}",
              "greater_than": "> {gt}", "less_than": "< {lt}"}
    if kind in bounds:
        try:
            lo, hi = field_bounds(loc)
        except ParameterError:  # a field of a list entry (``firms.1.advertising``)
            lo, hi = _list_field_bounds(loc)
        allowed = f"allowed range [{_fmt(lo)}, {_fmt(hi)}]" if lo is not None and hi is not None \
            else "must be " + bounds[kind].format(**ctx)
        return f"parameter '{loc}' = {shown(got)} is out of range: {allowed}"
    if kind == "value_error":
        msg = str(ctx.get("error", e["msg"])).removeprefix("Value error, ")
        return f"parameter '{loc}' = {shown(got)}: {msg}" if loc else msg
    if kind == "enum":
        return f"parameter '{loc}' = {shown(got)} is not allowed: expected {ctx.get('expected')}"
    return f"parameter '{loc}' = {shown(got)}: {e['msg'].lower()}"


def _list_field_bounds(loc: str) -> tuple[float | None, float | None]:
    """(min, max) of a field of a ``firms`` or ``shocks`` entry by its error location."""
    parts = loc.split(".")
    kinds: dict[str, type[BaseModel]] = {"firms": FirmProfile, "shocks": Shock}
    if len(parts) >= 3 and parts[0] in kinds:
        model: type[BaseModel] = kinds[parts[0]]
        if parts[2] == "policy":
            model, parts = PolicyParams, parts[1:]
        rows = {r["name"]: r for r in iter_fields(model)}
        row = rows.get(".".join(parts[2:]))
        if row is not None:
            return row["min"], row["max"]
    return None, None


def _fmt(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


#: ``firms.<i>.<field>``, ``shocks.<i>.<field>``: a dotted name into entry i of
#: ``Params.firms`` or ``Params.shocks`` (CLI --set, sweeps).
_LIST_KEY = re.compile(r"^(firms|shocks)\.(\d+)\.(.+)$")


def build(base: Params | None, overrides: Mapping[str, Any]) -> Params:
    """Params from ``base`` with nested or dotted overrides; ParameterError on bad input.

    ``firms.<i>.<field>`` (e.g. ``firms.1.price_factor``) sets one field of firm i's
    profile, adding default entries up to i; ``firms`` itself takes a list of tables.
    ``shocks.<i>.<field>`` (e.g. ``shocks.0.week``) changes a field of an existing
    shock i (a default shock is not an absence of one, so none is added).
    """
    bad = next((k for k in overrides if not isinstance(k, str)), None)
    if bad is not None:
        raise ParameterError(f"parameter names are text, got {shown(bad)}")
    per_entry = {k: v for k, v in overrides.items() if _LIST_KEY.match(k)}
    nested = _nest({k: v for k, v in overrides.items() if k not in per_entry})
    data = _merge((base or Params()).model_dump(mode="python"), nested)
    for key, value in per_entry.items():
        group, i, rest = _LIST_KEY.match(key).groups()
        entries = data.get(group, ())
        if not isinstance(entries, list | tuple) \
                or not all(isinstance(e, Mapping) for e in entries):
            continue  # ``firms``/``shocks`` set to something else: validation says what
        entries = [dict(e) for e in entries]
        if group == "firms":
            top = Params.model_fields["n_firms"].metadata
            most = next(m.le for m in top if hasattr(m, "le"))
            if int(i) >= most:
                raise ParameterError(f"parameter '{key}': firm {int(i)} is out of range: "
                                     f"allowed range [0, {most - 1}] (at most {most} firms)")
            entries += [{} for _ in range(int(i) + 1 - len(entries))]
        elif int(i) >= len(entries):
            have = f"shocks 0 to {len(entries) - 1}" if entries else "no shocks"
            raise ParameterError(f"parameter '{key}': there is no shock {int(i)} ({have}); "
                                 "add shocks with shocks = [{kind = ..., week = ...}]")
        entries[int(i)] = _merge(entries[int(i)], _nest({rest: value}))
        data[group] = entries
    try:
        return Params.model_validate(data)
    except ValidationError as err:
        raise ParameterError(one_line(err)) from None
    except RecursionError:
        raise ParameterError("parameters nested too deeply") from None


# --------------------------------------------------------------------------- table
def iter_fields(model: type[BaseModel] = Params, prefix: str = "",
                defaults: BaseModel | None = None) -> Iterator[dict[str, Any]]:
    """Every scalar field as a row: name, default, min, max, unit, source, description.

    Defaults are read from a default instance, so nested groups show the
    defaults their parent gives them (``destination.name`` is "none").
    """
    defaults = defaults if defaults is not None else model()
    for name, f in model.model_fields.items():
        ann = f.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from iter_fields(ann, f"{prefix}{name}.", getattr(defaults, name))
            continue
        if name in ("shocks", "firms"):
            continue
        extra = f.json_schema_extra or {}
        lo = next((m.ge for m in f.metadata if hasattr(m, "ge")), None)
        hi = next((m.le for m in f.metadata if hasattr(m, "le")), None)
        default = getattr(defaults, name)
        yield {"name": f"{prefix}{name}", "default": getattr(default, "value", default),
               "min": lo, "max": hi, "unit": extra.get("unit", ""),
               "source": extra.get("source", ASSUMPTION), "description": f.description or "",
               "plausible": tuple(extra["plausible"]) if "plausible" in extra else None,
               "type": getattr(ann, "__name__", str(ann))}


@functools.cache
def _rows() -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in iter_fields()}


def field_bounds(dotted: str) -> tuple[float | None, float | None]:
    """(min, max) of a parameter by dotted name; ParameterError if unknown."""
    row = _rows().get(dotted)
    if row is None:
        raise ParameterError(f"unknown parameter '{dotted}'")
    return row["min"], row["max"]


def field_names() -> list[str]:
    """All scalar parameter names, dotted."""
    return list(_rows())


def json_schema() -> dict[str, Any]:
    """The JSON schema of Params (for editors and other tools)."""
    return Params.model_json_schema()
