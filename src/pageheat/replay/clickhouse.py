"""The scale-out replay store: replay chunks in ClickHouse, beside the event store.

Chosen when the events are in ClickHouse (``app.open_replays``): then every stateless
pageheat server behind a load balancer reads and writes the same replays, which the
embedded ``replays.sqlite`` of one server cannot give. Same contract as the SQLite store
(tests/replay/test_store_contract.py runs both, on one server and on the two-shard
cluster).

* One table, ``replay_chunks``, made by the store itself on every node (``CREATE …
  IF NOT EXISTS``, as the event schema's steps are): its own table and not an event-store
  migration, so the event schema's numbering stays the event store's. On a cluster each
  node has ``replay_chunks_local`` and a ``Distributed`` table over them, sharded by
  session like the events, so one session's chunks are on one shard.
* ``PARTITION BY`` the day the server took the chunk (what retention goes by), so old
  days are whole parts to delete. ``ReplacingMergeTree`` over (app, session, view, seq)
  folds a retry that raced its first attempt into one row at merge time; until then
  reads keep one row per key (``LIMIT 1 BY``), the earliest taken.
* Kept once: before inserting, ``save`` reads which of the chunks' keys are there
  already and inserts only the others (a retry comes after its first attempt was
  answered, so it finds it). Two writers inserting the same key in the same few
  milliseconds both insert; the table and the reads then keep one.
* Compression: the chunk column holds the gzip the browser sent. ``CODEC(ZSTD)`` came
  with ClickHouse 19.x: on a server that has it the column gets ``CODEC(ZSTD(1))``; on
  18.16 it has the table's default (LZ4, the server's ``<compression>`` settings), which
  over gzip changes little: the chunk is compressed either way.
* Chunks are read back as ``hex(data)``: the driver would decode a String column as
  UTF-8 text, which gzip is not.
* Deletes are mutations on each node's shard-local table, waited for (18.16 has no
  lightweight DELETE), as the event store's are.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

from pageheat.replay.base import Chunk, cut
from pageheat.replay.protocol import events_of
from pageheat.store.clickhouse_client import Client, Target, connect
from pageheat.store.clickhouse_maintenance import _wait_for_mutations
from pageheat.store.clickhouse_schema import _each_node, nodes

COLUMNS = ("app", "session", "view", "seq", "visitor", "first_ms", "last_ms", "snap_ms",
           "received_ms", "events", "bytes", "data")  # fmt: skip

#: The table on one node; ``{codec}`` is empty on servers older than 19.1.
SCHEMA = """CREATE TABLE IF NOT EXISTS {db}.{name} (
    app String, session String, view String, seq UInt32, visitor String,
    first_ms Int64, last_ms Int64, snap_ms Nullable(Int64), received_ms Int64,
    events UInt32, bytes UInt32, data String{codec}
) ENGINE = ReplacingMergeTree()
PARTITION BY toDate(toDateTime(intDiv(received_ms, 1000)))
ORDER BY (app, session, view, seq)"""

#: One row per chunk key even before merges fold duplicates: the earliest taken.
_ONE = "ORDER BY received_ms LIMIT 1 BY app, session, view, seq"


def has_codecs(client: Client) -> bool:
    """Whether the server takes column ``CODEC`` clauses (ClickHouse 19.1 and later)."""
    ((version,),) = client.query("SELECT version()")
    major, minor = (int(p) for p in str(version).split(".")[:2])
    return (major, minor) >= (19, 1)


def create(target: Target) -> None:
    """The replay table on every node of the target (and the Distributed table over the
    shard-local ones on a cluster); running it again changes nothing."""
    db = target.database
    for _node, client in _each_node(target, connect):
        client.command(f"CREATE DATABASE IF NOT EXISTS {db}")
        codec = " CODEC(ZSTD(1))" if has_codecs(client) else ""
        local = "replay_chunks_local" if target.cluster else "replay_chunks"
        client.command(SCHEMA.format(db=db, name=local, codec=codec))
        if target.cluster:
            client.command(
                f"CREATE TABLE IF NOT EXISTS {db}.replay_chunks AS {db}.replay_chunks_local"
                f" ENGINE = Distributed({target.cluster}, {db}, replay_chunks_local,"
                " sipHash64(session))"
            )


class ClickHouseReplays:
    """:class:`~pageheat.replay.base.ReplayStore` on ClickHouse; ``client`` talks to one
    node (any node of a cluster), ``shards`` to each node for deletes."""

    def __init__(self, client: Client, shards: list[Client] | None = None):
        self._db = client
        self._shards = shards
        self._lock = threading.Lock()  # one save at a time: its read-then-insert

    @classmethod
    def open(cls, url: str) -> ClickHouseReplays:
        """The replay store in the database a ``clickhouse://`` URL names (the event
        store's URL); makes its table when missing."""
        target = Target.parse(url)
        create(target)
        client = connect(target)
        shards = [connect(n) for n in nodes(target, client)] if target.cluster else None
        return cls(client, shards)

    def save(self, chunks: Sequence[Chunk]) -> list[bool]:
        if not chunks:
            return []
        with self._lock:
            keys = [(c.app, c.session, c.view, c.seq) for c in chunks]
            have = self._there(keys)
            fresh: list[bool] = []
            rows = []
            for c, key in zip(chunks, keys, strict=True):
                new = key not in have
                fresh.append(new)
                have.add(key)  # the same key twice in one call is kept once too
                if new:
                    rows.append((c.app, c.session, c.view, c.seq, c.visitor, c.first_ms,
                                 c.last_ms, c.snap_ms, c.received_ms, c.events,
                                 len(c.gzipped), c.gzipped))  # fmt: skip
            self._db.insert("replay_chunks", COLUMNS, rows)
        return fresh

    def _there(self, keys: list[tuple[str, str, str, int]]) -> set[tuple[str, str, str, int]]:
        found: set[tuple[str, str, str, int]] = set()
        by_app: dict[str, set[str]] = {}
        for app, session, _view, _seq in keys:
            by_app.setdefault(app, set()).add(session)
        for app, sessions in by_app.items():
            rows = self._db.query(
                "SELECT DISTINCT app, session, view, seq FROM replay_chunks"
                " WHERE app = ? AND session IN ?", [app, tuple(sessions)]
            )  # fmt: skip
            found.update((a, s, v, int(q)) for a, s, v, q in rows)
        return found

    def session_bytes(self, app: str, session: str) -> int:
        ((n,),) = self._db.query(
            f"SELECT sum(bytes) FROM (SELECT bytes FROM replay_chunks WHERE app = ?"
            f" AND session = ? {_ONE})", [app, session]
        )  # fmt: skip
        return int(n or 0)

    def events(
        self, app: str, session: str, from_ms: int | None = None, to_ms: int | None = None
    ) -> list[dict[str, Any]]:
        # Only the chunks from the last full snapshot at or before `from_ms` on are read.
        where = "app = ? AND session = ?"
        args: list[Any] = [app, session]
        if from_ms is not None:
            ((anchor,),) = self._db.query(
                "SELECT max(snap_ms) FROM replay_chunks WHERE app = ? AND session = ?"
                " AND snap_ms <= ?", [app, session, from_ms]
            )  # fmt: skip
            if anchor is not None:
                where += " AND last_ms >= ?"
                args.append(int(anchor))
        if to_ms is not None:
            where += " AND first_ms <= ?"
            args.append(to_ms)
        rows = self._db.query(
            f"SELECT first_ms, view, seq, hex(data) FROM (SELECT first_ms, view, seq, data,"
            f" received_ms, app, session FROM replay_chunks WHERE {where} {_ONE})"
            " ORDER BY first_ms, view, seq", args
        )  # fmt: skip
        events = [e for *_key, blob in rows for e in events_of(bytes.fromhex(blob))]
        return cut(events, from_ms, to_ms)

    def span(self, app: str, session: str) -> tuple[int, int] | None:
        """(first event ms, last event ms) of a session's replay (``ReplayStore.span``)."""
        ((n, lo, hi),) = self._db.query(
            "SELECT count(), min(first_ms), max(last_ms) FROM replay_chunks"
            " WHERE app = ? AND session = ?", [app, session]
        )  # fmt: skip
        return (int(lo), int(hi)) if n else None

    def with_replay(self, app: str, sessions: Iterable[str]) -> set[str]:
        wanted = tuple(dict.fromkeys(sessions))
        if not wanted:
            return set()
        rows = self._db.query(
            "SELECT DISTINCT session FROM replay_chunks WHERE app = ? AND session IN ?",
            [app, wanted],
        )
        return {r[0] for r in rows}

    def forget_visitor(self, app: str, visitor: str) -> dict[str, int]:
        return self._delete("app = ? AND visitor = ?", [app, visitor])

    def delete_app(self, app: str) -> dict[str, int]:
        return self._delete("app = ?", [app])

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        return self._delete("app = ? AND received_ms < ?", [app, before_ms])

    def count(self, app: str | None = None) -> int:
        inner = "SELECT app FROM replay_chunks" + (" WHERE app = ?" if app else "")
        ((n,),) = self._db.query(f"SELECT count() FROM ({inner} {_ONE})",
                                 [app] if app else None)  # fmt: skip
        return int(n)

    def close(self) -> None:
        self._db.close()
        for c in self._shards or []:
            c.close()

    def _delete(self, where: str, args: list[Any]) -> dict[str, int]:
        """Count the chunks, then delete them by a mutation on each node, waited for."""
        with self._lock:
            ((n,),) = self._db.query(
                f"SELECT count() FROM (SELECT app FROM replay_chunks WHERE {where} {_ONE})",
                args,
            )
            if n:
                targets = ([(self._db, "replay_chunks")] if self._shards is None
                           else [(c, "replay_chunks_local") for c in self._shards])  # fmt: skip
                for client, table in targets:
                    client.command(f"ALTER TABLE {table} DELETE WHERE {where}", args)
                for client, table in targets:
                    _wait_for_mutations(client, table)
        return {"replay_chunks": int(n)}


__all__ = ["ClickHouseReplays", "create", "has_codecs"]
