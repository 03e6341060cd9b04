"""What the player reads: the replay answer's span (``start``/``end``, alone with
``?to=0``), why a session has no replay (the player's empty states), and replays kept in
ClickHouse when the events are there (a chunk posted to one pageheat is read back)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pageheat.app import Pageheat
from pageheat.web.server import build_app
from tests.conftest import TOKEN, make_settings
from tests.replay.test_collector import ORIGIN, chunk, post, session_in
from tests.replay.test_store_contract import T0, ev, page
from tests.replay.test_store_contract import chunk as stored

ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def test_the_answer_says_when_the_replay_starts_and_ends(client, ph, key):
    ph.replays.save([stored([*page(T0), ev(T0 + 500)], app=key, seq=0),
                     stored([ev(T0 + 90_000)], app=key, seq=1)])  # fmt: skip
    url = f"/api/v1/apps/{key}/sessions/s1/replay"
    whole = client.get(url).json()
    assert (whole["start"], whole["end"]) == (T0, T0 + 90_000) and len(whole["events"]) == 4
    alone = client.get(url, params={"to": 0}).json()
    assert alone == {"events": [], "start": T0, "end": T0 + 90_000}
    later = client.get(url, params={"from": T0 + 60_000, "to": T0 + 90_000}).json()
    assert [e["type"] for e in later["events"]] == [4, 2, 3, 3]
    assert (later["start"], later["end"]) == (T0, T0 + 90_000)


def test_a_missing_replay_says_why(client, key):
    def reason(session: str) -> str:
        r = client.get(f"/api/v1/apps/{key}/sessions/{session}/replay")
        assert r.status_code == 404, r.text
        return r.json()["reason"]

    assert reason("gone") == "missing"
    assert client.get(f"/api/v1/apps/{key}/sessions/gone/replay").json()["retention_days"] == 30
    client.patch(f"/api/v1/apps/{key}", json={"replay_sample": 0.5})
    assert reason(session_in(0.5, inside=False)) == "not_sampled"
    assert reason(session_in(0.5, inside=True)) == "missing"
    client.patch(f"/api/v1/apps/{key}", json={"replay": False})
    assert reason("gone") == "replay_off"


def test_replays_are_kept_in_clickhouse_beside_its_events(tmp_path, ch_node):
    from pageheat.replay.clickhouse import ClickHouseReplays
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import drop
    from tests.clickhouse import fresh_database

    url = ch_node.url(fresh_database())
    ph = Pageheat(make_settings(tmp_path / "data", events_url=url))
    try:
        assert isinstance(ph.replays, ClickHouseReplays)
        key = ph.meta.create_app("Shop", [ORIGIN]).key
        with TestClient(build_app(ph)) as c:
            assert post(c, chunk(key)).status_code == 202
            assert post(c, chunk(key)).json() == {"stored": False, "duplicate": True}
            got = c.get(f"/api/v1/apps/{key}/sessions/ses1/replay", headers=ADMIN).json()
        assert [e["type"] for e in got["events"]] == [4, 2, 3]
        assert not (tmp_path / "data" / "replays.sqlite").exists()
    finally:
        ph.close()
        drop(Target.parse(url))
