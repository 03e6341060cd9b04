"""The sessions behind the heat through the query API, on recorded batches (no browser, so
no background: clicks are placed positionally, as tests/web/test_compare.py explains).

The ``periods`` traffic of test_compare: sessions s1 and s2 click #a 4 times (at 100-103 ms
after their page view) and #b once (at 200 ms); t0-t3 click #a once (100 ms) and #b 4
times (200-203 ms), in a later period."""

from __future__ import annotations

import time

import pytest

from tests.web.test_api import ORIGIN
from tests.web.test_compare import A_XY, HOUR, get, iso, visit

#: What every listed session carries (issue 18's shape; more keys are allowed).
KEYS = {"id", "visitor", "user", "start", "duration_ms", "pages", "clicks", "rage", "dead",
        "errors", "device", "browser", "os", "country", "entry", "exit", "has_replay",
        "moments"}  # fmt: skip
BOX = {"x": A_XY[0] - 5, "y": A_XY[1] - 5, "w": 10, "h": 10}
EVERYONE = {"s1", "s2", "t0", "t1", "t2", "t3"}


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


@pytest.fixture
def periods(client, key):
    """test_compare's two periods (its fixture of the same name)."""
    now = int(time.time() * 1000)
    p1, cut = now - 3 * HOUR, now - 2 * HOUR
    visit(client, key, "v1", p1, 4, 1, visitor="u1", session="s1")
    visit(client, key, "v2", p1 + 60_000, 4, 1, visitor="u2", session="s2")
    for i in range(4):
        visit(client, key, f"w{i}", cut + HOUR + i * 1000, 1, 4, visitor=f"x{i}", session=f"t{i}")
    return {"from": iso(now - 4 * HOUR), "cut": iso(cut), "to": iso(now + HOUR)}


def sessions(client, key, **params) -> dict:
    r = client.get(f"/api/v1/apps/{key}/sessions", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_sessions_behind_an_area_are_those_of_the_points_it_counts(client, key, periods):
    area = get(client, key, "heatmap/area", **BOX)
    listed = sessions(client, key, view="/p/?", **BOX)
    assert {s["id"] for s in listed["sessions"]} == EVERYONE and listed["total"] == 6
    assert sum(len(s["moments"]) for s in listed["sessions"]) == area["count"] == 12
    for s in listed["sessions"]:
        assert set(s) >= KEYS, s
        assert s["user"] is None and s["has_replay"] is False
        assert s["moments"] == ([100, 101, 102, 103] if s["id"] in ("s1", "s2") else [100])
    # the same rectangle in the first period only: the area counts 8, the sessions s1, s2
    early = sessions(client, key, view="/p/?", to=periods["cut"], **BOX)
    assert [s["id"] for s in early["sessions"]] == ["s2", "s1"]
    # a rectangle nobody clicked in
    assert sessions(client, key, view="/p/?", x=300, y=300, w=100, h=100)["sessions"] == []


def test_the_sessions_that_clicked_a_selector_newest_first_with_their_moments(client, key, periods):
    got = sessions(client, key, view="/p/?", selector="#b")
    assert [s["id"] for s in got["sessions"]] == ["t3", "t2", "t1", "t0", "s2", "s1"]
    by = {s["id"]: s for s in got["sessions"]}
    assert by["t0"]["moments"] == [200, 201, 202, 203] and by["s1"]["moments"] == [200]
    s1 = by["s1"]
    assert (s1["clicks"], s1["pages"], s1["entry"], s1["exit"], s1["duration_ms"]) == (
        5, 1, "/p/?", "/p/?", 200)  # fmt: skip
    assert [s["id"] for s in sessions(client, key, selector="#nope")["sessions"]] == []
    # every heatmap filter narrows: a width no one had, a filter value no one had
    assert sessions(client, key, selector="#b", width="mobile")["total"] == 0
    assert sessions(client, key, selector="#b", utm_source="ads")["total"] == 0
    assert sessions(client, key, selector="#b", utm_source="news")["total"] == 6


def test_pages_follow_each_other_without_loss_or_repeat(client, key, periods):
    seen, cursor = [], None
    for _ in range(10):
        page = sessions(client, key, limit=4, **({"cursor": cursor} if cursor else {}))
        assert page["total"] == 6 and len(page["sessions"]) <= 4
        seen += [s["id"] for s in page["sessions"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == ["t3", "t2", "t1", "t0", "s2", "s1"]


def test_one_session_with_its_timeline(client, key, periods):
    r = client.get(f"/api/v1/apps/{key}/sessions/s1")
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["id"] == "s1" and s["has_replay"] is False and s["user"] is None
    assert [(i["type"], i["t"], i.get("selector")) for i in s["timeline"]] == [
        ("view", 0, None), ("click", 100, "#a"), ("click", 101, "#a"), ("click", 102, "#a"),
        ("click", 103, "#a"), ("click", 200, "#b"),
    ]  # fmt: skip
    first = s["timeline"][1]
    assert (first["text"], first["x"], first["y"], first["rage"], first["dead"]) == (
        "Add", A_XY[0], A_XY[1], 0, False)  # fmt: skip
    assert s["timeline"][0]["url"].startswith("https://shop.example/")
    assert client.get(f"/api/v1/apps/{key}/sessions/nope").status_code == 404
    assert client.get("/api/v1/apps/nope/sessions/s1").status_code == 404


@pytest.mark.parametrize(
    ("params", "word"),
    [({"cursor": "garbage!"}, "cursor"), ({"has": "angry"}, "has"),
     ({"view": "/p/?", "x": 1, "y": 2, "w": 3}, "x, y, w and h"),
     ({"x": 1, "y": 2, "w": 3, "h": 4}, "view"), ({"kind": "scroll"}, "kind"),
     ({"limit": 0}, "limit"), ({"duration_min": -1}, "duration_min")],
)  # fmt: skip
def test_bad_parameters_are_named(client, key, params, word):
    r = client.get(f"/api/v1/apps/{key}/sessions", params=params)
    assert r.status_code == 400, r.text
    err = r.json()
    assert word in err["error"] or (err.get("field") or "").endswith(word), err


def test_a_share_link_never_reaches_sessions(client, key, periods):
    r = client.post(f"/api/v1/apps/{key}/shares", json={"params": {"view": "/p/?"}})
    assert r.status_code == 201, r.text
    token = r.json()["url"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/api/v1/share/{token}").status_code == 200  # the link works
    for path in (f"/api/v1/share/{token}/sessions", f"/api/v1/share/{token}/sessions/s1"):
        assert client.get(path).status_code == 404, path
    for path in (f"/api/v1/apps/{key}/sessions", f"/api/v1/apps/{key}/sessions/s1"):
        r = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, (path, r.status_code)
