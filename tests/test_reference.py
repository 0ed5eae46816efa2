"""The per-agent reference (experiments.tools.reference) against the vectorised model.

Rule by rule (fast): on one and the same customer state, every per-customer
probability, utility and deterministic update of the reference agent equals
what the vectorised kernels compute for that row (single against double
precision: relative tolerance 1e-5).

As a whole (slow): 30 seeds of a relocating market, 2,000 customers, 104 weeks,
run by both implementations. Replicate k of both uses the same seed, hence the
same network and initial population, so the comparison is paired. Per firm,
the means over the horizon of market share, monthly churn, brand image and
CSAT must (1) show no difference (paired t-tests, Holm-corrected at a family
level of 1 %) and (2) be equivalent: the 90 % confidence interval of the mean
difference lies within a margin (two one-sided tests at 5 %).
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.tools.reference import EQUIVALENCE_KPIS, ReferenceModel, kpi_means
from model import (
    OffshoringModel,
    churn,
    demand,
    image,
    relocation,
    satisfaction,
    scenario,
    service,
)
from model import acquisition as acq
from model import word_of_mouth as wom
from model.population import PREMIUM
from model.queueing import QueueResult

RTOL = 1e-5  # float32 arrays against Python floats


def _reference(n: int = 600, burn_in: int = 20, seed: int = 3, **overrides) -> ReferenceModel:
    """A small reference market after a burn-in (varied satisfaction, problems, images)."""
    p = scenario("offshore-morocco", n_customers=n, burn_in_weeks=burn_in, **overrides)
    return ReferenceModel(p, rng=seed)


def _state(model: ReferenceModel):
    """(agents in row order, population arrays of their state now)."""
    return list(model.customers), model.state()


# ---------------------------------------------------------------- rule by rule
def test_agents_are_the_population_rows() -> None:
    """Agent k is row k of the network and of the initial arrays drawn from the seed."""
    p = scenario("offshore-morocco", n_customers=300, burn_in_weeks=0)
    ref, vec = ReferenceModel(p, rng=5), OffshoringModel(p, rng=5)
    agents, pop = _state(ref)
    assert [a.idx for a in agents] == list(range(300))
    for name in ("firm", "segment", "tenure", "aware", "unresolved"):
        np.testing.assert_array_equal(getattr(pop, name), getattr(vec.population, name))
    np.testing.assert_array_equal(pop.image, vec.population.image)
    strong = vec.network.strong
    for a in agents[:50]:
        assert sorted(o.idx for o in a.strong) == \
            strong.indices[strong.indptr[a.idx]:strong.indptr[a.idx + 1]].tolist()


def test_contact_probability_matches_demand_kernel() -> None:
    ref = _reference()
    agents, pop = _state(ref)
    expected = demand.contact_probability(pop, ref.params.market)
    assert (pop.unresolved > 0).any() and (pop.firm < 0).any()
    np.testing.assert_allclose([a.contact_probability() for a in agents], expected, rtol=RTOL)


def test_churn_probability_matches_churn_kernels() -> None:
    """Both the defining formula and the model's compiled kernel, for every customer."""
    ref = _reference()
    agents, pop = _state(ref)
    active = np.flatnonzero(pop.firm >= 0)
    c, h0 = ref.params.customers, ref.base_hazard
    got = np.array([agents[i].churn_probability() for i in active])
    img, own = pop.image[active], pop.firm[active].astype(np.int64)
    defined = churn.churn_probability(h0, churn.risk_score(
        pop.satisfaction[active], pop.unresolved[active], img[np.arange(active.size), own],
        churn.best_rival_image(img, own), c))
    kernel = churn.weekly_probabilities(pop.satisfaction, pop.unresolved, pop.image, pop.firm,
                                        h0, churn.coefficients(c))
    assert np.isnan(kernel[pop.firm < 0]).all()
    np.testing.assert_allclose(got, defined, rtol=RTOL)
    np.testing.assert_allclose(got, kernel[active], rtol=RTOL)


