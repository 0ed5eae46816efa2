"""Word of mouth and news (model.word_of_mouth) against hand values and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from model import word_of_mouth as wom
from model.network import SocialNetwork, watts_strogatz
from model.params import CustomerParams


def test_neighbours_match_networkx() -> None:
    """Every (row, neighbour) pair of the CSR walk is an edge of the networkx graph."""
    g = nx.karate_club_graph()
    adj = sp.csr_matrix(nx.to_scipy_sparse_array(g, nodelist=range(g.number_of_nodes())))
    rows = np.array([0, 5, 33, 16, 0])  # a repeated row is walked twice
    src, dst = wom.neighbours(adj, rows)
    for pos, node in enumerate(rows):
        assert sorted(dst[src == pos].tolist()) == sorted(g.neighbors(int(node)))


def test_neighbours_match_networkx_on_the_model_network() -> None:
    net = watts_strogatz(500, 10, 0.2, np.random.default_rng(4))
    g = net.to_networkx()
    rows = np.arange(0, 500, 7)
    src, dst = wom.neighbours(net.all_ties, rows)
    for pos, node in enumerate(rows):
        assert sorted(dst[src == pos].tolist()) == sorted(g.neighbors(int(node)))
    empty_src, empty_dst = wom.neighbours(net.all_ties, np.array([], dtype=np.int64))
    assert empty_src.size == 0 and empty_dst.size == 0


@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_apply_messages_k_messages(k: int) -> None:
    """k messages: positive 1 - (1 - img)(1 - w)^k, negative img (1 - w)^k."""
    img0, w = 0.4, 0.25
    for positive, expected in ((True, 1 - (1 - img0) * (1 - w) ** k),
                               (False, img0 * (1 - w) ** k)):
        image = np.full((3, 2), img0, dtype=np.float32)
        wom.apply_messages(image, np.full(k, 1), np.full(k, 0), positive, w)
        assert image[1, 0] == pytest.approx(expected, rel=1e-6)
        others = np.delete(image.ravel(), 1 * 2 + 0)
        assert np.all(others == np.float32(img0))  # nobody else, no other firm


def test_apply_messages_mixed_receivers_and_firms() -> None:
    image = np.full((2, 2), 0.5)
    wom.apply_messages(image, np.array([0, 0, 1, 0]), np.array([1, 1, 0, 0]), True, 0.5)
    np.testing.assert_allclose(image, [[0.75, 0.875], [0.75, 0.5]])
    wom.apply_messages(image, np.array([], dtype=np.int64), np.array([], dtype=np.int64),
                       False, 0.5)
    np.testing.assert_allclose(image, [[0.75, 0.875], [0.75, 0.5]])


def test_messages_all_or_nothing() -> None:
    net = watts_strogatz(200, 6, 0.3, np.random.default_rng(5))
    talkers = np.array([3, 50, 120])
    rng = np.random.default_rng(6)
    t, r = wom.messages(net, talkers, 1.0, 1.0, rng)
    src, dst = wom.neighbours(net.all_ties, talkers)
    assert sorted(zip(t.tolist(), r.tolist(), strict=True)) == sorted(
        zip(talkers[src].tolist(), dst.tolist(), strict=True))
    t, r = wom.messages(net, talkers, 0.0, 0.0, rng)
    assert t.size == 0 and r.size == 0


def test_messages_probability_per_tie() -> None:
    """p = 0.3 on ~24,000 strong ties: delivered share within 5 sigma (sigma ~ 0.003)."""
    net = watts_strogatz(2000, 12, 0.0, np.random.default_rng(7))
    talkers = np.arange(2000)
    _, r = wom.messages(net, talkers, 0.3, 0.0, np.random.default_rng(8))
    ties = net.strong.nnz
    assert abs(r.size / ties - 0.3) < 5 * np.sqrt(0.3 * 0.7 / ties)


def test_spread_positive_and_negative() -> None:
    """Path 0-1-2-3: customer 1 delighted (firm 0), customer 3 furious (firm 1)."""
    strong = sp.csr_matrix(nx.to_scipy_sparse_array(nx.path_graph(4), dtype=np.float32))
    net = SocialNetwork(strong, sp.csr_matrix((4, 4), dtype=np.float32))
    c = CustomerParams(wom_pos_prob=1.0, wom_neg_prob=1.0, weak_tie_factor=0.0,
                       wom_influence=0.5)
    image = np.full((4, 2), 0.5)
    firm = np.array([0, 0, 1, 1])
    pos, neg = wom.spread(image, net, firm, np.array([0.9, 0.1]), np.array([1, 3]), c,
                          np.random.default_rng(0))
    assert (pos, neg) == (2, 1)  # 1 tells 0 and 2; 3 tells 2
    np.testing.assert_allclose(image[:, 0], [0.75, 0.5, 0.75, 0.5])
    np.testing.assert_allclose(image[:, 1], [0.5, 0.5, 0.25, 0.5])


def test_news_loss_is_salience_times_half_plus_ethnocentrism() -> None:
    image = np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.1, 0.5]])
    ethno = np.array([0.0, 0.5, 1.0, 1.0])
    reached = wom.news(image, 0, 0.1, 1.0, ethno, np.random.default_rng(0))
    assert reached.all()
    np.testing.assert_allclose(image[:, 0], [0.45, 0.40, 0.35, 0.0])  # last one clipped
    np.testing.assert_allclose(image[:, 1], 0.5)  # other firms untouched
    untouched = image.copy()
    assert not wom.news(image, 0, 0.1, 0.0, ethno, np.random.default_rng(0)).any()
    np.testing.assert_array_equal(image, untouched)


def test_news_reach_share() -> None:
    """reach 0.3 of 40,000 customers: within 5 sigma (sigma ~ 0.0023)."""
    n = 40_000
    reached = wom.news(np.full((n, 1), 0.5), 0, 0.05, 0.3, np.zeros(n),
                       np.random.default_rng(9))
    assert abs(reached.mean() - 0.3) < 5 * np.sqrt(0.21 / n)
