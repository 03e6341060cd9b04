"""The heatmap-type switch in real Chromium against a real server: page views, scroll
depths and a rage burst go through the real collector; the dashboard then shows the
scroll map with its depth lines and hover reading, the rage map hot over the
rage-clicked button, an empty state that says why, and keeps the type in the URL.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.browsing import HOTTEST_PIXEL, ZOOM, box, on_screen, sign_in

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Kinds</title>
<style>
  html, body { margin: 0; height: 3000px; overflow-x: hidden; }
  body { font: 16px sans-serif; position: relative; }
  button { position: absolute; width: 200px; height: 60px; }
  #buy { left: 200px; top: 300px; }
  #broken { left: 900px; top: 1200px; }
</style>
</head><body>
  <button id="buy" type="button">Buy</button>
  <button id="broken" type="button">Broken</button>
</body></html>"""

#: Ten page views: 4 read to the end, 3 to half way, 3 to 30 % (the first screen).
DEPTHS = [3000] * 4 + [1500] * 3 + [900] * 3


def _batch(url: str, n: int, depth: int, now_ms: int, rage: bool) -> dict:
    v = f"v{n}"
    t = now_ms - 60_000 + n * 1000
    events: list[dict] = [
        {"k": "view", "t": t, "v": v, "url": url, "path": "/kinds.html", "title": "Kinds",
         "vw": 1440, "vh": 900, "dw": 1440, "dh": 3000},
        {"k": "click", "t": t + 100, "v": v, "x": 300.0, "y": 330.0, "vw": 1440, "dw": 1440,
         "dh": 3000, "sel": "#buy", "rx": 0.5, "ry": 0.5, "tag": "button", "text": "Buy",
         "pointer": "mouse", "interactive": True},
        {"k": "scroll", "t": t + 200, "v": v, "depth": depth, "dh": 3000, "vh": 900,
         "bands": [1.0] * 20},
    ]  # fmt: skip
    if rage:
        burst = [
            {"k": "click", "t": t + 300 + i * 200, "v": v, "x": 1000.0, "y": 1230.0,
             "vw": 1440, "dw": 1440, "dh": 3000, "sel": "#broken", "rx": 0.5, "ry": 0.5,
             "tag": "button", "text": "Broken", "pointer": "mouse", "interactive": True}
            for i in range(4)
        ]  # fmt: skip
        burst[0]["rage"] = 4  # one rage event per burst, carrying its click count
        events += burst
    return {"app": "", "sdk": "test/1", "batch": f"b{n}", "visitor": f"u{n}",
            "session": f"s{n}", "events": events}  # fmt: skip


def _record(live_server, site, key: str, url: str) -> None:
    now_ms = int(time.time() * 1000)
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        for n, depth in enumerate(DEPTHS):
            body = _batch(url, n, depth, now_ms, rage=n < 3)
            body["app"] = key
            r = c.post("/api/v1/collect", json=body, headers={"Origin": site.url})
            assert r.status_code == 202, r.text


