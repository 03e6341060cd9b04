"""Identified users through the collector and the API, as a site and its operator meet
them: an ``identify`` event names the session's user, ``user=`` lists that user's
sessions, a bad identify is refused whole with the field named, and forgetting a user id
(the API's ``DELETE …/users/{id}``, and ``pageheat forget --user``) forgets every visitor
id the user had: events and session replays, in that app only."""

from __future__ import annotations

import json

import pytest

from pageheat.app import Pageheat
from tests.collect.test_collect import batch, click, now_ms, view
from tests.conftest import make_settings
from tests.replay.test_store_contract import chunk, page
from tests.test_cli import run
from tests.web.test_api import ORIGIN


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def ident(v: str, user: str, **kw) -> dict:
    return {"k": "identify", "t": now_ms(), "v": v, "user": user, **kw}


def send(client, key: str, visitor: str, session: str, events: list):
    body = batch(key, events, visitor=visitor, session=session, batch=f"b-{visitor}-{session}")
    r = client.post("/api/v1/collect", content=json.dumps(body), headers={"Origin": ORIGIN})
    return r


def seed(client, key: str) -> None:
    """alice on a laptop (s1, s2: identified in s1 only) and a phone (s3); bob (s4); an
    anonymous visitor (s5)."""
    for visitor, session, who in [
        ("laptop", "s1", ident("v1", "alice", name="Ada L.")), ("laptop", "s2", None),
        ("phone", "s3", ident("v1", "alice")), ("bobs", "s4", ident("v1", "bob")),
        ("anon", "s5", None),
    ]:  # fmt: skip
        events = [view("v1"), click("v1")] + ([who] if who else [])
        assert send(client, key, visitor, session, events).status_code == 202


def sessions(client, key: str, **params) -> dict[str, dict | None]:
    r = client.get(f"/api/v1/apps/{key}/sessions", params=params)
    assert r.status_code == 200, r.text
    return {s["id"]: s["user"] for s in r.json()["sessions"]}


def test_sessions_name_their_user_and_user_lists_that_users(client, key):
    seed(client, key)
    assert sessions(client, key) == {
        "s1": {"id": "alice", "name": "Ada L."}, "s2": None, "s3": {"id": "alice", "name": None},
        "s4": {"id": "bob", "name": None}, "s5": None,
    }  # fmt: skip
    assert sorted(sessions(client, key, user="alice")) == ["s1", "s3"]
    assert sessions(client, key, user="nobody") == {}
    detail = client.get(f"/api/v1/apps/{key}/sessions/s1").json()
    assert detail["user"] == {"id": "alice", "name": "Ada L."}


@pytest.mark.parametrize(
    ("bad", "field"),
    [({"user": ""}, "user"), ({"user": "x" * 129}, "user"), ({"user": "a\nb"}, "user"),
     ({"user": "a", "name": ""}, "name"), ({"user": "a", "email": "a@x"}, "email")],
)  # fmt: skip
def test_a_bad_identify_is_refused_whole(client, key, bad, field):
    r = send(
        client, key, "v", "s", [view("v1"), {"k": "identify", "t": now_ms(), "v": "v1", **bad}]
    )
    assert r.status_code == 400 and r.json()["field"] == f"$.events[1].{field}"
    assert sessions(client, key) == {}


def test_forgetting_a_user_forgets_each_of_its_visitors_events_and_replays(client, key, ph):
    seed(client, key)
    other = ph.meta.create_app("Blog", [ORIGIN]).key
    assert (
        send(client, other, "laptop", "b1", [view("v1"), ident("v1", "alice")]).status_code == 202
    )
    ph.replays.save([
        chunk(page(now_ms()), app=key, session=s, visitor=v)
        for s, v in [("s1", "laptop"), ("s2", "laptop"), ("s3", "phone"), ("s4", "bobs")]
    ])  # fmt: skip
    r = client.delete(f"/api/v1/apps/{key}/users/alice")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["visitors"] == {key: ["laptop", "phone"]}
    # both browsers, the anonymous session s2 of the laptop included
    assert out["deleted"]["pageviews"] == 3 and out["deleted"]["interactions"] == 3
    assert out["deleted"]["identities"] == 2 and out["deleted"]["replay_chunks"] == 3
    assert sessions(client, key) == {"s4": {"id": "bob", "name": None}, "s5": None}
    assert ph.replays.with_replay(key, ["s1", "s2", "s3", "s4"]) == {"s4"}
    assert sorted(sessions(client, other, user="alice")) == ["b1"]  # another app's alice
    assert client.delete(f"/api/v1/apps/{key}/users/alice").json() == {
        "visitors": {}, "deleted": {}}  # fmt: skip
    assert client.delete("/api/v1/apps/nope/users/alice").status_code == 404


def test_forget_user_on_the_command_line_in_every_app(tmp_path):
    ph = Pageheat(make_settings(tmp_path))
    try:
        from tests.store.test_contract import env
        from tests.store.test_contract import view as sview

        shop = ph.meta.create_app("Shop", [ORIGIN]).key
        blog = ph.meta.create_app("Blog", [ORIGIN]).key
        t = now_ms()
        ph.store.write([
            env(app=shop, batch="1", visitor="laptop", session="s1", events=[
                sview("p1", t=t), {"k": "identify", "t": t, "v": "p1", "user": "alice"}]),
            env(app=blog, batch="2", visitor="tablet", session="s2", events=[
                sview("p2", t=t), {"k": "identify", "t": t, "v": "p2", "user": "alice"}]),
            env(app=shop, batch="3", visitor="other", session="s3", events=[sview("p3", t=t)]),
        ])  # fmt: skip
        ph.replays.save([chunk(page(t), app=blog, session="s2", visitor="tablet")])
    finally:
        ph.close()
    r = run("forget", "--user", "alice", "--data", str(tmp_path))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["user"] == "alice"
    assert out["visitors"] == {shop: ["laptop"], blog: ["tablet"]}
    assert out["rows"]["pageviews"] == 2 and out["rows"]["replay_chunks"] == 1
    assert run("forget", "--data", str(tmp_path)).returncode != 0  # neither a visitor nor --user
    assert run("forget", "x", "--user", "y", "--data", str(tmp_path)).returncode != 0
