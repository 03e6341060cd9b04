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
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pageheat.heat.placement import Points
from pageheat.store import rollup
from pageheat.store.base import (
    FILTERS,
    POINT_KINDS,
    Depths,
    Envelope,
    PageState,
    Query,
    parse_filters,
    stats_answer,
)
from pageheat.store.rows import TABLES, VIEW_DIMENSIONS, VISITOR_COLUMNS, Row, build_tables


def _schema_sql() -> str:
    return resources.files("pageheat.store").joinpath("schema/duckdb.sql").read_text()


class DuckDBStore:
    """The default store; ``path`` is the DuckDB file (``:memory:`` for throwaway use)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(self.path)
        before = _columns(self._con, "pageviews")
        had_visitors = bool(_columns(self._con, "visitors"))
        had_rollup = bool(_columns(self._con, "heat_rollup"))
        self._con.execute(_schema_sql())
        if before and "visitor_type" not in before:
            _fill_filter_dimensions(self._con)
        if before and not had_visitors:
            _fill_visitors(self._con)
        if before and not had_rollup:
            _fill_rollup(self._con)
        #: Whether point maps read the heat rollup when it covers the query (tests turn
        #: it off to compare with the raw rows).
        self.rollups = True
        self._write_lock = threading.Lock()
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

        Columnar all the way (issue 9): the rows are Arrow tables built from the decoded
        events (store/rows.py ``build_tables``), each table is one INSERT, the heat rollup
        is upserted from the interactions' table in the same transaction, and the batch
        ids are claimed with one INSERT … ON CONFLICT DO NOTHING that answers which ids
        were new. Nine statements and one commit (one fsync) per group, whatever its size.
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
                )
                for table, columns in TABLES.items():
                    if table in tables:
                        _insert_arrow(cur, table, columns, tables[table])
                if "interactions" in tables:  # the heat rollup, in the same transaction
                    _add_to_rollup(cur, tables["interactions"].select(list(rollup.SOURCE)))
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

    def views(self, query: Query) -> list[dict[str, Any]]:
        where, params = _where(query, view=False)
        rows = self._read(
            f"""
            WITH pv AS (
                SELECT name, count(*) AS page_views, count(DISTINCT visitor) AS visitors,
                       arg_max(url, t) AS url
                FROM pageviews WHERE {where} GROUP BY name
            ), cl AS (
                SELECT name, count(*) AS clicks FROM interactions
                WHERE {where} AND kind = 'click' GROUP BY name
            )
            SELECT pv.name, pv.page_views, pv.visitors, coalesce(cl.clicks, 0), pv.url
            FROM pv LEFT JOIN cl USING (name)
            ORDER BY pv.page_views DESC, pv.name
            """,
            params + params,
        )
        return [
            {"name": n, "page_views": pvs, "visitors": vis, "clicks": c, "url": u}
            for n, pvs, vis, c, u in rows
        ]

    def map_points(self, query: Query, kind: str = "click") -> Points:
        """The points a heatmap draws, snapped to their cell (store/rollup.py): read from
        the heat rollup when it covers the query (each distinct point once, with its
        count), else from the raw rows."""
        if self.rollups and rollup.covers(query):
            return self._arrow_points(*rollup.point_query(query, kind, merged=False))
        where, params = _where(query)
        return self._arrow_points(
            f"SELECT {rollup.POINT_COLUMNS} FROM interactions WHERE {where}"
            f" AND {POINT_KINDS[kind]}",
            params,
        )

    def points(self, query: Query, kind: str = "click") -> Points:
        where, params = _where(query)
        return self._arrow_points(
            f"SELECT x, y, dw, rx, ry, sel, pointer = 'touch' AS touch FROM interactions"
            f" WHERE {where} AND {POINT_KINDS[kind]}",
            params,
        )

    def _arrow_points(self, sql: str, params: list[Any]) -> Points:
        """Points from a query's Arrow result, without a Python loop over rows."""
        with self._con.cursor() as cur:
            rel = cur.sql(sql, params=params)
            # DuckDB 2 names it to_arrow_table; 1.x arrow().
            table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
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

    def actions(self, query: Query, limit: int = 100) -> list[dict[str, Any]]:
        where, params = _where(query)
        rows = self._read(
            f"""
            SELECT sel, arg_max(tag, t), arg_max(text, t), count(*) AS n,
                   count(DISTINCT visitor), sum(CASE WHEN rage > 0 THEN 1 ELSE 0 END),
                   sum(CASE WHEN dead THEN 1 ELSE 0 END), sum(CASE WHEN error THEN 1 ELSE 0 END)
            FROM interactions WHERE {where} AND kind = 'click'
            GROUP BY sel ORDER BY n DESC, sel LIMIT ?
            """,
            [*params, limit],
        )
        return [
            {"selector": s, "tag": tag, "text": text, "count": n, "visitors": v,
             "rage": r, "dead": d, "error": e}
            for s, tag, text, n, v, r, d, e in rows
        ]  # fmt: skip

    def stats(self, query: Query) -> dict[str, Any]:
        # Popularity is the view's share of the app's page views under the same filters;
        # a session's last view is its last whatever the filters (a page's own UTM or
        # referrer must not make it look like the end of the session).
        where, params = _where(query)
        app_where, app_params = _where(query, view=False)
        sess_where, sess_params = _where(query, view=False, filters=False)
        (pvs, visitors, sessions), = self._read(
            f"SELECT count(*), count(DISTINCT visitor), count(DISTINCT session)"
            f" FROM pageviews WHERE {where}",
            params,
        )  # fmt: skip
        ((app_pvs,),) = self._read(f"SELECT count(*) FROM pageviews WHERE {app_where}", app_params)
        (clicks, rage, dead, error), = self._read(
            f"SELECT count(*), sum(CASE WHEN rage > 0 THEN 1 ELSE 0 END),"
            f" sum(CASE WHEN dead THEN 1 ELSE 0 END), sum(CASE WHEN error THEN 1 ELSE 0 END)"
            f" FROM interactions WHERE {where} AND kind = 'click'",
            params,
        )  # fmt: skip
        p_where, _ = _where(query, alias="p")
        (avg_vis,), = self._read(
            f"SELECT avg(vis) FROM (SELECT max(l.vis_ms) / 1000.0 AS vis FROM leaves l"
            f" JOIN pageviews p ON p.app = l.app AND p.view_id = l.view_id"
            f" WHERE {p_where} GROUP BY l.view_id)",
            params,
        )  # fmt: skip
        (errors,), = self._read(
            f"SELECT sum(n) FROM errors WHERE app = ? AND view_id IN"
            f" (SELECT view_id FROM pageviews WHERE {where})",
            [query.app, *params],
        )  # fmt: skip
        (ended,), = self._read(
            f"""
            SELECT count(*) FROM (
                SELECT session, arg_max(name, t) AS last_name FROM pageviews
                WHERE {sess_where} AND session IN (SELECT session FROM pageviews WHERE {where})
                GROUP BY session
            ) WHERE last_name = ?
            """,
            [*sess_params, *params, query.view],
        )  # fmt: skip
        return stats_answer(
            query, page_views=pvs, visitors=visitors, sessions=sessions, clicks=clicks,
            rage=rage, dead=dead, error=error, page_errors=errors, avg_visible_s=avg_vis,
            ended=ended, app_page_views=app_pvs,
        )  # fmt: skip

    def sessions(self, query: Query) -> int:
        where, params = _where(query)
        ((n,),) = self._read(f"SELECT count(DISTINCT session) FROM pageviews WHERE {where}", params)
        return int(n)

    def depths(self, query: Query) -> Depths:
        where, params = _where(query)
        views = f"SELECT view_id FROM pageviews WHERE {where}"
        rows = self._read(
            f"""
            WITH pv AS (SELECT view_id, vh, dh FROM pageviews WHERE {where}),
            sc AS (SELECT view_id, arg_max(depth, t) AS depth, arg_max(dh, t) AS dh,
                          arg_max(bands, t) AS bands
                   FROM scrolls WHERE app = ? AND view_id IN ({views}) GROUP BY view_id),
            lv AS (SELECT view_id, max(depth) AS depth, max(dh) AS dh
                   FROM leaves WHERE app = ? AND view_id IN ({views}) GROUP BY view_id)
            SELECT pv.vh, pv.dh, sc.depth, sc.dh, lv.depth, lv.dh, sc.bands
            FROM pv LEFT JOIN sc USING (view_id) LEFT JOIN lv USING (view_id) ORDER BY view_id
            """,
            [*params, query.app, *params, query.app, *params],
        )
        return Depths.from_rows(rows)

    def view_sample(self, query: Query) -> dict[str, Any] | None:
        where, params = _where(query)
        rows = self._read(
            f"SELECT arg_max(url, t), median(vw), max(dh), count(*) FROM pageviews WHERE {where}",
            params,
        )
        url, vw, dh, n = rows[0]
        if not n:
            return None
        return {"url": url, "vw": round(vw), "dh": int(dh)}

    def last_event_ms(self, app: str) -> int | None:
        (t,), = self._read(
            "SELECT max(t) FROM (SELECT max(t) AS t FROM pageviews WHERE app = ?"
            " UNION ALL SELECT max(t) FROM interactions WHERE app = ?)",
            [app, app],
        )  # fmt: skip
        return int(t) if t is not None else None

    def selectors(self, query: Query) -> list[str]:
        where, params = _where(query)
        rows = self._read(
            f"SELECT DISTINCT sel FROM interactions WHERE {where} AND kind = 'click' AND sel <> ''"
            " ORDER BY sel",
            params,
        )
        return [r[0] for r in rows]

    # -- page states ---------------------------------------------------------------

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

    def layout_counts(self, query: Query) -> dict[str, int]:
        where, params = _where(query)
        rows = self._read(
            f"SELECT hash, count(DISTINCT view_id) FROM layouts WHERE {where} GROUP BY hash",
            params,
        )
        return {h: int(n) for h, n in rows}

    # -- action detail ---------------------------------------------------------------

    def action(self, query: Query, selector: str) -> dict[str, Any] | None:
        where, params = _where(query)
        ((tag, text, n, visitors, first, last, rage, dead, error),) = self._read(
            f"""
            SELECT arg_max(tag, t), arg_max(text, t), count(*), count(DISTINCT visitor),
                   min(t), max(t), sum(CASE WHEN rage > 0 THEN 1 ELSE 0 END),
                   sum(CASE WHEN dead THEN 1 ELSE 0 END), sum(CASE WHEN error THEN 1 ELSE 0 END)
            FROM interactions WHERE {where} AND kind = 'click' AND sel = ?
            """,
            [*params, selector],
        )
        if not n:
            return None
        return {
            "selector": selector, "tag": tag, "text": text, "count": int(n),
            "visitors": int(visitors), "first": int(first), "last": int(last),
            "rage": int(rage or 0), "dead": int(dead or 0), "error": int(error or 0),
        }  # fmt: skip

    def action_series(
        self, query: Query, selector: str, bucket_ms: int, origin_ms: int = 0
    ) -> list[tuple[int, int]]:
        where, params = _where(query)
        rows = self._read(
            f"""
            SELECT CAST(floor((t - ?) / ?) AS BIGINT) AS b, count(*) FROM interactions
            WHERE {where} AND kind = 'click' AND sel = ? GROUP BY b ORDER BY b
            """,
            [origin_ms, bucket_ms, *params, selector],
        )
        return [(int(b) * bucket_ms + origin_ms, int(n)) for b, n in rows]

    def action_sessions(self, query: Query, selector: str, limit: int = 10) -> list[dict[str, Any]]:
        where, params = _where(query)
        rows = self._read(
            f"""
            WITH hit AS (
                SELECT session, arg_max(visitor, t) AS visitor, arg_max(browser, t) AS browser,
                       arg_max(device, t) AS device, count(*) AS clicks, max(t) AS last_click
                FROM interactions WHERE {where} AND kind = 'click' AND sel = ?
                GROUP BY session ORDER BY last_click DESC, session LIMIT ?
            ), span AS (
                SELECT session, min(t) AS first_t, max(t) AS last_t FROM (
                    SELECT session, t FROM pageviews
                    WHERE app = ? AND session IN (SELECT session FROM hit)
                    UNION ALL SELECT session, t FROM interactions
                    WHERE app = ? AND session IN (SELECT session FROM hit)
                    UNION ALL SELECT session, t FROM leaves
                    WHERE app = ? AND session IN (SELECT session FROM hit)
                ) GROUP BY session
            )
            SELECT hit.session, hit.visitor, hit.browser, hit.device, hit.clicks,
                   hit.last_click, span.first_t, span.last_t
            FROM hit JOIN span USING (session) ORDER BY hit.last_click DESC, hit.session
            """,
            [*params, selector, limit, query.app, query.app, query.app],
        )
        return [
            {"session": s, "visitor": v, "browser": b, "device": d, "clicks": int(n),
             "last_click": int(lc), "start": int(first), "end": int(last)}
            for s, v, b, d, n, lc, first, last in rows
        ]  # fmt: skip

    def filter_values(self, query: Query, name: str, limit: int = 50) -> list[tuple[str, int]]:
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}; filters are {', '.join(FILTERS)}")
        others = replace(query, filters={k: v for k, v in query.filters.items() if k != name})
        where, params = _where(others)
        col = FILTERS[name]
        rows = self._read(
            f"SELECT {col}, count(*) AS n FROM pageviews WHERE {where} AND {col} IS NOT NULL"
            f" AND {col} <> '' GROUP BY {col} ORDER BY n DESC, {col} LIMIT ?",
            [*params, limit],
        )
        return [(str(v), int(n)) for v, n in rows]

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
                        _add_to_rollup(cur, data.select(list(rollup.SOURCE)))
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
        return loaded

    # -- privacy ---------------------------------------------------------------------

    def forget_visitor(self, app: str, visitor: str) -> dict[str, int]:
        tables = [*TABLES, "visitors"]
        return self._delete([(t, "app = ? AND visitor = ?", [app, visitor]) for t in tables],
                            forget=lambda key: key == (app, visitor))  # fmt: skip

    def delete_app(self, app: str) -> dict[str, int]:
        steps = [(t, "app = ?", [app]) for t in (*TABLES, "visitors", "batches")]
        steps.append(("heat_rollup", "app = ?", [app]))  # issue 8: the app's heat rollup
        return self._delete(steps, forget=lambda key: key[0] == app)

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        steps = [(t, "app = ? AND t < ?", [app, before_ms]) for t in (*TABLES, "visitors")]
        steps.append(("batches", "app = ? AND received < ?", [app, before_ms]))
        # a visitor whose first session expired is new again when it comes back
        return self._delete(steps, forget=lambda key: key[0] == app)

    def _delete(self, steps: list[tuple[str, str, list[Any]]], forget: Any) -> dict[str, int]:
        """Run DELETEs in one transaction under the write lock (the writer's own), then
        checkpoint so the rows leave the write-ahead log too; rows deleted per table."""
        counts: dict[str, int] = {}
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                for table, where, params in steps:
                    if table == "interactions":  # issue 8: the heat rollup forgets them too
                        subtract_from_rollup(cur, where, params)
                    ((n,),) = cur.execute(f"DELETE FROM {table} WHERE {where}", params).fetchall()
                    counts[table] = counts.get(table, 0) + int(n)
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
#: Page views whose latest layout a store keeps in memory (issue 9).
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