def test_heatmap_types_scroll_rage_and_the_url(browser, live_server, site):
    key = live_server.create_app("Kinds", [site.url])
    url = site.page("kinds.html", PAGE)
    _record(live_server, site, key, url)
    with live_server.api() as c:
        sc = c.get(f"/api/v1/apps/{key}/scroll", params={"view": "/kinds.html", "width": "desktop"})
        sc.raise_for_status()
        reach = sc.json()["reach"]
    assert reach[40] == pytest.approx(0.7, abs=0.01)  # 7 of 10 page views got past 40 %

    context, page, problems = sign_in(browser, live_server)

    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fkinds.html&width=desktop")
    page.wait_for_selector("img.stage-bg", timeout=90_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('img.stage-bg'); return i && i.complete"
        " && i.naturalWidth > 0; }"
    )
    assert page.locator("button.seg[data-kind][aria-pressed=true]").inner_text() == "Click"
    # Frustration badges on the top actions: the rage-clicked button carries one.
    broken = page.locator("[data-testid=top-actions] .action", has_text="#broken")
    assert "3 rage" in broken.locator(".action-flags").inner_text()
    assert page.locator("[data-testid=top-actions] .action", has_text="#buy").locator(
        ".action-flags").count() == 0  # fmt: skip

    canvas = page.locator("[data-testid=heat-canvas]")
    size = canvas.evaluate("c => ({w: c.width, h: c.height})")

    # Scroll: the depth lines with their labels, and the reach under the pointer.
    page.click("button.seg[data-kind=scroll]")
    page.wait_for_url(re.compile(r"kind=scroll"))
    half = page.locator(".scroll-mark", has_text="50 % of visitors reached here")
    half.wait_for()
    assert page.locator(".scroll-mark-fold", has_text="average fold").count() == 1
    depth50 = float(half.get_attribute("data-depth"))
    top = half.evaluate("e => e.offsetTop") / canvas.evaluate(ZOOM)  # in page px
    assert abs(top - depth50 / 100 * size["h"]) <= 1.5, (top, depth50, size)
    assert "reach" in page.locator("[data-testid=legend-what]").inner_text()
    y = 0.40 * size["h"]
    zoom = canvas.evaluate(ZOOM)
    page.locator("[data-testid=page-area]").evaluate(f"e => e.scrollTop = {y * zoom - 300}")
    page.mouse.move(*on_screen(canvas, 500, y))
    tip = page.locator(".tip")
    tip.wait_for()
    pct = round(y / size["h"] * 100)
    expected = f"{round(reach[pct] * 100)} % of page views reached this depth"
    assert expected in tip.inner_text(), (tip.inner_text(), expected)
    assert "70 % of page views reached this depth" in tip.inner_text()

    # Rage: hot over the rage-clicked button, and the legend says what is counted.
    page.mouse.move(0, 0)
    page.click("button.seg[data-kind=rage]")
    page.wait_for_url(re.compile(r"kind=rage"))
    page.wait_for_selector("[data-testid=legend-what] >> text=rage clicks (one per burst)")
    assert page.locator(".scroll-mark").count() == 0
    hot = canvas.evaluate(HOTTEST_PIXEL)
    assert hot["alpha"] > 100, hot
    b = box(browser, url, size["w"], "#broken")
    assert b["x"] <= hot["x"] <= b["x"] + b["w"] and b["y"] <= hot["y"] <= b["y"] + b["h"], (
        hot, b)  # fmt: skip
    page.locator("[data-testid=page-area]").evaluate(
        f"e => e.scrollTop = {hot['y'] * zoom - 300}")  # fmt: skip
    page.mouse.move(*on_screen(canvas, hot["x"], hot["y"]))
    tip.wait_for()
    assert "3 rage clicks" in tip.inner_text()

    # The type survives a reload, and back goes to the previous type.
    page.reload()
    page.wait_for_selector("[data-testid=legend-what] >> text=rage clicks (one per burst)")
    assert page.locator("button.seg[data-kind][aria-pressed=true]").inner_text() == "Rage"
    page.go_back()
    page.wait_for_url(re.compile(r"kind=scroll"))
    page.wait_for_selector(".scroll-mark")
    assert page.locator("button.seg[data-kind][aria-pressed=true]").inner_text() == "Scroll"

    # Attention: bands by seconds in view; the hover and the legend speak in seconds.
    page.click("button.seg[data-kind=attention]")
    page.wait_for_url(re.compile(r"kind=attention"))
    page.wait_for_selector("[data-testid=legend-what] >> text=seconds")
    assert re.search(r"\d+\.\d s$", page.locator(".legend-ends").inner_text())
    page.mouse.move(*on_screen(canvas, 500, 200))
    tip.wait_for()
    assert re.search(r"\d+\.\d s in view on average", tip.inner_text()), tip.inner_text()
    page.mouse.move(0, 0)

    # Nothing of a kind: the empty state says why.
    page.click("button.seg[data-kind=error]")
    page.wait_for_url(re.compile(r"kind=error"))
    empty = page.locator("[data-testid=kind-empty]")
    empty.wait_for()
    assert "No error clicks in this period — good news" in empty.inner_text()
    page.click("button.seg[data-kind=move]")
    page.wait_for_selector("[data-testid=kind-empty] >> text=moves are desktop-only")

    assert not problems, problems
    context.close()
