"""True backgrounds from visitors' snapshots, and clicks anchored to their elements, in
real Chromium: centred layouts at three widths, a page in two states, a page the server
cannot fetch, and a hostile snapshot that must run nothing."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.browsing import box, until, visit
from tests.rrweb import el, text

pytestmark = pytest.mark.browser

HEAD = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>
  body {{ margin: 0; font: 16px sans-serif; }}
  main {{ width: 960px; margin: 0 auto; padding-top: 200px; }}
  #buy, #save {{ display: block; width: 160px; height: 50px; margin-left: 700px; }}
  #promo {{ height: 200px; background: #fc0; }}
  footer {{ height: 1200px; }}
</style>
<script src="{server}/pageheat.js" data-app="{key}" defer></script>
</head>"""

CENTRED = (
    HEAD
    + """<body><main><h1>Centred</h1>
<button id="buy" type="button">Buy</button></main><footer></footer></body></html>"""
)

# The banner is shown to visitors who arrive with ?promo: a page in two states.
BANNER = (
    HEAD
    + """<body><div id="promo" hidden>Spring sale</div><main><h1>Sale</h1>
<button id="buy" type="button">Buy</button></main><footer></footer>
<script>if (location.search.includes("promo")) document.getElementById("promo").hidden = false;</script>
</body></html>"""
)

ACCOUNT = (
    HEAD
    + """<body><main><h1>Your account</h1>
<form onsubmit="return false"><input id="note" type="text" placeholder="Note">
<input id="pw" type="password"><button id="save" type="button">Save</button></form>
</main><footer></footer></body></html>"""
)


def _backgrounds(api: httpx.Client, key: str, view: str, width: str, n: int) -> dict:
    def ready():
        r = api.get(f"/api/v1/apps/{key}/backgrounds", params={"view": view, "width": width})
        r.raise_for_status()
        body = r.json()
        return len(body["backgrounds"]) >= n and body["status"] == "ready" and body

    found = until(ready)
    assert found, api.get(
        f"/api/v1/apps/{key}/backgrounds", params={"view": view, "width": width}
    ).json()
    return found


def _heatmap(api: httpx.Client, key: str, view: str, width: str, **params) -> dict:
    r = api.get(f"/api/v1/apps/{key}/heatmap", params={"view": view, "width": width, **params})
    r.raise_for_status()
    return r.json()


