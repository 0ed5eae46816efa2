"""The answer to the essay's question in plain words, for docs/results.md.

The words were written from the full-scale run; every number is read from the
metadata at hand (a smoke build shows smoke numbers, and says so), and the few
sentences whose sense depends on a sign are chosen from the numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

NAMES = {"offshore-morocco": "offshoring 70 % of contacts to Morocco",
         "offshore-morocco-practices": "the same with the essay's five practices",
         "offshore-romania": "offshoring to Romania",
         "tiered-morocco": "tiered offshoring (mass-market, non-sensitive contacts only)",
         "outsource-france": "outsourcing to a French onshore provider",
         "adaptive-morocco": "the adaptive policy (offshore, reshore after complaints)"}


def _get(meta: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(meta, dict) or key not in meta:
            return None
        meta = meta[key]
    return meta


def _n(x: Any, digits: int = 0) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def _sign_words(mean: float | None, lo: float | None, hi: float | None,
                gain: str, loss: str, tie: str) -> str:
    """``gain`` when the CI is above zero, ``loss`` when below, ``tie`` otherwise."""
    if mean is None or lo is None or hi is None:
        return tie
    return gain if lo > 0 else loss if hi < 0 else tie


def _strategies(meta: dict) -> tuple[str, str]:
    f = _get(meta, "strategies", "findings") or {}
    d = f.get("target_d", {})
    rows = {k: v for k, v in f.items() if k in NAMES}
    winners = [k for k, v in rows.items() if (v.get("npv_diff_lo") or 0) > 0]
    losers = [k for k, v in rows.items() if v.get("npv_diff_hi") is not None
              and v["npv_diff_hi"] < 0]
    best = max(rows, key=lambda k: rows[k]["npv_diff"]) if rows else None
    mo = rows.get("offshore-morocco", {})
    diff, lo, hi = mo.get("npv_diff"), mo.get("npv_diff_lo"), mo.get("npv_diff_hi")
    share = d.get("morocco_saving_share")
    rise = (d.get("morocco_churn_rise_pp") or [None])[0]
    be_mo = d.get("break_even_pp_at_morocco_saving")
    verdict = _sign_words(
        diff, lo, hi,
        "Under the sourced defaults, yes for a French mobile operator, but not everywhere.",
        "Under the sourced defaults, no for a French mobile operator, and not everywhere.",
        "Under the sourced defaults it is a close call, and the answer turns on conditions.")
    above = _sign_words(diff, lo, hi, "above", "below", "beside")
    undecided = len(rows) - len(winners) - len(losers)
    rows_words = (f"Of the {len(rows)} alternatives, {len(winners)} beat staying home and "
                  f"{len(losers)} lose against it with a 95 % confidence interval that excludes "
                  "zero" + (f"; {undecided} cannot be told apart from it" if undecided else "")
                  + f". The best on average is {NAMES.get(best, 'n/a')} "
                  f"({_n(rows.get(best, {}).get('npv_diff'))} M EUR).")
    if rise is not None and be_mo is not None:
        weigh = ("so the saving outweighs the customers lost" if rise < be_mo else
                 "so the customers lost outweigh the saving")
        churn_words = (f"Over ten years a rise in monthly churn of "
                       f"{_n(be_mo, 2)} points would cancel Morocco's saving; the rise measured "
                       f"is {_n(rise, 2)} points, {weigh}.")
    else:
        churn_words = ""
    text = f"""**{verdict}** In the model, a French mobile operator that offshores 70 % of its
contacts to Morocco cuts its customer-service bill by {_n(100 * share if share else None)} %;
its monthly churn goes from {_n(_get(f, 'stay-home', 'churn_pct'), 2)} % to
{_n(mo.get('churn_pct'), 2)} %, and its ten-year NPV ends {_n(abs(diff or 0))} M EUR {above}
staying at home (95 % CI {_n(lo)} to {_n(hi)} M EUR, paired runs). {rows_words}

