"""The SQL both event stores speak: a small dialect table and named parameters.

The reads of the event store (store/reads.py) are written once, in the part of SQL that
DuckDB, ClickHouse 18.16 (Debian's server) and current ClickHouse all read alike:
``argMax``/``argMin``, ``countIf``, ``count(DISTINCT …)``, ``CAST(… AS Int64)``,
``IN (…)`` lists, ``UNION ALL`` in a subquery, no JOIN (a cluster's Distributed tables
would join across shards). DuckDB takes the ClickHouse spellings as aliases, so most of
the dialect is no dialect at all; :class:`Dialect` holds what is left, and the contract
suite (tests/store/test_contract.py) runs every read on all three engines.

Values never enter the text: each goes in as a named parameter (:class:`Sql`), bound by
DuckDB itself (``$p0``) or escaped by clickhouse-driver (``%(p0)s``), so one statement
may use a value twice and the reads need not count positions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pageheat.filters import tag_key
from pageheat.store.base import CLICK_FILTERS, FILTERS, Did, Query, parse_filters


@dataclass(frozen=True)
class Dialect:
    """How one engine spells what the shared reads cannot write alike."""

    name: str
    #: A named parameter in the text; ``{}`` is its name.
    param: str
    #: The exact median of an expression ``{0}`` (the mean of the two middle values for
    #: an even count, as DuckDB's ``median``; ClickHouse's ``median`` is an estimate).
    median: str
    #: Whether the heat rollup holds several rows per point that a read must add up
    #: (a SummingMergeTree's unmerged parts, and the negative rows deletions add), or
    #: one row per point kept by upserts that it reads as they are.
    summed_rollup: bool
    #: The UTC day of an event time ``{t}`` (ms), ``{day}`` ms long: the heat rollup's
    #: ``day`` as the store computes it (DuckDB at each write, ClickHouse in the
    #: materialised view of its schema).
    day: str
    #: ``{0}`` as a 64-bit integer, where the rollup writes its counts.
    int64: str
    #: The UTC month (``YYYYMM``) of an event time ``{t}`` (ms): the month tier's key.
    month: str
    #: A page view's session as ``session_rollup`` keeps it: DuckDB a row per session (a
    #: 64-bit hash of its id), ClickHouse an exact set state per key.
    session_state: str
    #: The count of distinct sessions over ``session_rollup`` rows.
    session_count: str
    #: The value of the tag whose key is ``{key}`` (a placeholder) on a row that carries
    #: its page view's tags as parallel arrays (``tag_keys``, ``tag_values``): NULL (DuckDB)
    #: or '' (ClickHouse) when the row has no such tag, which no filter value matches.
    tag: str
    #: One row per element of the array ``{0}`` (in a SELECT list).
    unnest: str


DUCKDB = Dialect(
    name="duckdb",
    param="${}",
    median="median({0})",
    summed_rollup=False,
    day="CAST(floor({t} / {day}) AS INTEGER)",
    int64="CAST({0} AS BIGINT)",
    month="CAST(year(epoch_ms({t})) * 100 + month(epoch_ms({t})) AS INTEGER)",
    session_state="md5_number_lower(session) AS sid",
    session_count="count(DISTINCT sid)",
    tag="tag_values[list_position(tag_keys, {key})]",
    unnest="unnest({0})",
)

CLICKHOUSE = Dialect(
    name="clickhouse",
    param="%({})s",
    # quantileExact gives the upper middle value, and of -x the lower one negated
    median="(quantileExact(0.5)({0}) - quantileExact(0.5)(-{0})) / 2",
    summed_rollup=True,
    day="toInt32(intDiv({t}, {day}))",
    int64="toInt64({0})",
    month="toInt32(toYYYYMM(toDateTime(intDiv({t}, 1000)), 'UTC'))",
    session_state="uniqExactState(session) AS sessions",
    session_count="uniqExactMerge(sessions)",
    tag="tag_values[indexOf(tag_keys, {key})]",
    unnest="arrayJoin({0})",
)

DIALECTS = {d.name: d for d in (DUCKDB, CLICKHOUSE)}


class Sql:
    """The parameters of one statement as it is written: ``s(value)`` keeps the value
    and returns its placeholder in the engine's spelling."""

    def __init__(self, dialect: Dialect):
        self.dialect = dialect
        self.params: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return self.dialect.param.format(name)

    def values(self, values: Iterable[Any]) -> str:
        """``(…)`` of one placeholder per value, for ``IN``; never empty."""
        marks = [self(v) for v in values]
        if not marks:
            raise ValueError("an IN list needs at least one value")
        return f"({', '.join(marks)})"

    def median(self, expr: str) -> str:
        return self.dialect.median.format(expr)


