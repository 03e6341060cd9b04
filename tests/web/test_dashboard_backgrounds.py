"""The heatmap page's background chooser in real Chromium against a real server.

One view in two page states (with and without a 200 px banner that has its own close
button) gets a visitor's DOM snapshot of each state through the real collector; the
dashboard lists both with thumbnails, draws over the one picked, keeps it in the URL
(bg=) across a reload, and says how the clicks were placed and which top actions the
chosen background does not show. A view whose live page cannot be pictured shows the
"No background captured yet" empty state with the reason and a Retry.
"""

from __future__ import annotations

import json
import os
import re
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.browsing import sign_in, until
from tests.rrweb import el, text

pytestmark = pytest.mark.browser

VIEW = "/sale.html"
WIDTH = 1440


def page_dom(banner: bool) -> dict:
    """The page as rrweb-snapshot serialises it; the banner state has #promo above."""
    buy = el(
        "button",
        {"id": "buy", "type": "button",
         "style": "display:block;width:160px;height:50px;margin-left:700px"},
        text("Buy"),
    )  # fmt: skip
    main = el("main", {"style": "width:960px;margin:0 auto;padding-top:200px"},
              el("h1", {}, text("Sale")), buy)  # fmt: skip
    body = [main, el("footer", {"style": "height:1200px"})]
    if banner:
        close = el(
            "button",
            {"id": "close-promo", "type": "button",
             "style": "display:block;width:120px;height:40px;margin:0"},
            text("Close"),
        )  # fmt: skip
        promo = "height:200px;box-sizing:border-box;padding:20px;background:#fc0"
        body.insert(0, el("div", {"id": "promo", "style": promo}, close))
    html = el("html", {}, el("head", {}, el("title", {}, text("Sale"))),
              el("body", {"style": "margin:0;font:16px sans-serif"}, *body))  # fmt: skip
    return {"type": 0, "id": 1, "childNodes": [html]}


def click(v: str, t: int, sel: str, x: float, y: float, label: str) -> dict:
    return {"k": "click", "t": t, "v": v, "x": x, "y": y, "vw": WIDTH, "dw": WIDTH,
            "dh": 2000, "sel": sel, "rx": 0.5, "ry": 0.5, "tag": "button", "text": label,
            "pointer": "mouse", "interactive": True}  # fmt: skip


def post_state(api: httpx.Client, site, key: str, url: str, state: str, views: int) -> None:
    """``views`` page views that settle in ``state``, with their clicks, then one snapshot.

    Plain state: two clicks on #buy per view. Banner state: one on #buy and one on the
    banner's #close-promo, which the plain state does not have."""
    now = int(time.time() * 1000) - 60_000
    banner = state == "banner"
    for i in range(views):
        v = f"{state}{i}"
        t = now + i * 1000
        dh = 2200 if banner else 2000
        events = [
            {"k": "view", "t": t, "v": v, "url": url, "path": VIEW, "title": "Sale",
             "vw": WIDTH, "vh": 800, "dw": WIDTH, "dh": dh},
            {"k": "layout", "t": t + 1, "v": v, "h": state, "dw": WIDTH, "dh": dh},
        ]  # fmt: skip
        if banner:
            events += [click(v, t + 10, "#buy", 1020, 504, "Buy"),
                       click(v, t + 20, "#close-promo", 80, 40, "Close")]  # fmt: skip
        else:
            events += [click(v, t + 10, "#buy", 1020, 304, "Buy"),
                       click(v, t + 20, "#buy", 1020, 304, "Buy")]  # fmt: skip
        batch = {"app": key, "visitor": f"u-{v}", "session": f"s-{v}", "batch": f"b-{v}",
                 "sdk": "test/1", "events": events}  # fmt: skip
        r = api.post("/api/v1/collect", content=json.dumps(batch), headers={"Origin": site.url})
        assert r.status_code == 202, r.text
    snap = {"app": key, "visitor": f"u-{state}0", "v": f"{state}0", "h": state, "url": url,
            "vw": WIDTH, "dw": WIDTH, "dh": 2000, "dom": page_dom(banner)}  # fmt: skip
    r = api.post("/api/v1/snapshot", content=json.dumps(snap), headers={"Origin": site.url})
    assert r.status_code == 201, r.text