def _heat_outside(heat: dict, b: dict, margin: float = 20) -> float:
    """Heat in cells wholly outside the element's box grown by ``margin``."""
    cell, cols = heat["cell"], heat["cols"]
    out = 0.0
    for i, v in enumerate(heat["grid"]):
        if not v:
            continue
        x, y = (i % cols) * cell, (i // cols) * cell
        inside = (b["x"] - margin <= x + cell and x <= b["x"] + b["w"] + margin
                  and b["y"] - margin <= y + cell and y <= b["y"] + b["h"] + margin)  # fmt: skip
        if not inside:
            out += v
    return out


def _assert_on(heat: dict, b: dict) -> None:
    top = heat["hotspots"][0]
    assert b["x"] <= top["x"] <= b["x"] + b["w"] and b["y"] <= top["y"] <= b["y"] + b["h"], (
        top, b)  # fmt: skip
    assert _heat_outside(heat, b) == 0, "some heat landed off the button"


def test_a_centred_layout_lines_up_across_widths(browser, live_server, site):
    key = live_server.create_app("Shop", [site.url])
    url = site.page(
        "centred.html", CENTRED.format(title="Centred", server=live_server.url, key=key)
    )
    visit(browser, url, 1280, ["#buy"] * 3, snapshot=True)
    visit(browser, url, 1600, ["#buy"] * 3, snapshot=True)
    visit(browser, url, 1920, ["#buy"] * 3)  # the same state as 1600: not asked again

    api = live_server.api()
    listed = _backgrounds(api, key, "/centred.html", "1280-1920", 2)
    by_width = {b["width"]: b for b in listed["backgrounds"]}
    assert set(by_width) == {1280, 1600}, listed
    assert all(b["source"] == "snapshot" for b in by_width.values())

    bg = by_width[1280]["id"]
    heat = until(lambda: (h := _heatmap(api, key, "/centred.html", "1280-1920", background=bg))
                 ["total"] == 9 and h)  # fmt: skip
    assert heat, _heatmap(api, key, "/centred.html", "1280-1920", background=bg)
    assert heat["background"]["id"] == bg and heat["background"]["width"] == 1280
    assert heat["placed"] == {"anchored": 9, "positional": 0}
    buy = box(browser, url, 1280, "#buy")
    _assert_on(heat, buy)
    # Positional placement would have put the 1920 px visitor's clicks (the middle of
    # the button there) beside the button.
    at_1920 = box(browser, url, 1920, "#buy")
    assert (at_1920["x"] + at_1920["w"] / 2) * 1280 / 1920 < buy["x"]
    api.close()


def test_a_banner_shown_to_half_the_visitors_moves_nothing(browser, live_server, site):
    key = live_server.create_app("Shop", [site.url])
    url = site.page("sale.html", BANNER.format(title="Sale", server=live_server.url, key=key))
    visit(browser, url + "?promo=1", 1440, ["#buy", "#buy"], snapshot=True)
    visit(browser, url + "?promo=1", 1440, ["#buy", "#buy"])
    visit(browser, url, 1440, ["#buy", "#buy"], snapshot=True)
    visit(browser, url, 1440, ["#buy", "#buy"])

    api = live_server.api()
    _backgrounds(api, key, "/sale.html", "desktop", 2)

    def both_counted():  # the last visitor's beacon may still be on its way
        r = api.get(f"/api/v1/apps/{key}/backgrounds", params={"view": "/sale.html"})
        return [b["page_views"] for b in r.json()["backgrounds"]] == [2, 2] and r.json()

    listed = until(both_counted, 10)
    assert listed, api.get(f"/api/v1/apps/{key}/backgrounds", params={"view": "/sale.html"}).json()
    states = listed["backgrounds"]
    assert len({b["layout_hash"] for b in states}) == 2
    with_banner = box(browser, url + "?promo=1", 1440, "#buy")
    without = box(browser, url, 1440, "#buy")
    assert with_banner["y"] == without["y"] + 200
    seen = []
    for b in states:
        heat = _heatmap(api, key, "/sale.html", "desktop", background=b["id"])
        assert heat["total"] == 8 and heat["placed"]["anchored"] == 8, heat["placed"]
        # which state is this background? its height says: the banner adds 200 px
        taller = b["height"] == max(s["height"] for s in states)
        _assert_on(heat, with_banner if taller else without)
        seen.append(taller)
    assert sorted(seen) == [False, True]
    api.close()


def test_a_signed_in_page_gets_its_background_from_the_visitor(browser, live_server, site):
    key = live_server.create_app("Shop", [site.url])
    url = site.page(
        "account.html", ACCOUNT.format(title="Account", server=live_server.url, key=key)
    )
    site.page("login.html", "<!doctype html><title>Sign in</title><h1>Please sign in</h1>")
    site.gated.add("account.html")
    assert httpx.get(url, follow_redirects=True).url.path == "/login.html"  # the server's view

    typed = {"#note": "my secret note 42", "#pw": "hunter2pw"}
    body = visit(browser, url, 1440, ["#save"] * 3, cookie=site.cookie, typed=typed, snapshot=True)
    sent = json.loads(body)
    assert "Your account" in body.decode() and "Save" in body.decode()
    for secret in typed.values():
        assert secret not in body.decode(), "a typed value left the page"
    assert sent["dom"]["type"] == 0

    api = live_server.api()
    listed = _backgrounds(api, key, "/account.html", "desktop", 1)
    default = next(b for b in listed["backgrounds"] if b["id"] == listed["default"])
    assert default["source"] == "snapshot" and default["width"] == 1440
    heat = until(lambda: (h := _heatmap(api, key, "/account.html", "desktop"))["total"] == 3 and h)
    assert heat and heat["background"]["id"] == default["id"]
    _assert_on(heat, box(browser, url, 1440, "#save", cookie=site.cookie))
    api.close()

    live_server.stop()  # the picture store is one file; read what it kept
    from pageheat.pictures import Snapshot, SQLPictures

    pictures = SQLPictures(f"sqlite:///{live_server.data / 'pictures.sqlite'}")
    (html,) = [p.html for p in pictures.dump() if isinstance(p, Snapshot)]
    pictures.close()
    assert "Your account" in html and "<button" in html
    for secret in typed.values():
        assert secret not in html
    assert "<script" not in html.lower() and "onsubmit" not in html.lower()


def test_a_hostile_snapshot_is_pictured_without_running_anything(live_server, site):
    key = live_server.create_app("Shop", [site.url])
    now = int(time.time() * 1000)
    hit = f"{site.url}/pwned"
    batch = {"app": key, "visitor": "x", "session": "y", "events": [
        {"k": "view", "t": now, "v": "pv1", "url": f"{site.url}/evil.html", "path": "/evil.html",
         "vw": 1024, "vh": 800, "dw": 1024, "dh": 2000},
        {"k": "layout", "t": now + 1, "v": "pv1", "h": "evil", "dw": 1024, "dh": 2000},
    ]}  # fmt: skip
    with live_server.api() as api:
        r = api.post("/api/v1/collect", content=json.dumps(batch), headers={"Origin": site.url})
        assert r.json()["need_snapshot"] == ["pv1"]

        dom = {"type": 0, "id": 1, "childNodes": [el("html", {},
            el("head", {}, el("link", {"rel": "stylesheet", "href": f"{hit}-css"}),
               el("meta", {"http-equiv": "refresh", "content": f"0;url={hit}-refresh"})),
            el("body", {"onload": f"fetch('{hit}-onload')"},
               el("script", {}, text(f"fetch('{hit}-script')")),
               el("img", {"src": f"{hit}-img", "onerror": f"fetch('{hit}-onerror')"}),
               el("a", {"href": f"javascript:fetch('{hit}-href')"}, text("click me")),
               el("iframe", {"src": f"{hit}-iframe"}),
               el("h1", {"style": f"background:url({hit}-style)"}, text("Hello"))),
        )]}  # fmt: skip
        snap = {"app": key, "visitor": "x", "v": "pv1", "h": "evil", "url": f"{site.url}/evil.html",
                "vw": 1024, "dw": 1024, "dh": 2000, "dom": dom}  # fmt: skip
        r = api.post("/api/v1/snapshot", content=json.dumps(snap), headers={"Origin": site.url})
        assert r.status_code == 201, r.text
        listed = _backgrounds(api, key, "/evil.html", "tablet", 1)
        png = api.get(listed["backgrounds"][0]["url"])
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    # The render is over (its picture is listed) and its offline browser context closed
    # before the picture was kept: a request it had made would have been made by now.
    assert not [p for p in site.requests if "pwned" in p], site.requests
