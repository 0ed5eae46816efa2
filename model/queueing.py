"""Erlang queues: the service level, waits and abandonment of a contact channel.

Erlang C (M/M/s) ignores abandonment, so waits become unbounded when a site is
under-staffed; Erlang A (M/M/s+M) adds exponential patience and stays finite.
Both are stationary within a week: arrivals are spread evenly over the opening
hours (no intraday peaks: an assumption). Non-integer agent counts are handled
by linear interpolation between the neighbouring integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit


@dataclass(frozen=True)
class QueueResult:
    """Steady-state outcome of one channel in one week (times in minutes)."""

    p_wait: float          # probability an arriving contact waits at all
    mean_wait: float       # mean wait of all arrivals, minutes
    p_abandon: float       # probability an arriving contact abandons
    service_level: float   # share answered within the threshold (20 s by default)
    occupancy: float       # share of agent time busy


@njit(cache=True)
def erlang_c(servers: int, load: float) -> float:
    """Probability of waiting in M/M/s with offered ``load`` (Erlangs); 1 if unstable.

    Computed with the numerically stable Erlang-B recursion.
    """
    if servers <= 0:
        return 1.0
    if load <= 0:
        return 0.0
    if load >= servers:
        return 1.0
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return servers * b / (servers - load * (1 - b))


def erlang_c_service_level(servers: int, load: float, aht: float, threshold: float) -> float:
    """Share answered within ``threshold`` (same time unit as ``aht``): 1 - C e^{-(s-a)t/aht}."""
    if load >= servers:
        return 0.0
    c = erlang_c(servers, load)
    return 1.0 - c * math.exp(-(servers - load) * threshold / aht)


def _erlang_a_integer(servers: int, lam: float, mu: float, theta: float,
                      threshold: float) -> QueueResult:
    """M/M/s+M by its birth-death chain, truncated where the tail is negligible."""
    if servers <= 0:
        return QueueResult(1.0, 1.0 / theta, 1.0, 0.0, 1.0)
    p_wait, queue, busy = _birth_death(servers, lam, mu, theta)
    mean_wait = queue / lam
    p_abandon = min(1.0, theta * queue / lam)
    # Exponential tail matched to P(wait) and mean wait: exact for Erlang C.
    sl = 1.0 - p_wait * math.exp(-threshold * p_wait / mean_wait) if mean_wait > 0 else 1.0
    return QueueResult(p_wait, mean_wait, p_abandon, sl, busy / servers)


@njit(cache=True)
def _birth_death(servers: int, lam: float, mu: float, theta: float) -> tuple[float, float, float]:
    """(P(wait), mean queue length, mean busy agents) of M/M/s+M.

    The stationary law p_n is proportional to prod_{k<=n} lam / death_k with
    death_k = min(k, s) mu + max(k - s, 0) theta, computed in logs and
    truncated at s + max(50, 10 lam / theta + 50), where the tail is negligible.
    """
    nmax = servers + max(50, int(10 * lam / theta) + 50)
    logp = np.zeros(nmax + 1)
    for n in range(1, nmax + 1):
        death = min(n, servers) * mu + max(n - servers, 0) * theta
        logp[n] = logp[n - 1] + math.log(lam) - math.log(death)
    top = logp.max()
    total = p_wait = queue = busy = 0.0
    for n in range(nmax + 1):
        p = math.exp(logp[n] - top)
        total += p
        if n >= servers:
            p_wait += p
            queue += (n - servers) * p
        busy += min(n, servers) * p
    return p_wait / total, queue / total, busy / total


def erlang_a(agents: float, arrivals_per_hour: float, aht_minutes: float,
             patience_minutes: float, threshold_seconds: float = 20.0) -> QueueResult:
    """Outcome of a channel with ``agents`` (may be fractional) on the phones.

    Arrival rate per hour, mean handle time and mean patience in minutes.
    """
    if arrivals_per_hour <= 0:
        return QueueResult(0.0, 0.0, 0.0, 1.0, 0.0)
    lam = arrivals_per_hour / 60.0          # per minute
    mu = 1.0 / aht_minutes
    theta = 1.0 / patience_minutes
    t = threshold_seconds / 60.0
    lo = math.floor(agents)
    w = agents - lo
    r_lo = _erlang_a_integer(lo, lam, mu, theta, t)
    if w < 1e-9:
        return r_lo
    r_hi = _erlang_a_integer(lo + 1, lam, mu, theta, t)
    return QueueResult(*((1 - w) * a + w * b for a, b in zip(
        (r_lo.p_wait, r_lo.mean_wait, r_lo.p_abandon, r_lo.service_level, r_lo.occupancy),
        (r_hi.p_wait, r_hi.mean_wait, r_hi.p_abandon, r_hi.service_level, r_hi.occupancy),
        strict=True)))


def agents_for_service_level(arrivals_per_hour: float, aht_minutes: float, target: float,
                             threshold_seconds: float = 20.0) -> int:
    """Fewest agents on the phones meeting ``target`` under Erlang C (staffing rule)."""
    load = arrivals_per_hour * aht_minutes / 60.0
    s = max(1, math.ceil(load))
    while erlang_c_service_level(s, load, aht_minutes, threshold_seconds / 60.0) < target:
        s += 1
    return s
