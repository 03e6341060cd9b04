"""Every heatmap kind end to end: real Chromium with the real tag, the real server, and the
numbers a user reads in the API (what the dashboard shows)."""

from __future__ import annotations

import pytest

from tests.browsing import until

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Kinds</title>
<style>
  body {{ margin: 0; font: 16px sans-serif; }}
  section {{ height: 1000px; border-bottom: 1px solid #ccc; padding: 40px; box-sizing: border-box; }}
  button, a, input {{ display: block; margin: 20px 0; font-size: 20px; }}
</style>
<script src="{server}/pageheat.js" data-app="{key}" data-flush-ms="200" defer></script>
</head><body>
<section id="s1">
  <button id="rage" type="button">Apply coupon</button>
  <p id="prose">Plain words nobody can click through.</p>
  <button id="grow" type="button">Show more</button>
  <button id="boom" type="button">Checkout</button>
  <input id="field" type="text" placeholder="Email">
  <a id="away" href="next.html">Next page</a>
  <div id="more"></div>
</section>
<section id="s2"><h2>Second screen</h2></section>
<section id="s3"><h2>Third screen</h2></section>
<script>
  document.getElementById("grow").addEventListener("click", () => {{
    document.getElementById("more").textContent = "More content";
  }});
  document.getElementById("boom").addEventListener("click", () => {{
    throw new Error("checkout exploded");
  }});
</script>
</body></html>"""

NEXT = "<!doctype html><title>Next</title><p>Next page</p>"


@pytest.fixture
def shop(live_server, site):
    key = live_server.create_app("Kinds", [site.url])
    site.page("next.html", NEXT)
    url = site.page("kinds.html", PAGE.format(server=live_server.url, key=key))
    api = live_server.api()
    yield key, url, api
    api.close()


def _new_page(browser, width=1366, height=800, touch=False):
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch
    )
    return context, context.new_page()


def _open(browser, url, **kw):
    context, page = _new_page(browser, **kw)
    page.goto(url, wait_until="load")
    page.wait_for_function("window.pageheat !== undefined")
    return context, page


def _leave(context, page) -> None:
    page.wait_for_timeout(1300)  # frustration flags settle 1 s after a click
    page.close(run_before_unload=True)
    context.close()


def _insights(api, key, **params):
    r = api.get(f"/api/v1/apps/{key}/insights", params={"view": "/kinds.html", **params})
    r.raise_for_status()
    return r.json()


def _heat(api, key, kind, **params):
    r = api.get(f"/api/v1/apps/{key}/heatmap",
                params={"view": "/kinds.html", "kind": kind, **params})  # fmt: skip
    r.raise_for_status()
    return r.json()


def test_rage_dead_and_error_clicks(browser, shop):
    key, url, api = shop
    context, page = _open(browser, url)
    box = page.locator("#rage").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for _ in range(5):  # five clicks within 500 ms on one spot: one rage burst
        page.mouse.click(cx, cy)
        page.wait_for_timeout(60)
    # each click gets its own second, as a visitor's would: what happens belongs to it
    for sel in ("#prose", "#grow", "#field", "#boom"):
        page.wait_for_timeout(1200)
        page.click(sel)  # dead; changes the DOM; a text field; its handler throws
    page.wait_for_timeout(1300)
    page.click("#away")  # navigates: not dead
    page.wait_for_url("**/next.html")
    context.close()

    stats = until(lambda: (s := _insights(api, key)["stats"])["total_clicks"] >= 10 and s)
    assert stats, _insights(api, key)["stats"]
    assert stats["total_clicks"] == 10  # the burst's clicks stay clicks
    assert stats["rage_clicks"] == 1  # one rage event per burst
    # nothing visible follows the coupon button's five clicks, the prose or the throwing
    # checkout button: all seven are dead (the checkout click is an error click as well)
    assert stats["dead_clicks"] == 7, [
        (a["selector"], a["count"], a["dead"]) for a in _insights(api, key)["top_actions"]
    ]
    assert stats["error_clicks"] == 1
    assert stats["page_errors"] >= 1
    actions = {a["selector"]: a for a in _insights(api, key)["top_actions"]}
    assert actions["#rage"]["count"] == 5 and actions["#rage"]["rage"] == 1
    assert actions["#rage"]["dead"] == 5
    assert actions["#prose"]["dead"] == 1
    assert actions["#boom"]["error"] == 1 and actions["#boom"]["dead"] == 1
    for sel in ("#grow", "#field", "#away"):
        assert actions[sel]["dead"] == 0, sel

    rage = _heat(api, key, "rage")
    assert rage["total"] == 1 and rage["hotspots"][0]["selector"] == "#rage"
    assert rage["warning"] is None
    dead = _heat(api, key, "dead")
    assert dead["total"] == 7 and dead["hotspots"][0]["selector"] == "#rage"
    assert "#prose" in {h["selector"] for h in dead["hotspots"]}
    error = _heat(api, key, "error")
    assert error["total"] == 1 and error["hotspots"][0]["selector"] == "#boom"


def test_two_slow_clicks_and_clicks_far_apart_are_not_rage(browser, shop):
    key, url, api = shop
    context, page = _open(browser, url)
    page.click("#rage")
    page.click("#rage")  # two clicks: no burst
    page.wait_for_timeout(1200)
    for sel in ("#rage", "#grow", "#field"):  # three quick clicks on different elements
        page.click(sel)
    _leave(context, page)
    stats = until(lambda: (s := _insights(api, key)["stats"])["total_clicks"] >= 5 and s)
    assert stats["total_clicks"] == 5
    assert stats["rage_clicks"] == 0


def test_scroll_reach_from_ten_visitors(browser, shop):
    key, url, api = shop
    for i in range(10):
        context, page = _open(browser, url)
        if i < 5:  # half read to the bottom
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            # the page has scrolled and painted, so its scroll event has fired
            page.wait_for_function("scrollY + innerHeight >= document.documentElement.scrollHeight")
            page.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))")
        _leave(context, page)
    scroll = until(lambda: (s := api.get(f"/api/v1/apps/{key}/scroll",
                                          params={"view": "/kinds.html", "width": "desktop"})
                             .json())["page_views"] >= 10 and s)  # fmt: skip
    assert scroll and scroll["page_views"] == 10
    reach = scroll["reach"]
    assert reach[0] == 1.0  # everyone saw the top
    assert any(abs(reach[p] - 0.5) < 1e-9 for p in range(70, 81))  # 50 % at 75 % (± a band)
    assert reach[100] == 0.5
    assert scroll["depth_50"] == 100
    assert 20 <= scroll["avg_fold"] <= 30  # an 800 px screen on a ~3 000 px page
    heat = _heat(api, key, "scroll")
    assert heat["scroll"]["reach"] == reach


def test_attention_is_hottest_on_the_screen_people_rest_on(browser, shop):
    key, url, api = shop
    context, page = _open(browser, url, height=1000)
    page.evaluate("window.scrollTo(0, 1000)")  # the second screen
    page.wait_for_timeout(3500)
    _leave(context, page)
    heat = until(lambda: (h := _heat(api, key, "attention"))["total"] >= 1 and h)
    assert heat, _heat(api, key, "attention")
    seconds = heat["attention"]["seconds"]
    # 20 bands of 150 px on a 3 000 px page: the second screen is 1 000-2 000 px
    hottest = max(range(20), key=lambda b: seconds[b])
    assert hottest * 150 < 2000 and (hottest + 1) * 150 > 1000, seconds
    second_screen = [seconds[b] for b in range(7, 13)]
    first_screen = [seconds[b] for b in range(0, 6)]
    assert min(second_screen) > 2 * max(first_screen), seconds
    assert min(second_screen) >= 2.5  # about the 3.5 s rest


def test_move_map_lights_the_cursor_path_only(browser, shop):
    key, url, api = shop
    context, page = _open(browser, url)
    path = [(100 + 40 * i, 600) for i in range(20)]  # a horizontal stroke at y = 600
    page.mouse.move(*path[0])  # one jump to the start: no trail from the corner
    for x, y in path:
        page.mouse.move(x, y, steps=2)
        page.wait_for_timeout(120)
    _leave(context, page)
    heat = until(lambda: (h := _heat(api, key, "move"))["total"] >= 10 and h)
    assert heat, _heat(api, key, "move")
    cols, cell = heat["cols"], heat["cell"]
    grid = heat["grid"]
    row = 600 // cell
    on_path = max(grid[row * cols + c] for c in range(100 // cell, 860 // cell))
    off_path = max(grid[r * cols + c] for r in range(heat["rows"]) for c in range(cols)
                   if abs(r - row) > 3)  # fmt: skip
    assert on_path > 0.5 and off_path == 0


def test_no_moves_from_a_touch_screen(browser, shop):
    key, url, api = shop
    context, page = _open(browser, url, width=390, touch=True)
    page.tap("#grow")
    _leave(context, page)
    until(lambda: _insights(api, key, width="mobile")["stats"]["total_clicks"] >= 1)
    assert _heat(api, key, "move", width="mobile")["total"] == 0
    tap = _heat(api, key, "click", width="mobile")
    assert tap["total"] == 1


def test_rage_threshold_is_a_setting_the_tracker_obeys(browser, site, tmp_path):
    from tests.conftest import LiveServer

    server = LiveServer(tmp_path / "strict", env={"PAGEHEAT_RAGE_MIN_CLICKS": "2"}).start()
    try:
        key = server.create_app("Strict", [site.url])
        url = site.page("strict.html", PAGE.format(server=server.url, key=key))
        context, page = _open(browser, url)
        page.click("#rage")
        page.click("#rage")  # two clicks: rage under this server's setting
        _leave(context, page)
        with server.api() as api:
            stats = until(lambda: (s := api.get(f"/api/v1/apps/{key}/insights",
                                                  params={"view": "/strict.html"})
                                    .json()["stats"])["total_clicks"] >= 2 and s)  # fmt: skip
        assert stats["rage_clicks"] == 1
    finally:
        server.stop()
