"""Saved heatmaps and share links: kept under a name, listed, renamed, deleted; a link
opens one heatmap read-only without login, until it expires or is revoked."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from pageheat.web import scope
from pageheat.web.server import build_app
from tests.collect.test_collect import click, view
from tests.conftest import TOKEN
from tests.web.test_api import ORIGIN, record

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


@pytest.fixture
def anyone(ph):
    """A browser with no login at all."""
    with TestClient(build_app(ph)) as c:
        yield c


def test_save_list_rename_open_and_delete(client, key):
    params = {"view": "/pricing", "width": "mobile", "range": "30d", "browser": "Chrome"}
    r = client.post(f"/api/v1/apps/{key}/saved", json={"name": " Pricing,  mobile ",
                                                      "params": params})  # fmt: skip
    assert r.status_code == 201
    saved = r.json()
    assert saved["name"] == "Pricing, mobile" and saved["params"] == params
    assert saved["app_name"] == "Shop" and saved["created_by"] == "admin"
    assert saved["url"] == (f"/apps/{key}/heatmap?view=%2Fpricing&width=mobile&range=30d"
                            f"&browser=Chrome&saved={saved['id']}")  # fmt: skip
    other = client.post(f"/api/v1/apps/{key}/saved", json={"name": "Home", "params": {"view": "/"}})
    assert [s["name"] for s in client.get("/api/v1/saved").json()["saved"]] == [
        "Home", "Pricing, mobile"]  # fmt: skip
    r = client.patch(f"/api/v1/apps/{key}/saved/{saved['id']}", json={"name": "Pricing (phones)"})
    assert r.json()["name"] == "Pricing (phones)" and r.json()["params"] == params
    # the newest change comes first
    assert client.get(f"/api/v1/apps/{key}/saved").json()["saved"][0]["id"] == saved["id"]
    assert client.delete(f"/api/v1/apps/{key}/saved/{saved['id']}").status_code == 204
    assert client.delete(f"/api/v1/apps/{key}/saved/{saved['id']}").status_code == 404
    assert [s["id"] for s in client.get("/api/v1/saved").json()["saved"]] == [other.json()["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "", "params": {"view": "/"}}, "name"),
     ({"name": "x", "params": {"width": "mobile"}}, "params.view"),
     ({"name": "x", "params": {"view": "/", "token": "t"}}, "params.token"),
     ({"name": "x", "params": {"view": "/", "device": ["mobile"]}}, "params.device"),
     ({"name": "x", "params": "view=/"}, "params")],
)  # fmt: skip
def test_a_bad_saved_heatmap_is_refused_naming_the_field(client, key, body, field):
    r = client.post(f"/api/v1/apps/{key}/saved", json=body)
    assert r.status_code == 400 and field in r.json()["error"]
    assert client.get("/api/v1/saved").json()["saved"] == []


def clicks_on_a_and_b(client, key: str) -> None:
    """Desktop: 6 clicks on #a, 2 on #b; mobile: 4 on #b."""
    record(client, key, [view("v1"), *[click("v1", sel="#a", text="a") for _ in range(6)],
                         *[click("v1", sel="#b", x=600, text="b") for _ in range(2)]])  # fmt: skip
    phone = {"vw": 390, "dw": 390}
    record(client, key, [view("v2", **phone),
                         *[click("v2", sel="#b", x=200, text="b", **phone) for _ in range(4)]], 1)  # fmt: skip


