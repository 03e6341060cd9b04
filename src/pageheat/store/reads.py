"""Every read of the event store, written once for DuckDB and ClickHouse.

:class:`Reads` is the reading half of the :class:`~pageheat.store.base.EventStore`
protocol; both stores inherit it and differ only in their :class:`~pageheat.store.sql.Dialect`
and in how they run a statement (``_rows``, ``_columns``, ``_points``: DuckDB reads
points through Arrow, ClickHouse through clickhouse-driver's columns). So a statistic,
and every filter of it, means the same on every backend, and the contract suite
(tests/store/test_contract.py) checks one piece of logic on all of them.

The shape of each read is what a ClickHouse cluster allows: a statement reads one
table, narrowed by ``IN`` over page views of the query (events are sharded by session,
so each shard finds its own), and answers that combine tables are combined here, in
Python or numpy, rather than by a JOIN across shards. Every condition on a query comes
from :func:`pageheat.store.sql.where`, so every filter narrows every table alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from pageheat.filters import tag_key
from pageheat.heat.placement import Points
from pageheat.store import rollup
from pageheat.store.base import (
    CLICK_FILTERS,
    FILTERS,
    POINT_KINDS,
    Depths,
    Query,
    WidthClasses,
    stats_answer,
)
from pageheat.store.sql import Statements, column, view_ids, where

#: The 5 % bands of a page view's attention (``scrolls.bands``).
BANDS = 20


class Reads(Statements):
    """The store protocol's reads over a store's ``dialect`` and statement runners."""

    #: Whether point maps read the heat rollup when it covers the query (tests turn it
    #: off to compare with the raw rows).
    rollups: bool = True
    #: The width-class bounds the store classed its rows by: which class queries the
    #: rollup may serve.
    widths: WidthClasses

    def _points(self, sql: str, params: dict[str, Any]) -> Points:
        """Points from a read of ``(x, y, dw, rx, ry, sel, touch[, n])``."""
        return rollup.points(self._columns(sql, params))

    # -- maps ------------------------------------------------------------------------

    def map_points(self, query: Query, kind: str = "click") -> Points:
        """The points a heatmap draws, snapped to their cell (store/rollup.py): read from
        the heat rollup when it covers the query (each distinct point once, with its
        count), else from the raw rows, snapped the same way."""
        s = self._sql()
        if self.rollups and kind in rollup.KINDS and rollup.covers(query, self.widths):
            return self._points(rollup.point_query(s, query, kind), s.params)
        return self._points(
            f"SELECT {rollup.POINT_COLUMNS} FROM interactions WHERE {where(s, query, clicks=True)}"
            f" AND {POINT_KINDS[kind]}",
            s.params,
        )

    def points(self, query: Query, kind: str = "click") -> Points:
        s = self._sql()
        return self._points(
            f"SELECT x, y, dw, rx, ry, sel, pointer = 'touch' AS touch FROM interactions"
            f" WHERE {where(s, query, clicks=True)} AND {POINT_KINDS[kind]}",
            s.params,
        )

    def sessions(self, query: Query) -> int:
        """From the session sets of the rollup when it covers the query (store/rollup.py),
        else from the page views."""
        s = self._sql()
        if self.rollups and rollup.covers(query, self.widths):
            sql = rollup.session_query(s, query)
        else:
            sql = f"SELECT count(DISTINCT session) FROM pageviews WHERE {where(s, query)}"
        ((n,),) = self._rows(sql, s.params)
        return int(n)

    def depths(self, query: Query) -> Depths:
        """Each page view's deepest point: its latest ``scroll`` event, its ``leave``, or
        at least its first screen; three reads put together in numpy."""
        s = self._sql()
        pv = self._columns(f"SELECT view_id, vh, dh FROM pageviews WHERE {where(s, query)}",
                           s.params)  # fmt: skip
        s = self._sql()
        sc = self._columns(
            f"SELECT view_id, argMax(depth, t), argMax(dh, t), argMax(bands, t) FROM scrolls"
            f" WHERE app = {s(query.app)} AND view_id IN ({view_ids(s, query)})"
            " GROUP BY view_id",
            s.params,
        )
        s = self._sql()
        lv = self._columns(
            f"SELECT view_id, max(depth), max(dh) FROM leaves WHERE app = {s(query.app)}"
            f" AND view_id IN ({view_ids(s, query)}) GROUP BY view_id",
            s.params,
        )
        return _depths(pv, sc, lv)

    def layout_counts(self, query: Query) -> dict[str, int]:
        s = self._sql()
        rows = self._rows(
            f"SELECT hash, count(DISTINCT view_id) FROM layouts WHERE {where(s, query)}"
            " GROUP BY hash",
            s.params,
        )
        return {h: int(n) for h, n in rows}

    # -- views and statistics --------------------------------------------------------

    def views(self, query: Query) -> list[dict[str, Any]]:
        s = self._sql()
        pv = self._rows(
            f"SELECT name, count(*), count(DISTINCT visitor), argMax(url, t) FROM pageviews"
            f" WHERE {where(s, query, view=False)} GROUP BY name",
            s.params,
        )
        s = self._sql()
        clicks = dict(self._rows(
            f"SELECT name, count(*) FROM interactions"
            f" WHERE {where(s, query, view=False, clicks=True)} AND kind = 'click' GROUP BY name",
            s.params,
        ))  # fmt: skip
        pv.sort(key=lambda r: (-r[1], r[0] is None, r[0] or ""))
        return [
            {"name": n, "page_views": int(pvs), "visitors": int(vis),
             "clicks": int(clicks.get(n, 0)), "url": u}
            for n, pvs, vis, u in pv
        ]  # fmt: skip

    def stats(self, query: Query) -> dict[str, Any]:
        """Popularity is the view's share of the app's page views under the same filters;
        a session's last view is its last whatever the filters (a page's own UTM or
        referrer must not make it look like the end of the session)."""
        s = self._sql()
        ((pvs, visitors, sessions),) = self._rows(
            f"SELECT count(*), count(DISTINCT visitor), count(DISTINCT session)"
            f" FROM pageviews WHERE {where(s, query)}",
            s.params,
        )
        s = self._sql()
        ((app_pvs,),) = self._rows(
            f"SELECT count(*) FROM pageviews WHERE {where(s, query, view=False)}", s.params
        )
        s = self._sql()
        ((clicks, rage, dead, error, inert),) = self._rows(
            f"SELECT count(*), countIf(rage > 0), countIf(dead), countIf(error),"
            f" countIf(NOT interactive)"
            f" FROM interactions WHERE {where(s, query, clicks=True)} AND kind = 'click'",
            s.params,
        )
        s = self._sql()
        ((avg_vis, with_leave),) = self._rows(
            f"SELECT avg(vis), count(*) FROM (SELECT view_id, max(vis_ms) / 1000.0 AS vis"
            f" FROM leaves WHERE app = {s(query.app)} AND view_id IN ({view_ids(s, query)})"
            " GROUP BY view_id)",
            s.params,
        )
        s = self._sql()
        ((errors,),) = self._rows(
            f"SELECT sum(n) FROM errors WHERE app = {s(query.app)}"
            f" AND view_id IN ({view_ids(s, query)})",
            s.params,
        )
        ended = 0
        if query.view is not None and sessions:
            s = self._sql()
            ((ended,),) = self._rows(
                f"""
                SELECT count(*) FROM (
                    SELECT session, argMax(name, t) AS last_name FROM pageviews
                    WHERE {where(s, query, view=False, filters=False)} AND session IN
                        (SELECT session FROM pageviews WHERE {where(s, query)})
                    GROUP BY session
                ) WHERE last_name = {s(query.view)}
                """,
                s.params,
            )
        return stats_answer(
            query, page_views=pvs, visitors=visitors, sessions=sessions, clicks=clicks,
            rage=rage, dead=dead, error=error, page_errors=errors,
            avg_visible_s=avg_vis if with_leave else None, ended=ended,
            app_page_views=app_pvs, inert=inert,
        )  # fmt: skip

    def view_sample(self, query: Query) -> dict[str, Any] | None:
        s = self._sql()
        ((url, vw, dh, n),) = self._rows(
            f"SELECT argMax(url, t), {s.median('vw')}, max(dh), count(*) FROM pageviews"
            f" WHERE {where(s, query)}",
            s.params,
        )
        if not n:
            return None
        return {"url": url, "vw": round(vw), "dh": int(dh)}

    def last_event_ms(self, app: str) -> int | None:
        s = self._sql()
        a = s(app)
        rows = self._rows(
            f"SELECT max(t), count(*) FROM pageviews WHERE app = {a}"
            f" UNION ALL SELECT max(t), count(*) FROM interactions WHERE app = {a}",
            s.params,
        )
        seen = [int(t) for t, n in rows if n]
        return max(seen) if seen else None

    def filter_values(self, query: Query, name: str, limit: int = 50) -> list[tuple[str, int]]:
        if name not in FILTERS and tag_key(name) is None:
            raise ValueError(
                f"unknown filter {name!r}; filters are {', '.join(FILTERS)} and tag.KEY"
            )
        others = replace(query, filters={k: v for k, v in query.filters.items() if k != name})
        s = self._sql()
        col = column(s, name)
        # a click's own property: its values over the clicks (counting clicks)
        table = "interactions" if name in CLICK_FILTERS else "pageviews"
        cond = where(s, others, clicks=True) + (
            " AND kind = 'click'" if name in CLICK_FILTERS else ""
        )
        rows = self._rows(
            f"SELECT {col} AS v, count(*) AS n FROM {table} WHERE {cond}"
            f" AND {col} <> '' GROUP BY v ORDER BY n DESC, v LIMIT {s(int(limit))}",
            s.params,
        )
        return [(str(v), int(n)) for v, n in rows]

    def tag_keys(self, query: Query, limit: int = 100) -> list[tuple[str, int]]:
        s = self._sql()
        rows = self._rows(
            f"SELECT k, count(*) AS n FROM (SELECT {s.dialect.unnest.format('tag_keys')} AS k"
            f" FROM pageviews WHERE {where(s, query)}) GROUP BY k ORDER BY n DESC, k"
            f" LIMIT {s(int(limit))}",
            s.params,
        )
        return [(str(k), int(n)) for k, n in rows]

    # -- actions ---------------------------------------------------------------------

    def actions(self, query: Query, limit: int = 100) -> list[dict[str, Any]]:
        s = self._sql()
        rows = self._rows(
            f"""
            SELECT sel, argMax(tag, t), argMax(text, t), count(*) AS n,
                   count(DISTINCT visitor), countIf(rage > 0), countIf(dead), countIf(error)
            FROM interactions WHERE {where(s, query, clicks=True)} AND kind = 'click'
            GROUP BY sel ORDER BY n DESC, sel LIMIT {s(int(limit))}
            """,
            s.params,
        )
        return [
            {"selector": sel, "tag": tag, "text": text, "count": int(n), "visitors": int(v),
             "rage": int(r), "dead": int(d), "error": int(e)}
            for sel, tag, text, n, v, r, d, e in rows
        ]  # fmt: skip

    def selectors(self, query: Query) -> list[str]:
        s = self._sql()
        rows = self._rows(
            f"SELECT DISTINCT sel FROM interactions WHERE {where(s, query, clicks=True)} AND kind = 'click'"
            " AND sel <> '' ORDER BY sel",
            s.params,
        )
        return [r[0] for r in rows]

    def action(self, query: Query, selector: str) -> dict[str, Any] | None:
        s = self._sql()
        ((tag, text, n, visitors, first, last, rage, dead, error),) = self._rows(
            f"""
            SELECT argMax(tag, t), argMax(text, t), count(*), count(DISTINCT visitor),
                   min(t), max(t), countIf(rage > 0), countIf(dead), countIf(error)
            FROM interactions WHERE {where(s, query, clicks=True)} AND kind = 'click' AND sel = {s(selector)}
            """,
            s.params,
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
        s = self._sql()
        rows = self._rows(
            f"""
            SELECT CAST(floor((t - {s(int(origin_ms))}) / {s(int(bucket_ms))}) AS Int64) AS b,
                   count(*)
            FROM interactions WHERE {where(s, query, clicks=True)} AND kind = 'click' AND sel = {s(selector)}
            GROUP BY b ORDER BY b
            """,
            s.params,
        )
        return [(int(b) * bucket_ms + origin_ms, int(n)) for b, n in rows]

    def action_sessions(self, query: Query, selector: str, limit: int = 10) -> list[dict[str, Any]]:
        s = self._sql()
        hit = self._rows(
            f"""
            SELECT session, argMax(visitor, t), argMax(browser, t), argMax(device, t),
                   count(*), max(t) AS last_click
            FROM interactions WHERE {where(s, query, clicks=True)} AND kind = 'click' AND sel = {s(selector)}
            GROUP BY session ORDER BY last_click DESC, session LIMIT {s(int(limit))}
            """,
            s.params,
        )
        if not hit:
            return []
        # each session's span over all of the app's events, whatever the query narrowed
        s = self._sql()
        app, sessions = s(query.app), s.values(r[0] for r in hit)
        events = " UNION ALL ".join(
            f"SELECT session, t FROM {table} WHERE app = {app} AND session IN {sessions}"
            for table in ("pageviews", "interactions", "leaves")
        )
        span = {
            sess: (int(lo), int(hi))
            for sess, lo, hi in self._rows(
                f"SELECT session, min(t), max(t) FROM ({events}) GROUP BY session", s.params
            )
        }
        return [
            {"session": sess, "visitor": v, "browser": b, "device": d, "clicks": int(n),
             "last_click": int(lc), "start": span[sess][0], "end": span[sess][1]}
            for sess, v, b, d, n, lc in hit
        ]  # fmt: skip


def _depths(
    pv: Sequence[Sequence[Any]], sc: Sequence[Sequence[Any]], lv: Sequence[Sequence[Any]]
) -> Depths:
    """:class:`Depths` from the columns of page views ``(view_id, vh, dh)``, their latest
    scroll ``(view_id, depth, dh, bands)`` and their leave ``(view_id, depth, dh)``.

    In view id order, so that attention means add up in the same order, to the last bit,
    on every backend. A view that sent nothing about scrolling still saw its first screen.
    """
    if not pv or not len(pv[0]):
        return Depths(np.zeros(0), np.zeros(0), np.zeros((0, BANDS)))
    ids = np.asarray(pv[0], dtype=str)
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    vh = np.asarray(pv[1], dtype=np.float64)[order]
    dh = np.asarray(pv[2], dtype=np.float64)[order]
    with np.errstate(divide="ignore", invalid="ignore"):
        first = vh / dh
        reached = first.copy()
        for cols in (sc, lv):
            at, found = _match(ids, cols[0] if cols else ())
            if not found.any():
                continue
            depth = np.asarray(cols[1], dtype=np.float64)[at]
            of = np.asarray(cols[2], dtype=np.float64)[at]
            ok = found & ~np.isnan(depth) & (of != 0) & ~np.isnan(of)
            reached = np.where(ok, np.fmax(reached, depth / of), reached)
    at, found = _match(ids, sc[0] if sc else ())
    kept = [sc[3][i] for i in at[found]] if found.any() else []
    bands = [b for b in kept if b is not None and len(b)]
    return Depths(
        np.minimum(1.0, reached),
        np.minimum(1.0, first),
        np.array(bands, dtype=np.float64).reshape(-1, BANDS),
    )


def _match(ids: np.ndarray, other: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``ids``, its index in ``other`` and whether it is there."""
    if not len(other):
        return np.zeros(len(ids), dtype=np.intp), np.zeros(len(ids), dtype=bool)
    keys = np.asarray(other, dtype=str)
    by = np.argsort(keys, kind="stable")
    pos = np.minimum(np.searchsorted(keys[by], ids), len(keys) - 1)
    return by[pos], keys[by][pos] == ids
