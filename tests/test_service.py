"""Service outcomes (model.service): resolution, experience quality, awareness bias."""

from __future__ import annotations

import numpy as np
import pytest

from model import service
from model.params import CustomerParams
from model.queueing import QueueResult

NO_QUEUE = QueueResult(p_wait=0.0, mean_wait=0.0, p_abandon=0.0, service_level=1.0,
                       occupancy=0.5)


def _channel(**kw) -> service.Channel:
    base = dict(fcr=1.0, language_fit=1.0, orientation=1.0, access_gain=0.0, queue=NO_QUEUE,
                offshore=False)
    return service.Channel(**{**base, **kw})


def test_orientation_and_resolution_probability() -> None:
    assert service.orientation_factor(0.0) == 0.75
    assert service.orientation_factor(1.0) == 1.0
    assert service.resolution_probability(0.8, 0.5, 1.0) == pytest.approx(0.4)
    assert service.resolution_probability(0.8, 1.0, 0.0) == pytest.approx(0.6)
    assert service.resolution_probability(1.0, 2.0, 1.0) == 1.0  # clipped


def test_expected_fcr_hand_value() -> None:
    """fcr 0.8, half understood: 0.8 (0.5 + 0.5 x 0.75) = 0.7; escalation 0.2 -> 0.76."""
    assert service.expected_fcr(_channel(fcr=0.8, language_fit=0.5)) == pytest.approx(0.7)
    assert service.expected_fcr(_channel(fcr=0.8, language_fit=0.5, escalation=0.2)) == \
        pytest.approx(0.76)


def test_weekly_noise() -> None:
    rng = np.random.default_rng(0)
    assert service.weekly_noise(1.0, 0.5, rng) == 1.0  # full rigor: no noise
    draws = np.array([service.weekly_noise(0.0, 0.1, rng) for _ in range(20_000)])
    assert draws.min() >= 0
    assert abs(draws.mean() - 1.0) < 5 * 0.1 / np.sqrt(draws.size)
    assert draws.std() == pytest.approx(0.1, rel=0.05)


def test_perfect_contact_has_quality_one() -> None:
    out = service.serve(_channel(), 100, CustomerParams(), np.random.default_rng(0), 3.0)
    assert out.resolved.all() and out.understood.all() and not out.abandoned.any()
    np.testing.assert_allclose(out.quality, 1.0)


def test_quality_hand_value() -> None:
    """Resolved, understood, orientation 0.5, waiting half the patience:
    0.45 + 0.15 x 0.5 + 0.2 + 0.2 x 0.5 = 0.825 (default weights)."""
    q = QueueResult(0.5, 1.5, 0.0, 0.8, 0.9)
    out = service.serve(_channel(orientation=0.5, queue=q), 10, CustomerParams(),
                        np.random.default_rng(0), 3.0)
    np.testing.assert_allclose(out.quality, 0.825)


def test_abandoned_contacts_are_unresolved_with_only_access_gain() -> None:
    q = QueueResult(1.0, 3.0, 1.0, 0.0, 1.0)
    out = service.serve(_channel(queue=q, access_gain=0.03), 50, CustomerParams(),
                        np.random.default_rng(0), 3.0)
    assert out.abandoned.all() and not out.resolved.any() and not out.understood.any()
    np.testing.assert_allclose(out.quality, 0.03)


def test_resolution_frequency_matches_expected_fcr() -> None:
    """200,000 contacts: resolved share within 5 sigma of expected_fcr (sigma ~ 0.001)."""
    ch = _channel(fcr=0.7, language_fit=0.6, escalation=0.1)
    n = 200_000
    out = service.serve(ch, n, CustomerParams(), np.random.default_rng(1), 3.0)
    p = service.expected_fcr(ch)
    assert abs(out.resolved.mean() - p) < 5 * np.sqrt(p * (1 - p) / n)
    assert abs(out.understood.mean() - 0.6) < 5 * np.sqrt(0.24 / n)


def test_awareness_bias() -> None:
    """Aware, ethnocentrism 0.5, bias 0.2: -0.1; sensitive contact x 1.5: -0.15."""
    c = CustomerParams(awareness_bias=0.2, sensitive_bias_factor=1.5)
    q = service.awareness_bias(np.array([0.8, 0.8, 0.8, 0.05]),
                               np.array([True, True, False, True]),
                               np.array([0.5, 0.5, 1.0, 1.0]),
                               np.array([False, True, True, False]), c)
    np.testing.assert_allclose(q, [0.7, 0.65, 0.8, 0.0])


def test_notices_offshore() -> None:
    understood = np.array([True, False] * 1000)
    never = CustomerParams(notice_prob=0.0)
    always = CustomerParams(notice_prob=1.0)
    rng = np.random.default_rng(2)
    np.testing.assert_array_equal(service.notices_offshore(understood, never, rng), ~understood)
    assert service.notices_offshore(understood, always, rng).all()