def shown_bg(page) -> str:
    """The id of the picture under the heat, once it has loaded."""
    page.wait_for_function(
        "() => { const i = document.querySelector('img.stage-bg'); return i && i.complete"
        " && i.naturalWidth > 0; }"
    )
    src = page.locator("img.stage-bg").get_attribute("src")
    m = re.fullmatch(r"/api/v1/backgrounds/([0-9a-f]+)\.png", src or "")
    assert m, src
    return m.group(1)


def bg_param(page) -> list[str] | None:
    return parse_qs(urlsplit(page.url).query).get("bg")


def test_choose_a_page_state_and_keep_it_in_the_url(browser, live_server, site):
    key = live_server.create_app("Shop", [site.url])
    url = site.page("sale.html", "<!doctype html><title>Sale</title><h1>Sale</h1>")
    with live_server.api() as api:
        post_state(api, site, key, url, "plain", 3)
        post_state(api, site, key, url, "banner", 2)

        def listed():
            r = api.get(
                f"/api/v1/apps/{key}/backgrounds", params={"view": VIEW, "width": "desktop"}
            )
            body = r.json()
            return len(body["backgrounds"]) == 2 and body["status"] == "ready" and body

        states = until(listed)
        assert states, api.get(f"/api/v1/apps/{key}/backgrounds", params={"view": VIEW}).json()
    by_hash = {b["layout_hash"]: b for b in states["backgrounds"]}
    plain, banner = by_hash["plain"]["id"], by_hash["banner"]["id"]
    assert states["default"] == plain  # 3 page views settled there, 2 in the banner state
    assert by_hash["banner"]["height"] == by_hash["plain"]["height"] + 200

    context, page, problems = sign_in(browser, live_server)
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fsale.html&width=desktop")

    # The default: the most common state, and what the chooser says of it.
    assert shown_bg(page) == plain
    current = page.locator("[data-testid=bg-current]")
    assert current.get_attribute("data-bg-id") == plain
    assert "Snapshot · 3 page views" in current.inner_text()
    assert "2 page states" in current.inner_text()
    assert current.is_enabled()
    placement = page.locator("[data-testid=placement]")
    assert placement.inner_text().startswith(
        "8 clicks anchored to their elements, 2 placed by position"
    ), placement.inner_text()
    # The banner's close button is not in this background: marked, and not locatable.
    close = page.locator("[data-testid=top-actions] .action", has_text="#close-promo")
    buy = page.locator("[data-testid=top-actions] .action", has_text="#buy")
    assert close.locator("[data-testid=not-visible]").inner_text() == (
        "not visible in this background"
    )
    assert close.locator("[data-testid=locate]").is_disabled()
    assert "not in this background" in close.locator(".locate-wrap").get_attribute("title")
    assert buy.locator("[data-testid=not-visible]").count() == 0
    assert buy.locator("[data-testid=locate]").is_enabled()

    # The list of page states, with their thumbnails.
    menu = page.locator("[data-testid=bg-menu]")
    assert menu.is_hidden()
    current.click()
    menu.wait_for()
    assert current.get_attribute("aria-expanded") == "true"
    options = menu.locator("[data-testid=bg-option]")
    assert options.count() == 2
    assert [options.nth(i).get_attribute("data-bg-id") for i in range(2)] == [plain, banner]
    assert "3 page views" in options.nth(0).inner_text()
    assert "2 page views" in options.nth(1).inner_text()
    assert "most common" in options.nth(0).inner_text()
    default = menu.locator("[data-testid=bg-default]")
    assert default.get_attribute("aria-checked") == "true"
    assert options.nth(1).get_attribute("aria-checked") == "false"
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=bg-option] img')]"
        ".every(i => i.complete && i.naturalWidth === 240)"
    )
    srcs = menu.locator("[data-testid=bg-option] img").evaluate_all("l => l.map(i => i.src)")
    assert [s.split("/api/v1/backgrounds/")[1] for s in srcs] == [
        f"{plain}.png?thumb=1",
        f"{banner}.png?thumb=1",
    ]
    if shots := os.environ.get("PAGEHEAT_SHOTS"):
        page.screenshot(path=f"{shots}/bg-chooser.png")

    # Pick the banner state: the picture, the URL, the placement and the marks follow.
    options.nth(1).click()
    assert menu.is_hidden()
    page.wait_for_selector(f"img.stage-bg[src*='{banner}']")
    assert shown_bg(page) == banner
    assert bg_param(page) == [banner]
    assert current.get_attribute("data-bg-id") == banner
    assert "Snapshot · 2 page views" in current.inner_text()
    page.wait_for_selector("[data-testid=placement][data-anchored='10']")
    assert placement.inner_text() == "10 clicks anchored to their elements, 0 placed by position"
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=top-actions] [data-testid=not-visible]')"
    )
    assert close.locator("[data-testid=locate]").is_enabled()
    size = page.locator("[data-testid=heat-canvas]").evaluate("c => [c.width, c.height]")
    assert size == [by_hash["banner"]["width"], by_hash["banner"]["height"]]

    # A reload (or the link, shared) keeps it.
    page.reload()
    page.wait_for_selector("[data-testid=placement]")
    assert shown_bg(page) == banner
    assert bg_param(page) == [banner]
    assert current.get_attribute("data-bg-id") == banner
    assert placement.inner_text() == "10 clicks anchored to their elements, 0 placed by position"

    # "Default" clears the choice; back goes to the banner again.
    current.click()
    menu.locator("[data-testid=bg-option]", has_text="2 page views").wait_for()
    assert menu.locator(f"[data-bg-id='{banner}']").get_attribute("aria-checked") == "true"
    menu.locator("[data-testid=bg-default]").click()
    page.wait_for_selector(f"img.stage-bg[src*='{plain}']")
    assert bg_param(page) is None
    page.wait_for_selector("[data-testid=placement][data-anchored='8']")
    page.go_back()
    page.wait_for_url(re.compile(rf"bg={banner}"))
    page.wait_for_selector(f"img.stage-bg[src*='{banner}']")

    # Changing the width forgets it: backgrounds belong to one width range.
    page.click("button.seg[data-width=mobile]")
    page.wait_for_url(re.compile(r"width=mobile"))
    assert bg_param(page) is None

    # A link to a background the view does not have: the default, and a word why.
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fsale.html&width=desktop&bg=0123abcd")
    page.wait_for_selector("text=The background in the link is not one of this view's page states")
    assert shown_bg(page) == plain
    assert bg_param(page) is None

    assert not problems, problems
    context.close()


