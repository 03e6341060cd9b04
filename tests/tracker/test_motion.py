"""Cursor moves (desktop only) and scroll depth and attention, as the tracker sends them."""

import itertools
import math

import pytest

pytestmark = pytest.mark.browser


def open_page(page, capture, pages):
    page.goto(f"{pages.url}/frustration.html")
    return capture.wait_events("view")[0]


def test_mouse_moves_follow_the_path_sampled(page, capture, pages):
    open_page(page, capture, pages)
    path = [(100 + 12 * i, 200 + 4 * i) for i in range(40)]  # a line, 12.6 px a step
    for x, y in path:
        page.mouse.move(x, y)
        page.wait_for_timeout(40)
    capture.wait_events("move")
    moves = [e for e in capture.leave() if e["k"] == "move"]  # the last one closed
    points = [(x, y, m["t"] + dt) for m in moves for x, y, dt in m["p"]]
    assert len(points) >= 8
    for m in moves:
        assert (m["vw"], m["dw"]) == (1280, 1280) and m["dh"] > 3000
        assert [dt for _, _, dt in m["p"]] == sorted(dt for _, _, dt in m["p"])
    for x, y, _ in points:  # on the path (page px; the page is not scrolled)
        assert abs(y - (200 + (x - 100) / 3)) <= 1.5 and 100 <= x <= 100 + 12 * 39
    for (x0, y0, t0), (x1, y1, t1) in itertools.pairwise(points):
        assert math.hypot(x1 - x0, y1 - y0) >= 20
        assert t1 - t0 >= 95  # ≤ 10 a second
    assert points[-1][0] > points[0][0] + 300  # it kept following the cursor


@pytest.mark.parametrize(
    "context_options",
    [{"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}],
)
def test_no_moves_from_touch(page, capture, pages):
    open_page(page, capture, pages)
    for sel in ("#prose", "#grows", "#s1"):
        page.tap(sel)
        page.wait_for_timeout(150)
    taps = capture.wait_events("click", 3)
    assert {t["pointer"] for t in taps} == {"touch"}
    assert capture.events("move") == []


def test_scroll_depth_and_time_per_band(page, capture, pages):
    view = open_page(page, capture, pages)
    dh = view["dh"]
    page.evaluate("scrollTo(0, document.documentElement.scrollHeight)")  # the bottom
    page.wait_for_timeout(1000)
    page.evaluate("scrollTo(0, 0)")
    page.wait_for_timeout(100)
    page.evaluate("scrollTo(0, 800)")  # the second screen, for 3 s
    page.wait_for_timeout(3000)
    page.evaluate("pageheat.startView('next')")  # the view ends
    [scroll] = capture.wait(lambda: [e for e in capture.events("scroll") if e["v"] == view["v"]])
    assert scroll["dh"] == dh and scroll["vh"] == 800
    assert scroll["depth"] == pytest.approx(dh, abs=2)
    bands = scroll["bands"]
    assert len(bands) == 20
    assert sum(bands[-3:]) > 0  # the bottom was seen
    second = [i for i in range(20) if (i + 1) * dh / 20 > 800 and i * dh / 20 < 1600]
    best = max(range(20), key=lambda i: bands[i])
    assert best in second
    assert all(2.5 <= bands[i] <= 4 for i in second[1:-1])
    assert sum(bands) / len([b for b in bands if b]) < 3  # the others had less


def test_a_glance_at_the_bottom_counts_however_short(page, capture, pages):
    """A visitor who flicks to the footer and straight back has seen the whole page: the
    depth is the document's height, not where the viewport happened to be when the
    tracker last looked (it used to look every 400 ms and say 89 %)."""
    view = open_page(page, capture, pages)
    dh = view["dh"]
    took = page.evaluate("""async () => {
      const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
      const t0 = performance.now();
      scrollTo(0, document.documentElement.scrollHeight);
      await frame();
      await frame();  // drawn at the bottom
      const bottom = scrollY + innerHeight;
      scrollTo(0, 0);
      return [performance.now() - t0, bottom, scrollY];
    }""")
    assert took[0] < 100 and took[1] == dh and took[2] == 0
    page.evaluate("pageheat.startView('next')")  # the view ends, back at the top
    [scroll] = capture.wait(lambda: [e for e in capture.events("scroll") if e["v"] == view["v"]])
    assert scroll["dh"] == dh
    assert scroll["depth"] == dh  # 100 %
    [leave] = [e for e in capture.events("leave") if e["v"] == view["v"]]
    assert leave["depth"] == dh