The stake comes first. With in-house service at 55 EUR per production hour (AFRC), 2.5 calls per
subscriber a year (Oliver Wyman) and an ARPU of {_n(d.get('revenue_per_customer_month'), 1)} EUR
a month (Arcep), customer service costs the firm
{_n(100 * (d.get('service_cost_share_of_revenue') or 0), 1)} % of its revenue and
{_n(100 * (d.get('service_cost_share_of_margin') or 0), 1)} % of its contribution margin. A
customer lost costs the firm its margin for every remaining month. {churn_words} The churn that
offshoring adds comes from service (offshore agents resolve fewer first contacts:
comprehension, customer orientation, the learning curve) and, much less, from perception: some
customers who notice an offshore agent judge the experience harder, a residual sized so as not
to count the worse calls twice (docs/ODD.md, 7.7)."""
    return text, best or ""


MAP_WORDS = {"stake_fcr": "first-contact-resolution gap of {y:g} points",
             "stake_ethnocentrism": "mean customer ethnocentrism {y:g}",
             "stake_contacts": "{y:g} calls per subscriber a year",
             "markets": "{y}"}
MARKET_WORDS = {"telecom": "a French mobile operator", "broadband": "a French internet provider",
                "bank": "a French bank", "us": "a US mobile operator (to India)"}


def _no_crossing(cells: pd.DataFrame | None, m: str, y: Any) -> str:
    """Words for a level whose mean difference keeps one sign over the whole range."""
    if cells is None:
        return "no flip within the range explored"
    mine = cells[(cells["map"] == m) & (cells["y"].astype(str) == str(y))]
    if mine.empty:
        mine = cells[(cells["map"] == m)
                     & (pd.to_numeric(cells["y"], errors="coerce").round(6)
                        == round(float(y), 6))] if m != "markets" else mine
    if len(mine) and (mine["npv_diff_m"] > 0).all():
        return "pays on average across the whole range explored"
    if len(mine) and (mine["npv_diff_m"] < 0).all():
        return "loses on average across the whole range explored"
    return "no single flip within the range explored"


def _label_value(cells: pd.DataFrame | None, m: str, y: Any) -> float:
    """The value shown for level ``y`` (the FCR gap in points for the resolution map)."""
    if cells is not None and "y_label_value" in cells:
        mine = cells[(cells["map"] == m)
                     & (pd.to_numeric(cells["y"], errors="coerce").round(6)
                        == round(float(y), 6))]
        if len(mine):
            return round(float(mine["y_label_value"].iloc[0]), 1)
    return float(y)


def _crossing_words(m: str, entries: list[dict], cells: pd.DataFrame | None = None,
                    currency: str = "EUR") -> list[str]:
    """One phrase per level: where along the in-house cost of an hour the answer flips."""
    out = []
    for e in entries:
        y = e.get("y")
        level = (MARKET_WORDS.get(str(y), str(y)) if m == "markets"
                 else MAP_WORDS[m].format(y=_label_value(cells, m, y)))
        cur = "$" if str(y) == "us" else currency
        if e.get("x") is None:
            out.append(f"{level}: {_no_crossing(cells, m, y)}")
            continue
        side = "above" if e.get("pays_above") else "below"
        stake = e.get("stake")
        out.append(f"{level}: pays on average {side} {_n(e['x'])} {cur} an hour"
                   + (f" (service cost {_n(100 * stake)} % of margin)" if stake else ""))
    return out


def _flips(meta: dict, folder: Path | None) -> str:
    maps = _get(meta, "phase_maps", "findings") or {}
    path = folder / "phase_maps.csv" if folder is not None else None
    cells = pd.read_csv(path) if path is not None and path.is_file() else None
    parts = []
    for m, title in (("stake_fcr", "By the vendor's resolution gap"),
                     ("stake_ethnocentrism", "By customers' ethnocentrism"),
                     ("stake_contacts", "By how often customers call"),
                     ("markets", "By market")):
        f = maps.get(m)
        if not f:
            continue
        words = _crossing_words(m, f.get("break_even") or [], cells)
        head = (f"{title} ({f.get('cells_pay', 0)} of {f.get('cells', 0)} cells pay and "
                f"{f.get('cells_lose', 0)} lose with a CI excluding zero)")
        parts.append(f"* {head}: " + "; ".join(words) + ".")
    x_range, stake = maps.get("x_range"), maps.get("stake_range")
    intro = ("**When does the answer flip?** Figure 3 runs the offshoring firm and its "
             "stay-home twin (same seeds) across the sourced range of the in-house cost of a "
             "service hour")
    if x_range:
        intro += (f", from {_n(x_range[0], 1)} EUR (a home service already with a French "
                  f"outsourcer, 25-28 EUR/h) to {_n(x_range[1])} EUR (in-house, 50-70 EUR/h)")
    if stake:
        intro += (f"; over it customer service is {_n(100 * stake[0])}-{_n(100 * stake[1])} % of "
                  "the contribution margin")
    intro += (". The answer flips along that stake, and the flip moves with the vendor's "
              "resolution, customers' prejudice, the contact rate and the market:")
    return intro + "\n\n" + "\n".join(parts) if parts else intro + "."


def _others(meta: dict, folder: Path | None) -> str:
    pr = _get(meta, "practices", "findings") or {}
    alone = {k.split(" | ")[0]: v for k, v in pr.items() if k.endswith("alone vs none")}
    best_p = max(alone, key=lambda k: alone[k]["npv_m"]) if alone else None
    sh = _get(meta, "shocks", "findings") or {}
    s = _get(meta, "strategies", "findings") or {}
    base = _get(s, "offshore-morocco", "npv_diff") or 0
    gain = (_get(s, "offshore-morocco-practices", "npv_diff") or 0) - base
    tiered = (_get(s, "tiered-morocco", "npv_diff") or 0) - base
    out_diff = _get(s, "outsource-france", "npv_diff") or 0
    return f"""**What helps, and what happens next.** The essay's five practices together change
