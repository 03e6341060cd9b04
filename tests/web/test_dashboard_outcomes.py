"""The heatmap page's small tools, in real Chromium against a real server: the scale
switch (clicks per 1 000 page views), the dead-click overlay of the click map, and the
action detail's rank, share and "copy action name".

Recorded through the real collector: four page views; "Add to cart" clicked 6 times,
"Details" twice, and "Details" 3 more times with nothing happening (dead clicks).
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.browsing import sign_in

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Tools</title>
<style>
  html, body { margin: 0; height: 1200px; }
  button { position: absolute; width: 200px; height: 60px; }
  #a { left: 200px; top: 250px; }
  #b { left: 900px; top: 250px; }
</style></head><body>
  <button id="a" type="button">Add to cart</button>
  <button id="b" type="button">Details</button>
</body></html>"""

CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
          " Chrome/126.0.0.0 Safari/537.36")  # fmt: skip
CENTRES = {"a": (300.0, 280.0), "b": (1000.0, 280.0)}
TEXTS = {"a": "Add to cart", "b": "Details"}
#: per page view: (button, clicks, dead)
VISITS = [[("a", 3, False)], [("a", 3, False), ("b", 2, False)], [("b", 3, True)], []]


def _record(live_server, site, key: str, url: str) -> None:
    now = int(time.time() * 1000) - 120_000
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        for n, clicks in enumerate(VISITS):
            t = now + n * 1000
            events = [{"k": "view", "t": t, "v": "v", "url": url, "path": "/tools.html",
                       "title": "Tools", "vw": 1440, "vh": 900, "dw": 1440, "dh": 1200}]  # fmt: skip
            for b, times, dead in clicks:
                x, y = CENTRES[b]
                events += [
                    {"k": "click", "t": t + 300 * (i + 1), "v": "v", "x": x, "y": y, "vw": 1440,
                     "dw": 1440, "dh": 1200, "sel": f"#{b}", "rx": 0.5, "ry": 0.5,
                     "tag": "button", "text": TEXTS[b], "interactive": True, "dead": dead}
                    for i in range(times)
                ]  # fmt: skip
            body = {"app": key, "sdk": "test/1", "batch": f"b{n}", "visitor": f"u{n}",
                    "session": f"s{n}", "events": events}  # fmt: skip
            r = c.post("/api/v1/collect", json=body,
                       headers={"Origin": site.url, "User-Agent": CHROME})  # fmt: skip
            assert r.status_code == 202, r.text


def test_scale_switch_dead_overlay_and_action_place(browser, live_server, site):
    key = live_server.create_app("Tools", [site.url])
    url = site.page("tools.html", PAGE)
    _record(live_server, site, key, url)

    context, page, problems = sign_in(browser, live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Ftools.html&width=desktop")
    tile = ".tile[data-stat=total-clicks] .tile-value"
    page.wait_for_function(f"() => document.querySelector('{tile}')?.textContent === '11'")

    # per 1 000 page views: the legend says the rate the full colour stands for
    page.click("[data-testid=scale-switch] button[data-scale=absolute]")
    page.wait_for_url(re.compile(r"scale=absolute"))
    hint = page.locator("[data-testid=legend-scale]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=legend-scale]')?.textContent"
        ".startsWith('Per 1 000 page views (4 counted)')"
    )
    peak = float(re.search(r"full colour at ([\d.]+)", hint.inner_text()).group(1))
    with live_server.api() as api:
        hm = api.get(f"/api/v1/apps/{key}/heatmap", params={
            "view": "/tools.html", "width": "desktop", "scale": "absolute", "format": "json"
        }).json()  # fmt: skip
    assert hm["scale"] == "absolute" and hm["page_views"] == 4
    assert peak == pytest.approx(hm["peak"], abs=0.01)

    # the dead-click overlay marks the one place clicks changed nothing, with its count
    page.click("[data-testid=dead-toggle]")
    page.wait_for_url(re.compile(r"dead=1"))
    mark = page.locator("[data-testid=dead-mark]")
    mark.first.wait_for()
    assert mark.count() == 1 and mark.get_attribute("data-count") == "3"
    canvas = page.locator("[data-testid=heat-canvas]").bounding_box()
    m = mark.bounding_box()
    scale = canvas["width"] / page.locator("[data-testid=heat-canvas]").evaluate("c => c.width")
    centre = (
        (m["x"] + m["width"] / 2 - canvas["x"]) / scale,
        (m["y"] + m["height"] / 2 - canvas["y"]) / scale,
    )
    assert centre == pytest.approx(CENTRES["b"], abs=12)
    page.click("[data-testid=dead-toggle]")
    page.wait_for_function("() => !document.querySelector('[data-testid=dead-mark]')")

    # an action's detail: its rank and share among the page's actions, and its name copied
    page.locator("[data-testid=action-open]", has_text="Details").click()
    rank = page.locator("[data-testid=action-rank]")
    rank.wait_for()
    assert rank.inner_text().strip() == "#2 of 2 actions on this page · 45.5 % of its clicks"
    page.click("[data-testid=copy-action-name]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=copy-action-name]').textContent === 'Copied'"
    )
    assert page.evaluate("navigator.clipboard.readText()") == "click on Details"
    assert not problems, problems
    context.close()
