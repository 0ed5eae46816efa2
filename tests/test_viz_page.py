"""The page without a browser (solara.render): render, step, controls, reset, bad input.

The page is wrapped in ``solara.AppLayout`` so that its sidebar is rendered, inside
Solara's ``RoutingProvider`` so that it has an address (its query string holds the
settings). Models are observed by recording every ``AppModel`` the page builds (the
initial one and each Reset).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import ipyvue
import ipyvuetify as v
import pytest
import solara
from solara.autorouting import RoutingProvider

from model import scenario
from viz import app as viz_app
from viz.session import AppModel
from viz.settings import DEFAULT_CUSTOMERS
from viz.views import VIEW_KEYS, help_text


@dataclass
class Rendered:
    rc: object
    models: list[AppModel]

    def find(self, cls: type, **matches: object):
        return self.rc.find(cls, **matches)

    def click(self, label: str) -> None:
        self.find(v.Btn, children=[label]).widget.click()

    def week(self) -> int:
        return int(self.find(ipyvue.Html, class_="offshoring-week").widget.attributes["data-week"])

    def frames(self) -> dict[str, bytes]:
        boxes = self.find(ipyvue.Html, class_="offshoring-view").widgets
        return {b.attributes["data-view"]: b.children[0].value for b in boxes}

    def view_weeks(self) -> set[str]:
        boxes = self.find(ipyvue.Html, class_="offshoring-view").widgets
        return {b.attributes["data-week"] for b in boxes}

    def type_into(self, key: str, text: str) -> None:
        """Type into a text control and press Enter (what commits a Solara InputText)."""
        field = self.find(v.TextField, class_=f"control-{key}").widget
        field.v_model = text
        field.fire_event("keyup.enter", None)

    def address(self) -> str:
        """The page's location as the router holds it (path and query string)."""
        return self.find(solara.widgets.Navigator).widget.location

    def monitors(self) -> str:
        import ipywidgets

        (html,) = [w.value for w in self.find(ipywidgets.HTML).widgets
                   if "offshoring-monitors" in w.value]
        return html

    def texts(self) -> str:
        alerts = self.find(v.Alert).widgets
        fields = self.find(v.TextField).widgets
        return " | ".join([str(a.children) for a in alerts]
                          + [str(f.messages) for f in fields if f.error])


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Rendered]:
    """The rendered page and every model it built, in order."""
    built: list[AppModel] = []
    original = AppModel.__init__

    def recording_init(self: AppModel, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        built.append(self)

    # wraps: Mesa's Reset inspects the signature (a **kwargs wrapper would get `scenario=`)
    monkeypatch.setattr(AppModel, "__init__", functools.wraps(original)(recording_init))
    _, rc = solara.render(routed(getattr(request, "param", "/")), handle_error=False)
    yield Rendered(rc, built)
    rc.close()


def with_class(root: object, name: str) -> Iterator[object]:
    """Widgets under ``root`` (itself included) whose classes include ``name``."""
    if name in str(getattr(root, "class_", None) or "").split():
        yield root
    for child in getattr(root, "children", None) or []:
        if not isinstance(child, str):
            yield from with_class(child, name)


def routed(pathname: str):
    """The page at an address, as the server renders it."""
    return RoutingProvider(children=[solara.AppLayout(children=[viz_app.Page()])],
                           routes=[solara.Route("/")], pathname=pathname)


def test_page_opens_on_the_default_scenario(page: Rendered) -> None:
    """Week 0 of offshore-morocco at 1,000 customers, every view drawn in Mesa's grid."""
    assert len(page.models) == 1
    model = page.models[0]
    assert model.params == scenario("offshore-morocco", n_customers=DEFAULT_CUSTOMERS)
    assert page.week() == 0
    frames = page.frames()
    assert set(frames) == set(VIEW_KEYS)
    assert all(frame[:2] == b"\xff\xd8" for frame in frames.values())  # JPEG images
    assert [t.children for t in page.find(v.Tab).widgets] == [["Model"], ["About"]]
    page.find(v.Tabs).widget.v_model = 1  # the About tab
    column = next(with_class(page.find(v.Tabs).widget, "offshoring-help"))
    markdown = str(getattr(column.children[-1].template, "template",
                           column.children[-1].template))
    assert "What am I looking at?" in help_text() and "What am I looking at?" in markdown
    assert "Things to try:" in markdown
    assert "Firm 0 (focal)" in page.monitors()
    assert "Running: 1,000 customers, seed 1" in str(
        page.find(ipyvue.Html, class_="offshoring-model").widget.children)


def test_step_advances_the_model_and_redraws_every_view(page: Rendered) -> None:
    before = page.frames()
    page.click("Step")
    assert page.week() == 1 and page.models[0].time == 1
    after = page.frames()
    assert all(after[k] != before[k] for k in VIEW_KEYS), "a view was not redrawn"
    assert page.view_weeks() == {"1"}
    page.click("Step")
    assert page.week() == 2 and page.view_weeks() == {"2"}


def test_changed_controls_apply_on_reset(page: Rendered) -> None:
    page.click("Step")
    page.type_into("n_customers", "500")
    page.find(v.Checkbox, label="Procedures").widget.v_model = True
    assert "press Reset to apply" in page.texts()
    assert len(page.models) == 1  # nothing rebuilt before Reset
    page.click("Reset")
    assert len(page.models) == 2
    new = page.models[-1]
    assert new.params.n_customers == 500 and new.params.practices.procedures
    assert new.params == scenario("offshore-morocco", n_customers=500,
                             **{"practices.procedures": True})
    assert page.week() == 0 and page.view_weeks() == {"0"}
    assert "press Reset to apply" not in page.texts()
    page.click("Step")
    assert page.week() == 1 and new.time == 1


def test_scenario_select_loads_the_preset(page: Rendered) -> None:
    page.find(v.Select, label="Scenario preset").widget.v_model = "us-india"
    page.click("Reset")
    assert page.models[-1].params == scenario("us-india", n_customers=DEFAULT_CUSTOMERS)
    assert "India" in str(page.find(ipyvue.Html, class_="offshoring-model").widget.children)


def test_wage_ratio_slider_sets_the_destination_cost(page: Rendered) -> None:
    slider = next(w for w in page.find(v.Slider).widgets if w.label.startswith("Wage ratio"))
    slider.v_model = round(slider.v_model, 2)  # the browser snaps 13/22.5 to the 0.01 step
    assert "press Reset to apply" not in page.texts()  # ...which changes nothing
    slider.v_model = 0.8
    page.click("Reset")
    p = page.models[-1].params
    assert p.destination.hourly_cost == pytest.approx(0.8 * p.home.hourly_cost)


@pytest.mark.parametrize("bad", ["abc"])
def test_invalid_seed_shows_a_message_and_the_session_goes_on(page: Rendered, bad: str) -> None:
    page.type_into("seed", bad)
    assert "Seed must be" in page.texts()
    assert "Not applied" in page.texts()
    page.click("Step")  # the session still runs
    assert page.week() == 1
    page.click("Reset")  # Reset uses the last valid settings
    assert page.models[-1].seed == 1 and page.week() == 0
    page.type_into("seed", "7")
    assert "Seed must be" not in page.texts()
    page.click("Reset")
    assert page.models[-1].seed == 7


def test_out_of_range_customers_show_the_apps_limits(page: Rendered) -> None:
    page.type_into("n_customers", "10")
    assert "Customers must be between 50 and 50,000, got 10" in page.texts()
    page.click("Reset")
    assert page.models[-1].params.n_customers == DEFAULT_CUSTOMERS


def test_two_pages_hold_two_models() -> None:
    """Each rendered page builds its own model: stepping one leaves the other alone."""
    _, rc_a = solara.render(solara.AppLayout(children=[viz_app.Page()]), handle_error=False)
    _, rc_b = solara.render(solara.AppLayout(children=[viz_app.Page()]), handle_error=False)
    try:
        a = Rendered(rc_a, [])
        b = Rendered(rc_b, [])
        a.click("Step")
        a.click("Step")
        assert a.week() == 2 and b.week() == 0
        b.click("Step")
        assert a.week() == 2 and b.week() == 1
    finally:
        rc_a.close()
        rc_b.close()


def test_play_stops_at_the_horizon(page: Rendered) -> None:
    """The app model stops running after the horizon, which disables Step and Play."""
    model = page.models[0]
    model.run_for(model.params.weeks - 1)
    assert model.running
    page.click("Step")
    assert page.week() == model.params.weeks and not model.running
    step = page.find(v.Btn, children=["Step"]).widget
    assert step.disabled


# ------------------------------------------------------------ robustness (issue 14)
def test_stepping_and_redraw_reads_in_two_threads_never_raise() -> None:
    """A stepping thread (Mesa's Play loop) and a reading thread (the redraw path:
    ``model.series()``, ``model.snapshot()`` and ``Board.show``) on one model: no read
    ever raises or sees half a week (issue 14: ``kpis()`` mid-step raised ValueError)."""
    import threading

    from viz.session import default_params, new_model
    from viz.views import Board

    model = new_model(default_params().replace(n_customers=200), 5)
    board = Board()
    steps, min_reads = 300, 300
    done = threading.Event()
    errors: list[str] = []
    reads = 0

    def stepper() -> None:
        try:
            for _ in range(steps):
                model.step()
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(f"step: {exc!r}")
        finally:
            done.set()

    def reader() -> None:
        nonlocal reads
        try:
            while not done.is_set() or reads < min_reads:
                reads += 1
                if reads % 25 == 0:
                    board.show(model)  # what WeekCounter's effect runs on every redraw
                    shown = [k for k, box in board.boxes.items() if len(box.children) != 1]
                    assert not shown, f"tiles {shown} show an error"
                    continue
                with model.lock:  # one consistent week: rows, counter and cache agree
                    series = model.series()
                    week, _ = model.snapshot()
                    assert series.n_weeks == week, (series.n_weeks, week)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(f"read {reads}: {exc!r}")

    threads = [threading.Thread(target=stepper), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    assert errors == []
    assert model.time == steps and reads >= min_reads


def test_a_view_that_fails_to_draw_shows_its_error_and_the_rest_go_on(
    page: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One tile's error box (one line); the other tiles, Step and Reset keep working."""
    from viz.figures import ChartFigure
    from viz.views import ERROR_CLASS

    original = ChartFigure.render

    def failing(self: ChartFigure, *args: object) -> bytes:
        if self.panel.key == "money":
            raise ValueError("Length of values (633) does not match length of index (636)\n"
                             "second line")
        return original(self, *args)

    monkeypatch.setattr(ChartFigure, "render", failing)
    page.click("Step")
    assert page.week() == 1
    boxes = {b.attributes["data-view"]: b for b in
             page.find(ipyvue.Html, class_="offshoring-view").widgets}
    money = boxes["money"]
    assert money.attributes["data-week"] == "0"  # kept its last frame
    alert = money.children[1]
    assert alert.class_ == ERROR_CLASS and alert.type == "error"
    assert alert.children == ["Could not draw this view: ValueError: Length of values (633) "
                              "does not match length of index (636)"]
    assert {k: b.attributes["data-week"] for k, b in boxes.items() if k != "money"} == {
        k: "1" for k in VIEW_KEYS if k != "money"}
    assert all(len(b.children) == 1 for k, b in boxes.items() if k != "money")
    monkeypatch.setattr(ChartFigure, "render", original)
    page.click("Step")  # the next week that draws clears the box
    assert page.week() == 2 and page.view_weeks() == {"2"}
    assert len(money.children) == 1


def test_a_component_that_fails_to_render_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception while rendering the help becomes an error box in that tile: the
    page renders, the other views are drawn and Step still works."""
    from viz import views

    def broken() -> str:
        raise OSError("HELP.md unreadable")

    monkeypatch.setattr(views, "help_text", broken)
    _, rc = solara.render(solara.AppLayout(children=[viz_app.Page()]), handle_error=False)
    try:
        shown = Rendered(rc, [])
        shown.find(v.Tabs).widget.v_model = 1  # the About tab
        alerts = [str(a.children) for a in shown.find(v.Alert).widgets]
        assert any("Could not show the help: OSError: HELP.md unreadable" in a for a in alerts)
        assert set(shown.frames()) == set(VIEW_KEYS) and shown.view_weeks() == {"0"}
        shown.click("Step")
        assert shown.week() == 1 and shown.view_weeks() == {"1"}
    finally:
        rc.close()


ADDRESS = ("/?scenario=us-india&destination=philippines&policy.week=30&n_customers=600"
           "&seed=4&twin=1")


@pytest.mark.parametrize("page", [ADDRESS], indirect=True)
def test_page_opens_on_the_address_settings_and_writes_changes_back(page: Rendered) -> None:
    """Issue 15: the query string holds the settings; a change rewrites it."""
    from viz.settings import from_query

    model = page.models[0]
    assert model.params.destination.name == "Philippines"
    assert model.params.policy.week == 30 and model.params.n_customers == 600
    assert model.seed == 4 and model.twin is not None and model.preset == "us-india"
    assert "press Reset to apply" not in page.texts()  # controls = the running model
    page.type_into("seed", "9")
    assert "seed=9" in page.address() and "destination=philippines" in page.address()
    draft, notes = from_query(page.address().partition("?")[2])
    assert draft["seed"] == "9" and draft["policy.week"] == 30 and notes == []
    page.click("Reset")
    assert page.models[-1].seed == 9 and page.models[-1].params.policy.week == 30
    assert "NPV vs stay-home twin" in page.monitors()


def test_monitors_follow_the_steps(page: Rendered) -> None:
    from viz.export import monitor_values

    page.click("Step")
    page.click("Step")
    week, rows = monitor_values(page.models[0])
    assert week == 1
    assert f"data-value='{rows[0]['market_share']!r}'" in page.monitors()
    assert "data-week='1'" in page.monitors()
