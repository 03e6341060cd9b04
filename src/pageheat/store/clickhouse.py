"""The scale-out event store: ClickHouse over its native protocol, one server or a cluster.

Same protocol and same reads as the DuckDB store: both are :class:`~pageheat.store.reads.Reads`
in their own dialect (store/sql.py), and ``tests/store/test_contract.py`` holds both to
the protocol. What differs is what a cluster of stateless writers needs:

* No transactions: a write inserts each table's rows once, synchronously (on a cluster
  ``insert_distributed_sync``), so an acknowledged batch is on its shards.
* Retried batches: each writer *claims* the batch ids of a write in ``batches`` with a
  token of its own, reads the claims back, and keeps the envelopes whose earliest claim
  (by claim time, then token) is its own. A retry that comes after the first attempt
  was answered (the tracker's case: it retries after a timeout or a lost answer) always
  finds the earlier claim. Two writers claiming the same id within the same instant
  may both win when one of them read before the other's claim landed and the clocks
  disagree: that window is a few milliseconds of a retry racing its own first attempt,
  and closing it would need Keeper (``ReplicatedMergeTree`` insert deduplication).
  A write that fails after claiming withdraws its claims, so the retry is not refused.
* Reads join nothing across shards: events are sharded by session, so an ``IN`` over
  page views of a shard finds that shard's events (``distributed_product_mode=local``),
  and the few answers that combine tables are combined in Python (store/reads.py), as
  the DuckDB store's are.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any

from pageheat.store.base import Envelope, PageState, WidthClasses
from pageheat.store.clickhouse_client import Client, Target, connect
from pageheat.store.clickhouse_maintenance import Maintenance
from pageheat.store.outcomes import OutcomeReads
from pageheat.store.reads import Reads
from pageheat.store.rows import TABLES, VIEW_DIMENSIONS, VISITOR_COLUMNS, Row, build_rows
from pageheat.store.sessions import SessionReads
from pageheat.store.sql import CLICKHOUSE


class ClickHouseStore(Reads, SessionReads, OutcomeReads, Maintenance):
    """The ClickHouse store; ``client`` talks to one node (any node of a cluster)."""

    dialect = CLICKHOUSE

    def __init__(
        self,
        client: Client,
        shards: list[Client] | None = None,
        rollups: bool = True,
        widths: WidthClasses | None = None,
    ):
        self._db = client
        #: The width-class bounds rows are classed by (ingest) and the rollup read by.
        self.widths = widths or WidthClasses()
        #: Whether point maps read the heat rollup when it covers the query (tests turn
        #: it off to compare with the raw rows).
        self.rollups = rollups
        #: On a cluster, a client per node: deletes (mutations) run on each node's
        #: shard-local tables, which a Distributed table does not pass on.
        self._shards = shards
        self._write_lock = threading.Lock()

    @classmethod
    def open(
        cls, url: str, migrate: bool = True, widths: WidthClasses | None = None
    ) -> ClickHouseStore:
        """The store a ``clickhouse://host:port/db[?cluster=NAME]`` URL names; creates the
        schema when it is missing (as the DuckDB store does on opening its file)."""
        from pageheat.store.clickhouse_schema import migrate as run_migrations
        from pageheat.store.clickhouse_schema import nodes

        target = Target.parse(url)
        if migrate:
            run_migrations(target)
        client = connect(target)
        shards = [connect(n) for n in nodes(target, client)] if target.cluster else None
        return cls(client, shards, widths=widths)

    # -- writing ---------------------------------------------------------------------

    def write(self, envelopes: list[Envelope]) -> list[bool]:
        with self._write_lock:
            fresh, claimed = self._claim_batches(envelopes)
            kept = [e for e, new in zip(envelopes, fresh, strict=True) if new]
            try:
                rows = build_rows(kept, self._lookup_views, self._first_sessions, self.widths)
                for table, columns in TABLES.items():
                    self._insert(table, columns, rows[table])
                self._insert("visitors", VISITOR_COLUMNS, rows["visitors"])
            except BaseException:
                self._release(claimed)
                raise
        return fresh

    def _insert(self, table: str, columns: tuple[str, ...], rows: list[Row]) -> None:
        self._db.insert(table, columns, [tuple(r[c] for c in columns) for r in rows])

    def _claim_batches(self, envelopes: list[Envelope]) -> tuple[list[bool], list[tuple]]:
        """Claim the write's batch ids; per envelope, whether this write is the first."""
        keys = list(dict.fromkeys((e.app, e.batch_id) for e in envelopes if e.batch_id))
        if not keys:
            return [True] * len(envelopes), []
        # a token per write, no other write's (here or in another process), that sorts
        # by when it was made: the earliest claim of an id wins
        token = f"{time.time_ns():020d}-{uuid.uuid4().hex}"
        received = {(e.app, e.batch_id): e.received_ms for e in envelopes}
        claims = [(app, bid, int(received[(app, bid)]), token) for app, bid in keys]
        self._db.insert("batches", ("app", "id", "received", "token"), claims)
        winners = {
            (app, bid): token
            for app, bid, token in self._db.query(
                "SELECT app, id, min(token) FROM batches WHERE (app, id) IN ? GROUP BY app, id",
                [_pairs(keys)],
            )
        }
        fresh, seen = [], set()
        for e in envelopes:
            key = (e.app, e.batch_id)
            if not e.batch_id:
                fresh.append(True)
            elif key in seen or winners.get(key) != token:
                fresh.append(False)
            else:
                seen.add(key)
                fresh.append(True)
        return fresh, [c for c in claims if winners.get(c[:2]) == token]

    def _release(self, claims: list[tuple]) -> None:
        """Withdraw claims of a write that failed, so that its retry is stored.

        A mutation (18.16 has no lightweight delete): rare, and only on failure.
        """
        if not claims:
            return
        # the server may be gone: then the original error is the one to report
        with contextlib.suppress(Exception):
            self._db.command(
                "ALTER TABLE batches DELETE WHERE token = ? AND (app, id) IN ?",
                [claims[0][3], _pairs([c[:2] for c in claims])],
            )

    def _lookup_views(self, app: str, ids: list[str]) -> dict[str, Row]:
        wanted = (*VIEW_DIMENSIONS, "vw")
        rows = self._read(
            f"SELECT view_id, {', '.join(wanted)} FROM pageviews WHERE app = ? AND view_id IN ?",
            [app, tuple(ids)],
        )
        return {r[0]: dict(zip(wanted, r[1:], strict=True)) for r in rows}

    def _first_sessions(self, app: str, visitors: list[str]) -> dict[str, tuple]:
        rows = self._read(
            "SELECT visitor, argMin(session, t), min(t) FROM visitors WHERE app = ?"
            " AND visitor IN ? GROUP BY visitor",
            [app, tuple(visitors)],
        )
        return {v: (s, int(t)) for v, s, t in rows}

    # -- reading ---------------------------------------------------------------------

    def _read(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        return self._db.query(sql, params)

    def _rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return self._db.query(sql, params)

    def _columns(self, sql: str, params: dict[str, Any]) -> list[Sequence[Any]]:
        return self._db.columns(sql, params)

    # -- page states ---------------------------------------------------------------

    def layout_states(self, app: str, view_ids: list[str]) -> list[PageState]:
        if not view_ids:
            return []
        rows = self._read(
            "SELECT view_id, argMax(name, t), argMax(width_class, t), argMax(hash, t),"
            " argMax(vw, t) FROM layouts WHERE app = ? AND view_id IN ? AND vw > 0"
            " GROUP BY view_id ORDER BY view_id",
            [app, tuple(view_ids)],
        )
        return [PageState(*r) for r in rows]

    def page_state(self, app: str, view_id: str, layout_hash: str) -> PageState | None:
        rows = self._read(
            "SELECT view_id, name, width_class, hash, vw FROM layouts"
            " WHERE app = ? AND view_id = ? AND hash = ? AND vw > 0 ORDER BY t DESC LIMIT 1",
            [app, view_id, layout_hash],
        )
        return PageState(*rows[0]) if rows else None

    def close(self) -> None:
        self._db.close()
        for c in self._shards or ():
            c.close()


def _pairs(keys: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(app, id) pairs as a set literal for ``(app, id) IN ?``: one pair alone would read
    as a tuple of two values, so it is given twice."""
    return tuple(keys) if len(keys) > 1 else (keys[0], keys[0])
