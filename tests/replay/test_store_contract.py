"""What every replay store must do (``pageheat.replay.base.ReplayStore``), run on each
backend: the embedded SQLite file, ClickHouse on one server, and ClickHouse on the
two-shard cluster behind Distributed tables (each a parameter of the ``opener`` fixture:
an opener of a fresh, empty store that opens the same store again)."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest

from pageheat.replay import Chunk, ReplayStore
from pageheat.replay.sqlite import SQLiteReplays

T0 = 1_763_900_000_000


def open_sqlite(tmp: Path) -> ReplayStore:
    return SQLiteReplays(tmp / "replays.sqlite")


def open_clickhouse(url: str) -> ReplayStore:
    from pageheat.replay.clickhouse import ClickHouseReplays

    return ClickHouseReplays.open(url)


@pytest.fixture(params=["sqlite", "clickhouse", "clickhouse-cluster"])
def opener(request, tmp_path: Path) -> Iterator[Callable[[], ReplayStore]]:
    if request.param == "sqlite":
        yield lambda: open_sqlite(tmp_path)
        return
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import drop
    from tests.clickhouse import fresh_database

    if request.param == "clickhouse":
        url = request.getfixturevalue("ch_node").url(fresh_database())
    else:
        url = request.getfixturevalue("ch_cluster")[0].url(fresh_database(), "pageheat")
    yield lambda: open_clickhouse(url)
    drop(Target.parse(url))


@pytest.fixture
def replays(opener) -> Iterator[ReplayStore]:
    store = opener()
    yield store
    store.close()


def ev(t: int, type_: int = 3, **data) -> dict:
    return {"type": type_, "timestamp": t, "data": data}


def chunk(
    events: list[dict], *, app: str = "a", session: str = "s1", view: str = "v1", seq: int = 0,
    visitor: str = "vis1", received_ms: int = T0,
) -> Chunk:  # fmt: skip
    body = msgspec.json.encode({"app": app, "visitor": visitor, "session": session,
                                "view": view, "seq": seq, "events": events})  # fmt: skip
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    times = [e["timestamp"] for e in events]
    snaps = [e["timestamp"] for e in events if e["type"] == 2]
    return Chunk(app=app, session=session, view=view, seq=seq, visitor=visitor,
                 first_ms=min(times), last_ms=max(times), received_ms=received_ms,
                 events=len(events), gzipped=c.compress(body) + c.flush(),
                 snap_ms=max(snaps) if snaps else None)  # fmt: skip


def page(t: int) -> list[dict]:
    """A page's start as rrweb records it: meta, full snapshot."""
    return [ev(t, 4, href="https://shop.example/", width=1280, height=800),
            ev(t + 1, 2, node={"type": 0, "childNodes": [], "id": 1})]  # fmt: skip


def test_a_chunk_is_kept_once_per_session_view_and_seq(replays):
    first = chunk([*page(T0), ev(T0 + 50, x=1)])
    assert replays.save([first]) == [True]
    retry = chunk([*page(T0), ev(T0 + 50, x=2)])  # the same name, other content
    assert replays.save([retry, chunk([ev(T0 + 60)], seq=1)]) == [False, True]
    assert replays.count("a") == 2
    got = replays.events("a", "s1")
    assert [e["data"].get("x") for e in got if e["type"] == 3] == [1, None]


def test_events_come_in_time_order_across_views_and_chunks(replays):
    replays.save([chunk([ev(T0 + 20_000, n=4)], view="v2", seq=0),
                  chunk([ev(T0 + 10_000, n=2), ev(T0 + 10_500, n=3)], seq=1),
                  chunk([*page(T0), ev(T0 + 5, n=1)], seq=0)])  # fmt: skip
    got = replays.events("a", "s1")
    assert [e["timestamp"] for e in got] == sorted(e["timestamp"] for e in got)
    assert [e["data"].get("n") for e in got][2:] == [1, 2, 3, 4]
    assert replays.events("a", "nope") == [] and replays.events("b", "s1") == []


def test_from_starts_at_the_full_snapshot_before_it_and_to_ends_the_range(replays):
    replays.save([
        chunk([*page(T0), ev(T0 + 1000, n=1)], seq=0),
        chunk([ev(T0 + 60_000, n=2)], seq=1),
        chunk([*page(T0 + 300_000), ev(T0 + 300_500, n=3)], seq=2),  # a checkout
        chunk([ev(T0 + 400_000, n=4), ev(T0 + 500_000, n=5)], seq=3),
    ])  # fmt: skip
    late = replays.events("a", "s1", from_ms=T0 + 450_000)
    # the page as of the checkout, then what happened after it: nothing before it
    assert [e["type"] for e in late[:2]] == [4, 2]
    assert late[0]["timestamp"] == T0 + 300_000
    assert [e["data"].get("n") for e in late[2:]] == [3, 4, 5]
    early = replays.events("a", "s1", from_ms=T0 + 2000, to_ms=T0 + 60_000)
    assert [e["type"] for e in early[:2]] == [4, 2]
    assert [e["data"].get("n") for e in early[2:]] == [1, 2]
    assert replays.events("a", "s1", to_ms=T0 - 1) == []


def test_which_sessions_have_a_replay_and_their_bytes(replays):
    replays.save([chunk(page(T0), session="s1"), chunk(page(T0), session="s2", app="b")])
    assert replays.with_replay("a", ["s1", "s2", "s3"]) == {"s1"}
    assert replays.with_replay("a", [f"x{i}" for i in range(1200)] + ["s1"]) == {"s1"}
    assert replays.session_bytes("a", "s1") > 0
    assert replays.session_bytes("a", "s2") == 0


def test_forget_delete_and_expire_remove_only_what_they_name(replays):
    replays.save([
        chunk(page(T0), session="s1", visitor="v-gone"),
        chunk(page(T0), session="s2", visitor="v-kept", received_ms=T0 - 40 * 86_400_000),
        chunk(page(T0), session="s3", visitor="v-kept"),
        chunk(page(T0), app="b", session="s1", visitor="v-gone"),
    ])  # fmt: skip
    assert replays.forget_visitor("a", "v-gone") == {"replay_chunks": 1}
    assert replays.with_replay("b", ["s1"]) == {"s1"}  # another app's visitor stays
    assert replays.expire("a", T0 - 30 * 86_400_000) == {"replay_chunks": 1}
    assert replays.with_replay("a", ["s1", "s2", "s3"]) == {"s3"}
    assert replays.delete_app("a") == {"replay_chunks": 1}
    assert replays.count("a") == 0 and replays.count("b") == 1 and replays.count() == 1


def test_saved_chunks_are_there_after_reopening(opener):
    store = opener()
    store.save([chunk(page(T0))])
    store.close()
    again = opener()
    try:
        assert [e["type"] for e in again.events("a", "s1")] == [4, 2]
    finally:
        again.close()
