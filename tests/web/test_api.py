"""The query API: authorised, validated, and answering with the public keys of DESIGN.md."""

from __future__ import annotations

import json
import time

import pytest

from pageheat.web.server import build_app
from tests.collect.test_collect import batch, click, view

ORIGIN = "https://shop.example"


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def record(client, key: str, events: list, n: int = 0) -> None:
    body = batch(key, events, batch=f"b{n}-{time.time_ns()}")
    r = client.post("/api/v1/collect", content=json.dumps(body), headers={"Origin": ORIGIN})
    assert r.status_code == 202, r.text


@pytest.mark.parametrize(
    "path",
    ["/api/v1/apps", "/api/v1/apps/KEY", "/api/v1/apps/KEY/views",
     "/api/v1/apps/KEY/heatmap?view=/", "/api/v1/apps/KEY/insights?view=/",
     "/api/v1/backgrounds/x.png", "/api/v1/apps/KEY/backgrounds?view=/"],
)  # fmt: skip
def test_every_query_route_refuses_without_a_valid_token(client, key, path):
    path = path.replace("KEY", key)
    assert client.get(path, headers={"Authorization": ""}).status_code == 401
    r = client.get(path, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.json()["error"] == "that token is not valid"


def test_create_and_list_apps(client):
    r = client.post("/api/v1/apps", json={"name": "Blog", "origins": ["https://Blog.example:443/"]})
    assert r.status_code == 201
    app = r.json()
    assert app["origins"] == ["https://blog.example"]
    assert f'data-app="{app["key"]}"' in app["script_tag"]
    assert app["last_event"] is None
    names = [a["name"] for a in client.get("/api/v1/apps").json()["apps"]]
    assert names == ["Blog"]
    bad = client.post("/api/v1/apps", json={"name": "X", "origins": ["ftp://nope"]})
    assert bad.status_code == 400 and "ftp://nope" in bad.json()["error"]


def test_views_and_insights_shares(client, key):
    record(client, key, [view("v1"), *[click("v1", sel="#a", text="a") for _ in range(7)],
                         *[click("v1", sel="#b", x=600, text="b") for _ in range(3)]])  # fmt: skip
    record(client, key, [view("v2", path="/about", url="https://shop.example/about")], 1)
    record(client, key, [view("v3", path="/p/7")], 2)
    views = client.get(f"/api/v1/apps/{key}/views").json()["views"]
    assert [(v["name"], v["page_views"], v["clicks"]) for v in views] == [
        ("/p/?", 2, 10),
        ("/about", 1, 0),
    ]
    ins = client.get(f"/api/v1/apps/{key}/insights", params={"view": "/p/?"}).json()
    assert ins["stats"]["total_clicks"] == 10
    assert ins["stats"]["popularity"] == pytest.approx(2 / 3, abs=1e-4)
    assert [(a["selector"], a["share"], a["name"]) for a in ins["top_actions"]] == [
        ("#a", 0.7, "click on a"),
        ("#b", 0.3, "click on b"),
    ]
    assert client.get(f"/api/v1/apps/{key}").json()["last_event"] is not None


def test_heatmap_json_without_background_is_positional(client, key):
    record(client, key, [view("v1"), *[click("v1", x=105, y=205) for _ in range(5)]])
    r = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "/p/?", "width": "desktop"})
    assert r.status_code == 200
    h = r.json()
    assert h["kind"] == "click" and h["cell"] == 10 and h["total"] == 5
    assert len(h["grid"]) == h["cols"] * h["rows"]
    assert h["placed"] == {"anchored": 0, "positional": 5}
    top = h["hotspots"][0]
    assert abs(top["x"] - 105) <= 10 and abs(top["y"] - 205) <= 10 and top["share"] == 1.0
    assert "5 sessions" not in (h["warning"] or "") and "1 session" in h["warning"]
    # nothing at mobile width
    m = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "/p/?", "width": "mobile"})
    assert m.json()["total"] == 0 and m.json()["hotspots"] == []


@pytest.mark.parametrize(
    ("params", "word"),
    [({"view": "/", "width": "huge"}, "width"), ({"view": "/", "kind": "smell"}, "kind"),
     ({"view": "/", "format": "gif"}, "format"), ({"view": "/", "from": "yesterday"}, "from"),
     ({}, "view")],
)  # fmt: skip
def test_heatmap_bad_parameters_name_the_problem(client, key, params, word):
    r = client.get(f"/api/v1/apps/{key}/heatmap", params=params)
    assert r.status_code == 400
    assert word in r.json()["error"]


