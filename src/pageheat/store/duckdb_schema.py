"""Opening a DuckDB file: its versioned migrations, applied on opening.

The steps are :data:`MIGRATIONS` (store/migrations.py says how a list works), each a
section of schema/duckdb.sql and, where an older file needs rows filled in once, a
function here (each page view's filter dimensions copied onto its events, each visitor's
first session, the heat rollup), so an upgraded file's reads answer as a new file's do.
Opening applies what is missing, so ``pageheat serve`` stays one command; ``pageheat
migrate`` does the same and says what it applied.
"""

from __future__ import annotations

from typing import Any

import duckdb

from pageheat.store import duckdb_rollup, rollup
from pageheat.store.migrations import Migration, check, now_ms, pending, sections
from pageheat.store.rows import LIST_DIMENSIONS, VIEW_DIMENSIONS

#: The dimensions migration 2 copied (the tag arrays came with migration 5, which fills
#: them itself).
_DIMENSIONS_2 = tuple(d for d in VIEW_DIMENSIONS if d not in LIST_DIMENSIONS)


def connect(path: str) -> duckdb.DuckDBPyConnection:
    """The file at ``path`` (``:memory:`` for a throwaway one) with the current schema."""
    con = duckdb.connect(path)
    try:
        migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def migrate(con: Any) -> list[Migration]:
    """Apply the migrations the file has not recorded, each in a transaction with its
    record; returns those applied (none when the file is up to date)."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY,"
        " why VARCHAR NOT NULL, applied BIGINT NOT NULL, stamped BOOLEAN NOT NULL)"
    )
    done = {r[0] for r in con.execute("SELECT id FROM schema_migrations").fetchall()}
    if not done:
        for m in MIGRATIONS[: _baseline(con)]:
            _record(con, m, stamped=True)
            done.add(m.id)
    sql = sections("duckdb")
    applied = []
    for m in pending(MIGRATIONS, done):
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql[m.id])
            if m.fill:
                m.fill(con)
            _record(con, m, stamped=False)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(m)
    return applied


def recorded(con: Any) -> list[int]:
    """The ids the file has recorded, in order."""
    return [r[0] for r in con.execute("SELECT id FROM schema_migrations ORDER BY id").fetchall()]


def _record(con: Any, m: Migration, stamped: bool) -> None:
    con.execute(
        "INSERT INTO schema_migrations VALUES (?, ?, ?, ?)", [m.id, m.why, now_ms(), stamped]
    )


def _baseline(con: Any) -> int:
    """How far a file made before versioning had come (0 for a new file): the one place
    that still reads which tables and columns a file has, and only when the file has
    no record yet. Earlier releases added, in this order, the filter dimensions, the
    visitors table and the heat rollup."""
    pageviews = _columns(con, "pageviews")
    if not pageviews:
        return 0
    if "visitor_type" not in pageviews:
        return 1
    if not _columns(con, "visitors"):
        return 2
    return 4 if _columns(con, "heat_rollup") else 3


def _fill_rollup(con: Any) -> None:
    """Once, for a file written before the heat rollup: count every interaction in (the
    whole rollup rebuilt from the events, so it is right whatever the table held)."""
    con.execute("DELETE FROM heat_rollup")
    con.execute(
        f"INSERT INTO heat_rollup {rollup.select('duckdb')} FROM interactions"
        f" GROUP BY {rollup.group_by()}"
    )


def _fill_visitors(con: Any) -> None:
    """Once, for a file written before the visitors table: each visitor's first session
    (rebuilt from the page views, so it is right whatever the table held)."""
    con.execute("DELETE FROM visitors")
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
    con.execute("""
        UPDATE pageviews SET visitor_type = CASE WHEN pageviews.session = f.session
                                                 THEN 'new' ELSE 'returning' END
        FROM (SELECT app, visitor, arg_min(session, t) AS session FROM pageviews
              GROUP BY app, visitor) f
        WHERE pageviews.app = f.app AND pageviews.visitor = f.visitor
    """)  # fmt: skip
    for table in ("interactions", "scrolls", "errors", "layouts"):
        sets = ", ".join(f"{c} = coalesce({table}.{c}, p.{c})" for c in _DIMENSIONS_2)
        con.execute(
            f"UPDATE {table} SET {sets} FROM pageviews p"
            f" WHERE {table}.app = p.app AND {table}.view_id = p.view_id"
        )


#: The tags rows written before migration 5 kept, as columns; keys in sorted order.
OLD_TAGS = ("env", "service", "version")


def _fill_tags(con: Any) -> None:
    """Once, for a file written before every tag was kept: the env, service and version
    tags (the only ones kept then) into each row's tag arrays, keys sorted as the
    collector writes them."""
    keys = " || ".join(
        f"CASE WHEN coalesce({t}, '') <> '' THEN ['{t}'] ELSE []::VARCHAR[] END" for t in OLD_TAGS
    )
    values = " || ".join(
        f"CASE WHEN coalesce({t}, '') <> '' THEN [{t}] ELSE []::VARCHAR[] END" for t in OLD_TAGS
    )
    for table in ("pageviews", "interactions", "scrolls", "errors", "layouts"):
        con.execute(
            f"UPDATE {table} SET tag_keys = {keys}, tag_values = {values} WHERE tag_keys IS NULL"
        )


#: The file's steps, in order (ids never reused; a new one goes at the end).
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the event tables of the first release"),
    Migration(
        2, "every filter dimension on every table a filtered read narrows", _fill_filter_dimensions
    ),
    Migration(
        3, "each visitor's first session, for new and returning visitors at ingest", _fill_visitors
    ),
    Migration(4, "the heat rollup, so point maps read counted cells", _fill_rollup),
    Migration(5, "every tag of a page view kept, as parallel key and value arrays", _fill_tags),
    Migration(6, "custom goals pages send (pageheat.goal), for goals, conversion and funnels"),
    Migration(
        7,
        "rollup tiers: a month tier of the heat rollup and per-day session sets",
        duckdb_rollup.fill,
    ),
    Migration(8, "who a session's visitor is, when the site says so (pageheat.identify)"),
)
check(MIGRATIONS, "duckdb")
