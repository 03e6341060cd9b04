"""The sessions behind a heatmap, read from the event store: written once for both engines.

:class:`SessionReads` is a mixin like :class:`~pageheat.store.reads.Reads` (both stores
inherit it): it lists the sessions of a query and tells one session's timeline, from the
page views, clicks and errors the store already keeps, and who the site said the visitor
was from ``identities`` (``pageheat.identify``). As every
read of the store, a statement reads one table, narrowed by ``IN`` over sessions (events
are sharded by session, so each shard of a cluster finds its own), and the tables are put
together here in Python; every condition on a query comes from
:func:`pageheat.store.sql.where`.

A session *matches* a query when one of its page views does (its app, view, width, time
range and filters), or, narrowed to clicks, when one of its clicks does
(:meth:`SessionReads.session_clicks`, placed by the caller where placement matters). What
a listed session says about itself (start, length, pages, clicks, entry and exit) is read
over all of its events, whatever the query narrowed: a landing page's UTM is not on the
next page, and cutting the session at the range's edge would make every session seem to
start there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pageheat.heat.placement import Points
from pageheat.store import rollup
from pageheat.store.base import POINT_KINDS, Query
from pageheat.store.reads import _match
from pageheat.store.sql import Sql, Statements, where

#: What ``has=`` may ask a session to contain: a rage burst, a dead click, a page error.
HAS = ("rage", "dead", "error")


@dataclass(frozen=True)
class SessionFilter:
    """What narrows a list of sessions besides the query: its length (ms, inclusive), its
    page views, what it must contain (:data:`HAS`) and who it was (``user``: the
    site's user id, as ``pageheat.identify`` sent it in the session)."""

    duration_min_ms: int | None = None
    duration_max_ms: int | None = None
    pages_min: int | None = None
    pages_max: int | None = None
    has: frozenset[str] = frozenset()
    user: str | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.has) - set(HAS))
        if unknown:
            raise ValueError(f"has must be some of {', '.join(HAS)}, got {unknown[0]!r}")

    @property
    def reads_events(self) -> bool:
        """Whether it needs more than page views to decide (length, clicks, errors)."""
        return (
            self.duration_min_ms is not None or self.duration_max_ms is not None or bool(self.has)
        )


@dataclass(frozen=True)
class SessionClicks:
    """Clicks (or points of another kind) with the session and time of each: what narrows
    a session list to those who clicked a selector, an area or a kind."""

    session: np.ndarray  # object: the session id of each point
    t: np.ndarray  # int64 ms
    points: Points

    def __len__(self) -> int:
        return int(self.t.shape[0])


@dataclass(frozen=True)
class SessionPage:
    """One page of a session list, newest first, and how many sessions match in all."""

    sessions: list[dict[str, Any]]
    total: int
    #: ``(start, id)`` of the last session of the page when more follow, else None.
    next: tuple[int, str] | None


