"""Reads of outcomes: conversion by action, funnel steps and journeys, once for both engines.

:class:`OutcomeReads` is a mixin of both stores, as :class:`~pageheat.store.reads.Reads`
is, and keeps its rules: each statement reads one table (a subquery on another table
only narrows by session, which a cluster answers shard by shard since events are
sharded by session), every condition comes from ``store.sql.where`` or
``store.sql.did``, and what a join would do is done here in numpy. The definitions
(what a goal or a step is) are the metadata's; they reach the store as
:class:`~pageheat.store.base.Did` values.

Sessions are the unit throughout: a goal counts once per session, a funnel follows
one session through its steps, a journey counts the sessions that went from one page
to the next.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from pageheat.heat.placement import Points
from pageheat.store import rollup
from pageheat.store.base import Did, Query
from pageheat.store.sql import Statements, did, where


@dataclass(frozen=True)
class StepTimes:
    """The sessions that reached a funnel step, in session order, with when they did.

    A session is its number in the read (``codes``, ascending, into ``names``): the steps
    of one funnel share the numbers, so they compare as integers; the ids themselves
    (``sessions``) are made only when asked for (a cohort), since turning a few hundred
    thousand ids into a numpy string array cost more than the read."""

    codes: np.ndarray  # int64, ascending
    t: np.ndarray  # int64 ms
    names: np.ndarray  # every session id of the read, in session order

    @cached_property
    def sessions(self) -> np.ndarray:  # str
        return np.asarray(self.names[self.codes], dtype=str).reshape(-1)

    def __len__(self) -> int:
        return len(self.codes)


class OutcomeReads(Statements):
    """Conversion, funnels and journeys over a store's dialect and statement runners."""

    def _sessions(self, sql: str, params: dict[str, Any]) -> np.ndarray:
        cols = self._columns(sql, params)
        return np.unique(np.asarray(cols[0], dtype=str)) if cols else np.zeros(0, str)

    # -- conversion --------------------------------------------------------------------

    def conversion(self, query: Query, goal: Did, selectors: Sequence[str]) -> dict[str, Any]:
        """Per selector clicked on the query's view: the sessions that clicked it
        (``sessions``) and those of them that reached ``goal`` (``converted``), and the
        same for the sessions that viewed the view and did not click it (``others_*``).
        Also the view's ``viewers`` and ``viewers_converted``. Counts only leave the
        database (four reads, two tables; the goal and the view's sessions as ``IN``
        subqueries, which a cluster answers shard by shard): sets of session ids in
        numpy cost more than the reads themselves."""

        s = self._sql()
        won = f"session IN ({did(s, query, goal)})"
        ((seen, won_n),) = self._rows(
            f"SELECT count(DISTINCT session), {converted(won)}"
            f" FROM pageviews WHERE {where(s, query)}",
            s.params,
        )
        seen, won_n = int(seen), int(won_n or 0)
        clicked: dict[str, int] = {}
        wins: dict[str, int] = {}
        if selectors:
            s = self._sql()
            won = f"session IN ({did(s, query, goal)})"
            rows = self._rows(
                f"SELECT sel, count(DISTINCT session), {converted(won)} FROM interactions"
                f" WHERE {where(s, query)} AND kind = 'click' AND sel IN {s.values(selectors)}"
                f" AND session IN (SELECT session FROM pageviews WHERE {where(s, query)})"
                " GROUP BY sel",
                s.params,
            )
            for sel, n, k in rows:
                clicked[str(sel)], wins[str(sel)] = int(n), int(k or 0)
        out: dict[str, Any] = {"viewers": seen, "viewers_converted": won_n, "actions": {}}
        for name in selectors:
            n, k = clicked.get(name, 0), wins.get(name, 0)
            out["actions"][name] = {
                "sessions": n, "converted": k,
                "others_sessions": seen - n, "others_converted": won_n - k,
            }  # fmt: skip
        return out

    def conversion_points(self, query: Query, goal: Did) -> tuple[Points, np.ndarray]:
        """The query's clicks (exact, as ``store.points``) and, per click, whether its
        session reached ``goal`` in the range: what the conversion map weighs clicks by.
        Two reads: the clicks with their sessions, the goal's sessions among them."""
        s = self._sql()
        cols = self._columns(
            f"SELECT x, y, dw, rx, ry, sel, pointer = 'touch' AS touch, session"
            f" FROM interactions WHERE {where(s, query)} AND kind = 'click'",
            s.params,
        )
        if not cols or not len(cols[0]):
            return Points.empty(), np.zeros(0, bool)
        s = self._sql()
        won = self._sessions(
            f"SELECT DISTINCT session FROM ({did(s, query, goal)}) WHERE session IN"
            f" (SELECT session FROM interactions WHERE {where(s, query)} AND kind = 'click')",
            s.params,
        )
        return rollup.points(cols[:7]), np.isin(np.asarray(cols[7], dtype=str), won)

    # -- funnels -----------------------------------------------------------------------

    def funnel_steps(self, query: Query, steps: Sequence[Did]) -> list[StepTimes]:
        """Sessions through ordered ``steps`` within the query's range: a session reaches
        step k at the first time it did step k at or after it reached step k-1. The
        sessions considered are those with a page view the query's filters and cohort
        keep (the filters describe sessions, as for journeys). One read: every step's
        rows (``UNION ALL``, each step's table on its own) in session and time order."""
        if not steps:
            return []
        s = self._sql()
        parts = []
        for i, step in enumerate(steps):
            part = f"SELECT {i} AS k, session, t FROM ({did(s, query, step, 'session, t')})"
            # A page view step's own row is a page view of the app in the range: with no
            # width, filter or cohort to narrow the sessions, the IN would keep every row
            # and cost a join on session ids.
            if step.what != "view" or narrowed(query):
                part += (" WHERE session IN (SELECT session FROM pageviews WHERE"
                         f" {where(s, replace(query, view=None))})")  # fmt: skip
            parts.append(part)
        cols = self._columns(
            f"SELECT k, session, t FROM ({' UNION ALL '.join(parts)}) ORDER BY session, t",
            s.params,
        )
        if not cols or not len(cols[0]):
            empty = StepTimes(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, str))
            return [empty] * len(steps)
        return step_times(
            np.asarray(cols[0], dtype=np.int64), np.asarray(cols[1], dtype=object),
            np.asarray(cols[2], dtype=np.int64), len(steps),
        )  # fmt: skip

    # -- journeys ----------------------------------------------------------------------

    def journeys(self, query: Query, limit: int = 10) -> dict[str, Any]:
        """The pages visited right before and right after the query's view in the same
        session (sessions per page, most first), and the sessions that entered or left
        the site on it. The filters and cohort choose the sessions (those with a page
        view of the view they keep); the pages around it are every page view of those
        sessions in the range, whatever the filters (a landing page's UTM is not on the
        next page). One read, of the two columns the counting needs (the time and view id
        only order the rows)."""
        s = self._sql()
        cols = self._columns(
            f"SELECT session, name FROM pageviews"
            f" WHERE {where(s, query, view=False, filters=False)} AND session IN"
            f" (SELECT session FROM pageviews WHERE {where(s, query)})"
            " ORDER BY session, t, view_id",
            s.params,
        )
        return journey_counts(cols, query.view, limit)