def test_unknown_app_is_404(client):
    assert client.get("/api/v1/apps/nope/views").status_code == 404


def test_login_sets_an_httponly_cookie_that_opens_the_api(ph):
    from fastapi.testclient import TestClient

    with TestClient(build_app(ph)) as c:
        assert c.get("/api/v1/apps").status_code == 401
        assert c.post("/login", json={"token": "wrong"}).status_code == 401
        r = c.post("/login", json={"token": ph.admin_token})
        assert r.status_code == 204
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert c.get("/api/v1/apps").status_code == 200


def test_dashboard_and_tracker_are_served_without_a_cdn(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace("http-equiv", "")  # no external asset
    js = client.get("/pageheat.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert client.get("/openapi.json").json()["info"]["title"] == "pageheat"


def test_background_is_never_taken_of_a_page_outside_the_apps_origins(ph, key):
    """A forged page view must not point the server's browser at another host."""
    from pageheat.store.base import Query, WidthRange

    assert ph.backgrounds.url_allowed(key, "https://shop.example/p/1")
    assert not ph.backgrounds.url_allowed(key, "http://169.254.169.254/latest/meta-data/")
    assert not ph.backgrounds.url_allowed(key, "file:///etc/passwd")
    assert not ph.backgrounds.url_allowed("other-app", "https://shop.example/")

    from tests.store.test_contract import env, view

    ph.store.write([env(app=key, events=[view("v1", path="/")])])  # url https://x.test/
    q = Query(app=key, view="/", width=WidthRange.parse("desktop"))
    with pytest.raises(PermissionError, match="not on one of the app's origins"):
        ph.backgrounds.capture_now(q, [])


@pytest.mark.parametrize("kind", ["move", "rage", "dead", "error", "scroll", "attention"])
def test_every_kind_answers_with_a_grid(client, key, kind):
    from tests.store.test_contract import move, scroll

    record(client, key, [
        view("v1"), click("v1", rage=4), click("v1", dead=True, x=300), click("v1", error=True, x=500),
        {**move("v1", [[10, 20, 0], [200, 20, 100]]), "t": int(time.time() * 1000)},
        {**scroll("v1", 2500, [1.0] * 20), "t": int(time.time() * 1000)},
    ])  # fmt: skip
    r = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "/p/?", "kind": kind})
    assert r.status_code == 200, r.text
    h = r.json()
    assert h["kind"] == kind and len(h["grid"]) == h["cols"] * h["rows"]
    assert max(h["grid"]) > 0
    assert all(round(v, 3) == v for v in h["grid"])  # 3 decimals, no float32 noise
    if kind in ("rage", "dead", "error"):
        assert h["total"] == 1 and h["warning"] is None  # frustration needs no minimum
    if kind == "scroll":
        assert h["scroll"]["page_views"] == 1 and h["scroll"]["reach"][0] == 1.0
        assert "1000" in h["warning"]
    png = client.get(f"/api/v1/apps/{key}/heatmap",
                     params={"view": "/p/?", "kind": kind, "format": "png"})  # fmt: skip
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"


def test_scroll_endpoint_reports_reach_and_marks(client, key):
    from tests.store.test_contract import scroll

    now = int(time.time() * 1000)
    for i in range(10):  # 5 read to the end, 5 stay on the first screen
        depth = 3000 if i < 5 else 900
        record(client, key, [view(f"v{i}"), {**scroll(f"v{i}", depth), "t": now}], i)
    r = client.get(f"/api/v1/apps/{key}/scroll", params={"view": "/p/?"}).json()
    assert r["page_views"] == 10
    assert r["reach"][0] == 1.0 and r["reach"][75] == 0.5
    assert r["depth_75"] == 30 and r["depth_50"] == 100
    assert r["avg_fold"] == 30.0


