"""Create or upgrade the ClickHouse schema: one server, or every node of a cluster.

On a cluster each node holds shard-local tables (``pageviews_local``, …) and, over them,
``Distributed`` tables with the plain names that the store queries, so any node answers
any query. Events are sharded by session: a session's page views, clicks, scrolls and
leaves stay on one shard, which keeps per-session answers (session end, returning
visitors) and ``IN`` subqueries on view ids exact shard by shard. ``ON CLUSTER`` needs
ZooKeeper, which a plain pair of servers does not have, so migrating visits each node
named in ``system.clusters`` itself.

Every statement is idempotent (``IF NOT EXISTS``): migrating twice changes nothing.
Upgrades append statements to the schema file (18.16 has no ``ADD COLUMN IF NOT
EXISTS``, so a column added later goes in with a check of ``system.columns`` here); a
database from before the heat rollup gets its events counted into it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from importlib import resources

from pageheat.store import rollup
from pageheat.store.clickhouse_client import Client, Target, connect

#: Table → the sharding key of its Distributed table on a cluster.
SHARDING = {
    "batches": "sipHash64(id)",
    "pageviews": "sipHash64(session)",
    "interactions": "sipHash64(session)",
    "leaves": "sipHash64(session)",
    "scrolls": "sipHash64(session)",
    "errors": "sipHash64(session)",
    "layouts": "sipHash64(session)",
    "visitors": "sipHash64(visitor)",
    # a view's cells come from every shard's events; reads sum them across shards
    "heat_rollup": "sipHash64(app, name)",
}

#: Materialised views: each lives beside its source table on every node.
VIEWS: tuple[str, ...] = ("heat_rollup_mv",)

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def statements(database: str, clustered: bool) -> list[str]:
    """The schema's statements for one node, with each table's name on that node."""
    if not _IDENT.match(database):
        raise ValueError(f"database name {database!r} must be letters, digits and _")
    text = resources.files("pageheat.store").joinpath("schema/clickhouse.sql").read_text()
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    names = {t: f"{t}_local" if clustered else t for t in (*SHARDING, *VIEWS)}
    sql = {"rollup_select": rollup.select("clickhouse"), "rollup_group": rollup.group_by()}
    return [s.strip().format(db=database, **names, **sql) for s in text.split(";") if s.strip()]


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
    """Create what is missing on every node; returns the nodes migrated."""
    found = []
    for node, client in _each_node(target, open_client):
        found.append(node)
        client.command(f"CREATE DATABASE IF NOT EXISTS {target.database}")
        suffix = "_local" if target.cluster else ""
        had = _tables(client, target.database)
        for sql in statements(target.database, bool(target.cluster)):
            client.command(sql)
        if f"interactions{suffix}" in had and f"heat_rollup{suffix}" not in had:
            # a database from before the rollup: count the events it holds in once
            # (run migrate with the writers stopped, or their rows in between count
            # twice: the view already counts them)
            db = target.database
            client.command(
                f"INSERT INTO {db}.heat_rollup{suffix} {rollup.select('clickhouse')}"
                f" FROM {db}.interactions{suffix} GROUP BY {rollup.group_by()}"
            )
        if target.cluster:
            for table, key in SHARDING.items():
                client.command(
                    f"CREATE TABLE IF NOT EXISTS {target.database}.{table}"
                    f" AS {target.database}.{table}_local ENGINE = Distributed("
                    f"{target.cluster}, {target.database}, {table}_local, {key})"
                )
    return found


def _tables(client: Client, database: str) -> set[str]:
    rows = client.query("SELECT name FROM system.tables WHERE database = ?", [database])
    return {r[0] for r in rows}


def drop(target: Target, open_client: Callable[..., Client] = connect) -> None:
    """Drop the database on every node (tests, and ``pageheat migrate --drop``)."""
    for _node, client in _each_node(target, open_client):
        client.command(f"DROP DATABASE IF EXISTS {target.database}")