def test_a_share_link_opens_its_one_heatmap_without_login(client, anyone, key):
    clicks_on_a_and_b(client, key)
    params = {"view": "/p/?", "width": "desktop", "kind": "click"}
    r = client.post(f"/api/v1/apps/{key}/shares", json={"params": params, "expires_days": 7})
    assert r.status_code == 201
    link = r.json()
    assert link["url"].startswith("/share/") and len(link["url"]) > 40
    assert link["name"] == "/p/?" and not link["revoked"]
    expires = datetime.fromisoformat(link["expires"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    token = link["url"].removeprefix("/share/")
    base = f"/api/v1/share/{token}"

    assert anyone.get(link["url"]).status_code == 200  # the page shell
    about = anyone.get(base).json()
    assert about["app"] == {"name": "Shop"} and about["params"] == params
    assert about["range"] == "All time"
    hm = anyone.get(f"{base}/heatmap").json()
    assert hm["total"] == 8  # desktop clicks only
    signed_in = client.get(f"/api/v1/apps/{key}/heatmap", params=params).json()
    assert hm["grid"] == signed_in["grid"]
    # the query string cannot widen the link: another width, view or app is ignored
    wider = anyone.get(f"{base}/heatmap", params={"width": "mobile", "view": "x", "app": "y"})
    assert wider.json()["total"] == 8
    actions = anyone.get(f"{base}/insights").json()["top_actions"]
    assert [(a["selector"], a["count"]) for a in actions] == [("#a", 6), ("#b", 2)]
    png = anyone.get(f"{base}/heatmap", params={"format": "png"})
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    # the exports are the signed-in exports of the same parameters, byte for byte
    for what in ("export.png", "export/actions.csv", "export/grid.csv"):
        shared, own = anyone.get(f"{base}/{what}"), client.get(f"/api/v1/apps/{key}/{what}",
                                                             params=params)  # fmt: skip
        assert shared.status_code == 200 and own.status_code == 200, what
        if what.endswith(".csv"):
            assert shared.text == own.text, what
    rows = anyone.get(f"{base}/export/actions.csv").text.splitlines()
    assert rows[1].split(",")[2:4] == ["#a", "6"]
    # and none of the signed-in API opens for it
    assert anyone.get(f"/api/v1/apps/{key}/heatmap", params=params).status_code == 401


def test_revoked_and_expired_links_say_so(ph, client, anyone, key):
    clicks_on_a_and_b(client, key)
    link = client.post(f"/api/v1/apps/{key}/shares", json={"params": {"view": "/p/?"}}).json()
    assert link["expires"] is None
    base = "/api/v1/share/" + link["url"].removeprefix("/share/")
    assert anyone.get(f"{base}/heatmap").status_code == 200
    assert client.delete(f"/api/v1/apps/{key}/shares/{link['id']}").status_code == 204
    for path in (base, f"{base}/heatmap", f"{base}/insights"):
        r = anyone.get(path)
        assert r.status_code == 410 and r.json()["error"] == "this share link was revoked"
    listed = client.get(f"/api/v1/apps/{key}/shares").json()["shares"]
    assert [s["revoked"] for s in listed] == [True]
    assert client.delete(f"/api/v1/apps/{key}/shares/{link['id']}").status_code == 404

    soon = client.post(f"/api/v1/apps/{key}/shares",
                       json={"params": {"view": "/p/?"}, "expires_days": 1}).json()  # fmt: skip
    token = soon["url"].removeprefix("/share/")
    with ph.meta.engine.begin() as con:  # a day passes
        con.exec_driver_sql("update share_links set expires_ms = ? where token = ?",
                            (int(time.time() * 1000) - 1, token))  # fmt: skip
    r = anyone.get(f"/api/v1/share/{token}")
    assert r.status_code == 410 and r.json()["error"].startswith("this share link expired on")
    assert anyone.get("/api/v1/share/not-a-link").status_code == 404
    bad = client.post(f"/api/v1/apps/{key}/shares", json={"params": {"view": "/"},
                                                         "expires_days": 0})  # fmt: skip
    assert bad.status_code == 400 and "expires_days" in bad.json()["error"]


def test_deleting_an_app_takes_its_saved_heatmaps_and_links(ph, client, anyone, key):
    client.post(f"/api/v1/apps/{key}/saved", json={"name": "Home", "params": {"view": "/"}})
    link = client.post(f"/api/v1/apps/{key}/shares", json={"params": {"view": "/"}}).json()
    assert client.delete(f"/api/v1/apps/{key}").status_code == 204
    assert client.get("/api/v1/saved").json()["saved"] == []
    assert anyone.get("/api/v1/share/" + link["url"].removeprefix("/share/")).status_code == 404


def test_page_ranges_become_api_instants_at_each_read():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert scope.api_params({"view": "/", "range": "7d", "bg": "b1"}, now) == {
        "view": "/", "from": "2026-11-16T12:00:00.000+00:00", "background": "b1"}  # fmt: skip
    # custom days are inclusive: "to" is the start of the day after
    assert scope.api_params({"from": "2026-11-01", "to": "2026-11-02"}, now) == {
        "from": "2026-11-01T00:00:00.000+00:00", "to": "2026-11-03T00:00:00.000+00:00"}  # fmt: skip
    assert scope.describe({"range": "24h"}) == "Last 24 hours"
    assert scope.describe({"range": "30d"}) == "Last 30 days"
    assert scope.describe({"from": "2026-11-01"}) == "since 2026-11-01"
