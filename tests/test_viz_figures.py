"""The app's figures: static parts drawn once, network layout once per network."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from model import scenario
from model.network import build_network
from model.params import NetworkParams
from viz import figures as fg
from viz import network_view as nv
from viz.session import AppModel, series_of


@pytest.fixture(scope="module")
def stepped() -> AppModel:
    """An offshoring run past announcement (week 10) and cut-over (week 23), 400 customers."""
    model = AppModel(scenario("offshore-morocco", n_customers=400, **{"policy.week": 10}),
                     rng=3)
    for _ in range(30):
        model.step()
    return model


def decode(frame: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(frame)).convert("RGB"))


def test_series_matches_the_kpi_table(stepped: AppModel) -> None:
    """The series holds the burn-in year (weeks -52..-1), then the run's weeks."""
    kpis, series = stepped.kpis(include_burn_in=True), stepped.series()
    assert series.n_weeks == stepped.time == 30
    burn = stepped.params.burn_in_weeks
    np.testing.assert_array_equal(series.weeks, np.arange(-burn, 30))
    for firm in range(stepped.params.n_firms):
        mine = kpis[kpis["firm"] == firm]
        np.testing.assert_array_equal(series.values["customers"][:, firm], mine["customers"])
    focal = kpis[kpis["firm"] == 0]
    np.testing.assert_array_equal(series.flags["cutover"], focal["cutover"])
    assert series.flags["announcement"].sum() == 1 and series.flags["cutover"].sum() == 1


def test_series_is_cached_per_week(stepped: AppModel) -> None:
    assert stepped.series() is stepped.series()


def test_runs_of_flags() -> None:
    weeks = np.arange(10)
    flags = np.array([0, 1, 1, 0, 0, 1, 0, 0, 1, 1], bool)
    assert fg.runs(flags, weeks) == ((1, 3), (5, 6), (8, 10))
    assert fg.runs(np.zeros(10, bool), weeks) == ()


def test_y_limits_only_grow_and_keep_a_floor() -> None:
    first = fg.grow(None, 30.0, 34.0, floor=None)
    assert first[0] < 30 and first[1] > 34
    assert fg.grow(first, 31.0, 33.0, floor=None) == first  # never shrinks
    wider = fg.grow(first, 20.0, 33.0, floor=None)
    assert wider[0] < 20 and wider[1] == first[1]
    assert fg.grow(None, 0.0, 2.0, floor=0.0)[0] == 0.0


def test_a_rising_series_regrows_its_axis_only_a_few_times() -> None:
    """Cumulative profit rises every week: the axis must not be redrawn every week."""
    limits, regrowths = None, 0
    for week in range(1, 521):
        new = fg.grow(limits, 0.0, 5.0 * week, floor=None)
        regrowths += new != limits
        limits = new
    assert regrowths <= 12


def test_week_axis_doubles_up_to_the_horizon() -> None:
    assert fg.week_limit(52, 10, 520) == 52
    assert fg.week_limit(52, 52, 520) == 104
    assert fg.week_limit(416, 416, 520) == 520
    assert fg.week_limit(520, 530, 520) == 531


def test_chart_frames_blit_and_change_every_week() -> None:
    """A week whose values fit the axes redraws only the lines: no full redraw."""
    model = AppModel(scenario("offshore-morocco", n_customers=300, **{"policy.week": 3}),
                     rng=5)
    chart = fg.ChartFigure(fg.PANELS["customers"], model.params)
    frames, blitted = [], 0
    for _ in range(20):
        model.step()
        before = (list(chart.ylims), chart.xmax, chart.full_draws)
        frames.append(chart.render(model.series()))
        if (list(chart.ylims), chart.xmax) == before[:2]:
            assert chart.full_draws == before[2]  # same axes: blitted
            blitted += 1
    assert blitted >= 10  # most weeks fit the axes
    for a, b in zip(frames, frames[1:], strict=False):
        assert not np.array_equal(decode(a), decode(b))
    assert decode(frames[-1]).shape == (fg.TILE_PX[1], fg.TILE_PX[0], 3)