the offshoring firm's ten-year NPV by {_n(gain, 1)} M EUR (figure 1); alone, the most valuable
is {best_p or 'n/a'} ({_n(alone.get(best_p, {}).get('npv_m'), 1)} M EUR; figure 4). Keeping
premium and sensitive contacts at home (tiered offshoring) changes it by {_n(tiered, 1)} M EUR,
and an onshore outsourcer ends {_n(abs(out_diff), 1)} M EUR {'above' if out_diff > 0 else 'below'}
staying home. A two-week link outage changes ten-year NPV by
{_n(_get(sh, 'link outage (2 weeks)', 'npv_m'), 1)} M EUR and a data breach by
{_n(_get(sh, 'data breach', 'npv_m'), 1)} M EUR (figure 6). {_adaptive_words(meta)}
{_screening_words(meta, folder)}"""


def _screening_words(meta: dict, folder: Path | None) -> str:
    """What the NPV gain of offshoring is most sensitive to, beside what the NPV itself is
    (figure 7), with the mu* of each in M EUR from the screening's table."""
    gain_top = _get(meta, "morris", "findings", "npv_diff") or []
    npv_top = _get(meta, "morris", "findings", "npv") or []
    path = folder / "morris.csv" if folder is not None else None
    if path is None or not path.is_file() or "mu_star_npv_diff" not in pd.read_csv(path, nrows=0):
        return ("The Morris screening (figure 7) ranks what the gain of offshoring over "
                f"staying home is most sensitive to: {', '.join(gain_top[:5]) or 'n/a'}.")
    t = pd.read_csv(path).set_index("parameter")

    def cell(p: str, col: str) -> str:
        return _n(t.loc[p, col], 1) if p in t.index else "n/a"

    gain = ", ".join(f"`{p}` ({cell(p, 'mu_star_npv_diff')} +- "
                     f"{cell(p, 'mu_star_conf_npv_diff')})" for p in gain_top[:5])
    npv = ", ".join(f"`{p}` ({cell(p, 'mu_star_npv')} on the NPV, "
                    f"{cell(p, 'mu_star_npv_diff')} on the gain)" for p in npv_top[:3])
    weeks = _get(meta, "morris", "scale", "morris_weeks")
    floor = _get(meta, "morris", "findings", "noise_floor", "npv_diff")
    clear = _get(meta, "morris", "findings", "clear_of_noise", "npv_diff")
    noise = ""
    if floor is not None and clear is not None:
        named = ", ".join(f"`{p}`" for p in clear[:6]) + (", ..." if len(clear) > 6 else "")
        noise = (f" Run-to-run noise alone would give a factor a mu* of about {_n(floor, 1)} "
                 f"M EUR on the gain; {len(clear)} of {len(t)} factors have their whole "
                 f"interval above that{': ' + named if clear else ''}, and the others cannot "
                 "be told from noise at this scale.")
    return ("The Morris screening (figure 7) ranks what the gain of offshoring over staying "
            f"home (the same firm, factor values and seed, at home; NPV over {weeks or 'n/a'} "
            "weeks) is most sensitive to, mu* in M EUR over each factor's range with its 95 % "
            f"bootstrap interval: {gain or 'n/a'}; where the intervals overlap, the order "
            f"among them is not settled at this scale.{noise} The offshoring firm's NPV itself "
            f"moves most with {npv or 'n/a'}.")