def test_switching_and_adoption_choices_match_logit_kernels() -> None:
    ref = _reference()
    agents, pop = _state(ref)
    c = ref.params.customers
    active = np.flatnonzero(pop.firm >= 0)[:100]
    prices = ref.prices(pop.segment[active])
    u = churn.destination_utility(pop.image[active].astype(float),
                                  pop.firm[active].astype(np.int64), prices, c)
    got = np.array([agents[i].switch_utilities() for i in active])
    np.testing.assert_allclose(churn.logit_shares(got), churn.logit_shares(u), rtol=RTOL)
    u = c.logit_image * pop.image[active] - c.logit_price * prices
    got = np.array([agents[i].adoption_utilities() for i in active])
    np.testing.assert_allclose(churn.logit_shares(got), churn.logit_shares(u), rtol=RTOL)
    assert prices[pop.segment[active] == PREMIUM, 0].min() > prices[:, 0].min()


def test_adoption_probability_matches_acquisition_kernel() -> None:
    ref = _reference()
    agents, pop = _state(ref)
    c = ref.params.customers
    prospects = np.flatnonzero(pop.firm < 0)
    satisfied = (pop.firm >= 0) & (pop.satisfaction > c.satisfied_above)
    n_s, n_w = acq.satisfied_neighbour_counts(ref.network, prospects, satisfied)
    expected = acq.adoption_probability(c.adoption_ad, c.adoption_wom,
                                        c.adoption_wom * c.weak_tie_factor, n_s, n_w)
    assert n_s.max() > 0
    np.testing.assert_allclose([agents[i].adoption_probability() for i in prospects], expected,
                               rtol=RTOL)


@pytest.mark.parametrize("offshore", [False, True])
def test_service_and_satisfaction_updates_match_kernels(offshore: bool) -> None:
    """A channel without chance (all answered, understood, resolved): exact updates, the same
    from the defining functions, the model's compiled kernel and the reference agents."""
    ref = _reference(**{"customers.notice_prob": 1.0})
    agents, pop = _state(ref)
    c = ref.params.customers
    queue = QueueResult(p_wait=0.3, mean_wait=1.0, p_abandon=0.0, service_level=0.8,
                        occupancy=0.9)
    ch = service.Channel(fcr=1.0, language_fit=1.0, orientation=0.7, access_gain=0.03,
                         queue=queue, offshore=offshore)
    who = np.flatnonzero(pop.firm >= 0)[:200]
    sensitive = np.arange(who.size) % 3 == 0
    rep = np.float32(0.6)
    out = service.serve(ch, who.size, c, np.random.default_rng(0),
                        ref.params.market.patience_minutes)
    aware = pop.aware[who] | (offshore & ~out.abandoned)
    q = service.awareness_bias(out.quality, aware, pop.ethnocentrism[who], sensitive, c) \
        if offshore else out.quality
    s = satisfaction.transaction_satisfaction(q, pop.expectation[who], c.disconfirmation_weight)
    S = satisfaction.update_cumulative(pop.satisfaction[who], s,
                                       satisfaction.experience_weight(pop.tenure[who], c))
    E = satisfaction.update_expectation(pop.expectation[who], q, rep, c)
    arrays = {k: np.array(getattr(pop, k)) for k in ("aware", "ethnocentrism", "expectation",
                                                     "satisfaction", "unresolved", "valence",
                                                     "tenure")}
    table = service.channel_table([ch], [float(rep)], ref.params.market.patience_minutes)
    s_kernel, _ = service.serve_contacts(
        who, np.zeros(who.size, np.intp), sensitive, table, service.customer_coefficients(c),
        *arrays.values(), np.random.default_rng(0))
    np.testing.assert_allclose(s_kernel, s, rtol=RTOL)
    np.testing.assert_allclose(arrays["satisfaction"][who], S, rtol=RTOL)
    np.testing.assert_allclose(arrays["expectation"][who], E, rtol=RTOL)
    assert arrays["aware"][who].tolist() == aware.tolist()
    tally = {k: [] for k in ("abandoned", "resolved", "understood", "quality", "s", "complaints")}
    for i, sens in zip(who, sensitive, strict=True):
        agents[i].serve(ch, bool(sens), float(rep), tally)
    np.testing.assert_allclose(tally["quality"], q, rtol=RTOL)
    np.testing.assert_allclose(tally["s"], s, rtol=RTOL)
    np.testing.assert_allclose([agents[i].satisfaction for i in who], S, rtol=RTOL)
    np.testing.assert_allclose([agents[i].expectation for i in who], E, rtol=RTOL)
    assert [agents[i].aware for i in who] == aware.tolist()
    assert all(agents[i].unresolved == 0 for i in who)


