"""Heat rollups: point maps that cost the number of cells, not the number of events.

A point map reads, per point, its selector, its page position, its document width and
its offset in the element's box (the heat engine places it element-anchored or
positionally, on a background chosen at query time). The rollup keeps these *snapped*
(:data:`SNAPPED`): the vertical position to the centre of its 10 px cell (DESIGN's
grid: y is never scaled, so the cell ``heat.grid`` counts it in is kept), the
horizontal one to the middle of its 0.1 % of the document's width, kept as that
fraction (positional placement draws x at x / dw of the background's width, so the
fraction is all it needs, and visitors of every width share its values), and the
offsets to 1 % of the box. Snapped points are few distinct values, so identical ones
are kept once with a count, per (app, view, UTC day, device, width class, kind and
flags, selector, touch, cell, offsets); they come back as points whose ``x`` is the
fraction and ``dw`` 1, each with its count as ``Points.n`` (the heat engine weighs by
it): the raw points, snapped (:func:`snap` is the same snapping in numpy, for checks).

What that means for the map: a point lands in the row of cells its raw position does;
horizontally within 1/2000 of the background's width (positional) or 1/200 of its
element's width (anchored) of its raw place, which moves it to the next cell only when
it was that close to the cell's edge. ``store.points`` stays exact for everything else
(area counts, "locate" centres, comparisons); ``store.map_points`` is what a heatmap
draws.

A map reads the rollup when everything its query narrows by is a rollup column (view,
device, a width class, whole UTC days); never with a cohort (sessions are not kept).

Tiers (docs/performance.md, "Heat rollup tiers"): the same points are kept twice, per UTC
day (``heat_rollup``) and per UTC month (``heat_rollup_month``, the day left out), so a
map of a busy view costs its distinct points times the months it spans, not times its
days. :func:`plan` splits a query's whole days into the whole months it covers (read
from the month tier) and the days of the partial months at its edges (read from the day
tier); a query without a time range reads the month tier alone. Sessions are kept per
day in ``session_rollup`` (each session once per view, day, device and width class:
DuckDB as a 64-bit hash of its id, ClickHouse as a ``uniqExact`` state), so the
minimum-sessions check and a heatmap's ``sessions`` count exact sets of the view's
sessions rather than scanning every page view.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from pageheat.heat.placement import Points
from pageheat.kinds import rollup_conditions
from pageheat.store.base import WIDTH_CLASSES, Query, WidthClasses, WidthRange
from pageheat.store.sql import DIALECTS, Sql
from pageheat.store.sql import where as raw_where

#: Cell of the snapped position, in page px (DESIGN: the heat grid's 10 px cells).
CELL_PX = 10
#: Steps of the snapped horizontal position across the document's width (0.1 %): a
#: positional point is drawn at x / dw of the background's width, so its error is
#: at most 1/2000 of that width (0.7 px on 1440 px) whatever the visitor's width was.
X_STEPS = 1000
#: Steps of the snapped offset inside an element's box (1 %).
OFFSET_STEPS = 100
DAY_MS = 86_400_000

#: Column → the SQL that snaps it; the same text runs in DuckDB and in ClickHouse.
SNAPPED = {
    # x as a fraction of the document's width: positional placement needs no more
    "x": f"(floor(x / dw * {X_STEPS}) + 0.5) / {X_STEPS}",
    "y": f"floor(y / {CELL_PX}) * {CELL_PX} + {CELL_PX / 2:g}",
    "rx": f"floor(rx * {OFFSET_STEPS} + 0.5) / {OFFSET_STEPS}",
    "ry": f"floor(ry * {OFFSET_STEPS} + 0.5) / {OFFSET_STEPS}",
}

#: The rollup's key columns, and the SQL that computes each from an interactions row (its
#: own names, so that no alias shadows the column it is computed from). ``day`` is the
#: one expression the engines spell differently (:func:`key`, ``Dialect.day``).
KEY = {
    "app": "app",
    "name": "coalesce(name, '')",
    "day": "",
    "device": "coalesce(device, '')",
    "width_class": "coalesce(width_class, '')",
    "kind": "kind",
    "is_rage": "CASE WHEN rage > 0 THEN 1 ELSE 0 END",
    "is_dead": "CASE WHEN dead THEN 1 ELSE 0 END",
    "is_error": "CASE WHEN error THEN 1 ELSE 0 END",
    "sel": "coalesce(sel, '')",
    "touch": "CASE WHEN pointer = 'touch' THEN 1 ELSE 0 END",
    "cx": SNAPPED["x"],
    "cy": SNAPPED["y"],
    "ox": SNAPPED["rx"],
    "oy": SNAPPED["ry"],
}

#: The month tier's key: the day's place taken by the UTC month (``YYYYMM``).
MONTH_KEY = {("month" if k == "day" else k): v for k, v in KEY.items()}

#: Tier → (table, its time column): what :func:`key` and the reads name.
TIERS = {"day": ("heat_rollup", "day"), "month": ("heat_rollup_month", "month")}

#: The interactions columns the rollup is computed from.
SOURCE = ("app", "name", "t", "device", "width_class", "kind", "rage", "dead", "error", "sel",
          "pointer", "dw", "x", "y", "rx", "ry")  # fmt: skip

#: Which rollup rows each point map draws (``store.base.POINT_KINDS`` on raw rows).
KINDS = rollup_conditions()

#: What a rollup read selects: a map's point columns and each distinct point's count.
READ = "cx, cy, 1, ox, oy, sel, touch, sum(n)"
GROUP = "cx, cy, ox, oy, sel, touch"
ROWS = "cx, cy, 1, ox, oy, sel, touch, n"


def point_query(s: Sql, query: Query, kind: str) -> str:
    """The rollup read of a point map (for a query the rollup covers): snapped points
    with their counts, from the month tier for the whole months of its range and the
    day tier for the days of partial months (:func:`plan`). A SummingMergeTree
    (``Dialect.summed_rollup``) sums each distinct point's rows (unmerged parts, the
    negative rows a deletion adds, the same point in both tiers); a store whose rows are
    never negative (DuckDB: upserts) reads them as they are, since a point counted in two
    rows (two months, two devices, a month and a day) draws the same as one row of both."""
    months, days = plan(query.start_ms, query.end_ms)
    cond = where(s, query, days=False)
    parts = []
    for tier, ranges in (("month", [months] if months else []), ("day", days)):
        table, column = TIERS[tier]
        for lo, hi in ranges:
            bounds = [f"{column} >= {s(lo)}" if lo is not None else "",
                      f"{column} < {s(hi)}" if hi is not None else ""]  # fmt: skip
            conds = " AND ".join(c for c in (cond, *bounds, KINDS[kind]) if c)
            parts.append((table, conds))
    if s.dialect.summed_rollup:
        union = " UNION ALL ".join(
            f"SELECT cx, cy, ox, oy, sel, touch, n FROM {table} WHERE {c}" for table, c in parts
        )
        return f"SELECT {READ} FROM ({union}) GROUP BY {GROUP}"
    return " UNION ALL ".join(f"SELECT {ROWS} FROM {table} WHERE {c} AND n > 0"
                              for table, c in parts)  # fmt: skip


def session_query(s: Sql, query: Query) -> str:
    """Sessions of a query the rollup covers, from ``session_rollup`` (exact: each
    session's id, or its exact set state, once per view, day, device and width class)."""
    return f"SELECT {s.dialect.session_count} FROM session_rollup WHERE {where(s, query)}"


def plan(
    start_ms: int | None, end_ms: int | None
) -> tuple[tuple[int | None, int | None] | None, list[tuple[int | None, int | None]]]:
    """A range of whole UTC days (None: open) as the range of whole months it covers
    (``YYYYMM``, end excluded; None when it covers none) and the day ranges (day
    numbers, end excluded) of the partial months at its edges."""
    first = None if start_ms is None else int(start_ms) // DAY_MS
    end = None if end_ms is None else int(end_ms) // DAY_MS
    lo = None if first is None else _month(first) if _day(first).day == 1 else _next(_month(first))
    hi = None if end is None else _month(end)
    if lo is not None and hi is not None and lo >= hi:
        return None, ([] if first is not None and end is not None and first >= end
                      else [(first, end)])  # fmt: skip
    days: list[tuple[int | None, int | None]] = []
    if first is not None and lo is not None and _first_day(lo) > first:
        days.append((first, _first_day(lo)))
    if end is not None and hi is not None and _first_day(hi) < end:
        days.append((_first_day(hi), end))
    return (lo, hi), days


def _day(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=day)


def _month(day: int) -> int:
    d = _day(day)
    return d.year * 100 + d.month


def _next(month: int) -> int:
    y, m = divmod(month, 100)
    return (y + 1) * 100 + 1 if m == 12 else month + 1


def _first_day(month: int) -> int:
    return (date(month // 100, month % 100, 1) - date(1970, 1, 1)).days


def key(engine: str, tier: str = "day") -> dict[str, str]:
    """The key columns' SQL for ``engine`` (``duckdb`` or ``clickhouse``) in ``tier``."""
    d = DIALECTS[engine]
    if tier == "month":
        return {**MONTH_KEY, "month": d.month.format(t="t")}
    return {**KEY, "day": d.day.format(t="t", day=DAY_MS)}


def select(engine: str, sign: int = 1, tier: str = "day") -> str:
    """``SELECT key…, count`` over interactions rows, grouped: what the rollup adds (or,
    with ``sign=-1``, takes away when the rows are deleted)."""
    cols = ", ".join(
        sql if sql == name else f"{sql} AS {name}" for name, sql in key(engine, tier).items()
    )
    count = "count(*)" if sign > 0 else "-count(*)"
    cast = DIALECTS[engine].int64.format(count)
    return f"SELECT {cols}, {cast} AS n"


def group_by(tier: str = "day") -> str:
    return ", ".join(MONTH_KEY if tier == "month" else KEY)


#: The page-view columns ``session_rollup`` is computed from, and its key.
SESSION_SOURCE = ("app", "name", "t", "device", "width_class", "session")
SESSION_KEY = ("app", "name", "day", "device", "width_class")


def session_select(engine: str) -> str:
    """``SELECT key…, session`` over page views: DuckDB's rows of ``session_rollup``
    (each distinct; the session's id as a 64-bit hash), or ClickHouse's (its
    ``uniqExact`` state, grouped by the key)."""
    d = DIALECTS[engine]
    cols = {**{k: KEY[k] for k in SESSION_KEY}, "day": d.day.format(t="t", day=DAY_MS)}
    keys = ", ".join(sql if sql == name else f"{sql} AS {name}" for name, sql in cols.items())
    return f"SELECT {'' if d.summed_rollup else 'DISTINCT '}{keys}, {d.session_state}"


#: The point columns of a map, snapped as the rollup keeps them: what a raw read of a map
#: selects when the rollup does not cover its query.
POINT_COLUMNS = (
    f"{SNAPPED['x']} AS px, {SNAPPED['y']} AS py, 1 AS pw, {SNAPPED['rx']} AS prx,"
    f" {SNAPPED['ry']} AS pry, sel, CASE WHEN pointer = 'touch' THEN 1 ELSE 0 END AS touch"
)


def covers(query: Query, widths: WidthClasses | None = None) -> bool:
    """Whether the rollup holds everything this query narrows by; ``widths`` are the
    bounds the store classed its rows by (the settings' defaults when None). A cohort
    is a set of sessions, which the rollup does not keep: such a query reads raw rows."""
    if query.cohort is not None or set(query.filters) - {"device"}:
        return False
    if query.width is not None and not _is_class(query.width, widths or WidthClasses()):
        return False
    return all(t is None or t % DAY_MS == 0 for t in (query.start_ms, query.end_ms))


def _is_class(width: WidthRange, widths: WidthClasses) -> bool:
    """A width class with the store's bounds: the class the collector stored (a range
    that only bears a class's name is read from the raw rows)."""
    return width.name in WIDTH_CLASSES and width == widths.range(width.name)


def where(s: Sql, query: Query, days: bool = True) -> str:
    """Conditions on the rollup tables for a query they cover (see :func:`covers`): the
    raw rows' conditions (store/sql.py) with a width class for the width range and, with
    ``days``, whole days for the time range (the point reads bound each tier's own time
    column instead, :func:`point_query`)."""
    parts = [raw_where(s, replace(query, width=None, start_ms=None, end_ms=None))]
    if query.width is not None:
        parts.append(f"width_class = {s(query.width.name)}")
    bounds = (("day >=", query.start_ms), ("day <", query.end_ms)) if days else ()
    parts += [f"{day} {s(int(ms) // DAY_MS)}" for day, ms in bounds if ms is not None]
    return " AND ".join(parts)


def points(columns: Sequence[Sequence[Any]]) -> Points:
    """Points from the columns ``(x, y, dw, rx, ry, sel, touch[, n])`` of a map's read:
    with a count (a rollup read), each row stands for ``n`` events (``Points.n``)."""
    if not columns or not len(columns[0]):
        return Points.empty()
    x, y, dw, rx, ry, sel, touch, *count = columns
    selectors, codes = np.unique(np.asarray(sel, dtype=object), return_inverse=True)
    return Points(
        x=np.asarray(x, dtype=np.float64), y=np.asarray(y, dtype=np.float64),
        dw=np.asarray(dw, dtype=np.float64), rx=np.asarray(rx, dtype=np.float64),
        ry=np.asarray(ry, dtype=np.float64), sel=codes.reshape(-1).astype(np.int32),
        touch=np.asarray(touch, dtype=bool), selectors=[str(s) for s in selectors],
        n=np.asarray(count[0], dtype=np.int64) if count else None,
    )  # fmt: skip


def snap(p: Points) -> Points:
    """The rollup's snapping of raw points, in numpy (what :data:`SNAPPED` does in SQL)."""
    half = CELL_PX / 2
    return Points(
        x=(np.floor(p.x / p.dw * X_STEPS) + 0.5) / X_STEPS,
        y=np.floor(p.y / CELL_PX) * CELL_PX + half,
        dw=np.ones_like(p.dw), rx=np.floor(p.rx * OFFSET_STEPS + 0.5) / OFFSET_STEPS,
        ry=np.floor(p.ry * OFFSET_STEPS + 0.5) / OFFSET_STEPS, sel=p.sel, touch=p.touch,
        selectors=p.selectors,
    )  # fmt: skip