def _add_to_rollup(cur: Any, interactions: pa.Table) -> None:
    """Count interactions rows into the heat rollup (upserting each snapped point)."""
    cur.register("incoming_rollup", interactions)
    try:
        cur.execute(
            f"INSERT INTO heat_rollup {rollup.select('duckdb')} FROM incoming_rollup"
            f" GROUP BY {rollup.group_by()}"
            f" ON CONFLICT ({rollup.group_by()}) DO UPDATE SET n = n + excluded.n"
        )
    finally:
        cur.unregister("incoming_rollup")


def subtract_from_rollup(cur: Any, where: str, params: list[Any]) -> None:
    """Take interactions rows that are about to be deleted out of the heat rollup."""
    cur.execute(
        f"INSERT INTO heat_rollup {rollup.select('duckdb', sign=-1)} FROM interactions"
        f" WHERE {where} GROUP BY {rollup.group_by()}"
        f" ON CONFLICT ({rollup.group_by()}) DO UPDATE SET n = n + excluded.n",
        params,
    )
    cur.execute("DELETE FROM heat_rollup WHERE n = 0")


def _fill_rollup(con: Any) -> None:
    """Once, for a file written before the heat rollup: count every interaction in."""
    con.execute(
        f"INSERT INTO heat_rollup {rollup.select('duckdb')} FROM interactions"
        f" GROUP BY {rollup.group_by()}"
    )


