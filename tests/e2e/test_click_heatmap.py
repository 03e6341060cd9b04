"""The foundation's promise, end to end in real Chromium: a page with the real script tag,
real clicks, and a heatmap whose hottest spot is on the button people clicked most."""

from __future__ import annotations

import httpx
import pytest

from tests.browsing import box, until, visit

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Shop</title>
<style>
  body {{ margin: 0; font: 16px sans-serif; }}
  main {{ width: 960px; margin: 0 auto; padding-top: 300px; }}
  button {{ display: block; width: 200px; height: 60px; margin: 0 0 400px 0; }}
  #b {{ margin-left: 600px; }}
  footer {{ height: 800px; }}
  @media (max-width: 767px) {{ main {{ width: auto; }} #b {{ margin-left: 0; }} }}
</style>
<script src="{server}/pageheat.js" data-app="{key}" defer></script>
</head><body><main>
  <button id="a" type="button">Add to cart</button>
  <button id="b" type="button">Details</button>
</main><footer></footer></body></html>"""


def test_clicks_become_a_heatmap_with_the_hottest_spot_on_the_clicked_button(
    browser, live_server, site
):
    key = live_server.create_app("Shop", [site.url])
    url = site.page("shop.html", PAGE.format(server=live_server.url, key=key))

    # 10 desktop clicks at two widths from four visitors: A 7 times, B 3 times.
    visit(browser, url, 1366, ["#a", "#a", "#a", "#b"])
    visit(browser, url, 1366, ["#a", "#b"])
    visit(browser, url, 1600, ["#a", "#a", "#b"])
    visit(browser, url, 1600, ["#a"])
    # one tap on a phone
    visit(browser, url, 390, ["#a"], touch=True)

    api = live_server.api()

    def insights(width: str) -> dict:
        r = api.get(f"/api/v1/apps/{key}/insights", params={"view": "/shop.html", "width": width})
        r.raise_for_status()
        return r.json()

    desktop = until(lambda: (d := insights("desktop"))["stats"]["total_clicks"] >= 10 and d)
    assert desktop, insights("desktop")
    stats = desktop["stats"]
    assert stats["total_clicks"] == 10
    assert stats["page_views"] == 4
    assert stats["visitors"] == 4
    actions = desktop["top_actions"]
    assert [(a["selector"], a["count"], a["share"]) for a in actions] == [
        ("#a", 7, 0.7),
        ("#b", 3, 0.3),
    ]
    assert actions[0]["name"] == "click on Add to cart"

    mobile = until(lambda: (m := insights("mobile"))["stats"]["total_clicks"] == 1 and m)
    assert mobile and mobile["stats"]["total_clicks"] == 1
    assert mobile["top_actions"][0]["selector"] == "#a"

    def heatmap(width: str) -> dict:
        r = api.get(f"/api/v1/apps/{key}/heatmap",
                    params={"view": "/shop.html", "width": width, "kind": "click"})  # fmt: skip
        r.raise_for_status()
        return r.json()

    heat = until(lambda: (h := heatmap("desktop"))["background_status"] == "ready" and h, 60)
    assert heat, heatmap("desktop")
    bg = heat["background"]
    assert bg["width"] in (1366, 1600) or 1366 <= bg["width"] <= 1600
    assert heat["total"] == 10
    assert heat["placed"] == {"anchored": 10, "positional": 0}
    top = heat["hotspots"][0]
    a = box(browser, url, bg["width"], "#a")
    assert a["x"] <= top["x"] <= a["x"] + a["w"] and a["y"] <= top["y"] <= a["y"] + a["h"], (
        top, a)  # fmt: skip
    assert top["selector"] == "#a"
    assert top["share"] == pytest.approx(0.7, abs=0.01)

    # the tap is a mobile click, not a desktop one
    phone = heatmap("mobile")
    assert phone["total"] == 1

    # the PNG is the heatmap over the page's picture, at the background's size
    png = api.get(f"/api/v1/apps/{key}/heatmap",
                  params={"view": "/shop.html", "width": "desktop", "format": "png"})  # fmt: skip
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    from io import BytesIO

    from PIL import Image

    img = Image.open(BytesIO(png.content))
    assert img.size == (bg["width"], bg["height"])
    api.close()


def test_events_from_a_page_of_another_origin_are_refused(browser, live_server, site):
    key = live_server.create_app("Elsewhere", ["https://only-this.example"])
    url = site.page("other.html", PAGE.format(server=live_server.url, key=key))
    auth = {"Authorization": f"Bearer {live_server.token}"}

    def refused() -> bool:  # the collector's own count of what it turned away
        name = "pageheat_collect_batches_total"
        return live_server.metric(name, endpoint="collect", outcome="forbidden") >= 1

    visit(browser, url, 1400, ["#a", "#b"])
    assert until(refused, 30), "the tracker's batches never reached the collector"
    r = httpx.get(f"{live_server.url}/api/v1/apps/{key}/insights", headers=auth)
    assert r.json()["stats"]["total_clicks"] == 0
    assert r.json()["stats"]["page_views"] == 0
