"""The heatmap page's zoom in real Chromium against a real server: a 1 440 px page in an
area about 1 000 px wide is drawn to the area's width by default ("Fit") and at its own
size with "100 %" (zoom=100 in the URL), and what the pointer reads stays exact in both.

Five visitors click "Far" (a button near the page's right edge, out of sight at 100 %),
one clicks "Near"; every reading is checked against that script.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.browsing import HOTTEST_PIXEL, ZOOM, box, on_screen, sign_in, watch_problems

pytestmark = pytest.mark.browser

WIDTH = 1440

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Zoom</title>
<style>
  html, body { margin: 0; height: 1200px; overflow-x: hidden; }
  body { font: 16px sans-serif; position: relative; }
  button { position: absolute; width: 200px; height: 60px; }
  #near { left: 150px; top: 300px; }
  #far { left: 1150px; top: 300px; }
</style>
</head><body>
  <button id="near" type="button">Near</button>
  <button id="far" type="button">Far</button>
</body></html>"""

#: (visitor, button, clicks)
VISITS = [("u1", "far", 1), ("u2", "far", 1), ("u3", "far", 2), ("u4", "far", 1), ("u5", "near", 1)]
CENTRES = {"near": (250.0, 330.0), "far": (1250.0, 330.0)}

#: Whether the heat canvas lies inside the area's visible width, and how much it fills.
FITS = """([c, a]) => {
  const cr = c.getBoundingClientRect(), ar = a.getBoundingClientRect();
  return {inside: cr.left >= ar.left && cr.right <= ar.left + a.clientWidth,
          width: cr.width, room: a.clientWidth, scrolls: a.scrollWidth > a.clientWidth};
}"""


def _record(live_server, site, key: str, url: str) -> None:
    now = int(time.time() * 1000)
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        for n, (visitor, button, clicks) in enumerate(VISITS):
            t = now - 120_000 + n * 1000
            x, y = CENTRES[button]
            events = [
                {"k": "view", "t": t, "v": "v", "url": url, "path": "/zoom.html",
                 "title": "Zoom", "vw": WIDTH, "vh": 900, "dw": WIDTH, "dh": 1200},
                *({"k": "click", "t": t + 300 * (i + 1), "v": "v", "x": x, "y": y,
                   "vw": WIDTH, "dw": WIDTH, "dh": 1200, "sel": f"#{button}", "rx": 0.5,
                   "ry": 0.5, "tag": "button", "text": button.title(), "pointer": "mouse",
                   "interactive": True} for i in range(clicks)),
            ]  # fmt: skip
            body = {"app": key, "sdk": "test/1", "batch": f"b{n}", "visitor": visitor,
                    "session": f"s{n}", "events": events}  # fmt: skip
            r = c.post("/api/v1/collect", json=body, headers={"Origin": site.url})
            assert r.status_code == 202, r.text


def _readings(page, canvas, far: dict[str, float]) -> tuple[str, str, tuple[int, int]]:
    """Hover over Far, then drag an area 15 page px around it: the hover's text, the
    area's count and its size as the tooltip gives it (page px)."""
    cx, cy = far["x"] + far["w"] / 2, far["y"] + far["h"] / 2
    page.mouse.move(*on_screen(canvas, cx, cy))
    tip = page.locator("[data-testid=element-tip]")
    tip.wait_for()
    hover = tip.inner_text()
    page.mouse.move(*on_screen(canvas, far["x"] - 15, far["y"] - 15))
    page.mouse.down()
    page.mouse.move(*on_screen(canvas, far["x"] + far["w"] + 15, far["y"] + far["h"] + 15), steps=5)
    page.mouse.up()
    area = page.locator("[data-testid=area-tip] strong[data-count]")
    area.wait_for()
    size = re.search(r"(\d+) \u00d7 (\d+) px", page.locator("[data-testid=area-tip]").inner_text())
    assert size, page.locator("[data-testid=area-tip]").inner_text()
    # A plain click clears the area, ready for the next readings.
    page.mouse.click(*on_screen(canvas, cx, cy + 100))
    page.locator("[data-testid=area-tip]").wait_for(state="hidden")
    return hover, area.get_attribute("data-count"), (int(size[1]), int(size[2]))


