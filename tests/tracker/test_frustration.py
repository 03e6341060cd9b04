"""Frustration flags on clicks (rage, dead, error) and the `error` events, as sent.

A click leaves about 1 s after the last click (its flags need that second), or at once
when the page goes.
"""

import pytest

pytestmark = pytest.mark.browser

CENTRE = """el => {
    const r = el.getBoundingClientRect();
    return [r.left + r.width / 2, r.top + r.height / 2];
}"""


def open_page(page, capture, pages):
    page.goto(f"{pages.url}/frustration.html")
    capture.wait_events("view")


def click_at(page, selector: str, times: int = 1, gap_ms: int = 0) -> None:
    x, y = page.locator(selector).evaluate(CENTRE)
    for i in range(times):
        if i and gap_ms:
            page.wait_for_timeout(gap_ms)
        page.mouse.click(x, y)


def by_sel(clicks, sel):
    return [c for c in clicks if c["sel"] == sel]


def test_rage_is_one_event_per_burst_on_its_first_click(page, capture, pages):
    open_page(page, capture, pages)
    click_at(page, "#broken", times=5, gap_ms=90)  # 5 clicks within 500 ms on one spot
    page.wait_for_timeout(1100)  # the burst is over
    click_at(page, "#grows", times=2, gap_ms=90)  # 2 clicks: no rage
    page.wait_for_timeout(1100)
    for sel in ("#s1", "#s2", "#s3"):  # 3 clicks 200 px apart, on different elements
        click_at(page, sel)
        page.wait_for_timeout(90)
    clicks = capture.wait_events("click", 10)
    sent = [e for e in capture.leave() if e["k"] == "click"]
    assert sent == clicks  # each click of a burst is still a click, and no more
    assert len(clicks) == 10
    broken = by_sel(clicks, "#broken")
    assert len(broken) == 5
    assert [c.get("rage", 0) for c in broken] == [5, 0, 0, 0, 0]
    assert all(c.get("rage", 0) == 0 for c in clicks if c["sel"] != "#broken")
    assert len(by_sel(clicks, "#grows")) == 2
    assert {c["sel"] for c in clicks[-3:]} == {"#s1", "#s2", "#s3"}


def test_a_scroll_breaks_the_rage_chain(page, capture, pages):
    open_page(page, capture, pages)
    click_at(page, "#broken", times=2, gap_ms=90)
    page.evaluate("scrollTo(0, 5)")
    page.wait_for_function("scrollY === 5")
    click_at(page, "#broken", times=2, gap_ms=90)
    clicks = capture.wait_events("click", 4)
    assert all(c.get("rage", 0) == 0 for c in clicks)


def test_dead_and_error_clicks(page, capture, pages):
    open_page(page, capture, pages)
    click_at(page, "#prose")  # nothing happens: dead
    page.wait_for_timeout(1100)
    click_at(page, "#grows")  # its handler changes the DOM
    page.wait_for_timeout(100)
    page.click("#field")  # a text field is never dead
    page.wait_for_timeout(1100)
    click_at(page, "#throws")  # its handler throws
    page.wait_for_timeout(1100)
    capture.wait_events("click", 4)
    click_at(page, "#away")  # navigates: not dead, sent as the page goes
    page.wait_for_url("**/next.html")
    clicks = capture.wait(lambda: len(capture.events("click")) >= 5 and capture.events("click"))
    [prose], [grows], [field], [throws], [away] = (
        by_sel(clicks, s) for s in ("#prose", "#grows", "#field", "#throws", "#away")
    )
    assert prose["dead"] is True
    assert grows["dead"] is False
    assert field["dead"] is False
    assert away["dead"] is False
    assert throws["error"] is True
    assert not any(c.get("error") for c in (prose, grows, field, away))
    assert all(c.get("rage", 0) == 0 for c in clicks)
    [error] = capture.events("error")
    assert "boom from handler" in error["msg"]
    assert error["n"] >= 1
    assert error["hash"]
    assert error["v"] == throws["v"]


def test_errors_are_counted_per_message(page, capture, pages):
    open_page(page, capture, pages)
    page.evaluate("""() => {
        Promise.reject(new Error("rejected"));
        for (let i = 0; i < 3; i++) setTimeout(() => { throw new Error("again  "); });
    }""")
    capture.wait_events("error", 2)
    page.evaluate("""() => new Promise(thrown => {
        for (let i = 0; i < 30; i++) setTimeout(() => { throw new Error("loop " + i); });
        setTimeout(thrown);  // after the 30: timers of one delay run in order
    })""")
    errors = [e for e in capture.leave() if e["k"] == "error"]
    again = [e for e in errors if e["msg"].endswith("again")]
    assert sum(e["n"] for e in again) == 3
    assert len({e["hash"] for e in again}) == 1
    for batch in capture.batches:  # one event per message and batch
        hashes = [e["hash"] for e in batch["events"] if e["k"] == "error"]
        assert len(hashes) == len(set(hashes))
    assert any("rejected" in e["msg"] for e in errors)
    assert len({e["hash"] for e in errors}) == 20  # distinct messages capped per view
