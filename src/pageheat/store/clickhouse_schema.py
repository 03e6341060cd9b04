"""Create or upgrade the ClickHouse schema: one server, or every node of a cluster.

On a cluster each node holds shard-local tables (``pageviews_local``, …) and, over them,
``Distributed`` tables with the plain names that the store queries, so any node answers
any query. Events are sharded by session: a session's page views, clicks, scrolls and
leaves stay on one shard, which keeps per-session answers (session end, returning
visitors) and ``IN`` subqueries on view ids exact shard by shard. ``ON CLUSTER`` needs
ZooKeeper, which a plain pair of servers does not have, so migrating visits each node
named in ``system.clusters`` itself.

The steps are :data:`MIGRATIONS` (store/migrations.py says how a list works): each a
section of schema/clickhouse.sql, applied once per node and recorded in that node's
``schema_migrations`` (a ReplacingMergeTree, which 18.16 and current releases both
take). ClickHouse has no transactions: a step cut short is run again whole, so its
statements keep ``IF NOT EXISTS``. The Distributed tables of a cluster follow the
shard-local ones on every run (``CREATE … IF NOT EXISTS``: running twice changes
nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from pageheat.store import rollup
from pageheat.store.clickhouse_client import Client, Target, connect
from pageheat.store.migrations import Migration, check, now_ms, pending, sections
from pageheat.store.migrations import statements as split

#: Table → the sharding key of its Distributed table on a cluster.
SHARDING = {
    "batches": "sipHash64(id)",
    "pageviews": "sipHash64(session)",
    "interactions": "sipHash64(session)",
    "leaves": "sipHash64(session)",
    "scrolls": "sipHash64(session)",
    "errors": "sipHash64(session)",
    "layouts": "sipHash64(session)",
    "goals": "sipHash64(session)",
    "identities": "sipHash64(session)",
    "visitors": "sipHash64(visitor)",
    # a view's cells come from every shard's events; reads sum them across shards
    "heat_rollup": "sipHash64(app, name)",
    "heat_rollup_month": "sipHash64(app, name)",
    # each shard's states hold its own sessions; reads merge them across shards
    "session_rollup": "sipHash64(app, name)",
}

#: Materialised views: each lives beside its source table on every node.
VIEWS: tuple[str, ...] = ("heat_rollup_mv", "heat_rollup_month_mv", "session_rollup_mv")

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def statements(database: str, clustered: bool, migration: int | None = None) -> list[str]:
    """The schema's statements for one node (one migration's, or all), with each table's
    name on that node."""
    if not _IDENT.match(database):
        raise ValueError(f"database name {database!r} must be letters, digits and _")
    found = sections("clickhouse")
    text = found[migration] if migration is not None else ";".join(found.values())
    names = {t: f"{t}_local" if clustered else t for t in (*SHARDING, *VIEWS)}
    sql = {
        "rollup_select": rollup.select("clickhouse"), "rollup_group": rollup.group_by(),
        "rollup_month_select": rollup.select("clickhouse", tier="month"),
        "rollup_month_group": rollup.group_by("month"),
        "session_select": rollup.session_select("clickhouse"),
        "session_group": ", ".join(rollup.SESSION_KEY),
    }  # fmt: skip
    return [s.format(db=database, **names, **sql) for s in split(text)]


def nodes(target: Target, client: Client) -> list[Target]:
    """Every node of the target's cluster (the target alone without a cluster)."""
    if not target.cluster:
        return [target]
    rows = client.query(
        "SELECT host_address, port FROM system.clusters WHERE cluster = ?"
        " ORDER BY shard_num, replica_num",
        [target.cluster],
    )
    if not rows:
        raise ValueError(f"ClickHouse has no cluster {target.cluster!r} in remote_servers")
    return [target.at(host, int(port)) for host, port in rows]


def _each_node(
    target: Target, open_client: Callable[..., Client]
) -> Iterator[tuple[Target, Client]]:
    """Every node of the target (the one server, or each of its cluster's) with a client
    on its ``system`` database, closed once the caller is done with that node."""
    first = open_client(target, "system")
    try:
        found = nodes(target, first)
    finally:
        first.close()
    for node in found:
        client = open_client(node, "system")
        try:
            yield node, client
        finally:
            client.close()


def migrate(target: Target, open_client: Callable[..., Client] = connect) -> list[Target]:
    """Apply what is missing on every node; returns the nodes migrated."""
    return [node for node, _applied in upgrade(target, open_client)]