def test_word_of_mouth_matches_spread_when_every_tie_talks() -> None:
    overrides = {"customers.wom_pos_prob": 1.0, "customers.wom_neg_prob": 1.0,
                 "customers.weak_tie_factor": 1.0}
    ref = _reference(**overrides)
    agents, pop = _state(ref)
    c = ref.params.customers
    talkers = np.flatnonzero(pop.firm >= 0)[::7]
    s = np.where(np.arange(talkers.size) % 2 == 0, 0.9, 0.2)
    img = pop.image.astype(float)
    wom.spread(img, ref.network, pop.firm, s, talkers, c, np.random.default_rng(0))
    for i, v in zip(talkers, s, strict=True):
        agents[i].valence = float(v)
    for positive in (True, False):
        for i in talkers:
            agents[i].tell(positive)
    np.testing.assert_allclose(ref.state().image, img, rtol=RTOL)
    assert not np.allclose(img, pop.image)


def test_image_memory_and_reputation_match_kernels() -> None:
    """With no churn (base hazard 0) the reference's weekly pass is decay and reputation."""
    ref = _reference()
    agents, pop = _state(ref)
    ref.base_hazard = 0.0
    equity = np.array([f.equity for f in ref.firms])
    reputation = np.array([f.reputation for f in ref.firms])
    img = pop.image.copy()
    image.decay(img, image.baseline(equity, reputation), ref.params.customers.image_memory)
    expected = image.update_reputation(reputation, img, ref.params.customers.reputation_rate)
    prospects = ref.ref_memory_churn_switching()
    np.testing.assert_allclose(ref.state().image, img, rtol=RTOL)
    np.testing.assert_allclose([f.reputation for f in ref.firms], expected, rtol=RTOL)
    assert sorted(a.idx for a in prospects) == np.flatnonzero(pop.firm < 0).tolist()


def test_news_matches_kernel_when_it_reaches_everyone() -> None:
    """Reach 1: every image drops by salience x (0.5 + ethnocentrism); the firm's
    customers learn it serves from abroad once a relocation is planned."""
    ref = _reference(**{"customers.media_reach": 1.0})
    agents, pop = _state(ref)
    focal = ref.firms[0]
    focal.planned_alpha = 0.7
    img = pop.image.copy()
    reached = wom.news(img, 0, 0.08, 1.0, pop.ethnocentrism, np.random.default_rng(0))
    ref.news(focal, 0.08, aware=True)
    after = ref.state()
    np.testing.assert_allclose(after.image, img, rtol=RTOL)
    np.testing.assert_array_equal(after.aware, pop.aware | (reached & (pop.firm == 0)))
    assert after.aware.sum() > pop.aware.sum()


def test_reshoring_clears_awareness_through_the_inherited_code() -> None:
    ref = _reference(n=400, burn_in=0)
    agents, _ = _state(ref)
    for a in agents:
        a.aware = a.firm == 0
    ref.vendor.open_contract(0, 10)
    ref.firms[0].alpha = ref.firms[0].planned_alpha = 0.7
    relocation.reshore(ref.firms[0], 0.0, 0)
    assert not any(a.aware for a in agents)
    assert ref.firms[0].alpha == 0.0


def test_reference_runs_the_parent_schedule_and_reports() -> None:
    """A short run: the inherited KPI rows, the DataCollector and the customer agents."""
    p = scenario("offshore-morocco", n_customers=500, weeks=40, burn_in_weeks=4,
                 **{"policy.week": 0})
    ref = ReferenceModel(p, rng=11)
    ref.run_for(p.weeks)
    k = ref.kpis()
    assert len(k) == p.weeks * p.n_firms and ref.time == p.weeks
    assert (k.groupby("week")["market_share"].sum().between(0.999, 1.001)).all()
    assert k.loc[k["firm"] == 0, "offshore_share"].iloc[-1] > 0.3
    assert ref.customers.agg("satisfaction", np.mean) == pytest.approx(
        ref.population.satisfaction.mean(), rel=1e-6)
    assert len(ref.datacollector.get_model_vars_dataframe()) == p.weeks + 1


