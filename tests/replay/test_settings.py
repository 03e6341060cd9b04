"""Replay's app settings (API, CLI), who may read a replay, and the privacy rules
(delete an app, forget a visitor, retention) reaching the replay store."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from pageheat import privacy
from pageheat.web.server import build_app
from tests.conftest import TOKEN
from tests.replay.test_store_contract import T0, chunk, page
from tests.test_cli import run

ORIGIN = "https://shop.example"


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def test_replay_settings_through_the_api(client, key):
    app = client.get(f"/api/v1/apps/{key}").json()
    assert (app["replay"], app["replay_sample"]) == (True, 1.0)  # a new app records
    r = client.patch(f"/api/v1/apps/{key}", json={"replay": False, "replay_sample": 0.1})
    assert r.status_code == 200, r.text
    assert (r.json()["replay"], r.json()["replay_sample"]) == (False, 0.1)
    for body, field in (({"replay": "yes"}, "replay"), ({"replay_sample": 2}, "replay_sample"),
                        ({"replay_sample": True}, "replay_sample")):  # fmt: skip
        before = client.get(f"/api/v1/apps/{key}").json()
        r = client.patch(f"/api/v1/apps/{key}", json={"name": "Renamed", **body})
        assert r.status_code == 400 and field in r.json()["error"], r.text
        assert client.get(f"/api/v1/apps/{key}").json() == before


def test_replay_settings_through_the_cli(tmp_path):
    data = str(tmp_path / "data")
    key = json.loads(run("app", "create", "Shop", "--data", data).stdout)["key"]
    shown = run("app", "replay", key, "--data", data)
    assert json.loads(shown.stdout) == {"key": key, "replay": True, "replay_sample": 1.0}
    r = run("app", "replay", key, "--off", "--sample", "0.5", "--data", data)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"key": key, "replay": False, "replay_sample": 0.5}
    assert run("app", "replay", key, "--sample", "1.5", "--data", data).returncode != 0
    assert run("app", "replay", "nope", "--data", data).returncode != 0


def test_a_replay_is_read_with_a_token_of_its_app_only(ph, key):
    ph.replays.save([chunk([*page(T0), {"type": 3, "timestamp": T0 + 5, "data": {}}], app=key)])
    other = ph.meta.create_app("Blog", ["https://blog.example"]).key
    _, scoped = ph.meta.accounts.create_token("admin", "blog only", [other])
    link = ph.meta.library.share(key, {"view": "/"}, "admin")
    url = f"/api/v1/apps/{key}/sessions/s1/replay"
    with TestClient(build_app(ph), raise_server_exceptions=False) as c:
        assert c.get(url).status_code == 401
        assert c.get(url, headers={"Authorization": f"Bearer {link.token}"}).status_code == 401
        assert c.get(url, headers={"Authorization": f"Bearer {scoped}"}).status_code == 403
        # a share link opens its heatmap's routes, never a replay
        assert c.get(f"/api/v1/share/{link.token}/apps/{key}/sessions/s1/replay").status_code == 404
        admin = {"Authorization": f"Bearer {TOKEN}"}
        r = c.get(url, headers=admin)
        assert r.status_code == 200 and [e["type"] for e in r.json()["events"]] == [4, 2, 3]
        r = c.get(url, headers=admin, params={"from": T0 + 3, "to": T0 + 4})
        assert [e["type"] for e in r.json()["events"]] == [4, 2]
        assert c.get(f"/api/v1/apps/{key}/sessions/none/replay", headers=admin).status_code == 404
        assert c.get(url, headers=admin, params={"from": "soon"}).status_code == 400


def test_deleting_an_app_forgetting_a_visitor_and_retention_reach_replays(ph, key):
    day = 86_400_000
    ph.replays.save([
        chunk(page(T0), app=key, session="s1", visitor="gone"),
        chunk(page(T0), app=key, session="s2", visitor="kept", received_ms=T0 - 31 * day),
        chunk(page(T0), app=key, session="s3", visitor="kept", received_ms=T0 - 29 * day),
    ])  # fmt: skip
    assert privacy.forget_visitor(ph, "gone", key)["replay_chunks"] == 1
    # replay_retention_days (30) applies though the app keeps its events forever
    assert privacy.expire(ph, now_ms=T0)[key] == {"replay_chunks": 1}
    assert ph.replays.with_replay(key, ["s1", "s2", "s3"]) == {"s3"}
    # an app's shorter event retention reaches its replays too
    ph.meta.change_app(key, retention_days=7)
    assert privacy.expire(ph, now_ms=T0)[key]["replay_chunks"] == 1
    ph.replays.save([chunk(page(T0), app=key, session="s4", received_ms=T0)])
    assert privacy.delete_app(ph, key)["replay_chunks"] == 1
    assert ph.replays.count() == 0
