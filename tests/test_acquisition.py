"""Acquisition (model.acquisition): Goldenberg-form adoption probability and its inputs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from model.acquisition import adopters, adoption_probability, satisfied_neighbour_counts
from model.network import SocialNetwork
from model.population import PROSPECT


def _net(n: int, strong: list[tuple[int, int]], weak: list[tuple[int, int]]) -> SocialNetwork:
    def adj(edges: list[tuple[int, int]]) -> sp.csr_matrix:
        m = sp.lil_matrix((n, n), dtype=np.float32)
        for i, j in edges:
            m[i, j] = m[j, i] = 1.0
        return m.tocsr()
    return SocialNetwork(adj(strong), adj(weak))


def test_adoption_probability_hand_values() -> None:
    """1 - (1 - a)(1 - b_s)^n_s (1 - b_w)^n_w with a = 0.1, b_s = b_w = 0.5."""
    p = adoption_probability(0.1, 0.5, 0.5, np.array([0, 1, 2, 2]), np.array([0, 0, 0, 1]))
    np.testing.assert_allclose(p, [0.1, 1 - 0.9 * 0.5, 1 - 0.9 * 0.25, 1 - 0.9 * 0.125])
    assert p.tolist() == pytest.approx([0.1, 0.55, 0.775, 0.8875])


def test_adoption_probability_realistic_numbers() -> None:
    """a = 0.003, b_s = 0.01, b_w = 0.003; 3 strong and 2 weak satisfied neighbours.

    0.997^3 = 0.991027 and 0.99^3 = 0.970299, so P = 1 - 0.961592 = 0.038408.
    """
    p = adoption_probability(0.003, 0.01, 0.003, np.array([3.0]), np.array([2.0]))[0]
    assert p == pytest.approx(1 - 0.997 * 0.99 ** 3 * 0.997 ** 2)
    assert p == pytest.approx(0.038408, abs=1e-6)


def test_adoption_probability_bounds() -> None:
    n = np.arange(0, 50)
    p = adoption_probability(0.0, 0.2, 0.0, n, np.zeros_like(n))
    assert p[0] == 0.0 and np.all(np.diff(p) > 0) and np.all(p < 1)
    assert adoption_probability(1.0, 0.0, 0.0, n, n).tolist() == [1.0] * 50


def test_satisfied_neighbour_counts_by_tie_strength() -> None:
    """Strong path 0-1-2-3, weak tie 0-3; customers 1 and 3 are satisfied."""
    net = _net(4, strong=[(0, 1), (1, 2), (2, 3)], weak=[(0, 3)])
    satisfied = np.array([0.0, 1.0, 0.0, 1.0])
    n_s, n_w = satisfied_neighbour_counts(net, np.array([0, 2]), satisfied)
    np.testing.assert_allclose(n_s, [1, 2])
    np.testing.assert_allclose(n_w, [1, 0])


def test_adoption_frequency_matches_probability() -> None:
    """50,000 prospects with 2 strong satisfied neighbours: adoption share within 5 sigma."""
    n = 50_000
    p = adoption_probability(0.01, 0.05, 0.015, np.full(n, 2.0), np.zeros(n))
    adopt = np.random.default_rng(3).random(n) < p
    sigma = np.sqrt(p[0] * (1 - p[0]) / n)
    assert abs(adopt.mean() - (1 - 0.99 * 0.95 ** 2)) < 5 * sigma


def test_adopters_frequency_matches_probability() -> None:
    """20,000 prospects, each tied to 2 satisfied customers (strong), 1 satisfied (weak) and
    1 dissatisfied (strong): the adopting share within 5 sigma of adoption_probability."""
    k = 20_000
    base = 5 * np.arange(k)  # prospect, 2 satisfied strong, 1 satisfied weak, 1 dissatisfied
    strong = [(int(b), int(b) + j) for b in base for j in (1, 2, 4)]
    weak = [(int(b), int(b) + 3) for b in base]
    n = 5 * k

    def adj(edges):
        e = np.array(edges)
        return sp.csr_matrix((np.ones(2 * len(e), np.float32),
                              (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n))

    net = SocialNetwork(adj(strong), adj(weak))
    firm = np.zeros(n, np.int16)
    firm[base] = PROSPECT
    satisfaction = np.full(n, 0.9, np.float32)
    satisfaction[base + 4] = 0.2
    a, b_s, b_w = 0.02, 0.05, 0.03
    got = adopters(net, firm, satisfaction, 0.75, a, b_s, b_w, np.random.default_rng(6))
    assert np.isin(got, base).all() and np.all(np.diff(got) > 0)
    p = adoption_probability(a, b_s, b_w, np.array([2.0]), np.array([1.0]))[0]
    assert abs(got.size / k - p) < 5 * np.sqrt(p * (1 - p) / k)
    assert adopters(net, firm, satisfaction, 0.75, 0.0, 0.0, 0.0,
                    np.random.default_rng(6)).size == 0
    assert adopters(net, firm, satisfaction, 0.75, 1.0, 0.0, 0.0,
                    np.random.default_rng(6)).size == k
