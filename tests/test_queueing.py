"""Erlang C and Erlang A (model.queueing) against hand-computed and textbook values.

Hand computation used below: with s = 3 agents and a = 2 Erlangs, the Erlang-B
recursion gives B1 = 2/3, B2 = 2/5, B3 = 4/19, so C = s B / (s - a (1 - B)) = 4/9;
with s = 4, B4 = 2/21 and C = 4/23. The share answered within t is
1 - C exp(-(s - a) t / AHT), and the mean wait of all arrivals is C AHT / (s - a).

The Erlang-A service level (answered within t / offered, abandons missed) is
checked against closed forms, an independent formula and a discrete-event
simulation of M/M/c+M with ciw (a test-only dependency).
"""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from numba import njit
from scipy.special import betainc
from scipy.stats import t as student_t

from model.queueing import (
    _birth_death,
    _poisson_cutoff,
    _served_within,
    _uniformization,
    agents_for_service_level,
    erlang_a,
    erlang_c,
    erlang_c_service_level,
)


@pytest.mark.parametrize(("servers", "load", "expected"), [
    (3, 2.0, 4 / 9),      # Erlang-B recursion by hand (module docstring)
    (4, 2.0, 4 / 23),
    (2, 1.0, 1 / 3),      # M/M/2: a^2/2 * 2/(2-a) / (1 + a + a^2/(2-a)) = 1/3
    (1, 0.5, 0.5),        # M/M/1: P(wait) = rho
    (1, 0.9, 0.9),
])
def test_erlang_c_textbook_values(servers: int, load: float, expected: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(expected, rel=1e-12)


def test_erlang_c_edge_cases() -> None:
    """No load never waits; an unstable or empty queue always waits."""
    assert erlang_c(3, 0.0) == 0.0
    assert erlang_c(3, 3.0) == 1.0
    assert erlang_c(3, 5.0) == 1.0
    assert erlang_c(0, 1.0) == 1.0


def test_erlang_c_falls_with_each_extra_agent() -> None:
    values = [erlang_c(s, 10.0) for s in range(11, 25)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    assert values[-1] < 1e-3


def test_service_level_hand_example() -> None:
    """s = 3, a = 2, t = AHT ln 2: SL = 1 - (4/9)(1/2) = 7/9."""
    aht = 6.0
    assert erlang_c_service_level(3, 2.0, aht, aht * math.log(2)) == pytest.approx(7 / 9)
    assert erlang_c_service_level(3, 2.0, aht, 0.0) == pytest.approx(1 - 4 / 9)
    assert erlang_c_service_level(2, 2.0, aht, 1.0) == 0.0  # unstable: nobody in time


def test_staffing_rule_hand_example() -> None:
    """20 contacts/h of 6 min = 2 Erlangs; 20 s threshold = 1/3 min.

    SL(3) = 1 - (4/9) e^{-1/18} = 0.580, SL(4) = 1 - (4/23) e^{-2/18} = 0.844.
    """
    assert 1 - 4 / 9 * math.exp(-1 / 18) == pytest.approx(
        erlang_c_service_level(3, 2.0, 6.0, 1 / 3))
    assert agents_for_service_level(20, 6.0, 0.50) == 3
    assert agents_for_service_level(20, 6.0, 0.80) == 4
    assert agents_for_service_level(20, 6.0, 0.84) == 4
    assert agents_for_service_level(20, 6.0, 0.85) == 5


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    """With 3 agents, 2 Erlangs: P(wait) -> 4/9, mean wait -> (4/9) 6 / 1 = 8/3 min.

    The gap shrinks at least fivefold per tenfold patience (abandonment ~ 1/patience).
    """
    gaps = []
    for patience in (100.0, 1_000.0, 10_000.0):
        r = erlang_a(3, 20.0, 6.0, patience)
        gaps.append((abs(r.p_wait - 4 / 9), abs(r.mean_wait - 8 / 3), r.p_abandon))
    for (pw0, mw0, ab0), (pw1, mw1, ab1) in zip(gaps, gaps[1:], strict=False):
        assert pw1 < pw0 / 5 and mw1 < mw0 / 5 and ab1 < ab0 / 5
    pw, mw, ab = gaps[-1]
    assert pw < 1e-3 and mw / (8 / 3) < 5e-3 and ab < 1e-3
    r = erlang_a(3, 20.0, 6.0, 10_000.0)
    assert r.service_level == pytest.approx(erlang_c_service_level(3, 2.0, 6.0, 1 / 3),
                                            abs=1e-3)
    assert r.occupancy == pytest.approx(2 / 3, abs=1e-3)


def test_erlang_a_finite_when_understaffed() -> None:
    """2 agents for 4 Erlangs: Erlang C diverges, Erlang A stays finite.

    Nobody waits longer than they are willing to, so mean wait <= mean patience, and
    flow balance holds: answered rate lambda (1 - P(abandon)) = busy agents x mu.
    """
    lam_h, aht, patience = 40.0, 6.0, 3.0
    assert erlang_c(2, lam_h * aht / 60) == 1.0
    r = erlang_a(2, lam_h, aht, patience)
    assert 0 < r.p_abandon < 1 and 0 < r.p_wait <= 1
    assert 0 < r.mean_wait <= patience
    assert 0 <= r.service_level < 1 and 0 < r.occupancy <= 1
    assert lam_h / 60 * (1 - r.p_abandon) == pytest.approx(r.occupancy * 2 / aht, rel=1e-9)


@pytest.mark.parametrize("patience", [0.5, 3.0, 30.0])
def test_erlang_a_flow_balance(patience: float) -> None:
    """Arrivals = answered + abandoned, exactly, for any staffing."""
    for agents in (1, 3, 5, 8):
        r = erlang_a(agents, 45.0, 6.0, patience)
        answered_rate = r.occupancy * agents / 6.0
        assert 45.0 / 60 * (1 - r.p_abandon) == pytest.approx(answered_rate, rel=1e-9)


def test_erlang_a_no_arrivals_and_no_agents() -> None:
    idle = erlang_a(3, 0.0, 6.0, 3.0)
    assert (idle.p_wait, idle.mean_wait, idle.p_abandon, idle.service_level) == (0, 0, 0, 1)
    nobody = erlang_a(0, 10.0, 6.0, 3.0)
    assert nobody.p_abandon == 1.0 and nobody.mean_wait == pytest.approx(3.0)
    assert nobody.service_level == 0.0


def test_erlang_a_fractional_agents_interpolate() -> None:
    lo, hi, mid = (erlang_a(a, 30.0, 6.0, 3.0) for a in (2, 3, 2.5))
    for name in ("p_wait", "mean_wait", "p_abandon", "service_level", "occupancy"):
        assert getattr(mid, name) == pytest.approx(
            (getattr(lo, name) + getattr(hi, name)) / 2)


def test_erlang_a_improves_with_agents() -> None:
    results = [erlang_a(a, 60.0, 6.0, 3.0) for a in range(4, 12)]
    waits = [r.mean_wait for r in results]
    sls = [r.service_level for r in results]
    assert all(a > b for a, b in zip(waits, waits[1:], strict=False))
    assert all(a < b for a, b in zip(sls, sls[1:], strict=False))


# --- Erlang-A service level: answered within the threshold / offered ---------------

def test_erlang_a_service_level_tends_to_erlang_c() -> None:
    """theta -> 0 with a stable load: SL -> 1 - C e^{-(s mu - lam) t} (Erlang C).

    3 agents, 2 Erlangs, AHT 6 min, t = 20 s: 1 - (4/9) e^{-1/18} = 0.57957; the
    gap is of the order of the abandonment, so it shrinks tenfold per tenfold patience.
    """
    target = 1 - 4 / 9 * math.exp(-1 / 18)
    gaps = [abs(erlang_a(3, 20.0, 6.0, p).service_level - target)
            for p in (1e3, 1e4, 1e5, 1e6)]
    assert all(b < a / 5 for a, b in zip(gaps, gaps[1:], strict=False))
    assert gaps[-1] < 1e-5
    # a larger stable case, 40 agents for 30 Erlangs
    assert erlang_a(40, 300.0, 6.0, 1e6).service_level == pytest.approx(
        erlang_c_service_level(40, 30.0, 6.0, 1 / 3), abs=1e-5)


def test_erlang_a_service_level_at_zero_load_and_zero_threshold() -> None:
    """No contacts: everyone (nobody) answered at once; t = 0: SL = P(no wait)."""
    assert erlang_a(5, 0.0, 6.0, 3.0).service_level == 1.0
    assert erlang_a(5, 1e-9, 6.0, 3.0).service_level == pytest.approx(1.0, abs=1e-12)
    r = erlang_a(5, 60.0, 6.0, 3.0, threshold_seconds=0.0)
    assert r.service_level == pytest.approx(1 - r.p_wait, abs=1e-14)


def _sl_theta_equals_mu_one_agent(a: float, mu: float, t: float) -> float:
    """M/M/1+M with theta = mu, offered load a = lam / mu, threshold t.

    Every death rate is n mu (one server plus n - 1 impatient waiters), so n in
    system is Poisson(a), as in M/M/inf, and P(wait) = 1 - e^{-a}. An arrival
    finding m = j + 1 >= 1 in system leaves position i at rate (i + 2) mu, of
    which (i + 1) mu moves it up: it is ever served with probability
    prod_{i<=j} (i+1)/(i+2) = 1/(m+1), after Exp(2 mu) + ... + Exp((m+1) mu),
    the second-largest of m + 1 iid Exp(mu) (Renyi), whose CDF with
    F = 1 - e^{-mu t} is F^{m+1} + (m+1) F^m (1 - F). Summing over m with
    weights e^{-a} a^m / m!:
        SL = e^{-a} [1 + (e^{aF} - 1 - aF) / a + (1 - F)(e^{aF} - 1)].
    As t -> inf this is (1 - e^{-a}) / a = 1 - P(abandon), as it must be.
    """
    f = 1 - math.exp(-mu * t)
    return math.exp(-a) * (1 + (math.exp(a * f) - 1 - a * f) / a
                           + (1 - f) * (math.exp(a * f) - 1))


@pytest.mark.parametrize(("load", "threshold_s"), [
    (0.05, 20.0), (0.3, 20.0), (0.8, 20.0), (1.0, 60.0), (2.5, 20.0), (2.5, 600.0),
])
def test_erlang_a_service_level_theta_equals_mu_one_agent(load: float,
                                                         threshold_s: float) -> None:
    """Closed form of ``_sl_theta_equals_mu_one_agent`` (AHT = patience = 6 min)."""
    r = erlang_a(1, load * 10.0, 6.0, 6.0, threshold_seconds=threshold_s)
    expected = _sl_theta_equals_mu_one_agent(load, 1 / 6, threshold_s / 60)
    assert r.service_level == pytest.approx(expected, abs=1e-10)
    assert r.p_wait == pytest.approx(1 - math.exp(-load), abs=1e-12)


def test_erlang_a_service_level_small_load_one_agent() -> None:
    """M/M/1+M as lam -> 0: only an arrival finding the agent busy (prob ~ rho)
    with nobody ahead matters, and it is answered within t iff the service in
    progress ends before both t and its patience: (mu/(mu+theta))(1 - e^{-(mu+theta)t}).
    So (1 - SL) / rho -> 1 - mu/(mu+theta) (1 - e^{-(mu+theta) t}).
    """
    mu, theta, t = 1 / 6, 1 / 3, 1 / 3
    slope = 1 - mu / (mu + theta) * (1 - math.exp(-(mu + theta) * t))
    for rho in (1e-3, 1e-4):
        r = erlang_a(1, rho * 10.0, 6.0, 3.0)
        assert (1 - r.service_level) / rho == pytest.approx(slope, rel=3 * rho)


def _sl_by_beta(servers: int, lam: float, mu: float, theta: float, t: float) -> float:
    """Independent formula for the exact service level, with scipy's incomplete beta.

    With j ahead, the contact leaves position i at rate s mu + (i+1) theta and moves
    up at rate s mu + i theta, so it is ever served with the telescoping product
    s mu / (s mu + (j+1) theta); its wait is then a sum of Exp(theta (c + k)),
    k = 1..j+1, c = s mu / theta, whose CDF is the regularized incomplete beta
    I_{1 - e^{-theta t}}(j + 1, c + 1) (for integer c: the time until j + 1 of
    j + 1 + c iid Exp(theta) lifetimes have ended).
    """
    nmax = servers + 4000
    n = np.arange(1, nmax + 1)
    death = np.minimum(n, servers) * mu + np.maximum(n - servers, 0) * theta
    logp = np.concatenate(([0.0], np.cumsum(np.log(lam) - np.log(death))))
    p = np.exp(logp - logp.max())
    p /= p.sum()
    j = np.arange(nmax + 1 - servers)
    c = servers * mu / theta
    served = c / (c + j + 1) * betainc(j + 1, c + 1, 1 - math.exp(-theta * t))
    return float(p[:servers].sum() + (p[servers:] * served).sum())


@pytest.mark.parametrize(("servers", "per_hour", "aht", "patience", "threshold_s"), [
    (10, 70.0, 6.0, 3.0, 20.0),
    (10, 130.0, 6.0, 3.0, 20.0),
    (40, 300.0, 6.0, 3.0, 20.0),
    (3, 150.0, 3.33, 20.0, 120.0),   # heavily overloaded, patient, long threshold
    (5, 180.0, 2.0, 0.3, 60.0),      # patience shorter than the threshold
    (1, 30.0, 1.0, 1.0, 60.0),
])
def test_erlang_a_service_level_matches_beta_formula(servers, per_hour, aht, patience,
                                                     threshold_s) -> None:
    """Uniformization agrees with the incomplete-beta formula to < 1e-10."""
    r = erlang_a(servers, per_hour, aht, patience, threshold_seconds=threshold_s)
    expected = _sl_by_beta(servers, per_hour / 60, 1 / aht, 1 / patience, threshold_s / 60)
    assert r.service_level == pytest.approx(expected, abs=1e-10)


def test_erlang_a_service_level_properties() -> None:
    """In [0, 1]; falls with load at fixed agents; rises with agents at fixed load;
    never above the share not abandoning, nor below P(no wait).

    Strictly, wherever the level is neither 1 nor 0 to rounding; within the 1e-10
    error budget of the computation where it is (hopelessly overloaded, patient
    callers: SL ~ 1e-20 and below).
    """
    def strictly_monotone(values: list[float]) -> bool:
        pairs = list(zip(values, values[1:], strict=False))
        return (all(b <= a + 1e-10 for a, b in pairs)
                and all(b < a for a, b in pairs if 1e-9 < a < 1 - 1e-12))

    for patience in (0.5, 3.0, 30.0):
        for agents in (1, 2, 5, 10, 25):
            sls = [erlang_a(agents, per_hour, 6.0, patience).service_level
                   for per_hour in np.linspace(1.0, 600.0, 40)]
            assert all(0.0 <= s <= 1.0 for s in sls)
            assert strictly_monotone(sls)
        for per_hour in (20.0, 100.0, 400.0):
            results = [erlang_a(a, per_hour, 6.0, patience) for a in range(1, 60)]
            sls = [r.service_level for r in results]
            assert all(0.0 <= s <= 1.0 for s in sls)
            assert strictly_monotone(sls[::-1])
            for r in results:
                assert 1 - r.p_wait - 1e-12 <= r.service_level <= 1 - r.p_abandon + 1e-12


# --- Discrete-event simulation of M/M/c+M (ciw) --------------------------------------

DES_AGENTS, DES_AHT, DES_PATIENCE, DES_THRESHOLD = 10, 6.0, 3.0, 1 / 3   # minutes
DES_LOADS = (0.7, 0.85, 1.0, 1.15, 1.3)          # offered Erlangs / agents
DES_REPS, DES_WARMUP, DES_HORIZON, DES_DRAIN = 16, 100.0, 5_000.0, 100.0
# Bonferroni: 3 measures x 5 loads at a 95 % family-wise level
DES_CONFIDENCE = 1 - 0.05 / (3 * len(DES_LOADS))


def _old_service_level(p_wait: float, mean_wait: float, threshold: float) -> float:
    """The formula this module used before: an exponential tail matched to P(wait)
    and the mean wait, which ignores that abandoned contacts are not answered."""
    return 1.0 - p_wait * math.exp(-threshold * p_wait / mean_wait) if mean_wait > 0 else 1.0


def _simulate(load: float, seed: int) -> tuple[float, float, float]:
    """(SL, P(abandon), mean wait of all arrivals in min) of one ciw replication.

    Counts the contacts arriving in [warm-up, warm-up + horizon); the run goes
    on DES_DRAIN minutes more so that all of them have left (a record is written
    on leaving; missing one needs a wait or service above 100 min: < e^-16).
    """
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(load * DES_AGENTS / DES_AHT)],
        service_distributions=[ciw.dists.Exponential(1 / DES_AHT)],
        number_of_servers=[DES_AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(1 / DES_PATIENCE)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(DES_WARMUP + DES_HORIZON + DES_DRAIN)
    recs = [r for r in sim.get_all_records()
            if DES_WARMUP <= r.arrival_date < DES_WARMUP + DES_HORIZON]
    n = len(recs)
    in_time = sum(r.record_type == "service" and r.waiting_time <= DES_THRESHOLD
                  for r in recs)
    abandoned = sum(r.record_type == "renege" for r in recs)
    return in_time / n, abandoned / n, sum(r.waiting_time for r in recs) / n


@pytest.fixture(scope="module")
def des_results() -> dict[float, list[tuple[float, float, float]]]:
    """DES_REPS independent replications per load, fixed seeds (about 15 s in all)."""
    pytest.importorskip("ciw")
    return {load: [_simulate(load, 10_000 * i + round(100 * load)) for i in range(DES_REPS)]
            for load in DES_LOADS}


def _ci(values: list[float]) -> tuple[float, float]:
    """Student-t interval of the mean of independent replications (DES_CONFIDENCE)."""
    half = (student_t.ppf(0.5 + DES_CONFIDENCE / 2, len(values) - 1)
            * statistics.stdev(values) / math.sqrt(len(values)))
    mean = statistics.mean(values)
    return mean - half, mean + half


@pytest.mark.parametrize("load", DES_LOADS)
def test_erlang_a_matches_simulation(des_results, load: float) -> None:
    """Analytical SL, abandonment and mean wait lie in the simulation's CI.

    c = 10 agents, AHT 6 min, patience 3 min, 20 s threshold, offered load
    0.7-1.3 x agents; 16 replications of 5,000 min after 100 min warm-up.
    """
    r = erlang_a(DES_AGENTS, load * DES_AGENTS / DES_AHT * 60, DES_AHT, DES_PATIENCE)
    reps = des_results[load]
    for k, value in enumerate((r.service_level, r.p_abandon, r.mean_wait)):
        lo, hi = _ci([rep[k] for rep in reps])
        assert lo <= value <= hi, (load, k, value, lo, hi)
        assert hi - lo < (0.04, 0.04, 0.1)[k]   # and informative: shares; minutes


def test_simulation_rejects_the_old_formula(des_results) -> None:
    """At 1.3 x overload the old exponential-tail SL lies far above the DES interval
    (it overstated the service level by 10+ points): this test would have caught it."""
    load = 1.3
    r = erlang_a(DES_AGENTS, load * DES_AGENTS / DES_AHT * 60, DES_AHT, DES_PATIENCE)
    lo, hi = _ci([rep[0] for rep in des_results[load]])
    old = _old_service_level(r.p_wait, r.mean_wait, DES_THRESHOLD)
    assert old > hi + 0.05
    assert lo <= r.service_level <= hi


def test_erlang_a_many_equals_erlang_a_channel_by_channel() -> None:
    """The all-channels pass gives exactly ``erlang_a`` of each channel (no arrivals too)."""
    from model.queueing import erlang_a_many

    agents = [12.4, 3.0, 0.0, 25.75, 7.2]
    arrivals = [100.0, 40.0, 10.0, 0.0, 55.5]
    aht = [6.0, 7.5, 5.0, 6.0, 9.1]
    many = erlang_a_many(agents, arrivals, aht, 3.0)
    assert many.shape == (5, 5)
    for row, a, lam, h in zip(many.tolist(), agents, arrivals, aht, strict=True):
        assert tuple(row) == tuple(erlang_a(a, lam, h, 3.0))


def _linear_cutoff(mean: float, tol: float) -> int:
    """The Poisson cutoff by the definition: K from floor(mean) up, one at a time."""
    if mean <= 0.0:
        return 0
    k = int(mean)
    while True:
        log_next = -mean + (k + 1) * math.log(mean) - math.lgamma(k + 2.0)
        if math.exp(log_next) / (1.0 - mean / (k + 2)) < tol:
            return k
        k += 1


@pytest.mark.parametrize("tol", [5e-11, 1e-6, 0.3])
def test_poisson_cutoff_search_finds_the_smallest_k(tol: float) -> None:
    """Galloping and bisection find the K the one-step search finds, for small and large
    means, integers among them (where the search starts on its first test)."""
    means = np.concatenate([np.random.default_rng(5).uniform(0.0, 150.0, 3000),
                            np.arange(0.0, 60.0, 0.5), [1e-9, 1e-3]])
    got = [_poisson_cutoff(float(m), tol) for m in means]
    assert got == [_linear_cutoff(float(m), tol) for m in means]
    assert all(k >= int(m) for k, m in zip(got, means, strict=True))


@njit(cache=False)
def _full_law_sums(servers: int, lam: float, mu: float, theta: float, threshold: float
                   ) -> tuple[float, float, float, float]:
    """``_birth_death`` by its definition: every sum over the whole truncated law, in order,
    and the service level from ``_uniformization`` over all the queue positions."""
    nmax = servers + max(50, int(10 * lam / theta) + 50)
    logp = np.zeros(nmax + 1)
    for n in range(1, nmax + 1):
        death = min(n, servers) * mu + max(n - servers, 0) * theta
        logp[n] = logp[n - 1] + math.log(lam) - math.log(death)
    p = np.exp(logp - logp.max())
    total = 0.0
    for n in range(nmax + 1):
        total += p[n]
    p_wait = p_now = queue = busy = 0.0
    for n in range(nmax + 1):
        p[n] /= total
        if n >= servers:
            p_wait += p[n]
            queue += (n - servers) * p[n]
        else:
            p_now += p[n]
        busy += min(n, servers) * p[n]
    if threshold <= 0.0:
        return p_wait, queue, busy, p_now
    kept, cut, rate = _uniformization(nmax - servers + 1, servers * mu, theta, threshold,
                                      5e-11)
    return p_wait, queue, busy, p_now + _served_within(
        p[servers:servers + kept].copy(), cut, rate, servers * mu, theta, threshold)


def test_birth_death_stops_where_the_tail_cannot_change_a_sum() -> None:
    """The sums stopped early at a negligible tail equal the sums over the whole law, bit
    for bit, from under-staffed to idle channels, short and long patience."""
    rng = np.random.default_rng(3)
    cases = [(1, 0.01, 1 / 6, 1 / 3, 1 / 3), (40, 4.6, 1 / 6.05, 1 / 3, 1 / 3),
             (5, 30.0, 1 / 6, 1 / 60, 1 / 3), (200, 0.5, 1 / 6, 1 / 3, 0.0)]
    for _ in range(3000):
        cases.append((int(rng.integers(1, 300)), float(np.exp(rng.uniform(-5.0, 4.6))),
                      1 / rng.uniform(0.5, 20.0), 1 / float(np.exp(rng.uniform(-2.3, 4.8))),
                      float(rng.choice([0.0, rng.uniform(0.001, 3.0)]))))
    for case in cases:
        assert _birth_death(*case) == _full_law_sums(*case), case
