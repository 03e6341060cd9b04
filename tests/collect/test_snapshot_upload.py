"""Page states and snapshots at the collector: ask once per state, keep one inert copy."""

from __future__ import annotations

import json

import pytest

from pageheat.pictures import states_without_snapshot
from pageheat.store.base import Query
from tests.collect.test_collect import ORIGIN, batch, now_ms, post, view
from tests.tiers import needs


def layout(v: str = "v1", h: str = "h1") -> dict:
    return {"k": "layout", "t": now_ms(), "v": v, "h": h, "dw": 1440, "dh": 3000}


def dom(*body: dict) -> dict:
    return {"type": 0, "id": 1, "childNodes": [
        {"type": 2, "tagName": "html", "attributes": {}, "id": 2, "childNodes": [
            {"type": 2, "tagName": "head", "attributes": {}, "id": 3, "childNodes": []},
            {"type": 2, "tagName": "body", "attributes": {}, "id": 4, "childNodes": list(body)},
        ]},
    ]}  # fmt: skip


BUTTON = {"type": 2, "tagName": "button", "attributes": {"id": "buy", "style": "margin:100px"},
          "id": 5, "childNodes": [{"type": 3, "textContent": "Buy", "id": 6}]}  # fmt: skip
TYPED = {"type": 2, "tagName": "input", "attributes": {"type": "email", "value": "me@typed.example"},
         "id": 7, "childNodes": []}  # fmt: skip


def snapshot(app: str, v: str = "v1", h: str = "h1", tree: dict | None = None, **kw) -> dict:
    return {"app": app, "visitor": "vis1", "v": v, "h": h, "url": "https://shop.example/p/42",
            "vw": 1440, "dw": 1440, "dh": 3000, "dom": tree or dom(BUTTON, TYPED), **kw}  # fmt: skip


def upload(client, body: dict | bytes, origin: str | None = ORIGIN):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "text/plain", **({"Origin": origin} if origin else {})}
    return client.post("/api/v1/snapshot", content=data, headers=headers)


@pytest.fixture
def app_key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def test_a_new_state_is_asked_of_one_visitor_then_of_nobody(client, app_key):
    r = post(client, batch(app_key, [view("v1"), layout("v1", "h1")]))
    assert r.json()["need_snapshot"] == ["v1"]
    # a second visitor in the same state, a minute not yet gone: not asked again
    r = post(client, batch(app_key, [view("v2"), layout("v2", "h1")]))
    assert r.json()["need_snapshot"] == []
    # another state of the same view is asked for
    r = post(client, batch(app_key, [view("v3"), layout("v3", "h2"), view("v4")]))
    assert r.json()["need_snapshot"] == ["v3"]


def test_a_snapshot_is_kept_once_as_inert_html_and_pictured(client, ph, app_key):
    post(client, batch(app_key, [view("v1"), layout("v1", "h1")]))
    r = upload(client, snapshot(app_key))
    assert r.status_code == 201, r.text
    assert r.headers["access-control-allow-origin"] == ORIGIN
    kept = ph.pictures.snapshot(r.json()["id"])
    assert (kept.view, kept.width_class, kept.layout_hash) == ("/p/?", "desktop", "h1")
    assert "<button" in kept.html and "me@typed.example" not in kept.html
    again = upload(client, snapshot(app_key))
    assert (again.status_code, again.json()) == (200, {"stored": False, "duplicate": True})
    # once a state has its snapshot, nobody is asked for it
    r = post(client, batch(app_key, [view("v5"), layout("v5", "h1")]))
    assert r.json()["need_snapshot"] == []
    # the snapshot becomes a background of the view, at the visitor's width
    needs("Chromium")  # to render it; what is above runs in the fast tier too
    assert ph.backgrounds.wait_idle(60)
    bgs = client.get(f"/api/v1/apps/{app_key}/backgrounds", params={"view": "/p/?"}).json()
    assert bgs["status"] == "ready", bgs
    [bg] = bgs["backgrounds"]
    assert (bg["source"], bg["layout_hash"], bg["width"], bg["page_views"]) == (
        "snapshot",
        "h1",
        1440,
        2,
    )
    assert bgs["default"] == bg["id"]
    png = client.get(bg["url"])
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    thumb = client.get(bg["thumbnail"])
    assert thumb.status_code == 200 and len(thumb.content) < len(png.content)


def test_a_snapshot_needs_its_page_state(client, app_key):
    post(client, batch(app_key, [view("v1"), layout("v1", "h1")]))
    for body in (snapshot(app_key, v="nope"), snapshot(app_key, h="h2")):
        r = upload(client, body)
        assert r.status_code == 400 and r.json()["field"] == "$.v", r.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dom": {"type": 0, "childNodes": [{"type": 2, "tagName": "<x>"}]}},
         "$.dom.childNodes[0].tagName"),
        ({"vw": -1}, "$.vw"),
        ({"extra": 1}, None),
        ({"dom": "html"}, "$.dom"),
    ],
)  # fmt: skip
def test_a_malformed_snapshot_is_refused_naming_the_field(client, ph, app_key, change, field):
    post(client, batch(app_key, [view("v1"), layout("v1", "h1")]))
    r = upload(client, {**snapshot(app_key), **change})
    assert r.status_code == 400, r.text
    if field:
        assert r.json()["field"] == field
    assert states_without_snapshot(ph.store, ph.pictures, app_key, ["v1"]) != []  # nothing kept


def test_snapshot_limits_and_origins(client, ph, app_key):
    post(client, batch(app_key, [view("v1"), layout("v1", "h1")]))
    big = json.dumps(
        snapshot(app_key, tree=dom({"type": 3, "textContent": "x" * 6_000_000, "id": 9}))
    )
    r = upload(client, big.encode())
    assert r.status_code == 413 and "snapshot is over 5242880 bytes" in r.json()["error"]
    assert upload(client, snapshot(app_key), origin="https://evil.example").status_code == 403
    assert upload(client, snapshot("nope")).status_code == 403
    assert states_without_snapshot(ph.store, ph.pictures, app_key, ["v1"]) != []
    assert ph.store.views(Query(app=app_key))[0]["page_views"] == 1