def _adaptive_words(meta: dict) -> str:
    """What the adaptive firm did, in words that follow its numbers."""
    ad = _get(meta, "adaptive", "findings") or {}
    k, n = ad.get("replicates_reshoring"), _get(meta, "adaptive", "replicates")
    head = ("The adaptive firm, which judges the vendor against the business case it wrote "
            "when it moved,")
    if not k:
        return (f"{head} never reshores in {n or 'n/a'} replicates: its service stays within "
                f"its plan and its saving above the cost-parity line (mean final offshore "
                f"share {_n(ad.get('mean_final_alpha'), 2)}; figure 5).")
    return (f"{head} reshores in {k} of {n or 'n/a'} replicates, a median "
            f"{_n(ad.get('median_years_to_reshore'), 1)} years after going offshore (mean final "
            f"offshore share {_n(ad.get('mean_final_alpha'), 2)}; figure 5).")


def _trust(meta: dict) -> str:
    cal = _get(meta, "calibration", "findings") or {}

    def v(q: str) -> Any:
        return _get(cal, q, "model")
    gap_mo = v("CSAT gap home - vendor, Morocco (points)")
    gap_in = v("CSAT gap home - vendor, India (points)")
    fcr = [v("FCR at home, France (%)"), v("FCR all contacts at Morocco (%)"),
           v("FCR all contacts at India (%)")]
    return f"""**What to trust.** The model is calibrated on, and reproduces, the published
baseline churn of a telecom operator ({_n(v("monthly churn, telecom stay-home (%)"), 2)} % a
month) and of a French bank ({_n(v("monthly churn, bank stay-home (%)"), 2)} %), and the
sourced agent attrition of the Maghreb and India (table 8). Its offshore satisfaction gap is
{_n(gap_mo, 1)} points for Morocco and {_n(gap_in, 1)} for India against a published 16-21;
its first-contact resolution is {_n(fcr[0])} % at home against {_n(fcr[1])} % (Morocco) and
{_n(fcr[2])} % (India) offshore{_fcr_words(fcr)}. `offshoring calibrate --patterns` checks the
defaults against every published pattern at once ([calibration.md](calibration.md)); where
the sourced values miss a pattern it says so and why, and nothing is tuned to meet one. Many
behavioural parameters have no published value: they are assumptions with a plausible range
(docs/ODD.md, section 9), and the screening says which of them matter. The verdicts of the
four reproduction targets follow, each with its numbers."""


def _fcr_words(fcr: list[Any]) -> str:
    """How the model's resolution gap compares with the CFI Group's 17 points."""
    if fcr[0] is None or fcr[2] is None:
        return ""
    gap = fcr[0] - fcr[2]
    if gap < 17 - 5:
        return (f", a smaller gap ({_n(gap)} points for India) than the CFI Group's 67 % vs "
                "50 %, so if anything the model is kind to offshoring")
    if gap > 17 + 5:
        return f", a larger gap ({_n(gap)} points for India) than the CFI Group's 17"
    return f", close to the CFI Group's 67 % vs 50 % ({_n(gap)} points for India)"


def _verdict(meta: dict, name: str, key: str) -> str | None:
    return _get(meta, name, "targets", key, "verdict")


def _failed(meta: dict, name: str, key: str, check: str) -> bool:
    return _get(meta, name, "targets", key, "checks", check) is False


def _why_a(meta: dict) -> str:
    cal = _get(meta, "calibration", "findings") or {}

    def v(q: str) -> Any:
        return _get(cal, q, "model")
    out = []
    if _failed(meta, "calibration", "a", "Morocco gap in range"):
        fcr = [v("FCR at home, France (%)"), v("FCR all contacts at Morocco (%)")]
        out.append(f"Morocco's default gap ({_n(v('CSAT gap home - vendor, Morocco (points)'), 1)}"
                   " points) lies outside the published 16-21; its resolution gap is smaller "
                   f"than the CFI Group's ({_n(fcr[0])} % vs {_n(fcr[1])} % against 67 % vs "
                   "50 %): the Maghreb profile is sourced, not fitted to the gap.")
    if _failed(meta, "calibration", "a", "Morocco gap disappears when equalised"):
        out.append("With resolution, comprehension and orientation equalised Morocco's gap "
                   f"shrinks to {_n(v('CSAT gap, Morocco equalised (points)'), 1)} points; "
                   "without the awareness bias as well it is "
                   f"{_n(v('CSAT gap, Morocco equalised, no awareness bias (points)'), 1)}. "
                   "What remains is perception: customers who notice an offshore agent judge "
                   "the same service harder (consumer ethnocentrism, DESIGN.md), which the "
                   "target's wording leaves out.")
    return "* **a.** " + " ".join(out or ["See the criterion in the table."])


