"""The `layout` event: one per view, a second after load, naming the page's state."""

import json

import pytest

from .conftest import COLLECT, Capture

pytestmark = pytest.mark.browser

#: When the page's load event came, by the page's (fake) clock: the tracker's times are
#: on it. Set before the tracker's own load listener runs.
LOADED_AT = "addEventListener('load', () => { window.loadedAt = Date.now(); })"
#: Longer than any timer a view sets (the layout's second), with room to spare.
AFTER_MS = 1500


def layout_of(browser, pages, query: str = "") -> dict:
    """The layout event a new visitor (own context: own ids, own storage) sends."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        capture = Capture(page, pages)
        context.route(COLLECT, capture.handle)
        page.goto(f"{pages.url}/layout.html{query}")
        [layout] = capture.wait_events("layout")
        assert not capture.check()
        return layout
    finally:
        context.close()


def test_one_layout_event_a_second_after_load(page, capture, pages):
    page.clock.install()
    page.add_init_script(LOADED_AT)
    page.goto(f"{pages.url}/layout.html")
    [view] = capture.wait_events("view")
    [layout] = capture.wait_events("layout")
    loaded = page.evaluate("loadedAt")
    assert layout["v"] == view["v"]
    assert loaded + 1000 <= layout["t"] < loaded + 3000
    assert 1 <= len(layout["h"]) <= 64
    assert layout["dw"] == 1280
    assert layout["dh"] >= 800
    assert set(layout) == {"k", "t", "v", "h", "dw", "dh"}
    page.clock.run_for(AFTER_MS)
    assert [e for e in capture.leave() if e["k"] == "layout"] == [layout]  # once a view


def test_an_spa_view_reports_its_own_layout(page, capture, pages):
    page.clock.install()
    page.goto(f"{pages.url}/spa.html")
    capture.wait_events("layout")
    page.click("#to-step2")
    _, second = capture.wait_events("view", 2)
    layouts = capture.wait_events("layout", 2)
    assert [e["v"] for e in layouts] == [layouts[0]["v"], second["v"]]
    assert layouts[1]["t"] >= second["t"] + 1000  # the page had loaded: 1 s after the view
    page.clock.run_for(AFTER_MS)
    assert [e for e in capture.leave() if e["k"] == "layout"] == layouts


def test_a_view_left_before_it_settles_sends_no_layout(page, capture, pages):
    page.clock.install()
    page.goto(f"{pages.url}/spa.html")
    page.click("#to-step2")  # within the first view's second
    views = capture.wait_events("view", 2)
    [layout] = capture.wait_events("layout")
    assert layout["v"] == views[1]["v"]
    page.clock.run_for(AFTER_MS)  # past the first view's second as well
    assert [e for e in capture.leave() if e["k"] == "layout"] == [layout]


def test_a_visitor_who_leaves_within_the_second_still_names_the_state(page, capture, pages):
    page.goto(f"{pages.url}/layout.html")
    [view] = capture.wait_events("view")
    page.close(run_before_unload=True)  # pagehide, well within the second after load
    capture.page = page.context.new_page()
    [layout] = capture.wait_events("layout")  # with the leave event's beacon
    assert layout["v"] == view["v"]
    assert layout in [e for b in capture.beacons for e in json.loads(b)["events"]]
    # The same visitor opens another page: anything the closed one sent came before.
    assert [e for e in capture.leave(tracked=False) if e["k"] == "layout"] == [layout]


def test_the_same_state_gives_the_same_hash(browser, pages):
    first = layout_of(browser, pages)
    second = layout_of(browser, pages)
    assert first["v"] != second["v"]
    assert first["h"] == second["h"]


def test_a_banner_shown_is_another_state(browser, pages):
    plain = layout_of(browser, pages)["h"]
    assert layout_of(browser, pages, "?banner")["h"] != plain
    # Hidden (display: none) or absent: nothing is drawn either way, same state.
    assert layout_of(browser, pages, "?absent")["h"] == plain


def test_text_and_generated_ids_do_not_enter_the_hash(browser, pages):
    plain = layout_of(browser, pages)["h"]
    assert layout_of(browser, pages, "?text")["h"] == plain
    assert layout_of(browser, pages, "?fresh")["h"] == plain  # :r1: → :r7:


def test_hashing_a_large_page_is_no_long_task(page, capture, pages):
    page.goto(f"{pages.url}/big.html")
    capture.wait_events("layout")
    assert page.evaluate("document.body.getElementsByTagName('*').length") >= 3000
    [ms] = page.evaluate("timerMs")  # the layout's timer callback, hash included
    print(f"layout hash on a 3000-element page: {ms:.2f} ms")
    assert ms < 50  # a long task starts at 50 ms
