"""``POST /api/v1/replay``: a good chunk is kept once, compressed or not; every hostile
or refused chunk gets its 4xx naming the field and leaves nothing in the store (rows
counted); chunks have their own queue, so a stuck replay store does not stop events."""

from __future__ import annotations

import gzip
import json
import sqlite3
import time
import zlib

import pytest
from fastapi.testclient import TestClient

from pageheat.app import Pageheat
from pageheat.collect.guard import visitor_share
from pageheat.replay.base import Chunk
from pageheat.replay.protocol import decode_chunk
from pageheat.web.server import build_app
from tests.conftest import TOKEN, make_settings

ORIGIN = "https://shop.example"
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def now_ms() -> int:
    return int(time.time() * 1000)


def events(n: int = 3) -> list[dict]:
    t = now_ms()
    return [{"type": 4, "timestamp": t, "data": {"href": "https://shop.example/", "width": 1280,
                                                 "height": 800}},
            {"type": 2, "timestamp": t + 1, "data": {"node": {"type": 0, "childNodes": [], "id": 1},
                                                     "initialOffset": {"left": 0, "top": 0}}},
            *({"type": 3, "timestamp": t + 10 + i, "data": {"source": 1, "positions": []}}
              for i in range(n - 2))]  # fmt: skip


def chunk(app: str, **kw) -> dict:
    return {"app": app, "sdk": "pageheat-replay/0.1", "visitor": "vis1", "session": "ses1",
            "view": "pv1", "seq": 0, "events": events(), **kw}  # fmt: skip


def session_in(share: float, inside: bool) -> str:
    """A session id the replay sample ``share`` takes (or leaves out)."""
    return next(s for i in range(10_000) if (visitor_share(s := f"s{i}") < share) == inside)


@pytest.fixture
def ph(tmp_path):
    p = Pageheat(make_settings(tmp_path / "data", max_replay_chunk_bytes=200_000,
                               max_replay_chunk_inflated=1_000_000))  # fmt: skip
    yield p
    p.close()


@pytest.fixture
def client(ph):
    with TestClient(build_app(ph)) as c:
        yield c


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def post(client, body: dict | bytes, *, origin: str | None = ORIGIN, ctype: str = "text/plain",
         headers: dict | None = None):  # fmt: skip
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    h = {"Content-Type": ctype, "User-Agent": UA, **(headers or {})}
    if origin:
        h["Origin"] = origin
    return client.post("/api/v1/replay", content=data, headers=h)


