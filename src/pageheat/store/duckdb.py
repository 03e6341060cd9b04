"""The embedded event store: one DuckDB file, one writer, parallel readers.

Writes arrive from the collector's single writer thread already grouped (group commit),
so each :meth:`DuckDBStore.write` is one transaction: rows go in as Arrow tables (DuckDB
reads them without a per-row round trip), and the commit is on disk before the collector
answers 202. Reads run on their own cursors, so the dashboard never waits on ingestion.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pageheat.heat.placement import Points
from pageheat.store import duckdb_rollup, duckdb_schema
from pageheat.store.base import Envelope, PageState, WidthClasses
from pageheat.store.outcomes import OutcomeReads
from pageheat.store.reads import Reads
from pageheat.store.rows import TABLES, VIEW_DIMENSIONS, VISITOR_COLUMNS, Row, build_tables
from pageheat.store.sessions import SessionReads
from pageheat.store.sql import DUCKDB


class DuckDBStore(Reads, SessionReads, OutcomeReads):
    """The default store; ``path`` is the DuckDB file (``:memory:`` for throwaway use).

    Its reads are :class:`~pageheat.store.reads.Reads`, in DuckDB's dialect, each on a
    cursor of its own."""

    dialect = DUCKDB

    def __init__(self, path: str | Path, widths: WidthClasses | None = None):
        self.path = str(path)
        #: The width-class bounds rows are classed by (ingest) and the rollup read by.
        self.widths = widths or WidthClasses()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb_schema.connect(self.path)
        self._write_lock = threading.Lock()
        # the rollups rows added since the last start, in view order (before any write)
        duckdb_rollup.maybe_recluster(self._con)
        #: (app, visitor) → first (session, t), for visitors seen lately: this process is
        #: the file's only writer, so what it committed stays true, and an active visitor's
        #: every batch needs no lookup.
        self._firsts: OrderedDict[tuple[str, str], tuple[str, int]] = OrderedDict()
        #: (app, view id) → (t, name, width class, hash, vw) of the layouts this process
        #: wrote lately: the collector asks for them right after the write (need_snapshot),
        #: and reading them back from the layouts table scanned all of it on every batch.
        self._layouts: OrderedDict[tuple[str, str], tuple[int, str, str, str, float]] = (
            OrderedDict()
        )

    # -- writing ---------------------------------------------------------------------

    def write(self, envelopes: list[Envelope]) -> list[bool]:
        """Store a group of batches in one transaction; per batch, whether it was new.

        Columnar all the way (docs/performance.md): the rows are Arrow tables built from the decoded
        events (store/rows.py ``build_tables``), each table is one INSERT, the rollups are
        kept from the interactions' and page views' tables in the same transaction
        (store/duckdb_rollup.py), and the batch ids are claimed with one INSERT … ON
        CONFLICT DO NOTHING that answers which ids were new. A dozen statements and one
        commit (one fsync) per group, whatever its size.
        """
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                fresh = self._claim_batches(cur, envelopes)
                kept = [e for e, new in zip(envelopes, fresh, strict=True) if new]
                tables = build_tables(
                    kept,
                    lambda app, ids: self._lookup_views(cur, app, ids),
                    lambda app, visitors: self._first_sessions(cur, app, visitors),
                    self.widths,
                )
                for table, columns in TABLES.items():
                    if table in tables:
                        _insert_arrow(cur, table, columns, tables[table])
                # the rollups, in the same transaction
                duckdb_rollup.add(cur, tables.get("interactions"), tables.get("pageviews"))
                visitors = tables.get("visitors")
                if visitors is not None:
                    _upsert_visitors(cur, visitors)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            if "layouts" in tables:
                self._remember_layouts(tables["layouts"])
            if visitors is not None:
                for app, visitor, session, t in zip(
                    *(visitors.column(c).to_pylist() for c in VISITOR_COLUMNS), strict=True
                ):
                    self._remember((app, visitor), (session, t))  # fmt: skip
        return fresh

    def _remember(self, key: tuple[str, str], first: tuple[str, int]) -> None:
        self._firsts[key] = first
        self._firsts.move_to_end(key)
        if len(self._firsts) > _FIRSTS_KEPT:
            self._firsts.popitem(last=False)

    def _remember_layouts(self, layouts: pa.Table) -> None:
        cols = ("app", "view_id", "t", "name", "width_class", "hash", "vw")
        for app, view_id, t, *state in zip(*(layouts.column(c).to_pylist() for c in cols),
                                           strict=True):  # fmt: skip
            key = (app, view_id)
            if key not in self._layouts or self._layouts[key][0] <= t:  # the latest counts
                self._layouts[key] = (t, *state)
                self._layouts.move_to_end(key)
        while len(self._layouts) > _LAYOUTS_KEPT:
            self._layouts.popitem(last=False)

    def _claim_batches(self, cur: Any, envelopes: list[Envelope]) -> list[bool]:
        """Mark batch ids as seen; a retried batch (same app and id) is not stored again.

        One statement: the ids go in with ON CONFLICT DO NOTHING, and RETURNING names the
        ones that were not there yet (a retry of an earlier commit is not returned). An id
        twice in this group is new once, the first time.
        """
        first: dict[tuple[str, str], int] = {}
        for e in envelopes:
            if e.batch_id:
                first.setdefault((e.app, e.batch_id), e.received_ms)
        new: set[tuple[str, str]] = set()
        if first:
            keys = list(first)
            cur.register("claimed", pa.table({
                "app": [a for a, _ in keys], "id": [i for _, i in keys],
                "received": pa.array(list(first.values()), pa.int64()),
            }))  # fmt: skip
            try:
                new = set(cur.execute(
                    "INSERT INTO batches (app, id, received) SELECT app, id, received"
                    " FROM claimed ON CONFLICT DO NOTHING RETURNING app, id"
                ).fetchall())  # fmt: skip
            finally:
                cur.unregister("claimed")
        fresh: list[bool] = []
        for e in envelopes:
            key = (e.app, e.batch_id)
            if not e.batch_id:
                fresh.append(True)
            elif key in new:
                new.discard(key)  # the first of this id in the group; a second is a retry
                fresh.append(True)
            else:
                fresh.append(False)
        return fresh

    def _lookup_views(self, cur: Any, app: str, ids: list[str]) -> dict[str, Row]:
        wanted = (*VIEW_DIMENSIONS, "vw")
        rows = cur.execute(
            f"SELECT view_id, {', '.join(wanted)} FROM pageviews WHERE app = ? AND view_id IN"
            f" (SELECT unnest(?::VARCHAR[]))",
            [app, ids],
        ).fetchall()
        return {r[0]: dict(zip(wanted, r[1:], strict=True)) for r in rows}

    def _first_sessions(self, cur: Any, app: str, visitors: list[str]) -> dict[str, tuple]:
        found = {}
        for v in visitors:
            if (app, v) in self._firsts:
                found[v] = self._firsts[(app, v)]
                self._firsts.move_to_end((app, v))
        missing = [v for v in visitors if v not in found]
        if missing:
            rows = cur.execute(
                "SELECT visitor, session, t FROM visitors WHERE app = ?"
                " AND visitor IN (SELECT unnest(?::VARCHAR[]))",
                [app, missing],
            ).fetchall()
            for v, session, t in rows:
                found[v] = (session, t)
                self._remember((app, v), (session, t))  # committed before: true either way
        return found

    # -- reading ---------------------------------------------------------------------

    def _read(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with self._con.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def _rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        with self._con.cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def _arrow(self, sql: str, params: dict[str, Any]) -> pa.Table:
        with self._con.cursor() as cur:
            rel = cur.sql(sql, params=params)
            # DuckDB 2 names it to_arrow_table; 1.x arrow().
            return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()

    def _columns(self, sql: str, params: dict[str, Any]) -> list[np.ndarray]:
        table = self._arrow(sql, params)
        if table.num_rows == 0:
            return []
        return [c.to_numpy(zero_copy_only=False) for c in table.columns]

    def _points(self, sql: str, params: dict[str, Any]) -> Points:
        """Points from a query's Arrow result, without a Python loop over rows."""
        table = self._arrow(sql, params)
        if table.num_rows == 0:
            return Points.empty()
        # by position: x, y, dw, rx, ry, sel, touch (a map's snapped read names them apart)
        # and, from the rollup, each row's count
        codes = pc.dictionary_encode(table.column(5)).combine_chunks()
        return Points(
            x=_np(table, 0),
            y=_np(table, 1),
            dw=_np(table, 2),
            rx=_np(table, 3),
            ry=_np(table, 4),
            sel=codes.indices.to_numpy(zero_copy_only=False).astype(np.int32),
            touch=table.column(6).to_numpy().astype(bool),
            selectors=codes.dictionary.to_pylist(),
            n=table.column(7).to_numpy().astype(np.int64) if table.num_columns > 7 else None,
        )

    # -- page states and snapshots ---------------------------------------------------

    def layout_states(self, app: str, view_ids: list[str]) -> list[PageState]:
        if not view_ids:
            return []
        # the layouts this process just wrote are in memory; only the others are read
        recent = [(v, self._layouts.get((app, v))) for v in dict.fromkeys(view_ids)]
        older = [v for v, state in recent if state is None]
        asked = [(v, *state[1:]) for v, state in recent if state is not None and state[4] > 0]
        if older:
            asked += self._read(
                "SELECT view_id, arg_max(name, t), arg_max(width_class, t), arg_max(hash, t),"
                " arg_max(vw, t) FROM layouts WHERE app = ? AND view_id IN"
                " (SELECT unnest(?::VARCHAR[])) AND vw > 0 GROUP BY view_id",
                [app, older],
            )
        return sorted((PageState(*r) for r in asked), key=lambda st: st.view_id)

    def page_state(self, app: str, view_id: str, layout_hash: str) -> PageState | None:
        rows = self._read(
            "SELECT view_id, name, width_class, hash, vw FROM layouts"
            " WHERE app = ? AND view_id = ? AND hash = ? AND vw > 0 ORDER BY t DESC LIMIT 1",
            [app, view_id, layout_hash],
        )
        return PageState(*rows[0]) if rows else None

    def load(self, tables: Mapping[str, pa.Table]) -> int:
        loaded = 0
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                for table, columns in TABLES.items():
                    data = tables.get(table)
                    if data is None or data.num_rows == 0:
                        continue
                    cols = ", ".join(columns)
                    cur.register("incoming", data.select(list(columns)))
                    try:
                        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM incoming")
                    finally:
                        cur.unregister("incoming")
                    if table == "interactions":
                        duckdb_rollup.add(cur, data, None)
                    elif table == "pageviews":
                        duckdb_rollup.add(cur, None, data)
                    loaded += data.num_rows
                visitors = tables.get("visitors")
                if visitors is not None and visitors.num_rows:
                    cur.register("incoming_visitors", visitors.select(list(VISITOR_COLUMNS)))
                    try:
                        cur.execute(
                            "INSERT INTO visitors SELECT app, visitor, session, t"
                            " FROM incoming_visitors ON CONFLICT (app, visitor) DO UPDATE"
                            " SET session = excluded.session, t = excluded.t"
                            " WHERE excluded.t < visitors.t"
                        )
                    finally:
                        cur.unregister("incoming_visitors")
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            self._firsts.clear()  # what it remembered may be older than a loaded first
            self._layouts.clear()
            duckdb_rollup.maybe_recluster(cur)  # a bulk load lands out of view order
        return loaded

    # -- privacy ---------------------------------------------------------------------

    def forget_visitor(self, app: str, visitor: str) -> dict[str, int]:
        tables = [*TABLES, "visitors"]
        return self._delete([(t, "app = ? AND visitor = ?", [app, visitor]) for t in tables],
                            forget=lambda key: key == (app, visitor))  # fmt: skip

    def delete_app(self, app: str) -> dict[str, int]:
        steps = [(t, "app = ?", [app]) for t in (*TABLES, "visitors", "batches")]
        # the app's rollups too
        steps += [(t, "app = ?", [app]) for t in ("heat_rollup", "heat_rollup_month")]
        return self._delete(steps, forget=lambda key: key[0] == app)

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        steps = [(t, "app = ? AND t < ?", [app, before_ms]) for t in (*TABLES, "visitors")]
        steps.append(("batches", "app = ? AND received < ?", [app, before_ms]))
        # a visitor whose first session expired is new again when it comes back
        counts = self._delete(steps, forget=lambda key: key[0] == app)
        with self._write_lock, self._con.cursor() as cur:  # the retention job's daily round
            duckdb_rollup.maybe_recluster(cur)
        return counts

    def _delete(self, steps: list[tuple[str, str, list[Any]]], forget: Any) -> dict[str, int]:
        """Run DELETEs in one transaction under the write lock (the writer's own), then
        checkpoint so the rows leave the write-ahead log too; rows deleted per table."""
        counts: dict[str, int] = {}
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                for table, where, params in steps:
                    if table == "interactions":  # the point rollups forget them too
                        duckdb_rollup.subtract_interactions(cur, where, params)
                    elif table == "pageviews":  # and the session sets they were in
                        duckdb_rollup.note_pageviews(cur, where, params)
                    ((n,),) = cur.execute(f"DELETE FROM {table} WHERE {where}", params).fetchall()
                    counts[table] = counts.get(table, 0) + int(n)
                    if table == "pageviews":
                        duckdb_rollup.recount_sessions(cur)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            for key in [k for k in self._firsts if forget(k)]:
                del self._firsts[key]
            self._layouts.clear()  # whose views were deleted is not known here
            if any(counts.values()) and self.path != ":memory:":
                cur.execute("CHECKPOINT")
        return counts

    def dump(self, table: str, chunk_rows: int = 100_000) -> Iterator[pa.Table]:
        """Every row of an event table or ``visitors``, in Arrow chunks (``pageheat
        export``), read on a cursor of its own while the writer goes on."""
        columns = {**TABLES, "visitors": VISITOR_COLUMNS}[table]
        with self._con.cursor() as cur:
            result = cur.execute(f"SELECT {', '.join(columns)} FROM {table}")
            # DuckDB 2 names it to_arrow_reader; 1.x fetch_record_batch
            read = getattr(result, "to_arrow_reader", None) or result.fetch_record_batch
            for batch in read(chunk_rows):
                yield pa.Table.from_batches([batch])

    def close(self) -> None:
        self._con.close()


# -- helpers ---------------------------------------------------------------------------


def _insert_arrow(cur: Any, table: str, columns: tuple[str, ...], arrow: pa.Table) -> None:
    cur.register("incoming", arrow)
    try:
        cols = ", ".join(columns)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM incoming")
    finally:
        cur.unregister("incoming")


def _np(table: pa.Table, column: str | int) -> np.ndarray:
    return table.column(column).to_numpy().astype(np.float64)


#: Visitors whose first session a store keeps in memory.
_FIRSTS_KEPT = 100_000
#: Page views whose latest layout a store keeps in memory (the collector asks after every batch).
_LAYOUTS_KEPT = 100_000


def _upsert_visitors(cur: Any, visitors: pa.Table) -> None:
    cur.register("incoming_visitors", visitors)
    try:
        cur.execute(
            "INSERT INTO visitors SELECT app, visitor, session, t FROM incoming_visitors"
            " ON CONFLICT (app, visitor) DO UPDATE SET session = excluded.session, t = excluded.t"
        )
    finally:
        cur.unregister("incoming_visitors")
