"""Compare two periods end to end in real Chromium: visitors move from button A to button B,
the diff shows A cooling and B warming on the page's picture, the action table shows the
share moving by the scripted amounts, and the area over A's box holds exactly A's clicks."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from tests.browsing import box, until, visit

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Shop</title>
<style>
  body {{ margin: 0; font: 16px sans-serif; }}
  main {{ width: 960px; margin: 0 auto; padding-top: 200px; }}
  button {{ display: block; width: 200px; height: 60px; margin: 0 0 400px 0; }}
  #b {{ margin-left: 600px; }}
  footer {{ height: 600px; }}
</style>
<script src="{server}/pageheat.js" data-app="{key}" defer></script>
</head><body><main>
  <button id="a" type="button">Add to cart</button>
  <button id="b" type="button">Buy now</button>
</main><footer></footer></body></html>"""

WIDTH = 1400


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def test_a_move_from_button_a_to_button_b_shows_as_a_diff(browser, live_server, site):
    key = live_server.create_app("Shop", [site.url])
    url = site.page("shop.html", PAGE.format(server=live_server.url, key=key))
    api = live_server.api()
    view = {"view": "/shop.html", "width": "desktop"}

    def clicks() -> int:
        r = api.get(f"/api/v1/apps/{key}/insights", params=view)
        return r.json()["stats"]["total_clicks"]

    # Period 1: one visitor, A 3 times and B once (A 75 %, B 25 % of clicks).
    visit(browser, url, WIDTH, ["#a", "#a", "#a", "#b"])
    assert until(lambda: clicks() == 4, 30), clicks()
    cut = time.time()
    time.sleep(0.05)
    # Period 2: two visitors, each B 3 times and A once (A 25 %, B 75 %).
    visit(browser, url, WIDTH, ["#b", "#b", "#a", "#b"])
    visit(browser, url, WIDTH, ["#b", "#a", "#b", "#b"])
    assert until(lambda: clicks() == 12, 30), clicks()

    periods = {"a.to": iso(cut), "b.from": iso(cut)}

    def compare() -> dict:
        r = api.get(f"/api/v1/apps/{key}/compare", params={**view, **periods})
        assert r.status_code == 200, r.text
        return r.json()

    c = until(lambda: (x := compare())["background_status"] == "ready" and x, 60)
    assert c and c["background"], compare()
    assert (c["a"]["page_views"], c["a"]["total"]) == (1, 4)
    assert (c["b"]["page_views"], c["b"]["total"]) == (2, 8)
    assert c["a"]["placed"] == {"anchored": 4, "positional": 0}

    bg = c["background"]
    a_box = box(browser, url, bg["width"], "#a")
    b_box = box(browser, url, bg["width"], "#b")

    def at(rect: dict) -> float:  # the diff at the centre of an element's box
        col = int((rect["x"] + rect["w"] / 2) // c["cell"])
        row = int((rect["y"] + rect["h"] / 2) // c["cell"])
        return c["grid"][row * c["cols"] + col]

    # per 1 000 page views, A went 3 000 -> 1 000 and B 1 000 -> 3 000
    assert at(a_box) < -0.5, at(a_box)
    assert at(b_box) > 0.5, at(b_box)
    assert c["hotspots"]["warming"][0]["selector"] == "#b"
    assert c["hotspots"]["cooling"][0]["selector"] == "#a"
    actions = {x["selector"]: x for x in c["actions"]}
    assert {s: (x["count_a"], x["count_b"], x["share_a"], x["share_b"], x["change"])
            for s, x in actions.items()} == {
        "#a": (3, 2, 0.75, 0.25, -0.5), "#b": (1, 6, 0.25, 0.75, 0.5),
    }  # fmt: skip

    # the PNG: the page's picture with blue over A and red over B
    png = api.get(f"/api/v1/apps/{key}/compare", params={**view, **periods, "format": "png"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    im = np.asarray(Image.open(io.BytesIO(png.content)).convert("RGB")).astype(int)
    assert im.shape[:2] == (bg["height"], bg["width"])
    page = api.get(bg["url"])
    page = np.asarray(Image.open(io.BytesIO(page.content)).convert("RGB")).astype(int)

    def tint(rect: dict) -> tuple[float, float]:  # red and blue added around a box's centre
        y, x = int(rect["y"] + rect["h"] / 2), int(rect["x"] + rect["w"] / 2)
        d = (im - page)[y - 10 : y + 11, x - 10 : x + 11].reshape(-1, 3).mean(0)
        return float(d[0]), float(d[2])

    (ra, ba), (rb, bb) = tint(a_box), tint(b_box)
    assert ba > ra + 10 and rb > bb + 10, (ra, ba, rb, bb)

    # the area over A's box: exactly A's clicks, of all and of period 1
    rect = {"x": a_box["x"], "y": a_box["y"], "w": a_box["w"], "h": a_box["h"]}
    area = api.get(f"/api/v1/apps/{key}/heatmap/area", params={**view, **rect}).json()
    assert (area["count"], area["total"], area["share"]) == (5, 12, round(5 / 12, 4))
    first = api.get(f"/api/v1/apps/{key}/heatmap/area",
                    params={**view, **rect, "to": iso(cut)}).json()  # fmt: skip
    assert (first["count"], first["total"]) == (3, 4)
    api.close()