def test_fit_and_100_percent_keep_readings_exact(browser, live_server, site):
    key = live_server.create_app("Zoom", [site.url])
    url = site.page("zoom.html", PAGE)
    _record(live_server, site, key, url)

    # 1 400 px of window: the page area beside the panel is about 1 000 px wide.
    context, page, problems = sign_in(browser, live_server, width=1400, height=900)
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fzoom.html&width=desktop")
    page.wait_for_selector("img.stage-bg", timeout=90_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('img.stage-bg'); return i && i.complete"
        " && i.naturalWidth > 0; }"
    )
    page.wait_for_function(
        "() => document.querySelector('.tile[data-stat=total-clicks] .tile-value')"
        "?.textContent === '6'"
    )
    canvas = page.locator("[data-testid=heat-canvas]")
    img = page.locator("img.stage-bg")
    area = page.locator("[data-testid=page-area]")
    far = box(browser, url, WIDTH, "#far")

    # -- Fit (the default): the whole width of the page in the area ----------------------
    assert page.locator("[data-testid=zoom-switch] [data-zoom=fit]").get_attribute(
        "aria-pressed") == "true"  # fmt: skip
    assert "zoom=" not in page.url
    fits = page.evaluate(FITS, [canvas.element_handle(), area.element_handle()])
    assert fits["inside"] and not fits["scrolls"], fits
    assert fits["width"] < WIDTH and fits["width"] >= fits["room"] - 40, fits  # fills it
    zoom = canvas.evaluate(ZOOM)
    assert 0.5 < zoom < 0.8, zoom
    assert page.locator("[data-testid=zoom-value]").inner_text() == f"{round(zoom * 100)} %"
    assert canvas.bounding_box() == img.bounding_box()  # the heat lies over the picture
    hot = canvas.evaluate(HOTTEST_PIXEL)
    assert hot["width"] == WIDTH, hot  # drawn in page px whatever the zoom
    assert far["x"] <= hot["x"] <= far["x"] + far["w"], (hot, far)
    assert far["y"] <= hot["y"] <= far["y"] + far["h"], (hot, far)
    fit_readings = _readings(page, canvas, far)
    assert "5 clicks" in fit_readings[0] and "#far" in fit_readings[0], fit_readings
    assert fit_readings[1] == "5", fit_readings
    # The area in page px: the button and 15 px around it (a screen px is 1.4 page px here).
    assert (
        abs(fit_readings[2][0] - (far["w"] + 30)) <= 2
        and abs(fit_readings[2][1] - (far["h"] + 30)) <= 2
    )

    # -- 100 %: one screen px per page px; Far is off to the right until scrolled to -----
    page.mouse.move(5, 5)
    page.click("[data-testid=zoom-switch] [data-zoom='100']")
    page.wait_for_url(re.compile(r"zoom=100"))
    page.wait_for_function(f"c => Math.abs(c.getBoundingClientRect().width - {WIDTH}) < 0.5",
                           arg=canvas.element_handle())  # fmt: skip
    fits = page.evaluate(FITS, [canvas.element_handle(), area.element_handle()])
    assert not fits["inside"] and fits["scrolls"], fits
    assert page.locator("[data-testid=zoom-value]").inner_text() == "100 %"
    hot = canvas.evaluate(HOTTEST_PIXEL)
    assert far["x"] <= hot["x"] <= far["x"] + far["w"], (hot, far)
    # "Locate" on Far's action scrolls it into sight (as near the middle as the page allows).
    area.evaluate("e => { e.scrollLeft = 0; e.scrollTop = 0; }")
    x, y = CENTRES["far"]
    seen = """([c, a, x, y]) => { const cr = c.getBoundingClientRect(), ar = a.getBoundingClientRect();
      const sx = cr.left + x * cr.width / c.width, sy = cr.top + y * cr.height / c.height;
      return sx > ar.left && sx < ar.left + a.clientWidth && sy > ar.top && sy < ar.top + a.clientHeight; }"""
    handles = [canvas.element_handle(), area.element_handle()]
    assert not page.evaluate(seen, [*handles, x, y])
    page.locator("[data-testid=top-actions] .action", has_text="#far").locator(
        "[data-testid=locate]").click()  # fmt: skip
    page.wait_for_function(seen, arg=[*handles, x, y])
    # The scroll is smooth: wait until it has come to rest before pointing at the page.
    page.wait_for_function(
        "a => { const now = `${a.scrollLeft},${a.scrollTop}`, same = window.lastScroll === now;"
        " window.lastScroll = now; return same; }",
        arg=area.element_handle(),
        polling=150,
    )
    full_readings = _readings(page, canvas, far)
    assert full_readings[:2] == fit_readings[:2], (full_readings, fit_readings)
    assert full_readings[2] == (round(far["w"] + 30), round(far["h"] + 30)), full_readings

    # The zoom survives a reload; Fit takes it out of the URL again.
    page.reload()
    page.wait_for_selector("img.stage-bg")
    assert page.locator("[data-testid=zoom-switch] [data-zoom='100']").get_attribute(
        "aria-pressed") == "true"  # fmt: skip
    page.click("[data-testid=zoom-switch] [data-zoom=fit]")
    page.wait_for_url(lambda u: "zoom=" not in u)
    page.wait_for_function(f"c => c.getBoundingClientRect().width < {WIDTH}",
                           arg=canvas.element_handle())  # fmt: skip
    assert problems == []
    context.close()


