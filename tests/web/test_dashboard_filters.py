"""The heatmap page's filter bar, time widget, action detail, hover and area readings and
compare mode, in real Chromium against a real server.

Visits go through the real collector with real browser User-Agents: three Chrome visitors
click "Add to cart" twice each today, two Firefox visitors click "Details" twice each,
and ten days ago a Chrome visitor clicked "Old offer" three times. Every reading the
dashboard shows is checked against that script.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.browsing import HOTTEST_PIXEL, box, on_screen, sign_in

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Filters</title>
<style>
  html, body { margin: 0; height: 1400px; overflow-x: hidden; }
  body { font: 16px sans-serif; position: relative; }
  button { position: absolute; width: 200px; height: 60px; }
  #a { left: 200px; top: 250px; }
  #b { left: 900px; top: 250px; }
  #c { left: 200px; top: 700px; }
</style>
</head><body>
  <button id="a" type="button">Add to cart</button>
  <button id="b" type="button">Details</button>
  <button id="c" type="button">Old offer</button>
</body></html>"""

CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
          " Chrome/126.0.0.0 Safari/537.36")  # fmt: skip
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
DAY_MS = 86_400_000

#: (visitor, User-Agent, button, clicks, days ago)
VISITS = [
    ("u1", CHROME, "a", 2, 0),
    ("u2", CHROME, "a", 2, 0),
    ("u3", CHROME, "a", 2, 0),
    ("u4", FIREFOX, "b", 2, 0),
    ("u5", FIREFOX, "b", 2, 0),
    ("u6", CHROME, "c", 3, 10),
]
CENTRES = {"a": (300.0, 280.0), "b": (1000.0, 280.0), "c": (300.0, 730.0)}
TEXTS = {"a": "Add to cart", "b": "Details", "c": "Old offer"}


def _record(live_server, site, key: str, url: str) -> None:
    now = int(time.time() * 1000)
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        for n, (visitor, agent, button, clicks, ago) in enumerate(VISITS):
            t = now - ago * DAY_MS - 120_000 + n * 1000
            x, y = CENTRES[button]
            events = [
                {"k": "view", "t": t, "v": "v", "url": url, "path": "/filters.html",
                 "title": "Filters", "vw": 1440, "vh": 900, "dw": 1440, "dh": 1400},
                *({"k": "click", "t": t + 300 * (i + 1), "v": "v", "x": x, "y": y,
                   "vw": 1440, "dw": 1440, "dh": 1400, "sel": f"#{button}", "rx": 0.5,
                   "ry": 0.5, "tag": "button", "text": TEXTS[button], "pointer": "mouse",
                   "interactive": True} for i in range(clicks)),
            ]  # fmt: skip
            body = {"app": key, "sdk": "test/1", "batch": f"b{n}", "visitor": visitor,
                    "session": f"s{n}", "events": events}  # fmt: skip
            r = c.post("/api/v1/collect", json=body,
                       headers={"Origin": site.url, "User-Agent": agent})  # fmt: skip
            assert r.status_code == 202, r.text


#: RGBA of the heat canvas at a page point.
PIXEL = """(c, [x, y]) => Array.from(c.getContext("2d").getImageData(Math.round(x), Math.round(y), 1, 1).data)"""


def _clicks(page) -> str:
    return page.locator(".tile[data-stat=total-clicks] .tile-value").inner_text()


def _wait_clicks(page, expected: str) -> None:
    page.wait_for_function(
        "n => { const e = document.querySelector('.tile[data-stat=total-clicks] .tile-value');"
        " return e && e.textContent === n; }",
        arg=expected,
    )


