"""Service outcomes (model.service): resolution, experience quality, awareness bias."""

from __future__ import annotations

import numpy as np
import pytest

from model import satisfaction, service
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


# ---------------------------------------------------------------- the compiled kernel
def _customers(n: int, expectation: float = 0.6, satisfaction: float = 0.7,
               tenure: int = 0) -> dict:
    """State arrays of ``n`` customers as ``serve_contacts`` takes them."""
    return dict(aware=np.zeros(n, bool), ethnocentrism=np.full(n, 0.5, np.float32),
                expectation=np.full(n, expectation, np.float32),
                satisfaction=np.full(n, satisfaction, np.float32),
                unresolved=np.zeros(n, np.int16), valence=np.zeros(n, np.float32),
                tenure=np.full(n, tenure, np.int32))


def _serve_all(channels: list[service.Channel], channel_of: np.ndarray, state: dict,
               c: CustomerParams, contacts: np.ndarray, sensitive: np.ndarray | None = None,
               seed: int = 0, reputation: float = 0.6):
    table = service.channel_table(channels, [reputation] * len(channels), 3.0)
    if sensitive is None:
        sensitive = np.zeros(contacts.size, bool)
    return service.serve_contacts(contacts, channel_of, sensitive, table,
                                  service.customer_coefficients(c), state["aware"],
                                  state["ethnocentrism"], state["expectation"],
                                  state["satisfaction"], state["unresolved"], state["valence"],
                                  state["tenure"], np.random.default_rng(seed))


def test_kernel_updates_match_the_satisfaction_formulas() -> None:
    """No chance involved (answered, understood, resolved): every update has its known value."""
    c = CustomerParams()
    q_chan = QueueResult(0.3, 1.5, 0.0, 0.8, 0.9)
    ch = _channel(orientation=0.5, queue=q_chan, access_gain=0.0)  # quality 0.825
    st = _customers(10, expectation=0.6, satisfaction=0.7)
    st["unresolved"][:] = [0, 2, 0, 1, 0, 3, 0, 0, 4, 0]
    st["tenure"][:] = [0, 0, 0, 0, 104, 520, 0, 0, 0, 0]
    contacts = np.array([1, 4, 5, 9])
    s, tally = _serve_all([ch], np.zeros(4, np.intp), st, c, contacts)
    q = 0.825
    s_expected = satisfaction.transaction_satisfaction(np.array([q]), np.array([0.6]),
                                                       c.disconfirmation_weight)[0]
    np.testing.assert_allclose(s, s_expected)
    weight = satisfaction.experience_weight(st["tenure"][contacts], c)
    np.testing.assert_allclose(weight, [0.3, 0.15, 0.3 / 6, 0.3])  # tau = 104 weeks
    np.testing.assert_allclose(st["satisfaction"][contacts], satisfaction.update_cumulative(
        np.float32(0.7), s_expected, weight), rtol=1e-6)
    np.testing.assert_allclose(st["expectation"][contacts], satisfaction.update_expectation(
        np.float32(0.6), q, 0.6, c), rtol=1e-6)
    np.testing.assert_allclose(st["valence"][contacts], s_expected, rtol=1e-6)
    others = np.setdiff1d(np.arange(10), contacts)
    assert np.isnan(st["valence"][others]).all()       # no contact, no valence
    assert (st["unresolved"] == 0).all()                # resolved, or a week without contact
    assert not st["aware"].any()                        # a home channel is never noticed
    row = dict(zip(service.TALLY, tally[0], strict=True))
    assert (row["contacts"], row["answered"], row["resolved"], row["abandoned"]) == (4, 4, 4, 0)
    assert row["q_sum"] == pytest.approx(4 * q) and row["s_sum"] == pytest.approx(4 * s_expected)
    assert row["s_sq"] == pytest.approx(4 * s_expected**2) and row["complaints"] == 0


def test_kernel_outcome_frequencies_match_the_channel_laws() -> None:
    """300,000 contacts on three channels: abandonment, comprehension and resolution (with
    escalation), and the complaints of dissatisfied customers, within 5 sigma."""
    n = 300_000
    c = CustomerParams(complaint_prob=0.3)
    a = _channel(fcr=0.7, language_fit=0.6, escalation=0.1,
                 queue=QueueResult(0.5, 1.0, 0.2, 0.5, 0.9))
    b = _channel(fcr=0.5, language_fit=0.9)
    gone = _channel(queue=QueueResult(1.0, 3.0, 1.0, 0.0, 1.0))  # s = 0: all dissatisfied
    channel_of = (np.arange(n) % 3).astype(np.intp)
    _, tally = _serve_all([a, b, gone], channel_of, _customers(n), c, np.arange(n), seed=3)
    for k, ch, p_ab in ((0, a, 0.2), (1, b, 0.0)):
        row = dict(zip(service.TALLY, tally[k], strict=True))
        m = row["contacts"]
        if p_ab:
            assert abs(row["abandoned"] / m - p_ab) < 5 * np.sqrt(p_ab * (1 - p_ab) / m)
        else:
            assert row["abandoned"] == 0
        p_res = service.expected_fcr(ch)
        answered = row["answered"]
        assert answered == m - row["abandoned"]
        assert abs(row["resolved"] / answered - p_res) < 5 * np.sqrt(p_res * (1 - p_res) / m)
    row = dict(zip(service.TALLY, tally[2], strict=True))
    assert row["resolved"] == 0 and row["s_sum"] == 0.0
    assert abs(row["complaints"] / row["contacts"] - 0.3) < 5 * np.sqrt(0.21 / row["contacts"])


