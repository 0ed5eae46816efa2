"""Word of mouth and news (model.word_of_mouth) against hand values and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from model import word_of_mouth as wom
from model.network import SocialNetwork, watts_strogatz
from model.params import CustomerParams


def star(k: int) -> SocialNetwork:
    """Customer 0 tied (strong) to customers 1..k, nobody else tied."""
    strong = sp.csr_matrix(nx.to_scipy_sparse_array(nx.star_graph(k), dtype=np.float32))
    return SocialNetwork(strong, sp.csr_matrix((k + 1, k + 1), dtype=np.float32))


def params(p: float, weak_factor: float = 0.0, w: float = 0.25) -> CustomerParams:
    return CustomerParams(wom_pos_prob=p, wom_neg_prob=p, weak_tie_factor=weak_factor,
                          wom_influence=w)


@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_k_messages_to_one_receiver(k: int) -> None:
    """k messages: positive 1 - (1 - img)(1 - w)^k, negative img (1 - w)^k; nothing else moves."""
    img0, w = 0.4, 0.25
    talkers = np.arange(1, k + 1)
    firm = np.full(k + 1, 1)  # everyone a customer of firm 1
    for sat, expected in ((0.9, 1 - (1 - img0) * (1 - w) ** k), (0.1, img0 * (1 - w) ** k)):
        image = np.asfortranarray(np.full((k + 1, 2), img0, dtype=np.float32))
        sent = wom.spread(image, star(k), firm, np.full(k, sat), talkers, params(1.0, w=w),
                          np.random.default_rng(0))
        assert sent == ((k, 0) if sat > 0.5 else (0, k))
        assert image[0, 1] == pytest.approx(expected, rel=1e-6)
        others = np.delete(image.ravel(order="C"), 0 * 2 + 1)
        assert np.all(others == np.float32(img0))  # no other receiver, no other firm


def test_every_tie_of_every_talker_carries_a_message_at_p_one() -> None:
    """p = 1 on strong and weak ties: each customer's image moves once per talking neighbour."""
    net = watts_strogatz(500, 10, 0.2, np.random.default_rng(4))
    g = net.to_networkx()
    talkers = np.arange(0, 500, 7)
    w = 0.1
    image = np.full((500, 1), 0.5)
    sent = wom.spread(image, net, np.zeros(500, np.int16), np.full(talkers.size, 0.95),
                      talkers, params(1.0, weak_factor=1.0, w=w), np.random.default_rng(5))
    heard = np.zeros(500)
    for t in talkers:
        for r in g.neighbors(int(t)):
            heard[r] += 1
    assert sent == (int(heard.sum()), 0)
    np.testing.assert_allclose(image[:, 0], 1 - 0.5 * (1 - w) ** heard)


def test_nothing_is_said_at_p_zero_or_without_salience() -> None:
    net = watts_strogatz(200, 6, 0.3, np.random.default_rng(5))
    image = np.full((200, 2), 0.5)
    talkers = np.array([3, 50, 120])
    firm = np.zeros(200, np.int16)
    assert wom.spread(image, net, firm, np.full(3, 0.95), talkers, params(0.0),
                      np.random.default_rng(6)) == (0, 0)
    assert wom.spread(image, net, firm, np.full(3, 0.6), talkers, params(1.0),  # 0.45-0.75
                      np.random.default_rng(6)) == (0, 0)
    assert np.all(image == 0.5)


@pytest.mark.parametrize("weak_factor", [0.0, 0.5])
def test_messages_probability_per_tie(weak_factor: float) -> None:
    """p = 0.3 per strong tie, 0.3 x factor per weak tie: delivered counts within 5 sigma."""
    net = watts_strogatz(4000, 12, 0.2, np.random.default_rng(7))
    talkers = np.arange(4000)
    sent, _ = wom.spread(np.full((4000, 1), 0.5), net, np.zeros(4000, np.int16),
                         np.full(4000, 0.9), talkers, params(0.3, weak_factor),
                         np.random.default_rng(8))
    strong, weak = net.strong.nnz, net.weak.nnz
    mean = 0.3 * strong + 0.3 * weak_factor * weak
    var = 0.21 * strong + 0.3 * weak_factor * (1 - 0.3 * weak_factor) * weak
    assert abs(sent - mean) < 5 * np.sqrt(var)


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
