"""Workforce dynamics (model.workforce): hazards, learning curve, morale, strikes, acceptance."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model import workforce as wf


def test_weekly_prob_hand_values() -> None:
    """1 - e^{-r/52}: an annual hazard of 52 ln 2 is a weekly coin flip."""
    assert wf.weekly_prob(0.0) == 0.0
    assert wf.weekly_prob(52 * math.log(2)) == pytest.approx(0.5)
    assert wf.weekly_prob(0.30) == pytest.approx(1 - math.exp(-0.30 / 52))


@pytest.mark.parametrize("annual", [0.075, 0.3, 1.5])
def test_weekly_prob_compounds_to_the_annual_hazard(annual: float) -> None:
    """52 weeks of survival multiply to e^{-r}: the annual probability is 1 - e^{-r}."""
    assert 1 - (1 - wf.weekly_prob(annual)) ** 52 == pytest.approx(1 - math.exp(-annual))


def test_weekly_prob_vectorised() -> None:
    out = wf.weekly_prob(np.array([0.0, 52 * math.log(2)]))
    np.testing.assert_allclose(out, [0.0, 0.5])


@pytest.mark.parametrize(("p0", "ramp"), [(0.5, 9.3), (0.55, 19.0), (0.0, 4.0), (0.3, 52.0)])
def test_learning_curve_p0_at_start_and_90_percent_at_ramp(p0: float, ramp: float) -> None:
    assert wf.proficiency(0.0, p0, ramp) == pytest.approx(p0)
    assert wf.proficiency(ramp, p0, ramp) == pytest.approx(0.9)
    curve = wf.proficiency(np.arange(0, 300), p0, ramp)
    assert np.all(np.diff(curve) >= 0) and np.all(curve <= 1.0) and curve[-1] > 0.999


def test_learning_curve_hand_value() -> None:
    """p0 = 0.5, ramp 10: tau = 10 / ln 5, so at 5 weeks 1 - 0.5 / sqrt(5)."""
    assert wf.learning_tau(0.5, 10.0) == pytest.approx(10 / math.log(5))
    assert wf.proficiency(5.0, 0.5, 10.0) == pytest.approx(1 - 0.5 / math.sqrt(5))


def test_learning_curve_starting_above_ninety_percent() -> None:
    """Already at 0.95: still rises toward 1, never falls, and ends the ramp above 0.9."""
    curve = wf.proficiency(np.arange(0, 30), 0.95, 9.3)
    assert curve[0] == pytest.approx(0.95) and np.all(np.diff(curve) > 0)
    assert wf.proficiency(9.3, 0.95, 9.3) >= 0.9


def test_attrition_rises_as_morale_falls() -> None:
    """Morale 1: the site's rate; morale 0: rate x (1 + factor)."""
    assert wf.attrition_prob(0.3, 1.0, 2.0) == pytest.approx(wf.weekly_prob(0.3))
    assert wf.attrition_prob(0.3, 0.0, 2.0) == pytest.approx(wf.weekly_prob(0.9))
    assert wf.attrition_prob(0.3, 0.5, 2.0) == pytest.approx(wf.weekly_prob(0.6))


def test_morale_recovery_and_announcement() -> None:
    assert wf.recover_morale(0.5, 0.1) == pytest.approx(0.55)
    assert wf.recover_morale(1.0, 0.1) == pytest.approx(1.0)
    assert wf.announcement_morale(0.9, 0.4, 0.0) == pytest.approx(0.5)
    assert wf.announcement_morale(0.9, 0.4, 0.5) == pytest.approx(0.7)
    assert wf.announcement_morale(0.2, 0.4, 0.0) == 0.0  # clipped at zero


def test_strike_probability() -> None:
    """base (1 - morale)(1 - communication)."""
    assert wf.strike_probability(0.5, 0.2, 0.5) == pytest.approx(0.05)
    assert wf.strike_probability(1.0, 0.2, 0.0) == 0.0
    assert wf.strike_probability(0.0, 1.0, 0.0) == 1.0


def test_transfer_quality() -> None:
    """0.5 morale + 0.5 (0.5 + 0.5 acceptance)."""
    assert wf.transfer_quality(1.0, 1.0) == pytest.approx(1.0)
    assert wf.transfer_quality(0.0, 0.0) == pytest.approx(0.25)
    assert wf.transfer_quality(0.5, 0.0) == pytest.approx(0.5)


def test_acceptance_moves_toward_one_minus_gap_over_tolerance() -> None:
    assert wf.update_acceptance(0.0, 0.05, 0.1, 0.1) == pytest.approx(0.05)  # target 0.5
    assert wf.update_acceptance(0.0, -0.2, 0.1, 0.1) == pytest.approx(0.1)   # target 1
    assert wf.update_acceptance(0.5, 0.3, 0.2, 0.1) == pytest.approx(0.4)    # target 0