def test_kernel_offshore_noticing_and_awareness_bias() -> None:
    """Misunderstood offshore contacts are always noticed, abandoned ones never; aware
    customers lose bias x ethnocentrism (x 1.5 when sensitive)."""
    c = CustomerParams(notice_prob=0.0, awareness_bias=0.2, sensitive_bias_factor=1.5)
    abroad = _channel(language_fit=0.0, fcr=1.0, offshore=True)   # nobody understood
    clear = _channel(language_fit=1.0, fcr=1.0, offshore=True)    # understood, never noticed
    gone = _channel(offshore=True, queue=QueueResult(1.0, 3.0, 1.0, 0.0, 1.0))  # all abandon
    st = _customers(9)
    st["aware"][6] = True  # already aware before the week
    contacts = np.arange(9)
    channel_of = np.repeat(np.arange(3), 3).astype(np.intp)
    sensitive = np.array([False, True, False] * 3)
    _, tally = _serve_all([abroad, clear, gone], channel_of, st, c, contacts, sensitive)
    assert st["aware"].tolist() == [True] * 3 + [False] * 3 + [True, False, False]
    q = tally["q_sum"]
    # misunderstood and resolved 25 % less often: quality drops the comprehension weight,
    # then the bias 0.2 x 0.5 (x 1.5 for the sensitive one) for the aware
    assert tally[0]["contacts"] == 3
    assert q[1] == pytest.approx(3 * 1.0)  # understood, resolved, unaware: quality 1
    assert q[2] == pytest.approx(0.0)      # all abandoned; customer 6 aware: 0 - bias, clipped


def test_channel_figures_are_the_table_fields_in_order() -> None:
    """The kernel's float rows hold each ``CHANNEL_DTYPE`` field (offshore as 0 or 1)."""
    table = np.zeros(2, service.CHANNEL_DTYPE)
    table[1] = (0.1, 0.9, 0.7, 0.2, 0.5, 0.6, 0.05, True, 0.61)
    fig = service.channel_figures(table)
    assert fig.shape == (2, len(service.CHANNEL_DTYPE.names))
    assert fig[0].tolist() == [0.0] * 9
    assert fig[1].tolist() == [0.1, 0.9, 0.7, 0.2, 0.5, 0.6, 0.05, 1.0, 0.61]
    assert service.channel_figures(fig) is fig


def test_coefficients_as_a_float_array_serve_as_the_named_tuple() -> None:
    """``coefficient_array`` is the NamedTuple's floats in field order; the kernels give
    the same outputs and draws with either (the model passes the array)."""
    from model import churn

    c = CustomerParams()
    k = service.customer_coefficients(c)
    kf = service.coefficient_array(k)
    assert kf.dtype == np.float64 and kf.tolist() == list(k)
    assert service.coefficient_array(kf) is kf
    ck = churn.coefficients(c)
    n, m = 500, 3
    rng = np.random.default_rng(4)
    S, image = rng.random(n), rng.random((n, m)).astype(np.float32)
    U, firm = rng.integers(0, 3, n), rng.integers(-1, m, n).astype(np.int16)
    got = []
    for coef in (ck, service.coefficient_array(ck)):
        tenure = np.zeros(n, np.int32)
        r = np.random.default_rng(9)
        got.append((churn.draw_churners(S, U, image, firm, tenure, 0.05, coef, r).tolist(),
                    tenure.tolist(), r.random()))
    assert got[0] == got[1] and len(got[0][0]) > 0
    ch = _channel(orientation=0.5, queue=QueueResult(0.3, 1.5, 0.1, 0.8, 0.9))
    table = service.channel_table([ch], [0.6], 3.0)
    served = []
    for coef in (k, kf):
        st = _customers(50)
        contacts = np.arange(0, 50, 2)
        r = np.random.default_rng(2)
        s_, tally = service.serve_contacts(contacts, np.zeros(contacts.size, np.intp),
                                           np.zeros(contacts.size, bool), table, coef,
                                           *st.values(), r)
        served.append((s_.tolist(), tally.tolist(), st, r.random()))
    assert served[0][0] == served[1][0] and served[0][1] == served[1][1]
    assert served[0][3] == served[1][3]
    for name, a in served[0][2].items():  # valence NaN without a contact: equal_nan
        assert np.array_equal(a, served[1][2][name], equal_nan=a.dtype.kind == "f"), name