class SessionReads(Statements):
    """Sessions of a query and the timeline of one, over a store's dialect and runners."""

    def session_clicks(
        self, query: Query, kind: str = "click", selector: str | None = None
    ) -> SessionClicks:
        """The points of ``kind`` (a point map's kind) the query counts, on ``selector``
        only when given, each with its session and time: the same rows as
        ``points(query, kind)``, so an area placed from them is the area counts' own."""
        if kind not in POINT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(POINT_KINDS)}, got {kind!r}")
        s = self._sql()
        on = f" AND sel = {s(selector)}" if selector is not None else ""
        cols = self._columns(
            f"SELECT session, t, x, y, dw, rx, ry, sel, pointer = 'touch' AS touch"
            f" FROM interactions WHERE {where(s, query)} AND {POINT_KINDS[kind]}{on}",
            s.params,
        )
        if not cols or not len(cols[0]):
            return SessionClicks(np.empty(0, dtype=object), np.empty(0, np.int64), Points.empty())
        return SessionClicks(
            np.asarray(cols[0], dtype=object), np.asarray(cols[1], dtype=np.int64),
            rollup.points(cols[2:]),
        )  # fmt: skip

    def session_list(
        self, query: Query, within: Sequence[str] | None = None,
        narrow: SessionFilter | None = None, limit: int = 25,
        after: tuple[int, str] | None = None, clicked: tuple[str, str | None] | None = None,
    ) -> SessionPage:  # fmt: skip
        """The sessions with a page view matching ``query`` (with ``clicked``, ``(kind,
        selector or None)``: a point of that kind, on that selector, matching it; with
        ``within``, these sessions of the query's app), narrowed by ``narrow``,
        newest start first (ties by id, descending), ``limit`` of them after the session
        ``after`` (``(start, id)``, a previous page's ``next``): keyset paging, so a
        page does not shift when new sessions arrive.

        Each is a summary over all of the session's events (`_summary`)."""
        narrow = narrow or SessionFilter()
        if within is not None and not len(within):
            return SessionPage([], 0, None)
        limit = max(0, int(limit))
        if narrow.reads_events:
            return self._decided_in_python(query, within, narrow, limit, after, clicked)
        # Page views decide everything asked: the database sorts, pages and counts.
        s = self._sql()
        having = _pages(s, narrow)
        if after is not None:
            a, b = s(int(after[0])), s(str(after[1]))
            having.append(f"(min(t) < {a} OR (min(t) = {a} AND session < {b}))")
        rows = self._rows(
            f"{_HEADS} FROM pageviews WHERE app = {s(query.app)}"
            f" AND session IN ({_among(s, query, within, clicked, narrow.user)}) GROUP BY session"
            f"{_having(having)} ORDER BY min(t) DESC, session DESC LIMIT {s(limit + 1)}",
            s.params,
        )
        s = self._sql()
        ((total,),) = self._rows(
            f"SELECT count(*) FROM (SELECT session FROM pageviews WHERE app = {s(query.app)}"
            f" AND session IN ({_among(s, query, within, clicked, narrow.user)})"
            f" GROUP BY session{_having(_pages(s, narrow))})",
            s.params,
        )
        heads = [_head(r) for r in rows]
        page = heads[:limit]
        tails = self._tails(query.app, [h["id"] for h in page]) if page else {}
        users = self.session_users(query.app, [h["id"] for h in page]) if page else {}
        out = [_summary(h, tails.get(h["id"]), users.get(h["id"])) for h in page]
        more = len(heads) > len(page) and bool(page)
        return SessionPage(out, int(total), (page[-1]["start"], page[-1]["id"]) if more else None)

    def _decided_in_python(
        self, query: Query, within: Sequence[str] | None, narrow: SessionFilter, limit: int,
        after: tuple[int, str] | None, clicked: tuple[str, str | None] | None,
    ) -> SessionPage:  # fmt: skip
        """A list whose filter needs each session's other events (its length, its rage,
        dead or error): every candidate's span and counts, read grouped by session (one
        statement a table), decided, sorted and paged in numpy; then the page's sessions
        read as any list's."""

        def grouped(table: str, columns: str, having: bool = False) -> Sequence[Sequence[Any]]:
            s = self._sql()
            return self._columns(
                f"SELECT session, {columns} FROM {table} WHERE app = {s(query.app)}"
                f" AND session IN ({_among(s, query, within, clicked, narrow.user)})"
                f" GROUP BY session{_having(_pages(s, narrow)) if having else ''}",
                s.params,
            )

        heads = grouped("pageviews", "min(t), max(t)", having=True)
        if not heads or not len(heads[0]):
            return SessionPage([], 0, None)
        ids = np.asarray(heads[0], dtype=str)
        start = np.asarray(heads[1], dtype=np.int64)
        last = np.array(heads[2], dtype=np.int64)  # a copy: merged into below
        counts = {k: np.zeros(len(ids), dtype=np.int64) for k in ("rage", "dead", "err", "errors")}

        def merge(cols: Sequence[Sequence[Any]], names: tuple[str, ...]) -> None:
            at, found = _match(ids, cols[0] if cols else ())
            if not found.any():
                return
            pick = at[found]
            t = np.asarray(cols[1], dtype=np.int64)[pick]
            last[found] = np.maximum(last[found], t)
            for i, name in enumerate(names):
                counts[name][found] = np.asarray(cols[2 + i], dtype=np.int64)[pick]

        merge(grouped("interactions", "max(t), countIf(kind = 'click' AND rage > 0),"
                      " countIf(kind = 'click' AND dead), countIf(kind = 'click' AND error)"),
              ("rage", "dead", "err"))  # fmt: skip
        merge(grouped("errors", "max(t), sum(n)"), ("errors",))
        merge(grouped("leaves", "max(t)"), ())
        duration = last - start
        keep = np.ones(len(ids), dtype=bool)
        if narrow.duration_min_ms is not None:
            keep &= duration >= narrow.duration_min_ms
        if narrow.duration_max_ms is not None:
            keep &= duration <= narrow.duration_max_ms
        flags = {"rage": counts["rage"] > 0, "dead": counts["dead"] > 0,
                 "error": (counts["errors"] > 0) | (counts["err"] > 0)}  # fmt: skip
        for name in narrow.has:
            keep &= flags[name]
        total = int(keep.sum())
        if after is not None:
            a, b = int(after[0]), str(after[1])
            keep &= (start < a) | ((start == a) & (ids < b))
        ids, start = ids[keep], start[keep]
        order = np.lexsort((ids, start))[::-1]  # newest first, ties by id descending
        chosen = [str(x) for x in ids[order[:limit]]]
        page = self.session_list(Query(app=query.app), within=chosen, limit=limit).sessions
        more = len(order) > len(chosen) and bool(page)
        return SessionPage(page, total, (page[-1]["start"], page[-1]["id"]) if more else None)

    def session_timeline(self, app: str, session: str) -> dict[str, Any] | None:
        """One session: its summary and its timeline, ``t`` in ms from its start: page
        views (view name, URL, title), clicks (selector, element, text, x/y, rage
        burst size, dead, error) and page errors (message, times); None when the app has
        no page view of it."""
        found = self.session_list(Query(app=app), within=[session], limit=1).sessions
        if not found:
            return None
        head = found[0]
        start = head["start"]
        s = self._sql()
        cond = f"app = {s(app)} AND session = {s(session)}"
        items: list[dict[str, Any]] = []
        for t, vid, name, url, title in self._rows(
            f"SELECT t, view_id, name, url, title FROM pageviews WHERE {cond}", s.params
        ):
            items.append({"type": "view", "t": int(t) - start, "view_id": vid, "view": name,
                          "url": url, "title": title})  # fmt: skip
        for t, vid, name, sel, tag, text, x, y, rage, dead, error in self._rows(
            f"SELECT t, view_id, name, sel, tag, text, x, y, rage, dead, error"
            f" FROM interactions WHERE {cond} AND kind = 'click'",
            s.params,
        ):
            items.append({
                "type": "click", "t": int(t) - start, "view_id": vid, "view": name,
                "selector": sel, "tag": tag, "text": text, "x": _num(x), "y": _num(y),
                "rage": int(rage or 0), "dead": bool(dead), "error": bool(error),
            })  # fmt: skip
        for t, vid, name, msg, n in self._rows(
            f"SELECT t, view_id, name, msg, n FROM errors WHERE {cond}", s.params
        ):
            items.append({"type": "error", "t": int(t) - start, "view_id": vid, "view": name,
                          "message": msg, "count": int(n or 1)})  # fmt: skip
        order = {"view": 0, "click": 1, "error": 2}
        items.sort(key=lambda i: (i["t"], order[i["type"]], i.get("selector") or ""))
        return {**head, "timeline": items}

    def session_users(self, app: str, sessions: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Per session of ``sessions`` the site identified: ``{"id", "name"}`` of its
        latest identify (``name`` None when the site gave none)."""
        s = self._sql()
        rows = self._rows(
            f"SELECT session, argMax(user_id, t), argMax(user_name, t) FROM identities"
            f" WHERE app = {s(app)} AND session IN ({_among(s, Query(app=app), sessions)})"
            f" GROUP BY session",
            s.params,
        )
        return {str(sess): {"id": str(uid), "name": name or None} for sess, uid, name in rows}

    def user_visitors(self, app: str, user: str) -> list[str]:
        """Every visitor id the site identified as ``user`` in ``app``: what forgetting a
        user forgets (each visitor id, everywhere, as ``forget_visitor`` does)."""
        s = self._sql()
        rows = self._rows(
            f"SELECT DISTINCT visitor FROM identities WHERE app = {s(app)}"
            f" AND user_id = {s(user)} ORDER BY visitor",
            s.params,
        )
        return [str(r[0]) for r in rows]

    # -- the reads a list is made of -----------------------------------------------------

    def _tails(self, app: str, sessions: list[str]) -> dict[str, dict[str, int]]:
        """Per session of ``sessions``: its last event time and its clicks, rage bursts,
        dead clicks, error clicks and page errors (one read of each table)."""
        out: dict[str, dict[str, int]] = {}

        def of(sess: Any) -> dict[str, int]:
            key = str(sess)
            if key not in out:
                out[key] = {"last": 0, "clicks": 0, "rage": 0, "dead": 0, "error_clicks": 0,
                            "errors": 0}  # fmt: skip
            return out[key]

        s = self._sql()
        among = _among(s, Query(app=app), sessions)
        cond = f"app = {s(app)} AND session IN ({among})"
        for sess, last, clicks, rage, dead, err in self._rows(
            f"""
            SELECT session, max(t), countIf(kind = 'click'), countIf(kind = 'click' AND rage > 0),
                   countIf(kind = 'click' AND dead), countIf(kind = 'click' AND error)
            FROM interactions WHERE {cond} GROUP BY session
            """,
            s.params,
        ):
            o = of(sess)
            o.update(clicks=int(clicks), rage=int(rage), dead=int(dead), error_clicks=int(err))
            o["last"] = max(o["last"], int(last))
        for sess, last, n in self._rows(
            f"SELECT session, max(t), sum(n) FROM errors WHERE {cond} GROUP BY session", s.params
        ):
            o = of(sess)
            o["errors"] = int(n or 0)
            o["last"] = max(o["last"], int(last))
        for sess, last in self._rows(
            f"SELECT session, max(t) FROM leaves WHERE {cond} GROUP BY session", s.params
        ):
            o = of(sess)
            o["last"] = max(o["last"], int(last))
        return out


#: Per session, what its page views say, over all of them (``GROUP BY session``).
_HEADS = """SELECT session, min(t), max(t), count(*), argMin(name, t), argMax(name, t),
       argMin(visitor, t), argMin(device, t), argMin(browser, t), argMin(os, t),
       argMin(country, t)"""


def _head(r: Sequence[Any]) -> dict[str, Any]:
    return {
        "id": str(r[0]), "start": int(r[1]), "last": int(r[2]), "pages": int(r[3]),
        "entry": r[4], "exit": r[5], "visitor": r[6], "device": r[7] or None,
        "browser": r[8] or None, "os": r[9] or None, "country": r[10] or None,
    }  # fmt: skip


def _among(
    s: Sql, query: Query, within: Sequence[str] | None,
    clicked: tuple[str, str | None] | None = None, user: str | None = None,
) -> str:  # fmt: skip
    """The candidate sessions for ``session IN (…)``: those of the query's page views, of
    its points of a kind (on a selector: ``clicked``), or the ones given (placeholders);
    with ``user``, only those the site identified as that user (``identities`` is
    sharded by session like the events, so each shard of a cluster answers its own)."""
    if user is not None:
        return (
            f"SELECT session FROM identities WHERE app = {s(query.app)}"
            f" AND user_id = {s(user)} AND session IN ({_among(s, query, within, clicked)})"
        )
    if within is None and clicked is not None:
        kind, selector = clicked
        if kind not in POINT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(POINT_KINDS)}, got {kind!r}")
        on = f" AND sel = {s(selector)}" if selector is not None else ""
        return (
            f"SELECT session FROM interactions WHERE {where(s, query)} AND {POINT_KINDS[kind]}{on}"
        )
    if within is None:
        return f"SELECT session FROM pageviews WHERE {where(s, query)}"
    return ", ".join(s(x) for x in dict.fromkeys(str(w) for w in within))


def _pages(s: Sql, narrow: SessionFilter) -> list[str]:
    """HAVING conditions of a page-view count."""
    out = []
    if narrow.pages_min is not None:
        out.append(f"count(*) >= {s(int(narrow.pages_min))}")
    if narrow.pages_max is not None:
        out.append(f"count(*) <= {s(int(narrow.pages_max))}")
    return out


def _having(conds: list[str]) -> str:
    return f" HAVING {' AND '.join(conds)}" if conds else ""


def _summary(
    head: dict[str, Any], tail: dict[str, int] | None, user: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A listed session from what its page views, its other events and its identify say."""
    t = tail or {}
    last = max(head["last"], t.get("last", 0))
    return {
        "id": head["id"], "visitor": head["visitor"], "user": user, "start": head["start"],
        "duration_ms": last - head["start"], "pages": head["pages"],
        "clicks": t.get("clicks", 0), "rage": t.get("rage", 0), "dead": t.get("dead", 0),
        "error_clicks": t.get("error_clicks", 0), "errors": t.get("errors", 0),
        "device": head["device"], "browser": head["browser"], "os": head["os"],
        "country": head["country"], "entry": head["entry"], "exit": head["exit"],
    }  # fmt: skip


def _num(v: Any) -> float | None:
    return None if v is None or v != v else round(float(v), 1)