# ---------------------------------------------------------------- as a whole
SEEDS = 30
MARKET = ("offshore-morocco", 2_000, 104)  # scenario, customers, weeks
#: Equivalence margins on per-run means (market share and churn as shares, image
#: and CSAT on 0-100): a tenth of a typical relocation effect or less.
MARGIN = {"market_share": 0.01, "churn_monthly": 0.001, "image_all": 0.5, "csat": 1.0}
FAMILY_ALPHA = 0.01


def _replicates(kind: str) -> pd.DataFrame:
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(20261127).spawn(SEEDS)]
    jobs = [(kind, *MARKET, seed) for seed in seeds]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        return pd.DataFrame(list(pool.map(kpi_means, jobs)))


def _holm_rejects(pvalues: pd.Series, alpha: float) -> pd.Series:
    """Holm-Bonferroni step-down: which hypotheses are rejected at family level alpha."""
    order = pvalues.sort_values()
    m = len(order)
    reject = pd.Series(False, index=pvalues.index)
    for i, (name, p) in enumerate(order.items()):
        if p > alpha / (m - i):
            break
        reject[name] = True
    return reject


@pytest.mark.slow
def test_reference_and_vectorised_kpis_are_statistically_equivalent() -> None:
    vec, ref = _replicates("vectorised"), _replicates("reference")
    rows = []
    for col in vec.columns:
        d = ref[col] - vec[col]
        test = stats.ttest_rel(ref[col], vec[col])
        lo, hi = test.confidence_interval(confidence_level=0.90)
        margin = MARGIN[col.split("[")[0]]
        rows.append({"kpi": col, "vectorised": vec[col].mean(), "reference": ref[col].mean(),
                     "diff": d.mean(), "ci90_low": lo, "ci90_high": hi, "margin": margin,
                     "p": test.pvalue})
    table = pd.DataFrame(rows).set_index("kpi")
    table["different"] = _holm_rejects(table["p"], FAMILY_ALPHA)
    table["equivalent"] = (table["ci90_low"] > -table["margin"]) & \
        (table["ci90_high"] < table["margin"])
    shown = table.to_string(float_format=lambda v: f"{v:.4g}")
    assert len(table) == len(EQUIVALENCE_KPIS) * 3
    assert not table["different"].any(), f"the implementations differ:\n{shown}"
    assert table["equivalent"].all(), f"not shown equivalent within the margins:\n{shown}"


# ---------------------------------------------------------------- the bench command
def test_bench_measures_both_implementations(tmp_path, capsys) -> None:
    """``offshoring bench`` on tiny markets: a row per size and implementation, every
    measurement present and positive, the full run's KPI rows checked inside it.
    (What the times are is the bench's business, not a test's.)"""
    from offshoring.cli import main

    out = tmp_path / "bench.csv"
    status = main(["bench", "--sizes", "300,400", "--reference-max", "300", "--weeks", "1",
                   "--vector-weeks", "2", "--warmup", "1", "--burn-in", "1", "--full-weeks", "3",
                   "--out", str(out)])
    assert status == 0
    df = pd.read_csv(out)
    assert list(zip(df["customers"], df["implementation"], strict=True)) == [
        (300, "vectorised"), (300, "reference"), (400, "vectorised")]
    for col in ("step_s", "rules_s", "build_s", "agents_s", "network_s", "rss_mb"):
        assert (df[col] > 0).all(), col
    assert (df["rules_s"] < df["step_s"]).all()
    vec = df[df["implementation"] == "vectorised"]
    assert (vec["full_s"] > 0).all() and (vec["views_s"] > 0).all()
    printed = capsys.readouterr().out
    assert "Weekly step" in printed and "Build and memory" in printed
