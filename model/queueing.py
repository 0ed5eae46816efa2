"""Erlang queues: the service level, waits and abandonment of a contact channel.

Erlang C (M/M/s) ignores abandonment, so waits become unbounded when a site is
under-staffed; Erlang A (M/M/s+M) adds exponential patience and stays finite.
Both are stationary within a week: arrivals are spread evenly over the opening
hours (no intraday peaks: an assumption). Non-integer agent counts are handled
by linear interpolation between the neighbouring integers.

Erlang A is solved exactly from its birth-death chain (``_birth_death``): the
stationary law p_n of the number n of contacts in the system gives P(wait),
the mean wait (Little's law on the mean queue), abandonment (theta x mean queue
/ lambda) and occupancy.

The service level is the industry's: contacts answered within the threshold t
divided by ALL offered contacts, so an abandoned contact counts as missed. By
PASTA an arrival sees n with probability p_n. If n < s it is answered at once.
Otherwise it has j = n - s contacts ahead (FCFS); the number ahead falls at rate
s mu + i theta (a service completion, or one of the i ahead abandoning), and
from 0 it enters service at rate s mu; meanwhile its own patience runs out at
rate theta. It is answered within t iff this small absorbing chain reaches
"served" by time t. ``_served_within`` gets that probability for all j at
once by uniformization (a Poisson mixture of a vector recursion), with the
Poisson series and the positions ahead truncated under a documented error bound
(< 1e-10 in total); no matrix exponential, so the cost stays a few microseconds.
It tends to the Erlang-C service level as patience grows (stable load).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit


class QueueResult(NamedTuple):
    """Steady-state outcome of one channel in one week (times in minutes); a named tuple
    (immutable, and cheap to make every week for every channel)."""

    p_wait: float          # probability an arriving contact waits at all
    mean_wait: float       # mean wait of all arrivals, minutes
    p_abandon: float       # probability an arriving contact abandons
    service_level: float   # share of ALL offered answered within the threshold (20 s
                           # by default); abandoned contacts count as missed
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


# Error budget of the service level: each of the two truncations in
# ``_uniformization`` (Poisson series, positions ahead) adds less than this.
_UNIFORMIZATION_TOL = 5e-11


def _erlang_a_integer(servers: int, lam: float, mu: float, theta: float,
                      threshold: float) -> QueueResult:
    """M/M/s+M with integer ``servers``; rates per minute, ``threshold`` in minutes."""
    if servers <= 0:
        return QueueResult(1.0, 1.0 / theta, 1.0, 0.0, 1.0)
    p_wait, queue, busy, sl = _birth_death(servers, lam, mu, theta, threshold)
    mean_wait = queue / lam
    p_abandon = min(1.0, theta * queue / lam)
    return QueueResult(p_wait, mean_wait, p_abandon, min(1.0, max(0.0, sl)), busy / servers)


@njit(cache=True)
def _birth_death(servers: int, lam: float, mu: float, theta: float,
                 threshold: float) -> tuple[float, float, float, float]:
    """(P(wait), mean queue length, mean busy agents, service level) of M/M/s+M.

    Rates per minute, ``threshold`` in minutes. The stationary law p_n is
    proportional to prod_{k<=n} lam / death_k with death_k = min(k, s) mu +
    max(k - s, 0) theta, computed in logs and truncated at
    s + max(50, 10 lam / theta + 50): beyond s + 2 lam / theta every ratio
    p_{n+1} / p_n is below 1/2, so the neglected tail is below 2^-50 of the
    largest p_n. The service level is P(no wait) plus the mass answered
    within the threshold from each queue position (``_uniformization``,
    ``_served_within``).

    The sums over n are those of the whole truncated law, in order, but the
    work stops earlier, at the first n_end where the rest of the tail cannot
    change them (``_tail_is_negligible``): every later term of every sum is
    below half a unit in the last place of that sum, so adding it would
    leave the sum as it is. The values are the full loop's bit for bit.
    """
    nmax = servers + max(50, int(10 * lam / theta) + 50)
    ahead = nmax - servers + 1  # queue positions of the truncated law
    kept, cut, rate = 0, 0, 0.0
    if threshold > 0.0:
        kept, cut, rate = _uniformization(ahead, servers * mu, theta, threshold,
                                          _UNIFORMIZATION_TOL)
    logp = np.empty(nmax + 1)  # log p_n, unnormalised (log p_0 = 0)
    logp[0] = top = 0.0
    done, depth = 0, 50.0
    while True:
        # log p_n on, at least to the positions the service level reads, past the point
        # where each step multiplies p_n by 1 / 2.5 or less, and ``depth`` below the mode
        n = done
        while n < nmax and (n < servers + kept or logp[n] > top - depth
                            or _death(n + 1, servers, mu, theta) < 2.5 * lam):
            n += 1
            logp[n] = logp[n - 1] + math.log(lam) - math.log(_death(n, servers, mu, theta))
            top = max(top, logp[n])
        done = n
        p = np.zeros(nmax + 1)
        total = 0.0
        for n in range(done + 1):
            p[n] = math.exp(logp[n] - top)
            total += p[n]
        p_wait = p_now = queue = busy = 0.0
        for n in range(done + 1):
            p[n] /= total
            if n >= servers:
                p_wait += p[n]
                queue += (n - servers) * p[n]
            else:
                p_now += p[n]   # summed apart from p_wait: 1 - p_wait cancels when overloaded
            busy += min(n, servers) * p[n]
        if done == nmax:
            break
        # p_{n_end + 1}, as the full loop computes it
        nxt = done + 1
        v = math.exp(logp[done] + math.log(lam) - math.log(_death(nxt, servers, mu, theta))
                     - top)
        if nxt > servers and _tail_is_negligible(v, total) and _tail_is_negligible(
                v / total, p_wait) and _tail_is_negligible((nxt - servers) * (v / total), queue) \
                and _tail_is_negligible(servers * (v / total), busy):
            break
        depth += 15.0
    in_time = 0.0
    if threshold > 0.0:
        in_time = _served_within(p[servers:servers + kept], cut, rate, servers * mu, theta,
                                 threshold)
    return p_wait, queue, busy, p_now + in_time


@njit(cache=True)
def _death(n: int, servers: int, mu: float, theta: float) -> float:
    """Rate out of state n of M/M/s+M (per minute): min(n, s) mu + max(n - s, 0) theta."""
    return min(n, servers) * mu + max(n - servers, 0) * theta


# Below half a unit in the last place of a sum s >= 0 (< 2^-54 s), with a factor 2 to spare.
_NEGLIGIBLE = 2.0 ** -55


@njit(cache=True)
def _tail_is_negligible(term: float, total: float) -> bool:
    """Whether adding ``term``, then any number of terms no larger, to a running sum
    ``total`` >= 0 leaves it unchanged in double precision.

    fl(s + t) = s when t is below half a unit in the last place of s, which
    is at least 2^-54 s; the test asks 2^-55 s, so the later terms may exceed
    ``term`` by a factor 2 (rounding of the tail's logs, or the factor n - s
    of the mean queue, which the tail's halving at each step more than
    offsets) and still leave the sum unchanged.
    """
    return term == 0.0 or term < total * _NEGLIGIBLE


@njit(cache=True)
def _tail_bound_above(mean: float, log_mean: float, k: int, tol: float) -> bool:
    """Whether the bound P(N = k + 1) / (1 - mean / (k + 2)) on P(N > k) is not below
    ``tol``, N ~ Poisson(mean) (``_poisson_cutoff``'s test of one K)."""
    log_next = -mean + (k + 1) * log_mean - math.lgamma(k + 2.0)
    return not math.exp(log_next) / (1.0 - mean / (k + 2)) < tol


@njit(cache=True)
def _poisson_cutoff(mean: float, tol: float, upper: int = -1) -> int:
    """Smallest K >= floor(mean) with P(N > K) < ``tol`` guaranteed, N ~ Poisson(mean).

    For K + 2 > mean the terms beyond K fall at least geometrically with ratio
    mean / (K + 2), so P(N > K) <= P(N = K + 1) / (1 - mean / (K + 2)). That
    bound falls with K (both factors do), so the smallest K passing is found
    by bisection: the K a search one step at a time finds, in a handful of
    tests instead of dozens. The upper end is ``upper`` when it passes (the
    cutoff of a larger mean does), else found by galloping up from floor(mean).
    """
    if mean <= 0.0:
        return 0
    log_mean = math.log(mean)
    lo = int(mean)
    if not _tail_bound_above(mean, log_mean, lo, tol):
        return lo
    if upper > lo and not _tail_bound_above(mean, log_mean, upper, tol):
        hi = upper
    else:
        step = 4
        hi = lo + step
        while _tail_bound_above(mean, log_mean, hi, tol):  # lo fails; gallop until hi passes
            lo, step = hi, 2 * step
            hi = lo + step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _tail_bound_above(mean, log_mean, mid, tol):
            lo = mid
        else:
            hi = mid
    return hi


@njit(cache=True)
def _uniformization(ahead: int, service_rate: float, theta: float, threshold: float,
                    tol: float) -> tuple[int, int, float]:
    """(J, K, L) of ``_served_within`` for a law over ``ahead`` queue positions: the
    positions kept, the Poisson cutoff and the uniformization rate (per minute).

    ``service_rate`` = s mu and ``theta`` = 1 / mean patience per minute,
    ``threshold`` in minutes. Two truncations, each with error < ``tol``: the
    Poisson series stops at K with P(N > K) < tol (``_poisson_cutoff``), and
    positions j >= J = K + 1 are dropped, since reaching service from there
    needs J consecutive holding times each stochastically larger than Exp(L),
    which happens by t with probability <= P(N >= J) < tol. J and L are
    shrunk together (L = s mu + J theta) until consistent, which keeps the
    cost at O(K^2) however long the queue is. Each cutoff is at most the last
    one (its mean is smaller), which bounds its search.
    """
    kept, cut = ahead, -1
    while True:
        rate = service_rate + kept * theta
        cut = _poisson_cutoff(rate * threshold, tol, cut)
        if cut + 1 >= kept:
            return kept, cut, rate
        kept = cut + 1


@njit(cache=True)
def _served_within(p_ahead: np.ndarray, cut: int, rate: float, service_rate: float,
                   theta: float, threshold: float) -> float:
    """sum_j p_ahead[j] P(served within ``threshold`` | j ahead on arrival), M/M/s+M.

    ``p_ahead[j]`` = p_{s+j} is the probability (PASTA) that an arrival finds j
    contacts queued ahead of it, for the J positions ``_uniformization`` keeps;
    ``cut`` and ``rate`` are its K and L. The tagged contact's chain: position
    i >= 1 -> i - 1 at rate q_{i-1} = s mu + i theta (a service ends or one
    ahead abandons), position 0 -> served at rate q_{-1} = s mu, and at any
    position -> abandoned at rate theta (its own patience, which is
    independent of its virtual wait). So position j is left at rate
    s mu + (j + 1) theta.

    Uniformization at rate L >= every exit rate kept: P(served by t) =
    sum_k Poisson(k; L t) P(served within k jumps of the embedded chain); the
    second factor is carried for all starting positions at once by pushing the
    vector p_ahead forward one jump at a time and accumulating the mass
    absorbed in "served".
    """
    kept = p_ahead.shape[0]
    if kept == 0:
        return 0.0
    x = np.zeros(kept + 1)  # x[kept] = 0: nothing moves down from beyond the kept positions
    x[:kept] = p_ahead
    # j + 1 -> j happens at rate s mu + (j + 1) theta, which is also the total exit
    # rate of j (to j - 1 or served, plus its own abandonment)
    move = np.empty(kept)
    stay = np.empty(kept)
    for j in range(kept):
        move[j] = (service_rate + (j + 1) * theta) / rate
        stay[j] = 1.0 - move[j]
    lt = rate * threshold
    log_lt = math.log(lt)
    log_w = -lt
    served = 0.0
    total = 0.0
    for k in range(1, cut + 1):
        served += x[0] * service_rate / rate
        # positions above cut - k - 1 can no longer be served within cut jumps
        for j in range(min(kept - 1, cut - k - 1) + 1):
            x[j] = x[j] * stay[j] + x[j + 1] * move[j]
        log_w += log_lt - math.log(k)
        total += math.exp(log_w) * served
    return total


def erlang_a(agents: float, arrivals_per_hour: float, aht_minutes: float,
             patience_minutes: float, threshold_seconds: float = 20.0) -> QueueResult:
    """Outcome of a channel with ``agents`` (may be fractional) on the phones.

    Arrival rate per hour, mean handle time and mean patience in minutes; the
    service level counts contacts answered within ``threshold_seconds`` over
    all offered contacts (exact M/M/s+M, see the module docstring).
    """
    if arrivals_per_hour <= 0:
        return QueueResult(0.0, 0.0, 0.0, 1.0, 0.0)
    return QueueResult(*_erlang_a(float(agents), arrivals_per_hour / 60.0, 1.0 / aht_minutes,
                                  1.0 / patience_minutes, threshold_seconds / 60.0))


@njit(cache=True)
def _erlang_a_values(servers: int, lam: float, mu: float, theta: float, threshold: float
                     ) -> tuple[float, float, float, float, float]:
    """The ``QueueResult`` fields of ``_erlang_a_integer``, compiled."""
    if servers <= 0:
        return 1.0, 1.0 / theta, 1.0, 0.0, 1.0
    p_wait, queue, busy, sl = _birth_death(servers, lam, mu, theta, threshold)
    return (p_wait, queue / lam, min(1.0, theta * queue / lam), min(1.0, max(0.0, sl)),
            busy / servers)


@njit(cache=True)
def _erlang_a(agents: float, lam: float, mu: float, theta: float, threshold: float
              ) -> tuple[float, float, float, float, float]:
    """``erlang_a``'s fields for ``agents`` on the phones, rates per minute: the integer
    neighbours' results interpolated linearly (one compiled call per channel and week)."""
    lo = math.floor(agents)
    w = agents - lo
    r_lo = _erlang_a_values(lo, lam, mu, theta, threshold)
    if w < 1e-9:
        return r_lo
    r_hi = _erlang_a_values(lo + 1, lam, mu, theta, threshold)
    return ((1 - w) * r_lo[0] + w * r_hi[0], (1 - w) * r_lo[1] + w * r_hi[1],
            (1 - w) * r_lo[2] + w * r_hi[2], (1 - w) * r_lo[3] + w * r_hi[3],
            (1 - w) * r_lo[4] + w * r_hi[4])


def erlang_a_many(agents: np.ndarray, arrivals_per_hour: np.ndarray, aht_minutes: np.ndarray,
                  patience_minutes: float, threshold_seconds: float = 20.0) -> np.ndarray:
    """``erlang_a`` of many channels in one compiled call: row i holds the ``QueueResult``
    fields (p_wait, mean_wait, p_abandon, service_level, occupancy) of channel i, the same
    values as ``erlang_a(agents[i], arrivals_per_hour[i], aht_minutes[i], ...)``."""
    return _erlang_a_many(np.asarray(agents, np.float64), np.asarray(arrivals_per_hour, np.float64),
                          np.asarray(aht_minutes, np.float64), float(patience_minutes),
                          float(threshold_seconds))


@njit(cache=True)
def _erlang_a_many(agents: np.ndarray, arrivals_per_hour: np.ndarray, aht_minutes: np.ndarray,
                   patience_minutes: float, threshold_seconds: float) -> np.ndarray:
    """``erlang_a_many`` compiled (the divisions as ``erlang_a`` makes them)."""
    out = np.empty((agents.size, 5))
    theta, threshold = 1.0 / patience_minutes, threshold_seconds / 60.0
    for i in range(agents.size):
        if arrivals_per_hour[i] <= 0:
            r = (0.0, 0.0, 0.0, 1.0, 0.0)
        else:
            r = _erlang_a(agents[i], arrivals_per_hour[i] / 60.0, 1.0 / aht_minutes[i], theta,
                          threshold)
        for j in range(5):
            out[i, j] = r[j]
    return out


def agents_for_service_level(arrivals_per_hour: float, aht_minutes: float, target: float,
                             threshold_seconds: float = 20.0) -> int:
    """Fewest agents on the phones meeting ``target`` under Erlang C (staffing rule)."""
    return int(_agents_for_service_level(float(arrivals_per_hour), float(aht_minutes),
                                         float(target), float(threshold_seconds)))


@njit(cache=True)
def _agents_for_service_level(arrivals_per_hour: float, aht_minutes: float, target: float,
                              threshold_seconds: float) -> int:
    """``agents_for_service_level`` compiled: the search from the load upwards."""
    load = arrivals_per_hour * aht_minutes / 60.0
    threshold = threshold_seconds / 60.0
    s = max(1, math.ceil(load))
    while True:
        if load >= s:
            level = 0.0
        else:
            level = 1.0 - erlang_c(s, load) * math.exp(-(s - load) * threshold / aht_minutes)
        if not level < target:  # as the loop ``while level < target`` stops
            return s
        s += 1
