"""The scale-out event store: ClickHouse over its native protocol, one server or a cluster.

Same protocol and same answers as the DuckDB store (``store/duckdb.py`` is the
reference; ``tests/store/test_contract.py`` holds both to it). What differs is what a
cluster of stateless writers needs:

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
  and the few answers that combine tables are combined here, in Python.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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
from pageheat.store.clickhouse_client import Client, Target, bind, connect
from pageheat.store.clickhouse_maintenance import Maintenance
from pageheat.store.rows import TABLES, VIEW_DIMENSIONS, VISITOR_COLUMNS, Row, build_rows

if TYPE_CHECKING:
    pass


class ClickHouseStore(Maintenance):
    """The ClickHouse store; ``client`` talks to one node (any node of a cluster)."""

    def __init__(self, client: Client, shards: list[Client] | None = None, rollups: bool = True):
        self._db = client
        #: Whether point maps read the heat rollup when it covers the query (tests turn
        #: it off to compare with the raw rows).
        self.rollups = rollups
        #: On a cluster, a client per node: deletes (mutations) run on each node's
        #: shard-local tables, which a Distributed table does not pass on.
        self._shards = shards
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, url: str, migrate: bool = True) -> ClickHouseStore:
        """The store a ``clickhouse://host:port/db[?cluster=NAME]`` URL names; creates the
        schema when it is missing (as the DuckDB store does on opening its file)."""
        from pageheat.store.clickhouse_schema import migrate as run_migrations
        from pageheat.store.clickhouse_schema import nodes

        target = Target.parse(url)
        if migrate:
            run_migrations(target)
        client = connect(target)
        shards = [connect(n) for n in nodes(target, client)] if target.cluster else None
        return cls(client, shards)

    # -- writing ---------------------------------------------------------------------

    def write(self, envelopes: list[Envelope]) -> list[bool]:
        with self._write_lock:
            fresh, claimed = self._claim_batches(envelopes)
            kept = [e for e, new in zip(envelopes, fresh, strict=True) if new]
            try:
                rows = build_rows(kept, self._lookup_views, self._first_sessions)
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
            for app, bid, token in self._db.query(bind(
                "SELECT app, id, min(token) FROM batches"
                " WHERE (app, id) IN ? GROUP BY app, id",
                [_pairs(keys)],
            ))
        }  # fmt: skip
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
            self._db.command(bind(
                "ALTER TABLE batches DELETE WHERE token = ? AND (app, id) IN ?",
                [claims[0][3], _pairs([c[:2] for c in claims])],
            ))  # fmt: skip

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
        return self._db.query(bind(sql, params))

    def views(self, query: Query) -> list[dict[str, Any]]:
        where, params = _where(query, view=False)
        pv = self._read(
            f"SELECT name, count(), uniqExact(visitor), argMax(url, t) FROM pageviews"
            f" WHERE {where} GROUP BY name",
            params,
        )
        clicks = dict(self._read(
            f"SELECT name, count() FROM interactions WHERE {where} AND kind = 'click'"
            " GROUP BY name",
            params,
        ))  # fmt: skip
        pv.sort(key=lambda r: (-r[1], r[0]))
        return [
            {"name": n, "page_views": int(pvs), "visitors": int(vis),
             "clicks": int(clicks.get(n, 0)), "url": u}
            for n, pvs, vis, u in pv
        ]  # fmt: skip

    def map_points(self, query: Query, kind: str = "click") -> Points:
        """The points a heatmap draws, snapped to their cell (store/rollup.py): read from
        the heat rollup when it covers the query (each distinct point once, with its
        count), else from the raw rows."""
        if self.rollups and rollup.covers(query):
            sql, params = rollup.point_query(query, kind)
            return rollup.points(self._db.columns(bind(sql, params)))
        where, params = _where(query)
        return rollup.points(self._db.columns(bind(
            f"SELECT {rollup.POINT_COLUMNS} FROM interactions"
            f" WHERE {where} AND {POINT_KINDS[kind]}",
            params,
        )))  # fmt: skip

    def points(self, query: Query, kind: str = "click") -> Points:
        where, params = _where(query)
        return rollup.points(self._db.columns(bind(
            f"SELECT x, y, dw, rx, ry, sel, pointer = 'touch' FROM interactions"
            f" WHERE {where} AND {POINT_KINDS[kind]}",
            params,
        )))  # fmt: skip

    def actions(self, query: Query, limit: int = 100) -> list[dict[str, Any]]:
        where, params = _where(query)
        rows = self._read(
            f"""
            SELECT sel, argMax(tag, t), argMax(text, t), count() AS n, uniqExact(visitor),
                   countIf(rage > 0), countIf(dead), countIf(error)
            FROM interactions WHERE {where} AND kind = 'click'
            GROUP BY sel ORDER BY n DESC, sel LIMIT ?
            """,
            [*params, limit],
        )
        return [
            {"selector": s, "tag": tag, "text": text, "count": int(n), "visitors": int(v),
             "rage": int(r), "dead": int(d), "error": int(e)}
            for s, tag, text, n, v, r, d, e in rows
        ]  # fmt: skip

    def stats(self, query: Query) -> dict[str, Any]:
        # Popularity is the view's share of the app's page views under the same filters;
        # a session's last view is its last whatever the filters (see the DuckDB store).
        where, params = _where(query)
        app_where, app_params = _where(query, view=False)
        sess_where, sess_params = _where(query, view=False, filters=False)
        views = f"SELECT view_id FROM pageviews WHERE {where}"
        ((pvs, visitors, sessions),) = self._read(
            f"SELECT count(), uniqExact(visitor), uniqExact(session) FROM pageviews WHERE {where}",
            params,
        )
        ((app_pvs,),) = self._read(f"SELECT count() FROM pageviews WHERE {app_where}", app_params)
        ((clicks, rage, dead, error),) = self._read(
            f"SELECT count(), countIf(rage > 0), countIf(dead), countIf(error)"
            f" FROM interactions WHERE {where} AND kind = 'click'",
            params,
        )
        ((avg_vis, with_leave),) = self._read(
            f"SELECT avg(vis), count() FROM (SELECT view_id, max(vis_ms) / 1000 AS vis"
            f" FROM leaves WHERE app = ? AND view_id IN ({views}) GROUP BY view_id)",
            [query.app, *params],
        )
        ((errors,),) = self._read(
            f"SELECT sum(n) FROM errors WHERE app = ? AND view_id IN ({views})",
            [query.app, *params],
        )
        ended = 0
        if query.view is not None and sessions:
            ((ended,),) = self._read(
                f"""
                SELECT countIf(last_name = ?) FROM (
                    SELECT session, argMax(name, t) AS last_name FROM pageviews
                    WHERE {sess_where}
                      AND session IN (SELECT session FROM pageviews WHERE {where})
                    GROUP BY session)
                """,
                [query.view, *sess_params, *params],
            )
        return stats_answer(
            query, page_views=pvs, visitors=visitors, sessions=sessions, clicks=clicks,
            rage=rage, dead=dead, error=error, page_errors=errors, avg_visible_s=avg_vis if with_leave else None,
            ended=ended, app_page_views=app_pvs,
        )  # fmt: skip

    def sessions(self, query: Query) -> int:
        where, params = _where(query)
        ((n,),) = self._read(f"SELECT uniqExact(session) FROM pageviews WHERE {where}", params)
        return int(n)

    def depths(self, query: Query) -> Depths:
        where, params = _where(query)
        views = f"SELECT view_id FROM pageviews WHERE {where}"
        # in view id order, as the DuckDB store gives them: means over the views (attention)
        # then add up in the same order, to the last bit
        pv = self._read(
            f"SELECT view_id, vh, dh FROM pageviews WHERE {where} ORDER BY view_id", params
        )
        sc = {
            r[0]: r[1:]
            for r in self._read(
                f"SELECT view_id, argMax(depth, t), argMax(dh, t), argMax(bands, t)"
                f" FROM scrolls WHERE app = ? AND view_id IN ({views}) GROUP BY view_id",
                [query.app, *params],
            )
        }
        lv = {
            r[0]: r[1:]
            for r in self._read(
                f"SELECT view_id, max(depth), max(dh) FROM leaves"
                f" WHERE app = ? AND view_id IN ({views}) GROUP BY view_id",
                [query.app, *params],
            )
        }
        none3, none2 = (None, None, None), (None, None)
        rows = []
        for view_id, vh, dh in pv:
            s_depth, s_dh, bands = sc.get(view_id, none3)
            l_depth, l_dh = lv.get(view_id, none2)
            rows.append((vh, dh, s_depth, s_dh, l_depth, l_dh, bands))
        return Depths.from_rows(rows)

    def view_sample(self, query: Query) -> dict[str, Any] | None:
        where, params = _where(query)
        # DuckDB's median: the mean of the two middle values for an even count, which
        # quantileExact (the upper one) gives with its mirror image (the lower one).
        ((url, vw, dh, n),) = self._read(
            f"SELECT argMax(url, t), (quantileExact(0.5)(vw) - quantileExact(0.5)(-vw)) / 2,"
            f" max(dh), count() FROM pageviews WHERE {where}",
            params,
        )
        if not n:
            return None
        return {"url": url, "vw": round(vw), "dh": int(dh)}

    def last_event_ms(self, app: str) -> int | None:
        rows = self._read(
            "SELECT max(t), count() FROM pageviews WHERE app = ?"
            " UNION ALL SELECT max(t), count() FROM interactions WHERE app = ?",
            [app, app],
        )
        seen = [int(t) for t, n in rows if n]
        return max(seen) if seen else None

    def selectors(self, query: Query) -> list[str]:
        where, params = _where(query)
        rows = self._read(
            f"SELECT DISTINCT sel FROM interactions WHERE {where} AND kind = 'click'"
            " AND sel != '' ORDER BY sel",
            params,
        )
        return [r[0] for r in rows]

    def filter_values(self, query: Query, name: str, limit: int = 50) -> list[tuple[str, int]]:
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}; filters are {', '.join(FILTERS)}")
        others = replace(query, filters={k: v for k, v in query.filters.items() if k != name})
        where, params = _where(others)
        col = FILTERS[name]
        rows = self._read(
            f"SELECT {col}, count() AS n FROM pageviews WHERE {where} AND {col} != ''"
            f" GROUP BY {col} ORDER BY n DESC, {col} LIMIT ?",
            [*params, limit],
        )
        return [(str(v), int(n)) for v, n in rows]

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

    def layout_counts(self, query: Query) -> dict[str, int]:
        where, params = _where(query)
        rows = self._read(
            f"SELECT hash, uniqExact(view_id) FROM layouts WHERE {where} GROUP BY hash", params
        )
        return {h: int(n) for h, n in rows}

    # -- action detail ---------------------------------------------------------------

    def action(self, query: Query, selector: str) -> dict[str, Any] | None:
        where, params = _where(query)
        ((tag, text, n, visitors, first, last, rage, dead, error),) = self._read(
            f"""
            SELECT argMax(tag, t), argMax(text, t), count(), uniqExact(visitor), min(t),
                   max(t), countIf(rage > 0), countIf(dead), countIf(error)
            FROM interactions WHERE {where} AND kind = 'click' AND sel = ?
            """,
            [*params, selector],
        )
        if not n:
            return None
        return {
            "selector": selector, "tag": tag, "text": text, "count": int(n),
            "visitors": int(visitors), "first": int(first), "last": int(last),
            "rage": int(rage), "dead": int(dead), "error": int(error),
        }  # fmt: skip

    def action_series(
        self, query: Query, selector: str, bucket_ms: int, origin_ms: int = 0
    ) -> list[tuple[int, int]]:
        where, params = _where(query)
        rows = self._read(
            f"""
            SELECT toInt64(floor((t - ?) / ?)) AS b, count() FROM interactions
            WHERE {where} AND kind = 'click' AND sel = ? GROUP BY b ORDER BY b
            """,
            [origin_ms, bucket_ms, *params, selector],
        )
        return [(int(b) * bucket_ms + origin_ms, int(n)) for b, n in rows]

    def action_sessions(self, query: Query, selector: str, limit: int = 10) -> list[dict[str, Any]]:
        where, params = _where(query)
        hit = self._read(
            f"""
            SELECT session, argMax(visitor, t), argMax(browser, t), argMax(device, t),
                   count(), max(t) AS last_click
            FROM interactions WHERE {where} AND kind = 'click' AND sel = ?
            GROUP BY session ORDER BY last_click DESC, session LIMIT ?
            """,
            [*params, selector, limit],
        )
        if not hit:
            return []
        sessions = tuple(r[0] for r in hit)
        span: dict[str, tuple[int, int]] = {}
        for table in ("pageviews", "interactions", "leaves"):
            for s, lo, hi in self._read(
                f"SELECT session, min(t), max(t) FROM {table} WHERE app = ? AND session IN ?"
                " GROUP BY session",
                [query.app, sessions],
            ):
                old = span.get(s, (lo, hi))
                span[s] = (min(old[0], lo), max(old[1], hi))
        return [
            {"session": s, "visitor": v, "browser": b, "device": d, "clicks": int(n),
             "last_click": int(lc), "start": int(span[s][0]), "end": int(span[s][1])}
            for s, v, b, d, n, lc in hit
        ]  # fmt: skip

    def close(self) -> None:
        self._db.close()
        for c in self._shards or ():
            c.close()


def _pairs(keys: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(app, id) pairs as a set literal for ``(app, id) IN ?``: one pair alone would read
    as a tuple of two values, so it is given twice."""
    return tuple(keys) if len(keys) > 1 else (keys[0], keys[0])


def _where(
    query: Query, view: bool = True, alias: str = "", filters: bool = True
) -> tuple[str, list[Any]]:
    """SQL conditions and parameters for a query; shared by every read, so every filter
    narrows every table the same way (each carries the view's dimensions). The same
    conditions as the DuckDB store's, in SQL both engines read alike."""
    a = f"{alias}." if alias else ""
    parts, params = [f"{a}app = ?"], [query.app]
    if view and query.view is not None:
        parts.append(f"{a}name = ?")
        params.append(query.view)
    if query.width is not None:
        parts.append(f"{a}vw BETWEEN ? AND ?")
        params += [float(query.width.lo), float(query.width.hi)]
    if query.start_ms is not None:
        parts.append(f"{a}t >= ?")
        params.append(int(query.start_ms))
    if query.end_ms is not None:
        parts.append(f"{a}t < ?")
        params.append(int(query.end_ms))
    checked = parse_filters(query.filters)  # unknown names raise even when not applied
    for name, text in checked.items() if filters else ():
        parts.append(f"{a}{FILTERS[name]} IN ?")
        params.append(tuple(text.split(",")))
    return " AND ".join(parts), params
