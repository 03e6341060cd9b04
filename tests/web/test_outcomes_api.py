"""Tags, clicks on what is not clickable and the significance of a comparison, through the
query API, on scripted batches whose answers are known; with the events in DuckDB and in
a ClickHouse 18.16 server.

The script: 100 page views of one page, each with one click. Variant A (50 views) clicks
#a 15 times and #b 35; variant B clicks #a 35 times and #b 15: a real change (share of #a
0.3 → 0.7, z = 4). Each page view also carries ``half`` 1 or 2, alternating, which splits
both variants evenly: #a 26 of 50 against 24 of 50, a change that is only noise
(z = 0.4). Ten page views (5 per variant, 5 per half) also click the headline, which
is not clickable.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from pageheat.app import Pageheat
from pageheat.web.server import build_app
from tests.collect.test_collect import batch, click, view
from tests.conftest import TOKEN, make_settings
from tests.web.test_api import ORIGIN

A_XY, B_XY, H_XY = (105.0, 205.0), (805.0, 505.0), (400.0, 60.0)


@pytest.fixture(params=["duckdb", "clickhouse"])
def client(request, tmp_path) -> Iterator[TestClient]:
    extra = {}
    if request.param == "clickhouse":
        from tests.clickhouse import fresh_database

        extra["events_url"] = request.getfixturevalue("ch_node").url(fresh_database())
    ph = Pageheat(make_settings(tmp_path / "data", **extra))
    try:
        with TestClient(build_app(ph), headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            c.key = ph.meta.create_app("Shop", [ORIGIN]).key  # type: ignore[attr-defined]
            _script(c, c.key)  # type: ignore[attr-defined]
            yield c
    finally:
        ph.close()


def _script(client, key: str) -> None:
    t = int(time.time() * 1000) - 60_000
    for chunk in range(10):
        events = []
        for i in range(chunk * 10, chunk * 10 + 10):
            variant, j = ("A", i) if i < 50 else ("B", i - 50)
            on_a = j < (15 if variant == "A" else 35)
            v = f"pv{i}"
            sel, (x, y) = ("#a", A_XY) if on_a else ("#b", B_XY)
            events += [
                view(v, t=t + i, tags={"variant": variant, "half": str(1 + i % 2)}),
                click(v, sel=sel, x=x, y=y, t=t + i + 1, text=sel),
            ]
            if i % 20 in (0, 11):  # 5 in each variant, 5 in each half
                events.append(click(v, sel="h1", x=H_XY[0], y=H_XY[1], t=t + i + 2,
                                    tag="h1", text="Spring sale", interactive=False))  # fmt: skip
        body = batch(key, events, batch=f"b{chunk}", visitor=f"u{chunk}", session=f"s{chunk}")
        r = client.post("/api/v1/collect", content=json.dumps(body),
                        headers={"Origin": ORIGIN})  # fmt: skip
        assert r.status_code == 202, r.text


def get(client, path: str, status: int = 200, **params) -> dict:
    r = client.get(f"/api/v1/apps/{client.key}/{path}", params={"view": "/p/?", **params})
    assert r.status_code == status, r.text
    return r.json()


def test_tags_are_listed_and_filter_the_map(client):
    assert get(client, "tags")["tags"] == [
        {"key": "half", "page_views": 100}, {"key": "variant", "page_views": 100}]  # fmt: skip
    values = get(client, "filters/tag.variant")
    assert values["values"] == [{"value": "A", "page_views": 50},
                                {"value": "B", "page_views": 50}]  # fmt: skip
    assert values["fixed"] == []
    a = get(client, "heatmap", **{"tag.variant": "A"})
    assert a["filters"] == {"tag.variant": "A"}
    assert a["total"] == 55  # 50 clicks and 5 on the headline
    assert get(client, "insights", **{"tag.variant": "B", "tag.half": "2"})["stats"][
        "page_views"] == 25  # fmt: skip
    bad = get(client, "heatmap", status=400, **{"tag.no key": "x"})
    assert "tag key" in bad["error"]


def test_compare_marks_the_real_change_and_the_noise(client):
    real = get(client, "compare", **{"a.tag.variant": "A", "b.tag.variant": "B"})
    by = {x["selector"]: x for x in real["actions"]}
    assert (by["#a"]["count_a"], by["#a"]["count_b"]) == (15, 35)
    sig = by["#a"]["significance"]
    assert sig["significant"] and sig["z"] > 3.5 and sig["p"] < 0.001
    low, high = sig["ci"]
    assert 0 < low < sig["diff"] < high  # the interval of b - a excludes 0
    assert by["h1"]["significance"]["significant"] is False  # 5 of 55 on both sides
    warm = real["hotspots"]["warming"][0]
    assert (warm["a"], warm["b"]) == (15, 35) and warm["significance"]["significant"]

    noise = get(client, "compare", **{"a.tag.half": "1", "b.tag.half": "2"})
    by = {x["selector"]: x for x in noise["actions"]}
    assert (by["#a"]["count_a"], by["#a"]["count_b"]) == (26, 24)
    sig = by["#a"]["significance"]
    assert not sig["significant"] and sig["p"] > 0.5
    assert sig["ci"][0] < 0 < sig["ci"][1]
    spots = noise["hotspots"]["warming"] + noise["hotspots"]["cooling"]
    assert spots and not any(s["significance"]["significant"] for s in spots)


def test_clicks_on_what_is_not_clickable(client):
    ins = get(client, "insights")
    assert ins["stats"]["inert_clicks"] == 10
    assert ins["inert"] == {
        "clicks": 10, "share": round(10 / 110, 4),
        "top": [{"selector": "h1", "name": "click on Spring sale", "count": 10,
                 "share": round(10 / 110, 4), "visitors": 10}],
    }  # fmt: skip
    inert = get(client, "heatmap", kind="inert")
    assert inert["total"] == 10
    narrowed = get(client, "heatmap", interactive="false")
    assert narrowed["total"] == 10 and narrowed["filters"] == {"interactive": "false"}
    # the filter narrows the clicks, not the page views
    assert get(client, "insights", interactive="false")["stats"]["page_views"] == 100


def test_a_share_link_keeps_its_tag_filter(client):
    params = {"view": "/p/?", "width": "desktop", "tag.variant": "B", "dead": "1"}
    r = client.post(f"/api/v1/apps/{client.key}/shares", json={"params": params})
    assert r.status_code == 201, r.text
    token = r.json()["url"].removeprefix("/share/")
    hm = client.get(f"/api/v1/share/{token}/heatmap").json()
    assert hm["total"] == 55 and hm["filters"] == {"tag.variant": "B"}
    bad = client.post(f"/api/v1/apps/{client.key}/saved",
                      json={"name": "x", "params": {"view": "/", "tag.no key": "x"}})  # fmt: skip
    assert bad.status_code == 400 and "tag key" in bad.json()["error"]