def where(
    s: Sql, query: Query, view: bool = True, filters: bool = True, clicks: bool = False
) -> str:
    """SQL conditions for a query: its app, view (``view``), width range, time range and
    filters (``filters``), the same on every table (each carries the view's dimensions,
    store/rows.py); the filters of a click's own properties (``CLICK_FILTERS``) only on
    ``interactions`` rows (``clicks``). Unknown filter names raise even when filters are
    not applied."""
    parts = [f"app = {s(query.app)}"]
    if view and query.view is not None:
        parts.append(f"name = {s(query.view)}")
    if query.width is not None:
        parts.append(f"vw BETWEEN {s(float(query.width.lo))} AND {s(float(query.width.hi))}")
    if query.start_ms is not None:
        parts.append(f"t >= {s(int(query.start_ms))}")
    if query.end_ms is not None:
        parts.append(f"t < {s(int(query.end_ms))}")
    checked = parse_filters(query.filters)
    for name, text in checked.items() if filters else ():
        if name in CLICK_FILTERS and not clicks:
            continue
        parts.append(f"{column(s, name)} IN {s.values(text.split(','))}")
    cohort = query.cohort
    if cohort is not None and filters:
        if cohort.sessions is not None:
            # an empty cohort keeps nothing; '' is no session id (ids are 1+ characters)
            parts.append(f"session IN {s.values(cohort.sessions or [''])}")
        elif cohort.did is not None:
            not_ = "NOT " if cohort.negate else ""
            parts.append(f"session {not_}IN ({did(s, query, cohort.did)})")
    return " AND ".join(parts)


def did(s: Sql, query: Query, what: Did, columns: str = "session") -> str:
    """``SELECT columns`` of the events of the query's app and time range in which a
    session did ``what`` (store.base.Did), whatever the view, width and filters: a
    cohort is a set of sessions, and a funnel's later step happens on another page. One
    table a statement (``UNION ALL`` for the error cohort), so a cluster runs it on each
    shard, where a session's events all are."""
    parts = [f"app = {s(query.app)}"]
    if query.start_ms is not None:
        parts.append(f"t >= {s(int(query.start_ms))}")
    if query.end_ms is not None:
        parts.append(f"t < {s(int(query.end_ms))}")
    cond = " AND ".join(parts)
    if what.what == "view":
        return f"SELECT {columns} FROM pageviews WHERE {cond} AND name = {s(what.view)}"
    if what.what == "event":
        return f"SELECT {columns} FROM goals WHERE {cond} AND goal = {s(what.event)}"
    clicks = f"SELECT {columns} FROM interactions WHERE {cond} AND kind = 'click'"
    if what.what == "click":
        on = f" AND name = {s(what.view)}" if what.view is not None else ""
        return f"{clicks}{on} AND sel = {s(what.selector)}"
    if what.what == "rage":
        return f"{clicks} AND rage > 0"
    if what.what == "dead":
        return f"{clicks} AND dead"
    # error: a page error, or a click an error followed
    return f"SELECT {columns} FROM errors WHERE {cond} UNION ALL {clicks} AND error"


def column(s: Sql, name: str) -> str:
    """The SQL of a filter's value on a row: its column, or for ``tag.KEY`` the value of
    that tag in the row's tag arrays."""
    key = tag_key(name)
    if key is None:
        return FILTERS[name]
    return s.dialect.tag.format(key=s(key))


def view_ids(s: Sql, query: Query) -> str:
    """The page views of a query, for ``view_id IN (…)`` on the other tables."""
    return f"SELECT view_id FROM pageviews WHERE {where(s, query)}"


class Statements:
    """What the read mixins (``Reads``, ``SessionReads``, ``OutcomeReads``) need of a
    store: its dialect and its two statement runners, which each store defines."""

    dialect: Dialect

    def _rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # the store's

    def _columns(self, sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        """The result as one sequence per column (none when it has no rows)."""
        raise NotImplementedError  # the store's

    def _sql(self) -> Sql:
        return Sql(self.dialect)
