"""The embedded event store: one DuckDB file, one writer, parallel readers.

Writes arrive from the collector's single writer thread already grouped (group commit),
so each :meth:`DuckDBStore.write` is one transaction: rows go in as Arrow tables (DuckDB
reads them without a per-row round trip), and the commit is on disk before the collector
answers 202. Reads run on their own cursors, so the dashboard never waits on ingestion.
"""

from __future__ import annotations

import threading
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pageheat.heat.placement import Points
from pageheat.store.base import (
    POINT_KINDS,
    Background,
    Depths,
    Envelope,
    PageState,
    Query,
    Rect,
    Snapshot,
)
from pageheat.store.rows import TABLES, VIEW_DIMENSIONS, Row, build_rows


def _schema_sql() -> str:
    return resources.files("pageheat.store").joinpath("schema/duckdb.sql").read_text()


class DuckDBStore:
    """The default store; ``path`` is the DuckDB file (``:memory:`` for throwaway use)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(self.path)
        self._con.execute(_schema_sql())
        self._write_lock = threading.Lock()

    # -- writing ---------------------------------------------------------------------

    def write(self, envelopes: list[Envelope]) -> list[bool]:
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                fresh = self._claim_batches(cur, envelopes)
                kept = [e for e, new in zip(envelopes, fresh, strict=True) if new]
                rows = build_rows(kept, lambda app, ids: self._lookup_views(cur, app, ids))
                for table, columns in TABLES.items():
                    _insert(cur, table, columns, rows[table])
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return fresh

    def _claim_batches(self, cur: Any, envelopes: list[Envelope]) -> list[bool]:
        """Mark batch ids as seen; a retried batch (same app and id) is not stored again."""
        ids = [(e.app, e.batch_id) for e in envelopes if e.batch_id]
        seen: set[tuple[str, str]] = set()
        if ids:
            cur.register(
                "claimed", pa.table({"app": [a for a, _ in ids], "id": [i for _, i in ids]})
            )
            try:
                seen = set(cur.execute(
                    "SELECT b.app, b.id FROM batches b JOIN claimed c ON b.app = c.app AND b.id = c.id"
                ).fetchall())  # fmt: skip
            finally:
                cur.unregister("claimed")
        fresh: list[bool] = []
        new_rows: list[Row] = []
        for e in envelopes:
            key = (e.app, e.batch_id)
            if e.batch_id and key in seen:
                fresh.append(False)
                continue
            if e.batch_id:
                seen.add(key)
                new_rows.append({"app": e.app, "id": e.batch_id, "received": e.received_ms})
            fresh.append(True)
        _insert(cur, "batches", ("app", "id", "received"), new_rows)
        return fresh

    def _lookup_views(self, cur: Any, app: str, ids: list[str]) -> dict[str, Row]:
        wanted = (*VIEW_DIMENSIONS, "vw")
        rows = cur.execute(
            f"SELECT view_id, {', '.join(wanted)} FROM pageviews WHERE app = ? AND view_id IN"
            f" (SELECT unnest(?::VARCHAR[]))",
            [app, ids],
        ).fetchall()
        return {r[0]: dict(zip(wanted, r[1:], strict=True)) for r in rows}

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

    def points(self, query: Query, kind: str = "click") -> Points:
        where, params = _where(query)
        with self._con.cursor() as cur:
            rel = cur.sql(
                f"SELECT x, y, dw, rx, ry, sel, pointer = 'touch' AS touch FROM interactions"
                f" WHERE {where} AND {POINT_KINDS[kind]}",
                params=params,
            )
            # DuckDB 2 names it to_arrow_table; 1.x arrow().
            table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
        if table.num_rows == 0:
            return Points.empty()
        codes = pc.dictionary_encode(table.column("sel")).combine_chunks()
        return Points(
            x=_np(table, "x"),
            y=_np(table, "y"),
            dw=_np(table, "dw"),
            rx=_np(table, "rx"),
            ry=_np(table, "ry"),
            sel=codes.indices.to_numpy(zero_copy_only=False).astype(np.int32),
            touch=table.column("touch").to_numpy().astype(bool),
            selectors=codes.dictionary.to_pylist(),
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
        where, params = _where(query)
        app_where, app_params = _where(query, view=False)
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
                WHERE {app_where} AND session IN (SELECT session FROM pageviews WHERE {where})
                GROUP BY session
            ) WHERE last_name = ?
            """,
            [*app_params, *params, query.view],
        )  # fmt: skip
        return {
            "page_views": pvs,
            "visitors": visitors,
            "sessions": sessions,
            "total_clicks": clicks,
            "rage_clicks": int(rage or 0),
            "dead_clicks": int(dead or 0),
            "error_clicks": int(error or 0),
            "page_errors": int(errors or 0),
            "avg_visible_s": round(avg_vis, 2) if avg_vis is not None else None,
            "session_end_ratio": round(ended / sessions, 4) if sessions and query.view else None,
            "popularity": round(pvs / app_pvs, 4) if app_pvs and query.view else None,
        }

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
            FROM pv LEFT JOIN sc USING (view_id) LEFT JOIN lv USING (view_id)
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

    # -- page states and snapshots ---------------------------------------------------

    def states_without_snapshot(self, app: str, view_ids: list[str]) -> list[PageState]:
        if not view_ids:
            return []
        rows = self._read(
            """
            WITH asked AS (
                SELECT view_id, arg_max(name, t) AS name, arg_max(width_class, t) AS wc,
                       arg_max(hash, t) AS hash, arg_max(vw, t) AS vw
                FROM layouts WHERE app = ? AND view_id IN (SELECT unnest(?::VARCHAR[]))
                  AND vw > 0
                GROUP BY view_id
            ), known AS (
                SELECT view, width_class, count(*) AS n FROM snapshots WHERE app = ?
                GROUP BY view, width_class
            )
            SELECT a.view_id, a.name, a.wc, a.hash, a.vw, coalesce(k.n, 0)
            FROM asked a LEFT JOIN known k ON k.view = a.name AND k.width_class = a.wc
            WHERE NOT EXISTS (
                SELECT 1 FROM snapshots s WHERE s.app = ? AND s.view = a.name
                  AND s.width_class = a.wc AND s.layout_hash = a.hash)
            ORDER BY a.view_id
            """,
            [app, view_ids, app, app],
        )
        return [PageState(*r) for r in rows]

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

    def save_snapshot(self, snap: Snapshot) -> bool:
        html = zlib.compress((snap.html or "").encode(), 6)
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                ((exists,),) = cur.execute(
                    "SELECT count(*) FROM snapshots WHERE app = ? AND view = ? AND width_class = ?"
                    " AND layout_hash = ?",
                    [snap.app, snap.view, snap.width_class, snap.layout_hash],
                ).fetchall()
                if not exists:
                    cur.execute(
                        "INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [snap.id, snap.app, snap.view, snap.width_class, snap.layout_hash,
                         snap.url, snap.vw, snap.dw, snap.dh, snap.captured_ms, html],
                    )  # fmt: skip
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return not exists

    def snapshot(self, snap_id: str) -> Snapshot | None:
        rows = self._read(
            "SELECT id, app, view, width_class, layout_hash, url, vw, dw, dh, captured, html"
            " FROM snapshots WHERE id = ?",
            [snap_id],
        )
        if not rows:
            return None
        *head, html = rows[0]
        return Snapshot(*head, html=zlib.decompress(bytes(html)).decode())

    # -- backgrounds -----------------------------------------------------------------

    def save_background(self, bg: Background) -> None:
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute(
                    "INSERT INTO backgrounds (id, app, view, width_class, url, width, height,"
                    " captured, png, source, layout_hash, snapshot_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [bg.id, bg.app, bg.view, bg.width_class, bg.url, bg.width, bg.height,
                     bg.captured_ms, bg.png, bg.source, bg.layout_hash, bg.snapshot_id],
                )  # fmt: skip
                _put_rects(cur, bg.id, bg.rects or {})
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def save_rects(self, bg_id: str, rects: dict[str, Rect]) -> None:
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                cur.execute("DELETE FROM element_rects WHERE background = ?", [bg_id])
                _put_rects(cur, bg_id, rects)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def backgrounds(self, app: str, view: str) -> list[Background]:
        rows = self._read(
            f"SELECT {_BG_COLUMNS} FROM backgrounds WHERE app = ? AND view = ?"
            " ORDER BY captured DESC, id",
            [app, view],
        )
        return [_background(r) for r in rows]

    def background(self, bg_id: str) -> Background | None:
        rows = self._read(f"SELECT {_BG_COLUMNS} FROM backgrounds WHERE id = ?", [bg_id])
        if not rows:
            return None
        rects = self._read(
            "SELECT sel, x, y, w, h FROM element_rects WHERE background = ?", [bg_id]
        )
        return _background(rows[0], {sel: (x, y, w, h) for sel, x, y, w, h in rects})

    def background_png(self, bg_id: str) -> bytes | None:
        rows = self._read("SELECT png FROM backgrounds WHERE id = ?", [bg_id])
        return bytes(rows[0][0]) if rows and rows[0][0] is not None else None

    def close(self) -> None:
        self._con.close()