def _fill_visitors(con: Any) -> None:
    """Once, for a file written before the visitors table: each visitor's first session."""
    con.execute(
        "INSERT INTO visitors SELECT app, visitor, arg_min(session, t), min(t) FROM pageviews"
        " GROUP BY app, visitor"
    )


def _columns(con: Any, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def _fill_filter_dimensions(con: Any) -> None:
    """Once, for a file written before every table carried every filter dimension: copy
    each page view's dimensions onto its events, and tell new from returning visitors."""
    con.execute("BEGIN TRANSACTION")
    con.execute("""
        UPDATE pageviews SET visitor_type = CASE WHEN pageviews.session = f.session
                                                 THEN 'new' ELSE 'returning' END
        FROM (SELECT app, visitor, arg_min(session, t) AS session FROM pageviews
              GROUP BY app, visitor) f
        WHERE pageviews.app = f.app AND pageviews.visitor = f.visitor
    """)  # fmt: skip
    for table in ("interactions", "scrolls", "errors", "layouts"):
        sets = ", ".join(f"{c} = coalesce({table}.{c}, p.{c})" for c in VIEW_DIMENSIONS)
        con.execute(
            f"UPDATE {table} SET {sets} FROM pageviews p"
            f" WHERE {table}.app = p.app AND {table}.view_id = p.view_id"
        )
    con.execute("COMMIT")


def _where(
    query: Query, view: bool = True, alias: str = "", filters: bool = True
) -> tuple[str, list[Any]]:
    """SQL conditions and parameters for a query; shared by every read, so every filter
    narrows every table the same way (each carries the view's dimensions)."""
    a = f"{alias}." if alias else ""
    parts, params = [f"{a}app = ?"], [query.app]
    if view and query.view is not None:
        parts.append(f"{a}name = ?")
        params.append(query.view)
    if query.width is not None:
        parts.append(f"{a}vw BETWEEN ? AND ?")
        params += [query.width.lo, query.width.hi]
    if query.start_ms is not None:
        parts.append(f"{a}t >= ?")
        params.append(query.start_ms)
    if query.end_ms is not None:
        parts.append(f"{a}t < ?")
        params.append(query.end_ms)
    checked = parse_filters(query.filters)  # unknown names raise even when not applied
    for name, text in checked.items() if filters else ():
        values = text.split(",")
        parts.append(f"{a}{FILTERS[name]} IN ({', '.join('?' * len(values))})")
        params += values
    return " AND ".join(parts), params
