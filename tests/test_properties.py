"""Property-based tests (hypothesis): invariants hold for any valid parameters.

Parameters are drawn inside the ranges that ``iter_fields()`` declares, for a chosen
subset of numeric fields of every submodel (a random few per example) and a scenario
that relocates. Runs are small (300 customers, 8 burn-in + 30 weeks) and the
simulated market is set to 20,000 real customers, so that the drawn contact rates and
handle times never ask for tens of thousands of home-staff agents; the announcement
week is drawn within the run. The two cross-validated fields
(``dissatisfied_below < satisfied_above``) are left out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from model import scenario
from model.churn import logit_shares
from model.network import SocialNetwork
from model.params import CustomerParams, iter_fields
from model.queueing import erlang_a, erlang_c
from model.word_of_mouth import spread

FIELDS = [
    "market.contact_rate_mass", "market.contact_rate_premium", "market.repeat_contact_prob",
    "market.premium_share", "market.sensitive_share", "market.aht_minutes", "market.fcr_base",
    "market.patience_minutes", "market.sl_target", "market.monthly_churn_target",
    "customers.prospect_share", "customers.satisfaction_weight",
    "customers.disconfirmation_weight", "customers.expectation_rate",
    "customers.awareness_bias", "customers.notice_prob", "customers.complaint_prob",
    "customers.wom_neg_prob", "customers.wom_pos_prob", "customers.wom_influence",
    "customers.image_memory", "customers.reputation_rate", "customers.churn_satisfaction_beta",
    "customers.churn_unresolved_ratio", "customers.churn_responsive_share",
    "customers.churn_image_beta", "customers.awareness_fade", "market.variable_cost_share",
    "customers.logit_image",
    "customers.leave_utility", "customers.adoption_ad", "customers.adoption_wom",
    "customers.media_salience", "customers.media_reach", "customers.ethnocentrism_mean",
    "workforce.morale_drop", "workforce.notice_weeks", "workforce.strike_prob",
    "workforce.knowledge_transfer_weeks", "workforce.morale_productivity",
    "destination.language_fit", "destination.annual_attrition", "destination.ramp_weeks",
    "destination.initial_proficiency", "destination.outage_rate", "destination.breach_rate",
    "destination.aht_factor", "destination.ramadan_availability",
    "policy.share", "policy.week", "policy.review_weeks", "policy.bad_reviews",
    "economics.parallel_weeks", "network.degree", "network.rewiring",
]
ROWS = {row["name"]: row for row in iter_fields()}
BURN_IN, WEEKS, CUSTOMERS = 8, 30, 300
CAPS = {"policy.week": WEEKS - 1}  # announce within the run
SCENARIOS = ["offshore-morocco", "tiered-morocco", "outsource-france", "adaptive-morocco",
             "cost-driven-morocco", "us-india", "bank-offshore-morocco",
             "offshore-morocco-practices"]


def _value(name: str) -> st.SearchStrategy:
    row = ROWS[name]
    lo, hi = row["min"], min(row["max"], CAPS.get(name, row["max"]))
    if row["type"] == "int":
        return st.integers(int(lo), int(hi))
    return st.floats(float(lo), float(hi), allow_nan=False, allow_infinity=False)


@st.composite
def overrides(draw: st.DrawFn) -> dict[str, object]:
    """A few fields of FIELDS with values inside their declared ranges."""
    names = draw(st.lists(st.sampled_from(FIELDS), unique=True, min_size=1, max_size=8))
    return {name: draw(_value(name)) for name in names}


def _params(name: str, changes: dict[str, object]):
    return scenario(name, n_customers=CUSTOMERS, weeks=WEEKS, burn_in_weeks=BURN_IN,
                    **{"market.market_size": 2e4, **changes})


def test_fields_exist_with_ranges() -> None:
    for name in FIELDS:
        assert ROWS[name]["min"] is not None and ROWS[name]["max"] is not None, name


@given(name=st.sampled_from(SCENARIOS), changes=overrides(),
       seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_for_random_valid_parameters(stepped, kpi_check, name, changes,
                                                     seed) -> None:
    p = _params(name, changes)
    run = stepped(p, seed, WEEKS)
    assert run.violations == {}
    assert kpi_check(run.kpis, p, WEEKS) == []


@settings(max_examples=4)
@given(changes=overrides(), seed=st.integers(0, 2**32 - 1))
def test_same_parameters_and_seed_same_run(stepped, changes, seed) -> None:
    p = _params("adaptive-morocco", changes)
    a, b = stepped(p, seed, 10), stepped(p, seed, 10)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)


# ---------------------------------------------------------------- pure kernels
@given(servers=st.integers(1, 60), load=st.floats(0.0, 80.0))
def test_erlang_c_is_a_probability_falling_with_servers(servers: int, load: float) -> None:
    c = erlang_c(servers, load)
    assert 0.0 <= c <= 1.0
    assert erlang_c(servers + 1, load) <= c + 1e-12


@given(agents=st.floats(0.0, 40.0), arrivals=st.floats(0.1, 600.0),
       aht=st.floats(1.0, 30.0), patience=st.floats(0.1, 60.0))
def test_erlang_a_outcomes_are_valid(agents, arrivals, aht, patience) -> None:
    r = erlang_a(agents, arrivals, aht, patience)
    for v in (r.p_wait, r.p_abandon, r.service_level, r.occupancy):
        assert 0.0 <= v <= 1.0 + 1e-12 and math.isfinite(v)
    assert 0.0 <= r.mean_wait <= patience * (1 + 1e-9)


@given(u=st.lists(st.floats(-50, 50), min_size=1, max_size=8))
def test_logit_shares_are_a_distribution(u: list[float]) -> None:
    s = logit_shares(np.array(u))
    assert np.all(s >= 0) and math.isclose(s.sum(), 1.0, rel_tol=1e-9)
    assert np.argmax(s) == np.argmax(u) or s[np.argmax(u)] == s.max()


@given(img=st.floats(0, 1), w=st.floats(0, 1), k=st.integers(1, 20), positive=st.booleans())
def test_messages_keep_images_in_unit_interval(img, w, k, positive) -> None:
    """k messages to customer 0 of a star network keep every image in [0, 1]."""
    strong = sp.csr_matrix((np.ones(2 * k, np.float32),
                            (np.r_[np.zeros(k, int), np.arange(1, k + 1)],
                             np.r_[np.arange(1, k + 1), np.zeros(k, int)])), shape=(k + 1, k + 1))
    net = SocialNetwork(strong, sp.csr_matrix((k + 1, k + 1), dtype=np.float32))
    c = CustomerParams(wom_pos_prob=1.0, wom_neg_prob=1.0, weak_tie_factor=0.0, wom_influence=w)
    image = np.full((k + 1, 2), img)
    spread(image, net, np.zeros(k + 1, np.int16), np.full(k, 0.9 if positive else 0.1),
           np.arange(1, k + 1), c, np.random.default_rng(0))
    assert np.all((image >= 0) & (image <= 1))
    # 1 - (1 - img) may round a last bit below img: allow one ulp-scale slack
    assert (image[0, 0] >= img - 1e-15) if positive else (image[0, 0] <= img)
    assert np.all(image.ravel()[1:] == img)
