"""A visitor's snapshot is input from the internet: one carrying <script>, javascript:
URLs, on…= handlers, frames, remote style sheets and a meta refresh runs nothing and
fetches nothing, neither in the server's renderer nor in the dashboard that shows it.

Real server, real Chromium, and a real "attacker" server on loopback that must never see
a request; every script and handler in the snapshot would paint the page red and call
that server, so a run would show in the picture or in its request log.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from tests.browsing import sign_in, until
from tests.conftest import SiteServer
from tests.rrweb import el, text

pytestmark = pytest.mark.browser

WIDTH = 1440
VIEW = "/evil.html"


@pytest.fixture
def attacker(tmp_path) -> Iterator[SiteServer]:
    root = tmp_path / "attacker"
    root.mkdir()
    s = SiteServer(root)
    yield s
    s.close()


def hostile_dom(evil: str) -> dict:
    run = f"document.body.style.background='#f00';fetch('{evil}/ran?'+Math.random())"
    head = el("head", {},
        el("title", {}, text("Sale")),
        el("script", {}, text(run)),
        el("script", {"src": f"{evil}/script.js"}),
        el("link", {"rel": "stylesheet", "href": f"{evil}/sheet.css"}),
        el("style", {}, text(f"@import url({evil}/import.css); h1 {{ background:"
                             f" url({evil}/bg.png) }}", isStyle=True)),
        el("meta", {"http-equiv": "refresh", "content": f"0;url={evil}/refresh"}),
        el("base", {"href": f"{evil}/"}),
    )  # fmt: skip
    body = el("body", {"style": "margin:0;background:#fff", "onload": run},
        el("h1", {"id": "title"}, text("Sale")),
        el("img", {"src": f"{evil}/missing.png", "onerror": run}),
        el("a", {"id": "buy", "href": f"javascript:{run}",
                 "style": "display:block;width:200px;height:60px"}, text("Buy")),
        el("iframe", {"src": f"{evil}/frame", "srcdoc": f"<script>{run}</script>"}),
        el("object", {"data": f"{evil}/object"}),
        el("svg", {"onload": run}, svg=True),
        el("form", {"action": f"{evil}/form"},
           el("input", {"autofocus": "", "onfocus": run, "value": "secret"})),
        el("div", {"style": "height:1500px"}),
    )  # fmt: skip
    return {"type": 0, "id": 1, "childNodes": [el("html", {}, head, body)]}


def red_share(png: bytes) -> float:
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red = (rgb[..., 0] > 200) & (rgb[..., 1] < 60) & (rgb[..., 2] < 60)
    return float(red.mean())


def test_a_hostile_snapshot_runs_nothing_in_the_renderer_or_the_dashboard(
    browser, live_server, site, attacker
):
    key = live_server.create_app("Shop", [site.url])
    url = f"{site.url}{VIEW}"
    now = int(time.time() * 1000) - 60_000
    events = [
        {"k": "view", "t": now, "v": "pv1", "url": url, "path": VIEW, "title": "Sale",
         "vw": WIDTH, "vh": 800, "dw": WIDTH, "dh": 1700},
        {"k": "layout", "t": now + 1, "v": "pv1", "h": "evil", "dw": WIDTH, "dh": 1700},
        {"k": "click", "t": now + 10, "v": "pv1", "x": 100, "y": 100, "vw": WIDTH, "dw": WIDTH,
         "dh": 1700, "sel": "#buy", "rx": 0.5, "ry": 0.5, "tag": "a", "text": "Buy"},
    ]  # fmt: skip
    batch = {"app": key, "visitor": "u1", "session": "s1", "batch": "b1", "events": events}
    snap = {"app": key, "visitor": "u1", "v": "pv1", "h": "evil", "url": url, "vw": WIDTH,
            "dw": WIDTH, "dh": 1700, "dom": hostile_dom(attacker.url)}  # fmt: skip
    with live_server.api() as api:
        headers = {"Origin": site.url, "Content-Type": "text/plain"}
        assert (
            api.post("/api/v1/collect", content=json.dumps(batch), headers=headers).status_code
            == 202
        )
        r = api.post("/api/v1/snapshot", content=json.dumps(snap), headers=headers)
        assert r.status_code == 201, r.text

        def ready():
            body = api.get(f"/api/v1/apps/{key}/backgrounds",
                           params={"view": VIEW, "width": "desktop"}).json()  # fmt: skip
            return body["status"] == "ready" and body["backgrounds"] and body

        listed = until(ready, timeout=60)
        assert listed, "the snapshot was never rendered"
        bg = listed["backgrounds"][0]
        assert bg["source"] == "snapshot"
        png = api.get(f"/api/v1/backgrounds/{bg['id']}.png")
        assert png.headers["content-type"] == "image/png"
        # the renderer ran nothing: the page is not red and the attacker saw nothing
        assert red_share(png.content) == 0
        assert attacker.requests == []
        heat = api.get(f"/api/v1/apps/{key}/heatmap",
                       params={"view": VIEW, "width": "desktop"}).json()  # fmt: skip
        assert heat["background"]["id"] == bg["id"]

    context, page, problems = sign_in(browser, live_server)
    try:
        requested: list[str] = []
        page.on("request", lambda req: requested.append(req.url))
        page.clock.install()
        page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fevil.html&width=desktop")
        page.wait_for_function(
            "() => { const i = document.querySelector('img.stage-bg');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        page.clock.run_for(1500)  # what anything in the page would do in 1.5 s, done now
        # A request the page makes now, the picture shown: whatever the snapshot's content
        # could have asked for (scripts, frames, the attacker's images, a refresh) was
        # asked for before it, and is in `requested` (or, refused by the policy, in
        # `problems`) by the time it is.
        with page.expect_request(f"{live_server.url}/healthz"):
            page.evaluate("fetch('/healthz')")
        assert page.url.startswith(f"{live_server.url}/apps/{key}/heatmap")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
        assert page.locator("iframe, object, embed").count() == 0
        assert problems == []
        assert requested and all(u.startswith(live_server.url) for u in requested), requested
    finally:
        context.close()
    assert attacker.requests == []
