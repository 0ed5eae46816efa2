"""The social network (model.network): reproducible, symmetric, of the requested degree."""

from __future__ import annotations

import numpy as np
import pytest

from model.network import barabasi_albert, build_network, watts_strogatz
from model.params import NetworkParams


def _same(a, b) -> bool:
    return all((x != y).nnz == 0 for x, y in ((a.strong, b.strong), (a.weak, b.weak)))


@pytest.mark.parametrize("kind", ["watts_strogatz", "barabasi_albert"])
def test_same_seed_same_graph_other_seed_other_graph(kind: str) -> None:
    p = NetworkParams(kind=kind, degree=10, rewiring=0.2)
    a = build_network(1000, p, np.random.default_rng(42))
    b = build_network(1000, p, np.random.default_rng(42))
    c = build_network(1000, p, np.random.default_rng(43))
    assert _same(a, b)
    assert not _same(a, c)


@pytest.mark.parametrize("kind", ["watts_strogatz", "barabasi_albert"])
def test_symmetric_simple_graph(kind: str) -> None:
    net = build_network(800, NetworkParams(kind=kind, degree=8, rewiring=0.3),
                        np.random.default_rng(1))
    for adj in (net.strong, net.weak):
        assert (adj != adj.T).nnz == 0
        assert adj.diagonal().sum() == 0
        assert adj.nnz == 0 or set(np.unique(adj.data).tolist()) == {1.0}
    assert net.strong.multiply(net.weak).nnz == 0  # a tie is strong or weak, not both


def test_watts_strogatz_degree_and_weak_share() -> None:
    """Mean degree = requested less the few rewired ties lost to loops and duplicates;
    the weak (rewired) share is the rewiring probability within 5 sigma."""
    net = watts_strogatz(5000, 12, 0.1, np.random.default_rng(2))
    deg = net.degree()
    assert 11.9 <= deg.mean() <= 12.0
    ties = net.all_ties.nnz / 2
    weak = net.weak.nnz / 2
    assert abs(weak / ties - 0.1) < 5 * np.sqrt(0.09 / ties)


def test_ring_lattice_without_rewiring() -> None:
    net = watts_strogatz(300, 6, 0.0, np.random.default_rng(3))
    assert (net.degree() == 6).all() and net.weak.nnz == 0
    assert set(net.strong[0].indices.tolist()) == {1, 2, 3, 297, 298, 299}
    odd = watts_strogatz(300, 7, 0.0, np.random.default_rng(3))  # rounded down to even
    assert (odd.degree() == 6).all()


def test_barabasi_albert_degree() -> None:
    """m = degree/2 ties per newcomer: mean degree 2 m (n - m) / n."""
    n, m = 3000, 6
    net = barabasi_albert(n, 2 * m, np.random.default_rng(4))
    assert net.degree().mean() == pytest.approx(2 * m * (n - m) / n)
    assert net.weak.nnz == 0 and net.degree().min() >= 1


def test_to_networkx_matches_the_matrices() -> None:
    net = watts_strogatz(400, 8, 0.25, np.random.default_rng(5))
    g = net.to_networkx()
    assert g.number_of_nodes() == 400
    assert g.number_of_edges() == net.all_ties.nnz // 2
    weak = sum(1 for *_, w in g.edges(data="weak") if w)
    assert weak == net.weak.nnz // 2
    np.testing.assert_array_equal(np.array([d for _, d in sorted(g.degree())]), net.degree())
