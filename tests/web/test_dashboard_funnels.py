"""Goals, funnels, journeys and cohorts on the dashboard, in real Chromium against a real
server: a goal and a funnel defined in the UI, the funnel chart's step counts, the
journeys flow around the shop page, and "converted vs not" opening compare.

Recorded through the real collector, six sessions:
two go home → shop (click #a) → order (the goal event "order");
two go home → shop (click #a) and stop there;
one lands on the shop (click #b) → other; one goes blog → shop (click #b) → other.
So the funnel shop → #a on shop → Order counts 6, 4, 2 (dropping 2 and 2), and the
shop page's journeys are: before it /home.html 4 and /blog.html 1, after it
/order.html 2 and /other.html 2, one session entering on it and two leaving from it.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.browsing import sign_in

pytestmark = pytest.mark.browser

SHOP = """<!doctype html>
<html><head><meta charset="utf-8"><title>Shop</title>
<style>
  html, body { margin: 0; height: 1000px; }
  button { position: absolute; width: 200px; height: 60px; top: 250px; }
  #a { left: 200px; }
  #b { left: 900px; }
</style></head><body>
  <button id="a" type="button">Buy</button>
  <button id="b" type="button">Details</button>
</body></html>"""

CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
          " Chrome/126.0.0.0 Safari/537.36")  # fmt: skip
CENTRES = {"#a": (300.0, 280.0), "#b": (1000.0, 280.0)}
#: per session: the pages in order, (path, the button clicked on it or None, goal sent)
SESSIONS = [
    [("/home.html", None, False), ("/shop.html", "#a", False), ("/order.html", None, True)],
    [("/home.html", None, False), ("/shop.html", "#a", False), ("/order.html", None, True)],
    [("/home.html", None, False), ("/shop.html", "#a", False)],
    [("/home.html", None, False), ("/shop.html", "#a", False)],
    [("/shop.html", "#b", False), ("/other.html", None, False)],
    [("/blog.html", None, False), ("/shop.html", "#b", False), ("/other.html", None, False)],
]


def _record(live_server, site, key: str, shop_url: str) -> None:
    start = int(time.time() * 1000) - 600_000
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        for n, pages in enumerate(SESSIONS):
            events = []
            for i, (path, button, goal) in enumerate(pages):
                t = start + n * 20_000 + i * 3_000
                pv = f"s{n}p{i}"
                url = shop_url if path == "/shop.html" else shop_url.replace("/shop.html", path)
                events.append({"k": "view", "t": t, "v": pv, "url": url, "path": path,
                               "title": path, "vw": 1440, "vh": 900, "dw": 1440, "dh": 1000})  # fmt: skip
                if button:
                    x, y = CENTRES[button]
                    events.append({"k": "click", "t": t + 500, "v": pv, "x": x, "y": y,
                                   "vw": 1440, "dw": 1440, "dh": 1000, "sel": button, "rx": 0.5,
                                   "ry": 0.5, "tag": "button", "text": button,
                                   "interactive": True})  # fmt: skip
                if goal:
                    events.append({"k": "goal", "t": t + 800, "v": pv, "name": "order"})
            body = {"app": key, "sdk": "test/1", "batch": f"b{n}", "visitor": f"u{n}",
                    "session": f"s{n}", "events": events}  # fmt: skip
            r = c.post("/api/v1/collect", json=body,
                       headers={"Origin": site.url, "User-Agent": CHROME})  # fmt: skip
            assert r.status_code == 202, r.text


def _texts(page, selector: str) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => [e.dataset.view, e.dataset.sessions])"
    )


def test_goals_funnels_journeys_and_cohorts_on_the_dashboard(browser, live_server, site):
    key = live_server.create_app("Shop", [site.url])
    shop = site.page("shop.html", SHOP)
    _record(live_server, site, key, shop)
    context, page, problems = sign_in(browser, live_server)

    # a goal defined in the UI: a custom event (a view goal without its view is refused)
    page.goto(f"{live_server.url}/apps/{key}/outcomes")
    page.locator("[data-testid=goal-form]").wait_for()
    page.fill("#goal-name", "Nowhere")
    page.click("[data-testid=create-goal]")
    page.locator("[data-testid=goal-error]").wait_for()
    assert page.inner_text("[data-testid=goal-error]").strip()
    assert page.inner_text("[data-testid=goal-list]") == "No goals yet."
    page.fill("#goal-name", "Order")
    page.select_option("#goal-kind", "event")
    page.fill("#goal-event", "order")
    page.click("[data-testid=create-goal]")
    page.locator("[data-testid=goal-list] tr", has_text="Order").wait_for()
    assert "event order" in page.inner_text("[data-testid=goal-list]")
    with live_server.api() as api:
        goals = api.get(f"/api/v1/apps/{key}/goals").json()["goals"]
    assert [(g["name"], g["kind"], g["event"]) for g in goals] == [("Order", "event", "order")]
    goal = goals[0]["id"]

    # a funnel of three steps: the shop viewed, #a clicked on it, the goal
    page.fill("#funnel-name", "Buy")
    rows = page.locator("[data-testid=step-editor] .step-row")
    rows.nth(0).locator("[data-step=view]").fill("/shop.html")
    rows.nth(1).locator("[data-step=kind]").select_option("click")
    rows.nth(1).locator("[data-step=view]").fill("/shop.html")
    rows.nth(1).locator("[data-step=selector]").fill("#a")
    page.click("[data-testid=add-step]")
    rows.nth(2).locator("[data-step=kind]").select_option("goal")
    rows.nth(2).locator("[data-step=goal]").select_option(label="Order")
    page.click("[data-testid=create-funnel]")
    page.locator("[data-testid=funnel-open]", has_text="Buy").click()

    # the report: the chart's bars and the table say the script's step counts
    page.wait_for_url(re.compile(rf"/apps/{key}/funnels/"))
    funnel = page.url.split("/funnels/")[1].split("?")[0]
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=funnel-chart] rect.funnel-bar').length === 3"
        " && document.querySelector('[data-testid=funnel-chart] rect').dataset.sessions === '6'",
        timeout=30_000,
    )
    bars = page.eval_on_selector_all(
        "[data-testid=funnel-chart] rect.funnel-bar", "els => els.map(e => e.dataset.sessions)"
    )
    assert bars == ["6", "4", "2"]
    heights = page.eval_on_selector_all(
        "[data-testid=funnel-chart] rect.funnel-bar",
        "els => els.map(e => +e.getAttribute('height'))",
    )
    assert heights[0] > heights[1] > heights[2] > 0
    assert heights[1] == pytest.approx(heights[0] * 4 / 6, rel=0.01)
    table = page.locator("[data-testid=funnel-steps]")
    cells = table.locator("[data-testid=step-sessions]").all_inner_texts()
    assert cells == ["6", "4", "2"]
    assert table.locator("[data-testid=step-conversion]").all_inner_texts() == [
        "—",
        "66.7 %",
        "50.0 %",
    ]
    assert table.locator("[data-testid=step-dropped]").all_inner_texts() == [
        "2 (33.3 %)", "2 (50.0 %)", "—"]  # fmt: skip
    assert "2 of 6 sessions went through every step" in page.inner_text(
        "[data-testid=funnel-summary]"
    )

    # step 2's drop-off: its heatmap and its sessions, for the dropped cohort
    step2 = table.locator("tr[data-step='2']")
    href = step2.locator("[data-testid=dropped-heatmap]").get_attribute("href")
    assert f"cohort=funnel%3A{funnel}%3A2%3Adropped" in href and "view=%2Fshop.html" in href
    step2.locator("[data-testid=dropped-sessions]").click()
    page.wait_for_url(re.compile(r"/sessions\?"))
    page.locator("[data-testid=sessions-cohort]").wait_for()
    assert "Dropped at step 2" in page.inner_text("[data-testid=sessions-cohort]")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=session-link]').length === 2"
    )

    # the heatmap of the shop: the goal made in the UI is in the picker, the journeys flow
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fshop.html&width=desktop")
    picker = page.locator("[data-testid=goal-picker]")
    picker.wait_for(timeout=60_000)
    assert picker.locator("option").all_inner_texts() == ["No goal", "Order"]
    page.locator("[data-testid=journey-flow]").wait_for()
    assert _texts(page, "[data-testid=journey-prev]") == [["/home.html", "4"], ["/blog.html", "1"]]
    assert _texts(page, "[data-testid=journey-next]") == [
        ["/order.html", "2"],
        ["/other.html", "2"],
    ]
    assert page.get_attribute("[data-testid=journey-entries]", "data-sessions") == "1"
    assert page.get_attribute("[data-testid=journey-exits]", "data-sessions") == "2"
    home = page.get_attribute("[data-testid=journey-prev][data-view='/home.html']", "href")
    assert home.startswith(f"/apps/{key}/heatmap?view=%2Fhome.html&width=desktop")

    # the conversion map is offered once a goal is picked
    conversion = page.locator("[data-testid=kind-switch] button[data-kind=conversion]")
    assert conversion.is_hidden()
    picker.select_option(label="Order")
    page.wait_for_url(re.compile(f"goal={goal}"))
    conversion.wait_for(state="visible")
    with page.expect_response(lambda r: "/heatmap?" in r.url and "kind=conversion" in r.url) as got:
        conversion.click()
    assert got.value.status == 200 and f"goal={goal}" in got.value.url
    assert got.value.json()["kind"] == "conversion"
    page.wait_for_url(re.compile(r"kind=conversion"))

    # a cohort narrows the map: the converted sessions clicked #a twice
    page.select_option("[data-testid=cohort-picker]", f"converted:{goal}")
    page.wait_for_url(re.compile(f"cohort=converted%3A{goal}"))
    tile = ".tile[data-stat=total-clicks] .tile-value"
    page.wait_for_function(f"() => document.querySelector('{tile}')?.textContent === '2'")

    # converted against not converted: one click opens compare with both cohorts
    page.click("[data-testid=converted-vs-not]")
    page.wait_for_url(re.compile(r"compare=segment"))
    q = parse_qs(urlsplit(page.url).query)
    assert (q["seg"], q["seg.a"], q["seg.b"]) == (
        ["cohort"],
        [f"converted:{goal}"],
        [f"not_converted:{goal}"],
    )
    assert "cohort" not in q  # the sides' cohorts replace the page's
    summary = page.locator("[data-testid=compare-summary]")
    summary.wait_for()
    views = summary.locator("[data-stat=page-views] td").all_inner_texts()
    assert views == ["2", "4"]
    assert (
        "Converted: Order" in summary.inner_text()
        and "Not converted: Order" in summary.inner_text()
    )

    # deleting the funnel (after asking) takes it off the list
    page.goto(f"{live_server.url}/apps/{key}/outcomes")
    page.locator(f"[data-funnel='{funnel}'] [data-testid=delete]").click()
    page.click("[data-testid=confirm-yes]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=funnel-list]')?.textContent === 'No funnels yet.'"
    )
    with live_server.api() as api:
        assert api.get(f"/api/v1/apps/{key}/funnels").json()["funnels"] == []
    assert not problems, problems
    context.close()
