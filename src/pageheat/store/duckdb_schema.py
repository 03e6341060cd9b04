"""Opening a DuckDB file: the schema, and the one-time upgrades of older files.

A file written by an earlier release is brought up to date when it is opened: the
schema's ``CREATE … IF NOT EXISTS`` and ``ALTER TABLE … ADD COLUMN IF NOT EXISTS``
lines add what is missing, and the rows those additions need are filled in once
(each page view's filter dimensions copied onto its events, each visitor's first
session, the heat rollup), so its reads answer as a new file's do.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import duckdb

from pageheat.store import rollup
from pageheat.store.rows import VIEW_DIMENSIONS


def connect(path: str) -> duckdb.DuckDBPyConnection:
    """The file at ``path`` (``:memory:`` for a throwaway one) with the current schema."""
    con = duckdb.connect(path)
    before = _columns(con, "pageviews")
    had_visitors = bool(_columns(con, "visitors"))
    had_rollup = bool(_columns(con, "heat_rollup"))
    con.execute(_schema_sql())
    if before and "visitor_type" not in before:
        _fill_filter_dimensions(con)
    if before and not had_visitors:
        _fill_visitors(con)
    if before and not had_rollup:
        _fill_rollup(con)
    return con


def _schema_sql() -> str:
    return resources.files("pageheat.store").joinpath("schema/duckdb.sql").read_text()


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