def narrowed(query: Query) -> bool:
    """Whether ``where`` narrows the query's page views beyond its app and range (a width,
    a filter or a cohort): else every page view of the app in the range is kept."""
    return query.width is not None or bool(query.filters) or query.cohort is not None


def converted(won: str) -> str:
    """The distinct sessions of the rows for which ``won`` (a condition) holds, beside
    the count of all of them in the same scan: one read where two would scan twice.
    ClickHouse 18.16 answers NULL, not 0, when no row holds: read it as 0."""
    return f"count(DISTINCT CASE WHEN {won} THEN session END)"


def step_times(k: np.ndarray, sess: np.ndarray, t: np.ndarray, n: int) -> list[StepTimes]:
    """The ``n`` steps' :class:`StepTimes` from rows of (step ``k``, session, time) in
    session and time order: sessions become numbers by where the id changes (no string
    sort or search here), then each step keeps, per session, its first row at or after
    the time the session reached the step before."""
    starts = np.ones(len(sess), bool)
    starts[1:] = sess[1:] != sess[:-1]
    codes = np.cumsum(starts) - 1
    names = sess[starts]
    reached = np.full(len(names), np.iinfo(np.int64).max)  # when each reached the step before
    reached_any = np.ones(len(names), bool)  # the first step has no step before
    out: list[StepTimes] = []
    for i in range(n):
        mine = k == i
        c, ti = codes[mine], t[mine]
        keep = reached_any[c] & (ti >= np.where(i, reached[c], np.iinfo(np.int64).min))
        c, ti = c[keep], ti[keep]
        first = np.ones(len(c), bool)
        first[1:] = c[1:] != c[:-1]
        c, ti = c[first], ti[first]
        out.append(StepTimes(c, ti, names))
        reached_any = np.zeros(len(names), bool)
        reached_any[c] = True
        reached[c] = ti
    return out


def journey_counts(cols: Sequence[Sequence[Any]], view: str | None, limit: int) -> dict[str, Any]:
    """Previous and next pages of ``view`` from ``(session, name)`` columns of the page
    views of the sessions that viewed it, in session, time and view id order."""
    empty: dict[str, Any] = {"previous": [], "next": [], "entries": 0, "exits": 0,
                             "sessions": 0, "page_views": 0}  # fmt: skip
    if not cols or not len(cols[0]):
        return empty
    # in session, time and view id order (the read sorts them: no string sort here)
    sess = np.asarray(cols[0], dtype=object)
    names = np.asarray(cols[1], dtype=object)
    n = len(sess)
    starts = np.ones(n, bool)
    starts[1:] = sess[1:] != sess[:-1]
    ends = np.ones(n, bool)
    ends[:-1] = starts[1:]
    here = names == view
    if not here.any():
        return empty
    at = np.flatnonzero(here)
    number = np.cumsum(starts)  # each row's session as a number

    def around(step: int, edge: np.ndarray) -> list[dict[str, Any]]:
        has = at[~edge[at]]
        pairs = set(zip(number[has].tolist(), names[has + step].tolist(), strict=True))
        counts = Counter(page for _, page in pairs)
        rows = sorted(counts.items(), key=lambda r: (-r[1], r[0]))
        return [{"view": p, "sessions": int(c)} for p, c in rows[:limit]]

    return {
        "previous": around(-1, starts),
        "next": around(1, ends),
        "entries": int((starts & here).sum()),
        "exits": int((ends & here).sum()),
        # the numbers ascend: the sessions are where they change (no hash of 200 k here)
        "sessions": int(np.count_nonzero(np.diff(number[here]))) + 1,
        "page_views": int(here.sum()),
    }
