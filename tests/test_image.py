"""Image memory (model.image): equity, baseline, decay and reputation."""

from __future__ import annotations

import numpy as np
import pytest

from model import image


def test_brand_equity() -> None:
    assert image.brand_equity(0.5, 0.1) == pytest.approx(0.60)
    assert image.brand_equity(0.0, 0.5) == pytest.approx(0.55)
    assert image.brand_equity(1.0, 0.5) == 1.0  # clipped


def test_baseline_mixes_equity_and_reputation() -> None:
    np.testing.assert_allclose(image.baseline(np.array([0.6, 0.6]), np.array([0.6, 0.2])),
                               [0.6, 0.4])


def test_decay_fixed_point_and_geometric_approach() -> None:
    """At the baseline nothing moves; elsewhere the gap shrinks by (1 - m) a week."""
    base = np.array([0.6, 0.4])
    img = np.array([[0.6, 0.4], [1.0, 0.0]])
    for _ in range(10):
        image.decay(img, base, 0.1)
    np.testing.assert_allclose(img[0], [0.6, 0.4])
    np.testing.assert_allclose(img[1], base + (np.array([1.0, 0.0]) - base) * 0.9 ** 10)


def test_decay_keeps_float32() -> None:
    img = np.full((3, 2), 0.2, dtype=np.float32)
    image.decay(img, np.array([0.6, 0.6]), 0.5)
    assert img.dtype == np.float32
    np.testing.assert_allclose(img, 0.4, rtol=1e-6)


def test_reputation_follows_mean_image() -> None:
    img = np.array([[0.2, 0.9], [0.4, 0.7]])
    np.testing.assert_allclose(image.update_reputation(np.array([0.5, 0.5]), img, 0.1),
                               [0.5 + 0.1 * (0.3 - 0.5), 0.5 + 0.1 * (0.8 - 0.5)])


def test_image_reputation_loop_converges_to_equity() -> None:
    """Images decay to 0.5 equity + 0.5 reputation, reputation tracks the mean image:
    the only fixed point is image = reputation = equity (stable because rho < 1)."""
    equity = np.array([0.6, 0.5])
    rep = np.array([0.9, 0.1])
    img = np.array([[1.0, 0.0], [0.3, 0.8]])
    for _ in range(4000):
        image.decay(img, image.baseline(equity, rep), 0.05)
        rep = image.update_reputation(rep, img, 0.02)
    np.testing.assert_allclose(rep, equity, atol=1e-6)
    np.testing.assert_allclose(img, np.vstack([equity, equity]), atol=1e-6)


def test_accounting_reuses_the_image_sums_of_image_memory() -> None:
    """The week's image sums (``image.column_sums`` after the decay) are the statistics'
    sums at accounting: nothing writes the images in between."""
    from model import OffshoringModel, scenario
    from model.metrics import customer_stats

    m = OffshoringModel(scenario("offshore-morocco", n_customers=500, burn_in_weeks=2), rng=1)
    for _ in range(30):
        m.step()
        fresh = customer_stats(m.population)  # sums computed again from the images
        assert m.stats.image_all.tobytes() == fresh.image_all.tobytes()
    assert m._image_sums is None  # used once, by its own week's accounting