def upgrade(
    target: Target, open_client: Callable[..., Client] = connect
) -> list[tuple[Target, list[Migration]]]:
    """Apply what each node has not recorded; returns every node with what it applied.

    Run it with the writers stopped, as every ClickHouse upgrade is: a step that fills
    rows in (the heat rollup) would count twice what arrives while it runs."""
    out = []
    for node, client in _each_node(target, open_client):
        db = target.database
        client.command(f"CREATE DATABASE IF NOT EXISTS {db}")
        client.command(
            f"CREATE TABLE IF NOT EXISTS {db}.schema_migrations (id UInt32, why String,"
            " applied Int64, stamped UInt8) ENGINE = ReplacingMergeTree() ORDER BY id"
        )
        done = set(recorded(client, db))
        if not done:
            for m in MIGRATIONS[: _baseline(client, target)]:
                _record(client, db, m, stamped=True)
                done.add(m.id)
        applied = []
        for m in pending(MIGRATIONS, done):
            for sql in statements(db, bool(target.cluster), m.id):
                client.command(sql)
            if m.fill:
                m.fill(client, db, "_local" if target.cluster else "")
            _record(client, db, m, stamped=False)
            applied.append(m)
        if target.cluster:
            for table, key in SHARDING.items():
                client.command(
                    f"CREATE TABLE IF NOT EXISTS {db}.{table} AS {db}.{table}_local"
                    f" ENGINE = Distributed({target.cluster}, {db}, {table}_local, {key})"
                )
        out.append((node, applied))
    return out


def recorded(client: Client, database: str) -> list[int]:
    """The ids this node has recorded, in order."""
    rows = client.query(f"SELECT DISTINCT id FROM {database}.schema_migrations ORDER BY id")
    return [int(r[0]) for r in rows]


def _record(client: Client, database: str, m: Migration, stamped: bool) -> None:
    client.insert(
        f"{database}.schema_migrations",
        ("id", "why", "applied", "stamped"),
        [(m.id, m.why, now_ms(), int(stamped))],
    )


def _baseline(client: Client, target: Target) -> int:
    """How far a node made before versioning had come (0 for a new one): the one place
    that still reads which tables a node has, and only when it has no record yet."""
    had = _tables(client, target.database)
    suffix = "_local" if target.cluster else ""
    if f"interactions{suffix}" not in had:
        return 0
    return 2 if f"heat_rollup{suffix}" in had else 1


def _fill_rollup(client: Client, db: str, suffix: str) -> None:
    """Count the events a node holds into its new heat rollup (none on a new node)."""
    client.command(
        f"INSERT INTO {db}.heat_rollup{suffix} {rollup.select('clickhouse')}"
        f" FROM {db}.interactions{suffix} GROUP BY {rollup.group_by()}"
    )


def _fill_tiers(client: Client, db: str, suffix: str) -> None:
    """Count the events a node holds into its month tier and session sets."""
    client.command(
        f"INSERT INTO {db}.heat_rollup_month{suffix} {rollup.select('clickhouse', tier='month')}"
        f" FROM {db}.interactions{suffix} GROUP BY {rollup.group_by('month')}"
    )
    client.command(
        f"INSERT INTO {db}.session_rollup{suffix} {rollup.session_select('clickhouse')}"
        f" FROM {db}.pageviews{suffix} GROUP BY {', '.join(rollup.SESSION_KEY)}"
    )


def _distributed_columns(client: Client, db: str, suffix: str) -> None:
    """On a cluster whose Distributed tables exist already (created over the shard-local
    ones by an earlier run), give them the columns the step added to the local tables: a
    Distributed table is created with its local table's columns and does not follow."""
    if not suffix:
        return
    had = _tables(client, db)
    for table in ("pageviews", "interactions", "scrolls", "errors", "layouts"):
        if table not in had:
            continue
        local = {
            r[0]: (r[1], r[2])
            for r in client.query(
                "SELECT name, type, default_expression FROM system.columns"
                " WHERE database = ? AND table = ?",
                [db, f"{table}{suffix}"],
            )
        }
        mine = {
            r[0]
            for r in client.query(
                "SELECT name FROM system.columns WHERE database = ? AND table = ?", [db, table]
            )
        }
        for name, (kind, default) in local.items():
            if name not in mine:
                extra = f" DEFAULT {default}" if default else ""
                client.command(f"ALTER TABLE {db}.{table} ADD COLUMN {name} {kind}{extra}")


def _tables(client: Client, database: str) -> set[str]:
    rows = client.query("SELECT name FROM system.tables WHERE database = ?", [database])
    return {r[0] for r in rows}


def drop(target: Target, open_client: Callable[..., Client] = connect) -> None:
    """Drop the database on every node (tests, and ``pageheat migrate --drop``)."""
    for _node, client in _each_node(target, open_client):
        client.command(f"DROP DATABASE IF EXISTS {target.database}")


#: Each node's steps, in order (ids never reused; a new one goes at the end).
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the event tables, with every filter dimension and the visitors table"),
    Migration(
        2,
        "the heat rollup and the view that keeps it, so point maps read counted cells",
        _fill_rollup,
    ),
    Migration(
        3, "every tag of a page view kept, as parallel key and value arrays", _distributed_columns
    ),
    Migration(4, "custom goals pages send (pageheat.goal), for goals, conversion and funnels"),
    Migration(
        5, "rollup tiers: a month tier of the heat rollup and per-day session sets", _fill_tiers
    ),
    Migration(6, "who a session's visitor is, when the site says so (pageheat.identify)"),
)
check(MIGRATIONS, "clickhouse")
