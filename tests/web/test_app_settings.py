"""An app's settings through the API: origins, sampling, Do-Not-Track / GPC, retention,
bots; each checked before anything changes, and each enforced by the collector."""

from __future__ import annotations

import json
import random

import pytest

from pageheat.collect.guard import visitor_share
from tests.collect.test_collect import batch, click, view
from tests.web.test_api import ORIGIN


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def send(client, key: str, visitor: str = "vis1", **headers: str):
    body = batch(key, [view("v1"), click("v1")], visitor=visitor, batch=f"b-{visitor}")
    return client.post("/api/v1/collect", content=json.dumps(body),
                       headers={"Origin": ORIGIN, **headers})  # fmt: skip


def stored_clicks(client, key: str) -> int:
    return client.get(f"/api/v1/apps/{key}/insights", params={"view": "/p/?"}).json()[
        "stats"]["total_clicks"] or 0  # fmt: skip


def test_settings_change_together_and_the_script_tag_follows(client, key):
    app = client.get(f"/api/v1/apps/{key}").json()
    assert (app["sample_rate"], app["respect_dnt"], app["retention_days"]) == (1.0, False, None)
    assert "data-sample" not in app["script_tag"]
    r = client.patch(f"/api/v1/apps/{key}", json={
        "name": "Shop EU", "origins": ["https://shop.example", "https://EU.shop.example:443"],
        "sample_rate": 0.25, "respect_dnt": True, "retention_days": 30, "keep_bots": False,
    })  # fmt: skip
    assert r.status_code == 200, r.text
    app = r.json()
    assert app["name"] == "Shop EU"
    assert app["origins"] == ["https://shop.example", "https://eu.shop.example"]
    assert (app["sample_rate"], app["respect_dnt"], app["retention_days"], app["keep_bots"]) == (
        0.25, True, 30, False)  # fmt: skip
    assert 'data-sample="0.25" data-respect-dnt defer' in app["script_tag"]
    back = client.patch(f"/api/v1/apps/{key}", json={"retention_days": None, "keep_bots": None})
    assert back.json()["retention_days"] is None and back.json()["sample_rate"] == 0.25


@pytest.mark.parametrize(
    ("body", "field"),
    [({"sample_rate": 1.5}, "sample_rate"), ({"sample_rate": "half"}, "sample_rate"),
     ({"respect_dnt": "yes"}, "respect_dnt"), ({"retention_days": -1}, "retention_days"),
     ({"retention_days": 1.5}, "retention_days"), ({"keep_bots": 1}, "keep_bots"),
     ({"origins": ["ftp://x"]}, "origin"), ({"origins": "https://x.example"}, "origins"),
     ({"name": ""}, "name"), ({"colour": "red"}, "colour")],
)  # fmt: skip
def test_a_bad_setting_is_refused_naming_it_and_nothing_changes(client, key, body, field):
    before = client.get(f"/api/v1/apps/{key}").json()
    r = client.patch(f"/api/v1/apps/{key}", json={"name": "Renamed", **body})
    assert r.status_code == 400 and field in r.json()["error"], r.text
    assert client.get(f"/api/v1/apps/{key}").json() == before


def test_do_not_track_and_gpc_are_honoured_when_the_app_says_so(client, key):
    assert send(client, key, "v-dnt", DNT="1").json()["accepted"] == 2  # not asked to yet
    client.patch(f"/api/v1/apps/{key}", json={"respect_dnt": True})
    for name, headers in (("dnt", {"DNT": "1"}), ("gpc", {"Sec-GPC": "1"})):
        r = send(client, key, f"v-{name}-2", **headers)
        assert r.status_code == 202 and r.json() == {"accepted": 0, "need_snapshot": [],
                                                     "dropped": "dnt"}  # fmt: skip
    assert send(client, key, "v-plain").json()["accepted"] == 2
    assert stored_clicks(client, key) == 2


def test_sampling_keeps_the_visitors_the_tracker_keeps(client, key):
    client.patch(f"/api/v1/apps/{key}", json={"sample_rate": 0.5})
    rng = random.Random(7)  # visitor ids are random, as the tracker makes them
    visitors = [f"{rng.getrandbits(64):016x}" for _ in range(40)]
    kept = [v for v in visitors if visitor_share(v) < 0.5]
    assert 10 < len(kept) < 30  # the hash spreads them
    for v in visitors:
        r = send(client, key, v)
        assert r.json()["accepted"] == (2 if v in kept else 0), v
    assert stored_clicks(client, key) == len(kept)


def test_visitor_share_is_the_trackers_fnv1a():
    # FNV-1a 32's published test vectors, which tracker/src/util.ts's fnv() reproduces
    # (its Math.imul keeps the same low 32 bits); ids are ASCII, one code unit a byte
    assert round(visitor_share("") * 2**32) == 0x811C9DC5
    assert round(visitor_share("a") * 2**32) == 0xE40C292C


def test_forgetting_a_visitor_and_deleting_the_app_through_the_api(client, key):
    send(client, key, "forget-me")
    send(client, key, "keep-me")
    assert stored_clicks(client, key) == 2
    r = client.delete(f"/api/v1/apps/{key}/visitors/forget-me")
    assert r.status_code == 200
    assert r.json()["deleted"]["interactions"] == 1 and r.json()["deleted"]["pageviews"] == 1
    assert stored_clicks(client, key) == 1
    assert client.delete(f"/api/v1/apps/{key}").status_code == 204
    assert client.get(f"/api/v1/apps/{key}").status_code == 404
    assert client.delete(f"/api/v1/apps/{key}").status_code == 404
    assert send(client, key, "late").status_code == 403  # its key no longer collects
