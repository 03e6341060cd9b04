"""The dashboard in real Chromium against a real server: sign in, create an app through
the form, read the install instructions, then see real clicks drawn on the heatmap
canvas with the hottest pixel over the button people clicked.

Chromium comes from the shared ``browser`` fixture (Debian's /usr/bin/chromium with
the project's launch arguments).
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browsing import HOTTEST_PIXEL, box, on_screen, visit, watch_problems

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Shop</title>
<style>
  body {{ margin: 0; font: 16px sans-serif; }}
  main {{ width: 960px; margin: 0 auto; padding-top: 260px; }}
  button {{ display: block; width: 200px; height: 60px; margin: 0 0 300px 0; }}
  #b {{ margin-left: 600px; }}
  footer {{ height: 600px; }}
</style>
{tag}
</head><body><main>
  <button id="a" type="button">Add to cart</button>
  <button id="b" type="button">Details</button>
</main><footer></footer></body></html>"""


def test_sign_in_create_app_install_and_read_the_heatmap(browser, live_server, site):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    problems = watch_problems(page)

    # Not signed in: the app sends the browser to /login and back afterwards.
    page.goto(f"{live_server.url}/")
    page.wait_for_url(re.compile(r"/login\?next=%2F$"))
    page.click("#login-switch")  # the admin token, not a user's password
    page.fill("#token", "not-the-token")
    page.click("button[type=submit]")
    page.wait_for_selector("#login-error:not([hidden])")
    page.fill("#token", live_server.token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_selector("text=No applications yet")

    # Create an app through the form: the dashboard opens its install instructions.
    page.fill("#new-app-name", "Shop")
    page.fill("#new-app-origins", site.url)
    page.click("text=Create app")
    page.wait_for_url(re.compile(r"/apps/[^/?]+$"))
    key = page.url.rsplit("/", 1)[1]
    empty = page.locator("[data-testid=empty-state]")
    empty.wait_for()
    assert "Tracker not seen yet" in empty.inner_text()
    tag = page.locator("[data-testid=script-tag]").inner_text()
    assert f'data-app="{key}"' in tag and "/pageheat.js" in tag and "defer" in tag
    assert site.url in empty.inner_text()
    assert "refused" in empty.inner_text()

    # Paste the tag the dashboard shows into a page; visitors click A 5 times, B twice.
    url = site.page("shop.html", PAGE.format(tag=tag))
    visit(browser, url, 1366, ["#a", "#a", "#a", "#b"])
    visit(browser, url, 1366, ["#a", "#a", "#b"])

    deadline = time.monotonic() + 30
    while True:
        page.reload()
        page.wait_for_selector("main h1")
        if page.locator("[data-testid=views]").count():
            break
        assert time.monotonic() < deadline, "the views never appeared"
        time.sleep(0.5)
    row = page.locator("[data-testid=views] tbody tr").first
    assert "/shop.html" in row.inner_text()

    # The heatmap page: it waits for the background capture by itself (2 s polls).
    row.locator("a.strong").click()
    page.wait_for_url(re.compile(r"/heatmap\?view=%2Fshop\.html&width=desktop"))
    page.wait_for_selector("img.stage-bg", timeout=90_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('img.stage-bg'); return i && i.complete"
        " && i.naturalWidth > 0; }"
    )
    assert page.locator(".tile[data-stat=total-clicks] .tile-value").inner_text() == "7"
    actions = page.locator("[data-testid=top-actions] .action")
    assert actions.count() == 2
    assert "#a" in actions.nth(0).inner_text() and "71.4 %" in actions.nth(0).inner_text()
    assert "sessions" in page.locator(".notice-warn").inner_text()

    canvas = page.locator("[data-testid=heat-canvas]")
    img = page.locator("img.stage-bg")
    size = img.evaluate("i => ({w: i.naturalWidth, h: i.naturalHeight})")
    hot = canvas.evaluate(HOTTEST_PIXEL)
    assert (hot["width"], hot["height"]) == (size["w"], size["h"])
    assert hot["alpha"] > 100, hot  # at the default opacity of 70 %
    a = box(browser, url, size["w"], "#a")
    assert a["x"] <= hot["x"] <= a["x"] + a["w"] and a["y"] <= hot["y"] <= a["y"] + a["h"], (
        hot, a)  # fmt: skip
    # The canvas lies exactly over the picture.
    assert canvas.bounding_box() == img.bounding_box()

    # Hovering the hotspot tells its click count.
    page.mouse.move(*on_screen(canvas, hot["x"], hot["y"]))
    tip = page.locator(".tip")
    tip.wait_for()
    assert "5 clicks" in tip.inner_text()

    # The filters live in the URL: a reload opens the same heatmap.
    page.click("button.seg[data-width=mobile]")
    page.wait_for_url(re.compile(r"width=mobile"))
    page.wait_for_selector("text=No clicks in this width class yet")
    page.go_back()
    page.wait_for_url(re.compile(r"width=desktop"))
    page.reload()
    page.wait_for_selector("img.stage-bg")
    assert page.locator("button.seg[data-width][aria-pressed=true]").inner_text() == "Desktop"

    assert not problems, problems
    context.close()