def test_a_share_link_fits_the_page_in_a_narrow_window(browser, live_server, site):
    """The public share page draws on the same stage: Fit by default (the whole width of
    a 1 440 px page in a 1 000 px window, the hottest pixel on Far, its hover exact),
    100 % on request, kept as ?zoom=100 over a reload."""
    key = live_server.create_app("Zoom share", [site.url])
    url = site.page("zoom.html", PAGE)
    _record(live_server, site, key, url)
    with live_server.api() as c:
        r = c.post(f"/api/v1/apps/{key}/shares",
                   json={"params": {"view": "/zoom.html", "width": "desktop"}})  # fmt: skip
        assert r.status_code in (200, 201), r.text
        share_url = live_server.url + r.json()["url"]
    far = box(browser, url, WIDTH, "#far")

    # A stranger, not signed in, in a window narrower than the page (the area beside the
    # panel is about 800 px wide).
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    problems = watch_problems(page)
    page.goto(share_url)
    canvas = page.locator("[data-testid=heat-canvas]")
    area = page.locator("[data-testid=page-area]")
    canvas.wait_for(timeout=90_000)
    assert page.locator("[data-testid=zoom-switch] [data-zoom=fit]").get_attribute(
        "aria-pressed") == "true"  # fmt: skip
    fits = page.evaluate(FITS, [canvas.element_handle(), area.element_handle()])
    assert fits["inside"] and not fits["scrolls"], fits
    assert fits["width"] < WIDTH and fits["width"] >= fits["room"] - 40, fits
    zoom = canvas.evaluate(ZOOM)
    assert zoom < 0.7, zoom
    assert page.locator("[data-testid=zoom-value]").inner_text() == f"{round(zoom * 100)} %"
    hot = canvas.evaluate(HOTTEST_PIXEL)
    assert hot["width"] == WIDTH, hot
    assert far["x"] <= hot["x"] <= far["x"] + far["w"], (hot, far)
    assert far["y"] <= hot["y"] <= far["y"] + far["h"], (hot, far)
    # Far's hotspot, pointed at on screen through the zoom, tells its clicks.
    cx, cy = CENTRES["far"]
    page.mouse.move(*on_screen(canvas, cx, cy))
    tip = page.locator(".tip")
    tip.wait_for()
    assert tip.inner_text().startswith("5 clicks"), tip.inner_text()
    # Dragging on a shared map counts nothing (that needs a login).
    page.mouse.down()
    page.mouse.move(*on_screen(canvas, cx + 100, cy + 100), steps=5)
    page.mouse.up()
    assert page.locator("[data-testid=area-tip]").count() == 0

    # 100 %: the page at its own size, the area scrolls; the choice survives a reload.
    page.mouse.move(5, 5)
    page.click("[data-testid=zoom-switch] [data-zoom='100']")
    page.wait_for_url(re.compile(r"/share/[\w-]+\?zoom=100$"))
    page.wait_for_function(f"c => Math.abs(c.getBoundingClientRect().width - {WIDTH}) < 0.5",
                           arg=canvas.element_handle())  # fmt: skip
    fits = page.evaluate(FITS, [canvas.element_handle(), area.element_handle()])
    assert not fits["inside"] and fits["scrolls"], fits
    page.reload()
    canvas.wait_for()
    assert page.locator("[data-testid=zoom-switch] [data-zoom='100']").get_attribute(
        "aria-pressed") == "true"  # fmt: skip
    assert page.locator("[data-testid=zoom-value]").inner_text() == "100 %"
    page.click("[data-testid=zoom-switch] [data-zoom=fit]")
    page.wait_for_url(lambda u: "zoom=" not in u)
    # Narrower still, the panel goes under the picture: the page fits the full width and
    # its area stays tall (the window scrolls, not a sliver of the area).
    page.set_viewport_size({"width": 900, "height": 800})
    page.wait_for_function(
        "([c, a]) => c.getBoundingClientRect().right <= a.getBoundingClientRect().left"
        " + a.clientWidth",
        arg=[canvas.element_handle(), area.element_handle()],
    )
    fits = page.evaluate(FITS, [canvas.element_handle(), area.element_handle()])
    assert fits["inside"] and not fits["scrolls"] and fits["width"] > 700, fits
    assert area.bounding_box()["height"] > 500, area.bounding_box()
    assert problems == []
    context.close()