def test_event_markers_do_not_force_a_full_redraw(stepped: AppModel) -> None:
    """Announcement and cut-over lines appear as animated artists, drawn per frame."""
    chart = fg.ChartFigure(fg.PANELS["service"], stepped.params)
    chart.render(stepped.series())
    drawn = {marker.flag: artist for marker, artist in chart.markers
             if artist.axes is chart.axes[0]}
    assert len(drawn["announcement"].get_paths()) == 1
    assert len(drawn["cutover"].get_paths()) == 1
    assert chart.full_draws == 1
    assert all(a in chart.dynamic_artists() for a in (drawn["announcement"], drawn["cutover"]))


def test_every_panel_renders_a_frame(stepped: AppModel) -> None:
    for panel in fg.PANELS.values():
        frame = fg.ChartFigure(panel, stepped.params).render(stepped.series())
        pixels = decode(frame)
        assert pixels.std() > 0, panel.key  # not a blank image
        for axis in panel.axes:
            for line in axis.lines:
                assert line.column in stepped.series().values, line.column


def test_spiral_fills_the_unit_disc_evenly() -> None:
    pos = nv.spiral(1000)
    radius = np.hypot(pos[:, 0], pos[:, 1])
    assert radius.max() <= 1.0 and radius.min() > 0
    gaps = np.hypot(*np.diff(pos, axis=0).T)  # neighbours along the arm
    assert gaps.max() / np.median(gaps) < 4


def test_layout_is_computed_once_per_network() -> None:
    cache = nv.LayoutCache()
    net = build_network(500, NetworkParams(), np.random.default_rng(1))
    same = build_network(500, NetworkParams(), np.random.default_rng(1))
    other = build_network(500, NetworkParams(), np.random.default_rng(2))
    first = cache.get(net)
    assert cache.get(same) is first and cache.computed == 1
    assert cache.get(other) is not first and cache.computed == 2


def test_large_networks_are_sampled_reproducibly() -> None:
    net = build_network(6000, NetworkParams(), np.random.default_rng(4))
    lay = nv.compute_layout(net, nv.digest(net))
    again = nv.compute_layout(net, nv.digest(net))
    assert lay.nodes.size == nv.DRAW_MAX and lay.total == 6000
    np.testing.assert_array_equal(lay.nodes, again.nodes)
    assert np.all(np.diff(lay.nodes) > 0)


def test_layout_ties_join_drawn_customers() -> None:
    net = build_network(300, NetworkParams(), np.random.default_rng(6))
    lay = nv.compute_layout(net, nv.digest(net))
    ties = int(net.all_ties.nnz // 2)
    assert lay.segments.shape == (ties, 2, 2)
    assert lay.weak.sum() == int(net.weak.nnz // 2)


def test_node_colours_fade_with_dissatisfaction() -> None:
    firm = np.array([0, 0, 1, -1])
    sat = np.array([0.9, 0.3, 0.9, 0.9])
    rgb = nv.node_colours(firm, sat, low=0.45, high=0.75)
    assert rgb[1].mean() > rgb[0].mean()  # paler: closer to white
    assert not np.allclose(rgb[0], rgb[2])  # firms differ in hue
    np.testing.assert_allclose(rgb[3], nv.PROSPECT_GREY)


def test_network_frame_redraws_nodes_only(stepped: AppModel) -> None:
    """Ties are drawn once; later frames change node colours and the week only."""
    model = AppModel(scenario("offshore-morocco", n_customers=400, **{"policy.week": 2}),
                     rng=8)
    figure = nv.NetworkFigure(model)
    frames = []
    for _ in range(4):
        model.step()
        frames.append(figure.render(model))
    assert figure.full_draws == 1
    assert not np.array_equal(decode(frames[0]), decode(frames[-1]))
    assert figure.nodes.get_facecolors().shape[0] == 400


def test_series_of_a_fresh_model_is_empty() -> None:
    model = AppModel(scenario("stay-home", n_customers=200), rng=1)
    s = series_of(model)
    assert s.n_weeks == 0
    frame = fg.ChartFigure(fg.PANELS["market"], model.params).render(s)
    assert decode(frame).std() > 0