def test_filters_time_detail_area_and_compare(browser, live_server, site):
    key = live_server.create_app("Filters", [site.url])
    url = site.page("filters.html", PAGE)
    _record(live_server, site, key, url)

    context, page, problems = sign_in(browser, live_server)
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Ffilters.html&width=desktop")
    page.wait_for_selector("img.stage-bg", timeout=90_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('img.stage-bg'); return i && i.complete"
        " && i.naturalWidth > 0; }"
    )
    _wait_clicks(page, "13")
    canvas = page.locator("[data-testid=heat-canvas]")
    width = canvas.evaluate("c => c.width")
    boxes = {b: box(browser, url, width, f"#{b}") for b in "abc"}

    # -- a filter from the picker: Browser is Firefox ------------------------------------
    page.click("[data-testid=add-filter]")
    page.click("[data-testid=filter-picker] .menu-item[data-filter=browser]")
    values = page.locator("[data-testid=filter-values] .value-row")
    values.first.wait_for()
    listed = {values.nth(i).get_attribute("data-value"): values.nth(i).locator(".value-count")
              .inner_text() for i in range(values.count())}  # fmt: skip
    assert listed == {"Chrome": "4", "Firefox": "2"}  # page views per browser
    page.check("[data-testid=filter-values] .value-row[data-value=Firefox] input")
    page.click("[data-testid=apply-filter]")
    page.wait_for_url(re.compile(r"browser=Firefox"))
    _wait_clicks(page, "4")
    assert page.locator(".tile[data-stat=page-views] .tile-value").inner_text() == "2"
    actions = page.locator("[data-testid=top-actions] .action")
    assert actions.count() == 1 and "#b" in actions.first.inner_text()
    hot = canvas.evaluate(HOTTEST_PIXEL)
    b = boxes["b"]
    assert b["x"] <= hot["x"] <= b["x"] + b["w"] and b["y"] <= hot["y"] <= b["y"] + b["h"], hot
    chip = page.locator("[data-testid=filter-chips] .filter-chip[data-filter=browser]")
    assert chip.inner_text().replace("\n", "").startswith("Browser: Firefox")

    # A reload keeps the filter (it lives in the URL); removing the chip drops it.
    page.reload()
    _wait_clicks(page, "4")
    page.click(".filter-chip[data-filter=browser] .filter-chip-x")
    _wait_clicks(page, "13")
    assert "browser=" not in page.url

    # -- the time widget: last 7 days leaves out the visit of ten days ago ---------------
    page.select_option("#range-select", "7d")
    page.wait_for_url(re.compile(r"range=7d"))
    _wait_clicks(page, "10")
    assert "#c" not in page.locator("[data-testid=top-actions]").inner_text()
    page.reload()
    _wait_clicks(page, "10")
    assert page.locator("#range-select").input_value() == "7d"
    # Custom dates: the day of the old visit alone.
    old_day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 10 * 86400 - 120))
    page.select_option("#range-select", "custom")
    page.fill("#range-from", old_day)
    page.fill("#range-to", old_day)
    page.locator("#range-to").dispatch_event("change")
    page.wait_for_url(re.compile(rf"from={old_day}&to={old_day}"))
    _wait_clicks(page, "3")
    page.select_option("#range-select", "7d")
    _wait_clicks(page, "10")

    # -- a custom width range: only page views whose viewport lies in it -----------------
    page.click("button.seg[data-width=custom]")
    page.fill("[data-testid=width-min]", "1000")
    page.fill("[data-testid=width-max]", "1300")
    page.locator("[data-testid=width-max]").dispatch_event("change")
    page.wait_for_url(re.compile(r"width=1000-1300"))
    _wait_clicks(page, "0")
    page.fill("[data-testid=width-max]", "1500")
    page.locator("[data-testid=width-max]").dispatch_event("change")
    page.wait_for_url(re.compile(r"width=1000-1500"))
    _wait_clicks(page, "10")  # the 1440 px visits of the last 7 days
    page.click("button.seg[data-width=desktop]")
    page.wait_for_url(re.compile(r"width=desktop"))
    page.wait_for_selector("img.stage-bg", timeout=60_000)
    _wait_clicks(page, "10")

    # -- action detail: Add to cart, its series and latest sessions ----------------------
    page.locator("[data-testid=top-actions] .action", has_text="#a").locator(
        "[data-testid=action-open]").click()  # fmt: skip
    detail = page.locator("[data-testid=action-detail]")
    detail.wait_for()
    page.wait_for_url(re.compile(r"action=%23a"))
    assert detail.locator(".tile[data-stat=clicks] .tile-value").inner_text() == "6"
    assert detail.locator(".tile[data-stat=visitors] .tile-value").inner_text() == "3"
    bars = detail.locator("[data-testid=action-series] rect.bar")
    assert bars.count() >= 2
    counts = [int(bars.nth(i).get_attribute("data-clicks")) for i in range(bars.count())]
    assert sum(counts) == 6 and max(counts) == 6  # all within the last hour's bucket
    rows = detail.locator("[data-testid=action-sessions] tbody tr")
    assert rows.count() == 3
    assert all("Chrome" in rows.nth(i).inner_text() for i in range(3))
    page.click("[data-testid=action-back]")
    page.locator("[data-testid=top-actions]").wait_for()
    assert "action=" not in page.url

    # -- hover over an element: its clicks and share -------------------------------------
    page.locator("[data-testid=page-area]").evaluate("e => { e.scrollTop = 0; e.scrollLeft = 0; }")
    a = boxes["a"]
    page.mouse.move(*on_screen(canvas, a["x"] + a["w"] / 2, a["y"] + a["h"] / 2))
    tip = page.locator("[data-testid=element-tip]")
    tip.wait_for()
    assert "6 clicks · 60.0 % of this page's clicks" in tip.inner_text(), tip.inner_text()
    assert "#a" in tip.inner_text()

    # -- drag an area around the button: the count inside it -----------------------------
    page.mouse.move(*on_screen(canvas, a["x"] - 15, a["y"] - 15))
    page.mouse.down()
    page.mouse.move(*on_screen(canvas, a["x"] + a["w"] + 15, a["y"] + a["h"] + 15), steps=5)
    page.mouse.up()
    area = page.locator("[data-testid=area-tip] strong[data-count]")
    area.wait_for()
    assert area.get_attribute("data-count") == "6"
    assert "60.0 % of 10" in page.locator("[data-testid=area-tip]").inner_text()

    # -- compare two segments: Chrome (A) against Firefox (B) ----------------------------
    page.mouse.move(5, 5)
    page.click("[data-testid=compare-toggle]")
    page.wait_for_url(re.compile(r"compare=period"))
    # The previous period's diff is drawn before the sides change: the segment's pickers
    # then empty the stage until both values are chosen, and the diff must come back.
    page.locator("[data-testid=compare-summary]").wait_for()
    page.click("[data-testid=compare-bar] button[data-compare=segment]")
    page.select_option("[data-testid=compare-bar] select[data-side=seg]", "browser")
    page.wait_for_selector("[data-testid=compare-bar] select[data-side=a] option[value=Chrome]",
                           state="attached")  # fmt: skip
    page.select_option("[data-testid=compare-bar] select[data-side=a]", "Chrome")
    page.select_option("[data-testid=compare-bar] select[data-side=b]", "Firefox")
    page.wait_for_url(re.compile(r"seg=browser&seg\.a=Chrome&seg\.b=Firefox"))
    changes = page.locator("[data-testid=action-changes] .action")
    changes.first.wait_for()
    by_sel = {changes.nth(i).get_attribute("data-selector"): changes.nth(i)
              for i in range(changes.count())}  # fmt: skip
    assert set(by_sel) == {"#a", "#b"}
    assert by_sel["#a"].get_attribute("data-change") == "-1.0000"
    assert "100.0 % → 0.0 %" in by_sel["#a"].inner_text()
    assert "\u2212100.0 pp" in by_sel["#a"].inner_text()  # a true minus sign
    assert "+100.0 pp" in by_sel["#b"].inner_text()
    summary = page.locator("[data-testid=compare-summary]")
    assert summary.locator("tr[data-stat=total] td").all_inner_texts() == ["6", "4"]
    # The diff: cooling (blue) over Add to cart, warming (red) over Details.
    page.wait_for_function("() => document.querySelector('[data-kind=compare]')")
    r_a, g_a, b_a, alpha_a = canvas.evaluate(PIXEL, [a["x"] + a["w"] / 2, a["y"] + a["h"] / 2])
    r_b, g_b, b_b, alpha_b = canvas.evaluate(PIXEL, [b["x"] + b["w"] / 2, b["y"] + b["h"] / 2])
    assert alpha_a > 80 and b_a > r_a + 60, (r_a, g_a, b_a, alpha_a)
    assert alpha_b > 80 and r_b > b_b + 60, (r_b, g_b, b_b, alpha_b)

    # -- compare two periods: the last 7 days (B) against the 7 before (A) ---------------
    page.click("[data-testid=compare-bar] button[data-compare=period]")
    page.wait_for_url(re.compile(r"compare=period"))
    page.wait_for_function(
        "() => { const e = document.querySelector('[data-testid=action-changes] .action"
        "[data-selector=\"#c\"]'); return e && e.dataset.change === '-1.0000'; }"
    )
    totals = page.locator("[data-testid=compare-summary] tr[data-stat=total] td")
    assert totals.all_inner_texts() == ["3", "10"]
    c = boxes["c"]
    r_c, _, b_c, alpha_c = canvas.evaluate(PIXEL, [c["x"] + c["w"] / 2, c["y"] + c["h"] / 2])
    assert alpha_c > 80 and b_c > r_c + 60, (r_c, b_c, alpha_c)

    # Leaving compare mode brings the insights back, with the range kept.
    page.click("[data-testid=compare-toggle]")
    _wait_clicks(page, "10")
    assert "compare=" not in page.url and "range=7d" in page.url
    assert problems == []
    context.close()
