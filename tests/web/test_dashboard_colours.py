"""The dashboard draws with the server's colour tables only: in real Chromium against a
real server, the scroll, attention and compare maps on the dashboard's canvas are the
colours of the PNGs the API draws for the very same requests, sampled at the same page
points (the canvas laid over its background picture, as the screen shows it); its kind
buttons and filter picker are the server's registries."""

from __future__ import annotations

import io
import re
import time
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from PIL import Image

from pageheat.filters import FILTERS
from pageheat.kinds import KINDS
from tests.browsing import sign_in, until

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Colours</title>
<style>
  html, body { margin: 0; height: 3000px; overflow-x: hidden; background: #fff; }
  body { font: 16px sans-serif; position: relative; }
  button { position: absolute; width: 200px; height: 60px; }
  #buy { left: 200px; top: 300px; }
  #broken { left: 900px; top: 1200px; }
</style>
</head><body>
  <button id="buy" type="button">Buy</button>
  <button id="broken" type="button">Broken</button>
</body></html>"""

CHROME = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
          " Chrome/126.0.0.0 Safari/537.36")  # fmt: skip
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"

#: Twelve page views: 4 read to the end, 4 to half way, 4 saw the first screen; seconds in
#: view fall with depth, so each 5 % band has its own attention colour.
DEPTHS = [3000] * 4 + [1500] * 4 + [900] * 4
BANDS = [round(20 - i * 0.9, 1) for i in range(20)]

#: Where the maps are sampled (page px): scroll at 100 %, 75 % and 33 % reach (away from
#: the PNG's drop-off lines at 900 and 1500 px); attention in the middle of bands 1, 5,
#: 9, 13 and 17; compare on both buttons, beside them, and where nothing changed.
SCROLL_AT = [(700, 300), (200, 1200), (1300, 2400)]
ATTENTION_AT = [(700, 75 + 150 * i) for i in (1, 5, 9, 13, 17)]
COMPARE_AT = [(300, 330), (1000, 1230), (1015, 1245), (980, 1215), (700, 2600)]

#: Largest difference per channel (0..255) allowed between screen and PNG: the grid's
#: JSON carries rounded intensities, so an index may differ by one.
TOLERANCE = 6


def _batch(key: str, url: str, n: int, depth: int, now_ms: int) -> dict:
    v = f"v{n}"
    t = now_ms - 120_000 + n * 1000
    # Chrome visitors click "Buy"; Firefox visitors click "Broken", and "Buy" once in three
    target = ("#buy", 300.0, 330.0) if n % 2 == 0 or n % 3 == 0 else ("#broken", 1000.0, 1230.0)
    sel, x, y = target
    events: list[dict] = [
        {"k": "view", "t": t, "v": v, "url": url, "path": "/colours.html", "title": "Colours",
         "vw": 1440, "vh": 900, "dw": 1440, "dh": 3000},
        {"k": "scroll", "t": t + 200, "v": v, "depth": depth, "dh": 3000, "vh": 900,
         "bands": BANDS},
    ]  # fmt: skip
    for i in range(3):
        events.append({"k": "click", "t": t + 300 + i * 2000, "v": v, "x": x + 4 * i, "y": y,
                       "vw": 1440, "dw": 1440, "dh": 3000, "sel": sel, "rx": 0.5, "ry": 0.5,
                       "tag": "button", "text": sel[1:], "pointer": "mouse",
                       "interactive": True})  # fmt: skip
    return {"app": key, "sdk": "test/1", "batch": f"b{n}", "visitor": f"u{n}",
            "session": f"s{n}", "events": events}  # fmt: skip


def _record(live_server, site, key: str, url: str) -> None:
    now_ms = int(time.time() * 1000)
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        for n, depth in enumerate(DEPTHS):
            agent = CHROME if n % 2 == 0 else FIREFOX
            r = c.post("/api/v1/collect", json=_batch(key, url, n, depth, now_ms),
                       headers={"Origin": site.url, "User-Agent": agent})  # fmt: skip
            assert r.status_code == 202, r.text


#: The screen at page points: the heat canvas laid over the background picture, as the
#: browser composites them (source-over), read back from the page.
ON_SCREEN = """pts => {
  const heat = document.querySelector("[data-testid=heat-canvas]");
  const img = document.querySelector("img.stage-bg");
  const bg = document.createElement("canvas");
  bg.width = img.naturalWidth; bg.height = img.naturalHeight;
  bg.getContext("2d").drawImage(img, 0, 0);
  const h = heat.getContext("2d"), b = bg.getContext("2d");
  return pts.map(([x, y]) => {
    const c = h.getImageData(x, y, 1, 1).data, u = b.getImageData(x, y, 1, 1).data;
    const a = c[3] / 255;
    return [0, 1, 2].map(i => Math.round(u[i] * (1 - a) + c[i] * a)).concat([c[3]]);
  });
}"""

#: Whether the heat canvas has anything drawn on it yet.
DRAWN = """() => { const c = document.querySelector("[data-testid=heat-canvas]");
  if (!c) return false; const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < d.length; i += 4 * 97) if (d[i] > 0) return true; return false; }"""


def _png_for(live_server, request_url: str) -> Image.Image:
    """The PNG the API draws for the dashboard's own request, at the dashboard's opacity."""
    parts = urlsplit(request_url)
    params = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("format", "opacity")]
    params += [("format", "png"), ("opacity", "0.7")]
    with live_server.api() as c:
        r = c.get(parts.path, params=params)
        assert r.status_code == 200, r.text
    return Image.open(io.BytesIO(r.content)).convert("RGB")


def _compare(page, live_server, requests: list[str], path: str, points, what: str) -> list:
    """Screen and PNG at ``points``: equal within the tolerance; the samples are returned."""
    sent = until(lambda: [u for u in requests if urlsplit(u).path.endswith(path)], 30)
    assert sent, f"the dashboard sent no {path} request"
    png = _png_for(live_server, sent[-1])
    screen = page.evaluate(ON_SCREEN, [list(p) for p in points])
    for (x, y), s in zip(points, screen, strict=True):
        want = png.getpixel((x, y))
        assert all(abs(a - b) <= TOLERANCE for a, b in zip(s[:3], want, strict=True)), (
            what, (x, y), s, want)  # fmt: skip
    return screen


def test_scroll_attention_click_and_compare_look_on_screen_as_in_their_pngs(
    browser, live_server, site
):
    key = live_server.create_app("Colours", [site.url])
    url = site.page("colours.html", PAGE)
    _record(live_server, site, key, url)
    context, page, problems = sign_in(browser, live_server)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/apps/" in r.url else None)
    base = f"{live_server.url}/apps/{key}/heatmap?view=%2Fcolours.html&width=desktop"

    def show(kind: str, extra: str = "") -> None:
        requests.clear()
        page.goto(f"{base}&kind={kind}{extra}")
        page.wait_for_selector("img.stage-bg", timeout=90_000)
        page.wait_for_function(
            "() => { const i = document.querySelector('img.stage-bg'); return i && i.complete"
            " && i.naturalWidth > 0; }"
        )
        page.wait_for_function(DRAWN, timeout=30_000)

    show("scroll")
    # the kind buttons and the filter picker are the server's registries, in their order
    buttons = page.locator("button.seg[data-kind]")
    assert [b.get_attribute("data-kind") for b in buttons.all()] == list(KINDS)
    assert buttons.all_inner_texts() == [k.label for k in KINDS.values()]
    page.click("[data-testid=add-filter]")
    items = page.locator("[data-testid=filter-picker] .menu-item[data-filter]")
    assert [i.get_attribute("data-filter") for i in items.all()] == list(FILTERS)
    assert [t.strip() for t in items.all_inner_texts()] == [f.label for f in FILTERS.values()]
    page.keyboard.press("Escape")
    scroll = _compare(page, live_server, requests, "/heatmap", SCROLL_AT, "scroll")
    # reach falls with depth: the three samples are three colours, all drawn
    assert len({tuple(s[:3]) for s in scroll}) == 3 and all(s[3] > 0 for s in scroll)

    show("attention")
    attention = _compare(page, live_server, requests, "/heatmap", ATTENTION_AT, "attention")
    assert len({tuple(s[:3]) for s in attention}) == len(ATTENTION_AT)

    show("click")
    clicks = _compare(page, live_server, requests, "/heatmap", COMPARE_AT, "click")
    assert clicks[0][3] > 0 and clicks[1][3] > 0 and clicks[4][3] == 0

    show("click", "&compare=segment&seg=browser&seg.a=Chrome&seg.b=Firefox")
    page.wait_for_selector("[data-testid=compare-summary]")
    cmp = _compare(page, live_server, requests, "/compare", COMPARE_AT, "compare")
    buy, broken, beside, _, calm = cmp
    # Firefox (B) clicked "Broken" more: warm (red) there, cool (blue) on "Buy"; no change
    # far from both is not drawn at all
    assert broken[0] > broken[2] and buy[2] > buy[0], (broken, buy)
    assert calm[3] == 0 and beside[3] > 0
    assert re.search(r"compare=segment", page.url)
    assert not problems, problems
    context.close()
