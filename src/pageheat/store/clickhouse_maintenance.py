"""Bulk loads, dumps, deletions and retention in ClickHouse.

Part of :class:`~pageheat.store.clickhouse.ClickHouseStore` (a mixin: it uses the
store's ``_db`` client, ``_shards``, ``_read`` and ``_write_lock``). Deletions are
mutations (18.16 has no lightweight DELETE), run on each node's shard-local tables
(a Distributed table does not pass them on) and waited for, so that a caller told the
rows are gone can rely on it; the heat rollup gets negative rows for the interactions
deleted, which its reads sum away.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pageheat.store import rollup
from pageheat.store.clickhouse_client import Client
from pageheat.store.rows import TABLES, VISITOR_COLUMNS
from pageheat.store.sql import CLICKHOUSE

if TYPE_CHECKING:
    import pyarrow as pa


#: The rollup tables (store/rollup.py): an app's deletion empties them of its rows.
ROLLUPS = ("heat_rollup", "heat_rollup_month", "session_rollup")
#: A row's UTC day, as the rollups key it.
DAY = CLICKHOUSE.day.format(t="t", day=rollup.DAY_MS)

#: Tables a dump (``pageheat export``) reads, with their columns: the events and each
#: visitor's first session (pictures are in the picture store, not here).
DUMPED = {**TABLES, "visitors": VISITOR_COLUMNS}


class Maintenance:
    """Bulk and deletion methods of the ClickHouse store."""

    _db: Client
    _shards: list[Client] | None
    _write_lock: threading.Lock

    def _read(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # the store's

    # -- bulk loading and dumping ------------------------------------------------------

    def load(self, tables: Mapping[str, pa.Table]) -> int:
        """Rows as they are (see the protocol). Not one transaction: ClickHouse has none
        across tables; each table's rows go in as one insert. Visitors are appended, and
        reads take each one's earliest first session, which is the protocol's upsert."""
        loaded = 0
        with self._write_lock:
            for table, columns in (*TABLES.items(), ("visitors", VISITOR_COLUMNS)):
                data = tables.get(table)
                if data is None or data.num_rows == 0:
                    continue
                cols = [_no_nulls(data.column(c)) for c in columns]
                self._db.insert(table, columns, list(zip(*cols, strict=True)))
                loaded += data.num_rows if table != "visitors" else 0
        return loaded

    def dump(self, table: str, chunk_rows: int = 100_000) -> Iterator[pa.Table]:
        """Every row of one of :data:`DUMPED` tables, in chunks (``pageheat export``).

        One query, read whole before the first chunk: a store moving out of ClickHouse
        is rare, and paging with LIMIT/OFFSET would not be stable between queries.
        """
        import pyarrow as pa

        columns = DUMPED[table]
        rows = self._read(f"SELECT {', '.join(columns)} FROM {table}", [])
        for i in range(0, len(rows), chunk_rows):
            cols = list(zip(*rows[i : i + chunk_rows], strict=True))
            yield pa.table({c: list(v) for c, v in zip(columns, cols, strict=True)})

    # -- privacy and retention ---------------------------------------------------------

    def forget_visitor(self, app: str, visitor: str) -> dict[str, int]:
        return self._delete(
            [(t, "app = ? AND visitor = ?", [app, visitor]) for t in (*TABLES, "visitors")]
        )

    def delete_app(self, app: str) -> dict[str, int]:
        steps = [(t, "app = ?", [app]) for t in (*TABLES, "visitors", "batches")]
        steps += [(t, "app = ?", [app]) for t in ROLLUPS]
        return self._delete(steps)

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        """The retention job: ClickHouse 18.16 has no TTL clause, so old rows go by a
        delete (a mutation per table), run for each app by its retention setting."""
        steps = [(t, "app = ? AND t < ?", [app, before_ms]) for t in (*TABLES, "visitors")]
        steps.append(("batches", "app = ? AND received < ?", [app, before_ms]))
        return self._delete(steps)

    def _delete(self, steps: list[tuple[str, str, list[Any]]]) -> dict[str, int]:
        """Count, then delete by mutation on every node, and wait until each is done (a
        mutation is asynchronous; the caller is told the rows are gone only once they
        are). Rows deleted per table."""
        counts: dict[str, int] = {}
        recount: tuple[str, tuple[int, ...]] | None = None
        with self._write_lock:
            for table, where, params in steps:
                ((n,),) = self._read(f"SELECT count() FROM {table} WHERE {where}", params)
                counts[table] = counts.get(table, 0) + int(n)
                if not n:
                    continue
                if table == "interactions":  # both point tiers forget them too
                    for tier, name in (("day", "heat_rollup"), ("month", "heat_rollup_month")):
                        self._db.command(
                            f"INSERT INTO {name} {rollup.select('clickhouse', -1, tier)}"
                            f" FROM interactions WHERE {where} GROUP BY {rollup.group_by(tier)}",
                            params,
                        )
                if table == "pageviews" and not any(t == "session_rollup" for t, _, _ in steps):
                    # the days whose session sets are counted again once the rows are gone
                    days = self._read(f"SELECT DISTINCT {DAY} FROM pageviews WHERE {where}", params)
                    recount = (params[0], tuple(sorted(int(d) for (d,) in days)))
                for node, name in self._nodes(table):
                    node.command(f"ALTER TABLE {name} DELETE WHERE {where}", params)
            for node, name in {(n, t) for table, _, _ in steps for n, t in self._nodes(table)}:
                _wait_for_mutations(node, name)
            if recount is not None:
                self._recount_sessions(*recount)
        return counts

    def _recount_sessions(self, app: str, days: tuple[int, ...]) -> None:
        """An app's session sets of ``days``, counted again from the page views left on
        each node (a set state cannot take a session out): its rows go, then the page
        views of those days count in again, shard by shard."""
        sets = self._nodes("session_rollup")
        for node, name in sets:
            node.command(f"ALTER TABLE {name} DELETE WHERE app = ? AND day IN ?", [app, days])
        for node, name in sets:
            _wait_for_mutations(node, name)
        for (node, name), (_, pageviews) in zip(sets, self._nodes("pageviews"), strict=True):
            node.command(
                f"INSERT INTO {name} {rollup.session_select('clickhouse')} FROM {pageviews}"
                f" WHERE app = ? AND {DAY} IN ? GROUP BY {', '.join(rollup.SESSION_KEY)}",
                [app, days],
            )

    def _nodes(self, table: str) -> list[tuple[Client, str]]:
        if self._shards is None:
            return [(self._db, table)]
        return [(c, f"{table}_local") for c in self._shards]


def _no_nulls(column: pa.ChunkedArray) -> list[Any]:
    """A column's values with NULL as its type's zero: ClickHouse columns here are not
    Nullable (a DuckDB file from an early release has NULLs where it later wrote '')."""
    import pyarrow as pa

    values = column.to_pylist()
    if not column.null_count:
        return values
    t = column.type
    zero: Any = (
        "" if pa.types.is_string(t) or pa.types.is_large_string(t)
        else False if pa.types.is_boolean(t)
        else [] if pa.types.is_list(t) or pa.types.is_large_list(t)
        else 0
    )  # fmt: skip
    return [zero if v is None else v for v in values]


def _wait_for_mutations(client: Client, table: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        ((pending,),) = client.query(
            "SELECT count() FROM system.mutations WHERE database = currentDatabase()"
            " AND table = ? AND is_done = 0",
            [table],
        )
        if not pending:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"deleting from {table} takes over {timeout_s} s")
        time.sleep(0.02)