def test_a_view_without_a_background_says_why(browser, live_server, site):
    """The page views' URL is on no origin of the app: the server will not picture it, so
    the view stays without a background, deterministically."""
    key = live_server.create_app("Shop", [site.url])
    elsewhere = "http://127.0.0.1:9/private.html"
    now = int(time.time() * 1000) - 60_000
    events = [
        {"k": "view", "t": now, "v": "p1", "url": elsewhere, "path": "/private.html",
         "vw": WIDTH, "vh": 800, "dw": WIDTH, "dh": 2000},
        click("p1", now + 10, "#buy", 300, 300, "Buy"),
    ]  # fmt: skip
    batch = {"app": key, "visitor": "u", "session": "s", "batch": "b1", "events": events}
    with live_server.api() as api:
        r = api.post("/api/v1/collect", content=json.dumps(batch), headers={"Origin": site.url})
        assert r.status_code == 202, r.text
        listed = api.get(f"/api/v1/apps/{key}/backgrounds", params={"view": "/private.html"}).json()
    # Before anyone looks, nothing was captured nor tried.
    assert listed == {"backgrounds": [], "default": None, "status": "none", "error": None}

    context, page, problems = sign_in(browser, live_server)
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fprivate.html&width=desktop")
    empty = page.locator("[data-testid=bg-empty]")
    page.wait_for_selector("[data-testid=bg-empty][data-status=failed]", timeout=30_000)
    said = empty.inner_text()
    assert "No background captured yet" in said
    assert f"{elsewhere} is not on one of the app's origins" in said, said
    assert "blank page of the right size" in said
    assert page.locator("canvas.stage-placeholder").count() == 1
    assert page.locator("img.stage-bg").count() == 0
    current = page.locator("[data-testid=bg-current]")
    assert "No background yet" in current.inner_text()
    assert current.is_disabled()
    assert page.locator("[data-testid=placement]").inner_text() == (
        "0 clicks anchored to their elements, 1 placed by position"
    )

    # Retry asks for a capture again, shows it under way, then the same reason.
    with page.expect_request(
        lambda r: r.method == "POST" and f"/api/v1/apps/{key}/background" in r.url
    ):
        empty.locator("[data-testid=bg-capture]", has_text="Retry").click()
    page.wait_for_selector("[data-testid=bg-empty][data-status=capturing]")
    assert "Taking a screenshot of the live page now" in empty.inner_text()
    page.wait_for_selector("[data-testid=bg-empty][data-status=failed]", timeout=30_000)
    assert "is not on one of the app's origins" in empty.inner_text()

    assert not problems, problems
    context.close()