def test_a_chunk_is_kept_once_whether_sent_gzipped_or_plain(client, ph, key):
    r = post(client, chunk(key))
    assert (r.status_code, r.json()) == (202, {"stored": True}), r.text
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert post(client, chunk(key)).json() == {"stored": False, "duplicate": True}
    gz = gzip.compress(json.dumps(chunk(key, seq=1)).encode())
    assert post(client, gz).json() == {"stored": True}
    assert post(client, gz).json() == {"stored": False, "duplicate": True}
    assert ph.replays.count(key) == 2
    got = client.get(f"/api/v1/apps/{key}/sessions/ses1/replay",
                     headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
    assert got.status_code == 200
    kept = got.json()["events"]
    assert [e["type"] for e in kept] == [4, 2, 3, 4, 2, 3]  # seq 0, then seq 1
    assert [e["timestamp"] for e in kept] == sorted(e["timestamp"] for e in kept)


def bomb() -> bytes:
    """100 MB of zeros in about 100 KB of gzip."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"0" * 1_000_000
    return b"".join(c.compress(block) for _ in range(100)) + c.flush()


def hostile(key: str) -> list[tuple[str, bytes | dict, int, str | None]]:
    """(case, body, status, field) of every refusal that needs no app setting."""
    ok = chunk(key)
    ev = events()
    return [
        ("not json", b"{not json", 400, None),
        ("json array", b"[]", 400, "$"),
        ("truncated gzip", gzip.compress(json.dumps(ok).encode())[:-12], 400, None),
        ("gzip with trailing data", gzip.compress(json.dumps(ok).encode()) + b"xx", 400, None),
        ("type as string", {**ok, "events": [{**ev[0], "type": "4"}]}, 400, "$.events[0].type"),
        ("float timestamp", {**ok, "events": [{**ev[0], "timestamp": 1.5e12}]}, 400,
         "$.events[0].timestamp"),
        ("timestamp before 2020", {**ok, "events": [{**ev[0], "timestamp": 1000}]}, 400,
         "$.events[0].timestamp"),
        ("timestamp two days ahead", {**ok, "events": [{**ev[0], "timestamp": now_ms()
                                                        + 2 * 86_400_000}]}, 400,
         "$.events[0].timestamp"),
        ("data not an object", {**ok, "events": [{**ev[0], "data": [1]}]}, 400,
         "$.events[0].data"),
        ("event without data", {**ok, "events": [{"type": 3, "timestamp": now_ms()}]}, 400,
         "$.events[0].data"),
        ("unknown event field", {**ok, "events": [{**ev[0], "delay": 3}]}, 400,
         "$.events[0].delay"),
        ("negative seq", {**ok, "seq": -1}, 400, "$.seq"),
        ("seq as string", {**ok, "seq": "0"}, 400, "$.seq"),
        ("empty session", {**ok, "session": ""}, 400, "$.session"),
        ("overlong view", {**ok, "view": "v" * 65}, 400, "$.view"),
        ("control character in visitor", {**ok, "visitor": "a\nb"}, 400, "$.visitor"),
        ("missing view", {k: v for k, v in ok.items() if k != "view"}, 400, "$.view"),
        ("no events", {**ok, "events": []}, 400, "$.events"),
        ("unknown top-level field", {**ok, "ip": "1.2.3.4"}, 400, "$.ip"),
        ("over the size as sent", {**ok, "pad": "x" * 250_000}, 413, None),
        ("zip bomb", bomb(), 413, None),
        ("a real chunk inflating past the bound", gzip.compress(json.dumps(
            {**ok, "events": [{**ev[0], "data": {"x": "y" * 1_100_000}}]}).encode()), 413, None),
        ("unknown app", chunk("no-such-app"), 403, None),
    ]  # fmt: skip


def test_hostile_chunks_get_their_4xx_naming_the_field_and_store_nothing(client, ph, key):
    for case, body, status, field in hostile(key):
        r = post(client, body)
        assert r.status_code == status, (case, r.status_code, r.text)
        assert r.json()["field"] == field, (case, r.json())
    assert post(client, chunk(key), origin="https://evil.example").status_code == 403
    assert post(client, chunk(key), ctype="application/x-www-form-urlencoded").status_code == 415
    assert ph.replays.count() == 0
    assert post(client, chunk(key)).status_code == 202  # and the next good chunk is kept
    assert ph.replays.count() == 1


def test_replay_off_a_session_outside_the_sample_and_the_cap_are_refused(client, ph, key):
    ph.meta.change_app(key, replay=False)
    r = post(client, chunk(key))
    assert r.status_code == 403 and "replay is off" in r.json()["error"]
    ph.meta.change_app(key, replay=True, replay_sample=0.5)
    out, inside = session_in(0.5, False), session_in(0.5, True)
    r = post(client, chunk(key, session=out))
    assert (r.status_code, r.json()["field"]) == (403, "$.session"), r.text
    assert ph.replays.count() == 0
    assert post(client, chunk(key, session=inside)).status_code == 202
    # the collector's answer to the tracker says the same for the same sessions
    for session, recorded in ((out, None), (inside, True)):
        batch = {
            "app": key,
            "visitor": "vis1",
            "session": session,
            "events": [
                {"k": "leave", "t": now_ms(), "v": "pv1", "vis": 10, "depth": 10, "dh": 100}
            ],
        }
        answer = client.post(
            "/api/v1/collect",
            content=json.dumps(batch),
            headers={"Origin": ORIGIN, "Content-Type": "text/plain", "User-Agent": UA},
        ).json()
        assert answer.get("replay") is recorded, answer
    # a session at its cap gets no more
    ph.settings = ph.settings.replace(replay_session_max_bytes=ph.replays.session_bytes(
        key, inside) + 10)  # fmt: skip
    r = post(client, chunk(key, session=inside, seq=1))
    assert r.status_code == 413 and "cap" in r.json()["error"]
    assert ph.replays.count() == 1


def test_dnt_and_bots_are_answered_as_taken_and_nothing_is_kept(client, ph, key):
    ph.meta.change_app(key, respect_dnt=True, keep_bots=False)
    r = post(client, chunk(key), headers={"DNT": "1"})
    assert (r.status_code, r.json()) == (202, {"stored": False, "dropped": "dnt"})
    r = post(client, chunk(key), headers={"User-Agent": "python-httpx/0.28"})
    assert (r.status_code, r.json()) == (202, {"stored": False, "dropped": "bot"})
    assert ph.replays.count() == 0


def test_a_stuck_replay_store_answers_503_and_events_still_flow(tmp_path):
    """Chunks wait in their own bounded queue: while the replay file is locked by another
    writer, the queue fills and chunks get 503 with Retry-After, and event batches are
    still taken at once."""
    ph = Pageheat(make_settings(tmp_path / "data", replay_queue_bytes=1))
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    lock = sqlite3.connect(tmp_path / "data" / "replays.sqlite", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # another writer holds the file
    try:
        with TestClient(build_app(ph)) as client:
            d = decode_chunk(json.dumps(chunk(key)).encode(), 1_000_000)
            waiting = ph.replay_writer.submit(Chunk(
                app=key, session="ses1", view="pv1", seq=0, visitor="vis1", first_ms=1,
                last_ms=2, received_ms=now_ms(), events=3, gzipped=d.gzipped))  # fmt: skip
            r = post(client, chunk(key, seq=1))
            assert r.status_code == 503 and r.headers["retry-after"] == "1", r.text
            batch = {
                "app": key,
                "visitor": "vis1",
                "session": "ses1",
                "events": [
                    {"k": "leave", "t": now_ms(), "v": "pv1", "vis": 10, "depth": 10, "dh": 100}
                ],
            }
            started = time.monotonic()
            r = client.post(
                "/api/v1/collect",
                content=json.dumps(batch),
                headers={"Origin": ORIGIN, "Content-Type": "text/plain", "User-Agent": UA},
            )
            assert r.status_code == 202 and time.monotonic() - started < 5
            assert not waiting.done()
            lock.execute("ROLLBACK")
            assert waiting.result(timeout=30) is True
            assert post(client, chunk(key, seq=1)).status_code == 202
    finally:
        lock.close()
        ph.close()