def test_the_served_tracker_carries_the_browser_side_thresholds(tmp_path):
    """Rage, dead and move thresholds are settings like the rest; the tracker gets them
    (and the replay recorder its chunk interval, ``r``)."""
    from fastapi.testclient import TestClient

    from pageheat.app import Pageheat
    from tests.conftest import make_settings

    ph = Pageheat(make_settings(tmp_path / "d", rage_min_clicks=4, frustration_window_ms=700,
                                replay_chunk_s=5))  # fmt: skip
    try:
        with TestClient(build_app(ph)) as c:
            js = c.get("/pageheat.js").text
    finally:
        ph.close()
    head = js.splitlines()[0]
    assert head == 'self.pageheatConfig={"w":700,"p":30,"n":4,"m":100,"d":20,"i":30,"r":5};'


def test_scroll_png_marks_where_the_visitors_dropped_off(client, key):
    from io import BytesIO

    from PIL import Image

    from tests.store.test_contract import scroll

    now = int(time.time() * 1000)
    for i in range(4):  # half read to the end, half stay on the first screen
        record(
            client, key, [view(f"v{i}"), {**scroll(f"v{i}", 3000 if i < 2 else 900), "t": now}], i
        )
    r = client.get(f"/api/v1/apps/{key}/heatmap",
                   params={"view": "/p/?", "kind": "scroll", "format": "png"})  # fmt: skip
    img = Image.open(BytesIO(r.content)).convert("RGB")
    h = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "/p/?", "kind": "scroll"}).json()
    assert img.size == (h["width"], h["height"])
    y50 = round(h["scroll"]["depth_50"] / 100 * h["height"])
    dark = [y for y in range(img.height) if img.getpixel((img.width // 2, y))[0] < 60]
    assert any(abs(y - y50) <= 2 for y in dark), (y50, dark[:20])  # the 50 % line is drawn


def test_band_map_grid_is_sent_to_three_decimals(client, key):
    """Shares like 1/3 must reach the dashboard as 0.333, not float32's 0.33300000429."""
    from tests.store.test_contract import scroll

    now = int(time.time() * 1000)
    for i, depth in enumerate((3000, 1500, 900)):
        record(client, key, [view(f"v{i}"), {**scroll(f"v{i}", depth), "t": now}], i)
    h = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "/p/?", "kind": "scroll"}).json()
    assert 0.333 in h["grid"] and 0.667 in h["grid"]
    assert all(round(v, 3) == v for v in h["grid"])


def test_a_background_of_another_view_or_app_is_refused(client, ph, key):
    from pageheat.pictures import Background

    record(client, key, [view(), click()])
    ph.pictures.save_background(Background(
        id="elsewhere", app=key, view="/other", width_class="desktop", url=ORIGIN + "/other",
        width=1440, height=2000, captured_ms=1, png=b"x", rects={},
    ))  # fmt: skip
    for path in ("heatmap", "insights"):
        r = client.get(
            f"/api/v1/apps/{key}/{path}", params={"view": "/p/?", "background": "elsewhere"}
        )
        assert r.status_code == 404 and "no background 'elsewhere'" in r.json()["error"], r.text
        r = client.get(f"/api/v1/apps/{key}/{path}", params={"view": "/p/?", "background": "nope"})
        assert r.status_code == 404
    listed = client.get(f"/api/v1/apps/{key}/backgrounds", params={"view": "/other"}).json()
    assert [b["id"] for b in listed["backgrounds"]] == ["elsewhere"] and listed[
        "default"
    ] == "elsewhere"
    # a phone-width query does not offer a desktop picture
    mobile = client.get(
        f"/api/v1/apps/{key}/backgrounds", params={"view": "/other", "width": "mobile"}
    )
    assert mobile.json()["backgrounds"] == []


def test_a_view_looked_at_before_its_first_page_view_is_pictured_once_it_has_one(client, key):
    """Asking too early is not a failure that blocks the capture for minutes."""
    params = {"view": "/p/?", "width": "desktop"}
    early = client.get(f"/api/v1/apps/{key}/heatmap", params=params).json()
    assert early["background_status"] in ("capturing", "none")
    deadline = time.monotonic() + 20
    while client.get(f"/api/v1/apps/{key}/backgrounds", params=params).json()["status"] != "none":
        assert time.monotonic() < deadline, "the early capture job never ended"
        time.sleep(0.1)
    record(client, key, [view("v1"), click("v1")])
    later = client.get(f"/api/v1/apps/{key}/heatmap", params=params).json()
    # a capture was started at once (this one cannot reach shop.example, and without
    # Chromium it may have failed already: failing is what a blocked one never gets to)
    assert later["background_status"] in ("capturing", "failed")
