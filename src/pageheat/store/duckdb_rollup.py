"""The DuckDB store's rollups: kept in the writer's transaction, exact after deletions,
and clustered by view.

Three tables (store/rollup.py says what each holds): ``heat_rollup`` (points per day)
and ``heat_rollup_month`` (per month) are upserted from each commit's interactions;
``session_rollup`` gets each commit's page views' sessions appended (a session may
repeat in it: reads count distinct). A deletion takes the deleted interactions' counts
out of both point tiers and recomputes the session sets of the (view, day, device,
width class) keys the deleted page views touched from the page views left, so every
tier stays what a rebuild from the raw rows would give.

DuckDB keeps a table in the order its rows arrived, and a read skips only the row
groups whose min/max rule it out: a month tier upserted as traffic comes interleaves
every view, and a map would scan all of it. :func:`recluster` rewrites the month tier
and the session sets in (app, view) order, so a map's read touches the row groups of
its own view (and the rows added since); it runs when a table has grown by a quarter
since its last rewrite (:func:`maybe_recluster`): after a migration's fill, a bulk load,
on opening the file and after the retention job's round. Not from the writer: rebuilding
the month tier's key takes seconds per million rows (docs/performance.md), which would
stall ingestion; between rewrites new points are read from the unordered rows at the end.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from pageheat.store import rollup

#: Clustered tables → the order they are rewritten in (the columns reads narrow by first).
CLUSTERED = {
    "heat_rollup_month": "app, name, month, kind, width_class, device",
    "session_rollup": "app, name, day, width_class, device",
}
#: A table is rewritten once it has this share more rows than at its last rewrite...
GROWTH = 0.25
#: ... and at least this many more (small stores are cheap to scan whatever the order).
MIN_GROWTH_ROWS = 200_000

_POINT_TIERS = (("heat_rollup", "day"), ("heat_rollup_month", "month"))


def add(cur: Any, interactions: pa.Table | None, pageviews: pa.Table | None) -> None:
    """Count a commit's rows into every rollup (in the caller's transaction)."""
    if interactions is not None and interactions.num_rows:
        cur.register("incoming_rollup", interactions.select(list(rollup.SOURCE)))
        try:
            for table, tier in _POINT_TIERS:
                cur.execute(
                    f"INSERT INTO {table} {rollup.select('duckdb', tier=tier)}"
                    f" FROM incoming_rollup GROUP BY {rollup.group_by(tier)}"
                    f" ON CONFLICT ({rollup.group_by(tier)}) DO UPDATE SET n = n + excluded.n"
                )
        finally:
            cur.unregister("incoming_rollup")
    if pageviews is not None and pageviews.num_rows:
        cur.register("incoming_sessions", pageviews.select(list(rollup.SESSION_SOURCE)))
        try:
            cur.execute(
                f"INSERT INTO session_rollup {rollup.session_select('duckdb')}"
                " FROM incoming_sessions"
            )
        finally:
            cur.unregister("incoming_sessions")


def subtract_interactions(cur: Any, where: str, params: list[Any]) -> None:
    """Take interactions rows that are about to be deleted out of both point tiers."""
    for table, tier in _POINT_TIERS:
        cur.execute(
            f"INSERT INTO {table} {rollup.select('duckdb', sign=-1, tier=tier)}"
            f" FROM interactions WHERE {where} GROUP BY {rollup.group_by(tier)}"
            f" ON CONFLICT ({rollup.group_by(tier)}) DO UPDATE SET n = n + excluded.n",
            params,
        )
        cur.execute(f"DELETE FROM {table} WHERE n = 0")


_KEYS = ", ".join(rollup.SESSION_KEY)


def note_pageviews(cur: Any, where: str, params: list[Any]) -> None:
    """Before page views are deleted: remember the session keys they touch."""
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE touched_sessions AS SELECT DISTINCT {_KEYS}"
        f" FROM ({rollup.session_select('duckdb')} FROM pageviews WHERE {where})",
        params,
    )


def recount_sessions(cur: Any) -> None:
    """After page views were deleted: the touched keys' session sets, from what is left."""
    match = " AND ".join(f"t.{k} = session_rollup.{k}" for k in rollup.SESSION_KEY)
    cur.execute(
        f"DELETE FROM session_rollup WHERE EXISTS (SELECT 1 FROM touched_sessions t WHERE {match})"
    )
    cur.execute(
        f"INSERT INTO session_rollup SELECT s.* FROM ({rollup.session_select('duckdb')}"
        " FROM pageviews WHERE app IN (SELECT DISTINCT app FROM touched_sessions)) s"
        f" SEMI JOIN touched_sessions USING ({_KEYS})"
    )
    cur.execute("DROP TABLE touched_sessions")


def fill(con: Any) -> None:
    """Once, for a file written before the tiers: the month tier and the session sets
    from the raw rows (rebuilt whole, so they are right whatever the tables held), then
    written in view order."""
    con.execute("DELETE FROM heat_rollup_month")
    con.execute(
        f"INSERT INTO heat_rollup_month {rollup.select('duckdb', tier='month')}"
        f" FROM interactions GROUP BY {rollup.group_by('month')}"
    )
    con.execute("DELETE FROM session_rollup")
    con.execute(f"INSERT INTO session_rollup {rollup.session_select('duckdb')} FROM pageviews")
    for table in CLUSTERED:
        recluster(con, table)


def maybe_recluster(cur: Any) -> list[str]:
    """Rewrite each clustered table that has grown enough since its last rewrite, each
    in its own transaction; returns those rewritten."""
    done = dict(cur.execute("SELECT name, rows FROM rollup_clustered").fetchall())
    out = []
    for table in CLUSTERED:
        ((rows,),) = cur.execute(f"SELECT count(*) FROM {table}").fetchall()
        before = int(done.get(table, 0))
        if rows - before >= max(MIN_GROWTH_ROWS, GROWTH * before):
            cur.execute("BEGIN TRANSACTION")
            try:
                recluster(cur, table)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            out.append(table)
    return out


def recluster(cur: Any, table: str) -> None:
    """Rewrite ``table`` in :data:`CLUSTERED` order (in the caller's transaction): a copy
    made by the table's own DDL (its key and constraints), filled in order, in its place."""
    ((ddl,),) = cur.execute(
        "SELECT sql FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'"
        " AND database_name = current_database()",
        [table],
    ).fetchall()
    sorted_name = f"{table}_sorted"
    cur.execute(f"DROP TABLE IF EXISTS {sorted_name}")
    cur.execute(ddl.replace(f"CREATE TABLE {table}(", f"CREATE TABLE {sorted_name}(", 1))
    cur.execute(f"INSERT INTO {sorted_name} SELECT * FROM {table} ORDER BY {CLUSTERED[table]}")
    cur.execute(f"DROP TABLE {table}")
    cur.execute(f"ALTER TABLE {sorted_name} RENAME TO {table}")
    ((rows,),) = cur.execute(f"SELECT count(*) FROM {table}").fetchall()
    cur.execute(
        "INSERT INTO rollup_clustered VALUES (?, ?) ON CONFLICT (name) DO UPDATE"
        " SET rows = excluded.rows",
        [table, int(rows)],
    )
