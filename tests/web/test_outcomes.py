"""Goals, conversion by action, cohorts, funnels and journeys through the HTTP API.

The scripted shop of tests/store/test_outcomes.py, sent through the collector: eight
sessions view ``product``; s1-s3 click ``#a`` then reach ``done`` (the goal page), s4-s5
click ``#a`` and stay (s4 sends the custom goal ``signup``), s6-s7 click ``#b`` and go
to ``other`` (s6 rage-clicks), s8 only looks. Every test runs with the events in
DuckDB and on the two-shard ClickHouse 18.16 cluster.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pageheat.app import Pageheat
from tests.clickhouse import fresh_database
from tests.collect.test_collect import batch, click, now_ms, view
from tests.conftest import make_settings

ORIGIN = "https://shop.example"


@pytest.fixture(params=["duckdb", "cluster"])
def ph(request, tmp_path: Path) -> Iterator[Pageheat]:
    """A Pageheat with its events in DuckDB, then on the ClickHouse cluster."""
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import drop

    url = ""
    if request.param == "cluster":
        url = request.getfixturevalue("ch_cluster")[0].url(fresh_database(), cluster="pageheat")
    p = Pageheat(make_settings(tmp_path / "data", events_url=url))
    yield p
    p.close()
    if url:
        drop(Target.parse(url))


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def page(v: str, name: str, t: int) -> dict:
    return view(v, name=name, t=t, path=f"/{name}", url=f"https://shop.example/{name}")


def shop(client, key: str) -> None:
    t0 = now_ms() - 3_600_000
    for i in range(1, 9):
        s, t = f"s{i}", t0 + i * 60_000
        events = [page(f"{s}-p", "product", t)]
        if i <= 5:
            events.append(click(f"{s}-p", sel="#a", text="A", t=t + 1000))
        elif i <= 7:
            events.append(click(f"{s}-p", sel="#b", text="B", x=600, t=t + 1000,
                                rage=3 if i == 6 else 0))  # fmt: skip
        if i <= 3:
            events.append(page(f"{s}-d", "done", t + 5000))
        elif i in (6, 7):
            events.append(page(f"{s}-o", "other", t + 3000))
        if i == 4:
            events.append({"k": "goal", "t": t + 2000, "v": f"{s}-p", "name": "signup",
                           "value": 9.5})  # fmt: skip
        body = batch(key, events, batch=f"b{i}", visitor=f"u{i}", session=s)
        r = client.post("/api/v1/collect", content=json.dumps(body), headers={"Origin": ORIGIN})
        assert r.status_code == 202, r.text


def define(client, key: str, what: str, body: dict) -> dict:
    r = client.post(f"/api/v1/apps/{key}/{what}", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_goals_are_defined_listed_and_deleted(client, key):
    done = define(client, key, "goals", {"name": "Order done", "view": "done"})
    assert done == {"id": done["id"], "name": "Order done", "kind": "view", "view": "done"}
    buy = define(client, key, "goals", {"name": "Buy", "view": "product", "selector": "#a"})
    assert buy["kind"] == "click" and buy["selector"] == "#a"
    signup = define(client, key, "goals", {"name": "Signup", "event": "signup"})
    assert signup["kind"] == "event"
    listed = client.get(f"/api/v1/apps/{key}/goals").json()["goals"]
    assert [g["id"] for g in listed] == [done["id"], buy["id"], signup["id"]]
    for bad, word in [({"name": "x"}, "view"), ({"name": "x", "view": "a", "event": "b"}, "event"),
                      ({"name": "", "view": "a"}, "name"), ({"name": "x", "view": "a", "url": 1},
                                                            "url")]:  # fmt: skip
        r = client.post(f"/api/v1/apps/{key}/goals", json=bad)
        assert r.status_code == 400 and word in r.json()["error"], (bad, r.text)
    assert client.delete(f"/api/v1/apps/{key}/goals/{buy['id']}").status_code == 204
    assert client.get(f"/api/v1/apps/{key}/goals/{buy['id']}").status_code == 404
    assert client.delete(f"/api/v1/apps/{key}/goals/{buy['id']}").status_code == 404


def test_conversion_per_action_equals_the_script(client, key):
    shop(client, key)
    done = define(client, key, "goals", {"name": "Done", "view": "done"})
    r = client.get(f"/api/v1/apps/{key}/insights",
                   params={"view": "product", "goal": done["id"]})  # fmt: skip
    assert r.status_code == 200, r.text
    ins = r.json()
    assert {k: ins["goal"][k] for k in ("sessions", "converted", "rate")} == {
        "sessions": 8, "converted": 3, "rate": 0.375}  # fmt: skip
    conv = {a["selector"]: a["conversion"] for a in ins["top_actions"]}
    a, b = conv["#a"], conv["#b"]
    assert (a["sessions"], a["converted"], a["others_sessions"], a["others_converted"]) == (
        5, 3, 3, 0)  # fmt: skip
    assert (a["rate"], a["others_rate"], a["lift"]) == (0.6, 0.0, 0.6)
    assert a["ci"][0] < 0.6 < a["ci"][1] and a["rate_ci"][0] < 0.6 < a["rate_ci"][1]
    assert (b["sessions"], b["converted"], b["others_sessions"], b["others_converted"]) == (
        2, 0, 6, 3)  # fmt: skip
    assert b["lift"] == -0.5 and b["ci"][0] < -0.5 < b["ci"][1]
    assert "warning" in a and "100" in a["warning"]  # 5 sessions, under the setting
    signup = define(client, key, "goals", {"name": "Signup", "event": "signup"})
    ins = client.get(f"/api/v1/apps/{key}/insights",
                     params={"view": "product", "goal": signup["id"]}).json()  # fmt: skip
    assert ins["goal"]["converted"] == 1
    assert {a["selector"]: a["conversion"]["converted"] for a in ins["top_actions"]} == {
        "#a": 1, "#b": 0}  # fmt: skip
    missing = client.get(f"/api/v1/apps/{key}/insights", params={"view": "product", "goal": "no"})
    assert missing.status_code == 404


def test_cohorts_narrow_heatmap_insights_scroll_and_compare(client, key):
    shop(client, key)
    done = define(client, key, "goals", {"name": "Done", "view": "done"})["id"]

    def clicks(cohort: str) -> int:
        r = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "product", "cohort": cohort})
        assert r.status_code == 200, r.text
        return r.json()["total"]

    assert clicks("") == 7
    assert clicks(f"converted:{done}") == 3
    assert clicks(f"not_converted:{done}") == 4
    assert clicks("clicked:#b") == 2
    assert clicks("rage") == 1
    assert clicks("dead") == 0
    ins = client.get(f"/api/v1/apps/{key}/insights",
                     params={"view": "product", "cohort": f"converted:{done}"}).json()  # fmt: skip
    assert (ins["stats"]["sessions"], ins["stats"]["total_clicks"]) == (3, 3)
    sc = client.get(f"/api/v1/apps/{key}/scroll",
                    params={"view": "product", "cohort": "clicked:#b"}).json()  # fmt: skip
    assert sc["page_views"] == 2
    cmp = client.get(f"/api/v1/apps/{key}/compare", params={
        "view": "product", "a.cohort": f"not_converted:{done}", "b.cohort": f"converted:{done}",
    }).json()  # fmt: skip
    assert (cmp["a"]["clicks"], cmp["b"]["clicks"]) == (4, 3)
    assert (cmp["a"]["sessions"], cmp["b"]["sessions"]) == (5, 3)
    for bad, status in [("nope", 400), ("converted:", 400), ("converted:zz", 404), ("rage:x", 400),
                        ("funnel:zz:1:reached", 404), ("funnel:x", 400)]:  # fmt: skip
        r = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "product", "cohort": bad})
        assert r.status_code == status, (bad, r.text)
        assert "cohort" in r.json()["error"] or status == 404


def test_funnel_report_and_its_cohorts(client, key):
    shop(client, key)
    done = define(client, key, "goals", {"name": "Done", "view": "done"})["id"]
    funnel = define(client, key, "funnels", {"name": "Buy", "steps": [
        {"view": "product"}, {"view": "product", "selector": "#a", "name": "Clicked A"},
        {"goal": done},
    ]})  # fmt: skip
    assert [s.get("name") for s in funnel["steps"]] == [None, "Clicked A", None]
    r = client.get(f"/api/v1/apps/{key}/funnels/{funnel['id']}/report")
    assert r.status_code == 200, r.text
    rep = r.json()
    rows = [(s["name"], s["sessions"], s["conversion"], s["dropped"], s["median_ms"])
            for s in rep["steps"]]  # fmt: skip
    assert rows == [("product", 8, 1.0, 3, None), ("Clicked A", 5, 0.625, 2, 1000),
                    ("Done", 3, 0.6, None, 4000)]  # fmt: skip
    assert (rep["sessions"], rep["converted"]) == (8, 3)
    # a step's drop-off is a cohort: who reached "Clicked A" and did not get to Done
    r = client.get(
        f"/api/v1/apps/{key}/heatmap",
        params={"view": "product", "cohort": f"funnel:{funnel['id']}:2:dropped"},
    )
    assert r.status_code == 200 and r.json()["total"] == 2
    r = client.get(
        f"/api/v1/apps/{key}/insights",
        params={"view": "product", "cohort": f"funnel:{funnel['id']}:1:dropped"},
    )
    assert r.json()["stats"]["sessions"] == 3  # s6, s7, s8
    bad = client.get(
        f"/api/v1/apps/{key}/heatmap",
        params={"view": "product", "cohort": f"funnel:{funnel['id']}:3:dropped"},
    )
    assert bad.status_code == 400 and "step must be 1 to 2" in bad.json()["error"]
    for body in [{"name": "x", "steps": [{"view": "a"}]},
                 {"name": "x", "steps": [{"view": "a"}, {"goal": "nope"}]},
                 {"name": "x", "steps": [{"view": "a"}, {"selector": "#a"}]}]:  # fmt: skip
        r = client.post(f"/api/v1/apps/{key}/funnels", json=body)
        assert r.status_code == 400 and "steps" in r.json()["error"], r.text
    assert [f["id"] for f in client.get(f"/api/v1/apps/{key}/funnels").json()["funnels"]] == [
        funnel["id"]]  # fmt: skip
    # its goal deleted, a funnel says so rather than counting nothing
    client.delete(f"/api/v1/apps/{key}/goals/{done}")
    r = client.get(f"/api/v1/apps/{key}/funnels/{funnel['id']}/report")
    assert r.status_code == 400 and "deleted" in r.json()["error"]
    assert client.delete(f"/api/v1/apps/{key}/funnels/{funnel['id']}").status_code == 204


def test_journeys_around_a_view(client, key):
    shop(client, key)
    j = client.get(f"/api/v1/apps/{key}/journeys", params={"view": "product"}).json()
    assert j["previous"] == [] and j["next"] == [
        {"view": "done", "sessions": 3}, {"view": "other", "sessions": 2}]  # fmt: skip
    assert (j["entries"], j["exits"], j["sessions"], j["page_views"]) == (8, 3, 8, 8)
    j = client.get(f"/api/v1/apps/{key}/journeys",
                   params={"view": "product", "cohort": "clicked:#b"}).json()  # fmt: skip
    assert j["next"] == [{"view": "other", "sessions": 2}]
    assert (j["entries"], j["exits"]) == (2, 0)
    j = client.get(f"/api/v1/apps/{key}/journeys", params={"view": "done"}).json()
    assert j["previous"] == [{"view": "product", "sessions": 3}]
    assert (j["entries"], j["exits"]) == (0, 3)


def test_deleting_the_app_deletes_its_goals_and_funnels(client, ph, key):
    done = define(client, key, "goals", {"name": "Done", "view": "done"})["id"]
    define(client, key, "funnels", {"name": "F", "steps": [{"view": "a"}, {"goal": done}]})
    assert client.delete(f"/api/v1/apps/{key}").status_code == 204
    assert ph.meta.outcomes.goals(key) == [] and ph.meta.outcomes.funnels(key) == []


def test_the_conversion_map_colours_each_spot_by_its_sessions_rate(client, key):
    shop(client, key)
    done = define(client, key, "goals", {"name": "Done", "view": "done"})["id"]
    params = {"view": "product", "kind": "conversion", "goal": done, "width": "0-100000"}
    r = client.get(f"/api/v1/apps/{key}/heatmap", params=params)
    assert r.status_code == 200, r.text
    h = r.json()
    assert (h["kind"], h["total"], h["max"]) == ("conversion", 7, 1.0)
    assert h["placed"]["positional"] == 7  # no background: drawn where the clicks were
    cols = h["cols"]
    # #a at (100, 200): 3 of its 5 sessions converted; #b at (600, 200): none did
    assert h["grid"][20 * cols + 10] == pytest.approx(0.6, abs=1e-3)
    assert h["grid"][20 * cols + 60] == 0.0
    png = client.get(f"/api/v1/apps/{key}/heatmap", params={**params, "format": "png"})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    refused = client.get(f"/api/v1/apps/{key}/heatmap", params={**params, "goal": ""})
    assert refused.status_code == 400 and "goal=ID" in refused.json()["error"]