# -- helpers ---------------------------------------------------------------------------


def _insert(cur: Any, table: str, columns: tuple[str, ...], rows: list[Row]) -> None:
    if not rows:
        return
    arrow = pa.table({c: [r[c] for r in rows] for c in columns})
    cur.register("incoming", arrow)
    try:
        cols = ", ".join(columns)
        cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM incoming")
    finally:
        cur.unregister("incoming")


_BG_COLUMNS = (
    "id, app, view, width_class, url, width, height, captured, source, layout_hash, snapshot_id"
)


def _background(row: tuple[Any, ...], rects: dict[str, Rect] | None = None) -> Background:
    *head, source, layout_hash, snapshot_id = row
    return Background(
        *head, png=None, rects=rects, source=source or "page", layout_hash=layout_hash,
        snapshot_id=snapshot_id,
    )  # fmt: skip


def _put_rects(cur: Any, bg_id: str, rects: dict[str, Rect]) -> None:
    if not rects:
        return
    sels = list(rects)
    cols = list(zip(*(rects[s] for s in sels), strict=True))
    table = pa.table({
        "background": [bg_id] * len(sels), "sel": sels, "x": list(cols[0]), "y": list(cols[1]),
        "w": list(cols[2]), "h": list(cols[3]),
    })  # fmt: skip
    cur.register("incoming_rects", table)
    try:
        cur.execute("INSERT INTO element_rects SELECT * FROM incoming_rects")
    finally:
        cur.unregister("incoming_rects")


def _np(table: pa.Table, column: str) -> np.ndarray:
    return table.column(column).to_numpy().astype(np.float64)


def _where(query: Query, view: bool = True, alias: str = "") -> tuple[str, list[Any]]:
    """SQL conditions and parameters for a query; shared by every read."""
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
    return " AND ".join(parts), params