def _why_b(meta: dict) -> str:
    mo = _get(meta, "cutover", "findings", "offshore-morocco") or {}
    ind = _get(meta, "cutover", "findings", "us-india") or {}
    share = mo.get("recovered_share")
    out = []
    if _failed(meta, "cutover", "b", "Morocco recovers almost fully"):
        out.append(
            "The learning curve recovers almost fully where attrition is low (vendor "
            f"proficiency {_n(mo.get('vendor_proficiency_plateau'), 3)} in Morocco against "
            f"{_n(ind.get('vendor_proficiency_plateau'), 3)} in India), but quality recovers "
            f"only {_n(None if share is None else 100 * share)} % of Morocco's dip: its plateau "
            f"({_n(mo.get('plateau'), 1)} points) is the comprehension and orientation gap "
            "that target a asks for. Read literally, a (a lasting gap of 16-21 CSAT points with "
            "the default Maghreb profile) and b (near-full recovery there) cannot both hold; "
            "the model keeps the sourced profiles.")
    return "* **b.** " + " ".join(out or ["See the checks in the table."])


def _why_c(meta: dict) -> str:
    ad = _get(meta, "adaptive", "findings") or {}
    out = []
    k, n = ad.get("replicates_reshoring"), _get(meta, "adaptive", "replicates")
    if k and _failed(meta, "adaptive", "c", "at least 25% of replicates reshore"):
        out.append(f"Only {k} of {n} replicates reshore: with the sourced economics the "
                   "realised saving mostly stays above the cost-parity line of the business "
                   "case and the service within its tolerances; the reshoring cases are a "
                   "minority of the firms that moved (Deloitte 2005: 25 % brought functions "
                   "back).")
    if not k:
        out.append("No replicate reshores. With the sourced economics the realised saving stays "
                   "above the cost-parity line of the business case and the service within its "
                   "tolerances, so neither reason for the returns of the reshoring cases "
                   "(visible complaints, cost parity; FACTS.md) arises at the defaults. The "
                   "cases are a minority of the firms that moved (Deloitte 2005: 25 % brought "
                   "functions back); the sweep and exploration tools find the conditions under "
                   "which the adaptive firm does return.")
    elif _failed(meta, "adaptive", "c", "median delay >= 1 year"):
        out.append(f"Reshoring comes a median {_n(ad.get('median_years_to_reshore'), 1)} years "
                   "after offshoring. The firm judges the vendor against its business case "
                   "only after `policy.ramp_allowance_weeks` and reshores after "
                   f"{_n(ad.get('policy_bad_reviews'))} consecutive reviews below plan or below "
                   "the planned saving; the tolerances are assumptions (docs/ODD.md 7.2).")
    if _failed(meta, "adaptive", "c", "at least 80% after complaints rose"):
        share = ad.get("share_after_complaints_rose")
        out.append(f"Complaints had risen before the first reshoring in only "
                   f"{_n(None if share is None else 100 * share)} % of the reshoring replicates: "
                   "the others reshore on survey CSAT below plan or on cost parity (a realised "
                   "saving below `policy.min_saving_ratio` of the planned one), the second "
                   "reason the reshoring cases give (FACTS.md).")
    return "* **c.** " + " ".join(out or ["See the checks in the table."])


def why_not_met(meta: dict[str, dict[str, Any]]) -> str:
    """Why each target that is not met is not: the mechanism behind the numbers (Markdown)."""
    parts = [(("calibration", "a"), _why_a), (("cutover", "b"), _why_b),
             (("adaptive", "c"), _why_c)]
    items = [fn(meta) for (name, key), fn in parts if _verdict(meta, name, key) == "NOT MET"]
    if not items:
        return ""
    return "Why the targets not met are not met:\n\n" + "\n".join(items) + "\n"


def answer(meta: dict[str, dict[str, Any]], folder: Path | None = None) -> str:
    """The plain-words page (Markdown)."""
    smoke = any(m["scale"]["name"] != "full" for m in meta.values())
    note = ("\n> **Note:** these numbers come from a reduced-scale build; the words were "
            "written from the full-scale run and may not match them.\n") if smoke else ""
    head, _ = _strategies(meta)
    return f"""## The answer in plain words
{note}
*Is offshoring the future of customer relations?*

{head}

{_flips(meta, folder)}

{_others(meta, folder)}

{_trust(meta)}
"""
