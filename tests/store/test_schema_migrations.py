"""A store written by the previous schema is upgraded and answers as a new one does.

The previous schema is the DDL as release ac5f873 shipped it (previous_schema/: the
event tables, the picture tables since moved out, no ``schema_migrations``), and for
the fill steps an older shape still (DuckDB: the first release's tables, before the
filter dimensions, the visitors table and the heat rollup; ClickHouse: before the
rollup). Filled with the same recorded traffic as a new store, upgraded by opening the
DuckDB file or by ``pageheat migrate``, it gives the same map points and statistics as
the new store; migrating again applies nothing; every node records the whole list.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import duckdb
import pytest

from pageheat.store import clickhouse_schema, duckdb_schema
from pageheat.store.base import Query, WidthRange
from pageheat.store.clickhouse import ClickHouseStore
from pageheat.store.clickhouse_client import Target, connect
from pageheat.store.duckdb import DuckDBStore
from pageheat.store.migrations import statements
from pageheat.store.rollup import group_by, select
from pageheat.store.rows import LIST_DIMENSIONS, TABLES, VISITOR_COLUMNS, build_rows
from tests.clickhouse import ChdbClient, fresh_database
from tests.store.conftest import open_backend
from tests.store.test_backends_agree import recorded_traffic
from tests.store.test_contract import T0, click, env, view
from tests.store.test_rollups import _points
from tests.test_cli import run

PREVIOUS = Path(__file__).parent / "previous_schema"
DAY = 86_400_000
#: How the previous release sharded its picture tables on a cluster.
PICTURES = {"snapshots": "sipHash64(id)", "backgrounds": "sipHash64(id)",
            "element_rects": "sipHash64(background)"}  # fmt: skip
QUERIES = [
    Query(app="app", view="/"),
    Query(app="app", view="/pricing", filters={"visitor": "returning"}),
    Query(app="app", view="/p/1", filters={"device": "mobile", "country": "FR"}),
    # the env tag, kept as a column before every tag was: the fill puts it in the arrays
    Query(app="app", view="/", filters={"tag.env": "beta"}),
]

#: A visitor of the recorded traffic back, weeks later, in a new session.
LATE = env(batch="late", visitor="u3", session="late", events=[
    view("late1", "/pricing", t=T0 + 40 * 86_400_000),
    click("late1", "#buy", t=T0 + 40 * 86_400_000 + 1000),
])  # fmt: skip


def answers(store) -> dict:
    """The map points of each query and kind, and the statistics of each query and of
    the whole app (under a filter the fill steps feed)."""
    app = [Query(app="app"), Query(app="app", filters={"visitor": "returning"})]
    tiers = [
        Query(app="app", view="/pricing", width=WidthRange.parse("desktop")),
        Query(app="app", view="/", start_ms=T0 // DAY * DAY, end_ms=T0 // DAY * DAY + DAY),
    ]
    return {
        "points": [_points(store, q, kind) for q in QUERIES + tiers for kind in ("click", "move")],
        "stats": [store.stats(q) for q in QUERIES + app],
        # from the session sets (the last two: migration 7 / 5 fills them)
        "sessions": [store.sessions(q) for q in QUERIES + tiers],
    }


def _applied(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if "applied migration" in line]


def _lines(migrations) -> list[str]:
    return [f"applied migration {m.id}: {m.why}" for m in migrations]


# -- DuckDB -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def duckdb_new(tmp_path_factory):
    """A new DuckDB file with the recorded traffic, and what it answers."""
    path = tmp_path_factory.mktemp("new") / "events.duckdb"
    store = DuckDBStore(path)
    try:
        store.write(recorded_traffic())
        expected = answers(store)
    finally:
        store.close()
    assert expected["stats"][-2]["total_clicks"] > 0 and expected["stats"][-1]["page_views"] > 0
    assert all(expected["points"][:2])
    return path, expected


def _previous_duckdb(new: Path, old: Path, ddl: str) -> None:
    """A file made by ``ddl`` holding the new file's rows, in the columns it has."""
    con = duckdb.connect(str(old))
    try:
        con.execute(ddl)
        con.execute(f"ATTACH '{new}' AS new (READ_ONLY)")
        tables = con.execute(
            "SELECT table_name, list(column_name ORDER BY ordinal_position)"
            " FROM information_schema.columns WHERE table_catalog = current_database()"
            " GROUP BY table_name"
        ).fetchall()
        for table, columns in tables:
            if table in ("snapshots", "backgrounds", "element_rects"):
                continue  # the pictures' upgrade is tests/pictures/test_legacy.py's
            names = ", ".join(columns)
            con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM new.{table}")
        assert "schema_migrations" not in {t for t, _ in tables}
    finally:
        con.close()


def _recorded(path: Path) -> tuple[list[int], list[bool], list]:
    """The file's record, and what migrating it once more applies."""
    con = duckdb.connect(str(path))
    try:
        stamped = [r[0] for r in con.execute("SELECT stamped FROM schema_migrations ORDER BY id")
                   .fetchall()]  # fmt: skip
        return duckdb_schema.recorded(con), stamped, duckdb_schema.migrate(con)
    finally:
        con.close()


def test_the_previous_releases_duckdb_file_upgrades_with_pageheat_migrate(tmp_path, duckdb_new):
    new, expected = duckdb_new
    old = tmp_path / "events.duckdb"
    _previous_duckdb(new, old, (PREVIOUS / "duckdb.sql").read_text())

    r = run("migrate", "--data", str(tmp_path))
    assert r.returncode == 0, r.stderr
    # stamped at 4 (that release's last), the later ones applied
    assert "events: DuckDB" in r.stdout
    assert _applied(r.stdout) == _lines(duckdb_schema.MIGRATIONS[4:])
    again = run("migrate", "--data", str(tmp_path))
    assert again.returncode == 0 and _applied(again.stdout) == [], again.stdout
    ids, stamped, applied = _recorded(old)
    assert ids == [m.id for m in duckdb_schema.MIGRATIONS] and applied == []
    assert stamped == [True] * 4 + [False] * (len(ids) - 4)

    store = DuckDBStore(old)
    try:
        assert answers(store) == expected
    finally:
        store.close()


def test_a_first_release_duckdb_file_is_filled_in_on_opening(tmp_path, duckdb_new):
    """Before the filter dimensions, the visitors and the rollup: opening the file applies
    migrations 2 to 4 (their fills), and its answers, filtered ones included, are a new
    file's."""
    new, expected = duckdb_new
    old = tmp_path / "events.duckdb"
    ddl = (PREVIOUS / "duckdb.sql").read_text()
    _previous_duckdb(new, old, ddl[: ddl.index("-- Filter dimensions")])

    store = DuckDBStore(old)
    try:
        assert answers(store) == expected
        store.write([LATE])  # a visitor of the old file comes back: returning, not new
        late = answers(store)
    finally:
        store.close()
    ids, stamped, applied = _recorded(old)
    assert ids == [m.id for m in duckdb_schema.MIGRATIONS] and applied == []
    assert stamped == [True] + [False] * (len(ids) - 1)  # 1 found there, the rest applied

    shutil.copy(new, tmp_path / "new.duckdb")
    store = DuckDBStore(tmp_path / "new.duckdb")
    try:
        store.write([LATE])
        assert late == answers(store) != expected
    finally:
        store.close()


def test_a_new_duckdb_file_records_every_migration_as_applied(tmp_path):
    r = run("migrate", "--data", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert _applied(r.stdout) == _lines(duckdb_schema.MIGRATIONS)
    ids, stamped, applied = _recorded(tmp_path / "events.duckdb")
    assert ids == [m.id for m in duckdb_schema.MIGRATIONS] and not any(stamped)
    assert applied == []


# -- ClickHouse ---------------------------------------------------------------------------


@contextlib.contextmanager
def _clickhouse(request, backend: str):
    """The target, a client per node (node 0 first) and a store client, for a new
    database on the backend; dropped afterwards."""
    db = fresh_database()
    if backend == "chdb":
        session = request.getfixturevalue("chdb_session")
        target = Target(database=db)
        ChdbClient(session, "system").command(f"CREATE DATABASE {db}")
        yield target, [ChdbClient(session, db)], ChdbClient(session, db)
        ChdbClient(session, "system").command(f"DROP DATABASE {db}")
        return
    fixture = request.getfixturevalue("ch_cluster" if backend == "cluster" else "ch_node")
    nodes = fixture if backend == "cluster" else [fixture]
    target = Target.parse(nodes[0].url(db, "pageheat" if backend == "cluster" else None))
    clients = [connect(Target.parse(n.url("system"))) for n in nodes]
    for c in clients:
        c.command(f"CREATE DATABASE {db}")
    store_client = connect(target)
    try:
        yield target, clients, store_client
    finally:
        store_client.close()
        for c in clients:
            c.close()
        clickhouse_schema.drop(target)


def _previous_clickhouse(target: Target, clients, before_rollup: bool) -> None:
    """The previous release's schema on every node, as its ``pageheat migrate`` made it
    (on a cluster: ``*_local`` tables and Distributed ones over them)."""
    db, clustered = target.database, bool(target.cluster)
    tables = ("batches", "pageviews", "interactions", "leaves", "scrolls", "errors", "layouts",
              "visitors", "snapshots", "backgrounds", "element_rects", "heat_rollup")  # fmt: skip
    if before_rollup:
        tables = tables[:-1]
    names = {
        t: f"{t}_local" if clustered else t for t in (*tables, "heat_rollup", "heat_rollup_mv")
    }
    sql = {"rollup_select": select("clickhouse"), "rollup_group": group_by()}
    for client in clients:
        for s in statements((PREVIOUS / "clickhouse.sql").read_text()):
            if before_rollup and "heat_rollup" in s:
                continue
            client.command(s.format(db=db, **names, **sql))
        for table in tables if clustered else ():
            key = {**clickhouse_schema.SHARDING, **PICTURES}[table]
            client.command(
                f"CREATE TABLE {db}.{table} AS {db}.{table}_local ENGINE ="
                f" Distributed({target.cluster}, {db}, {table}_local, {key})"
            )


@pytest.fixture(scope="module")
def clickhouse_new(request, tmp_path_factory):
    """What a new store of each ClickHouse backend answers for the recorded traffic."""
    found = {}

    def expected(backend: str) -> dict:
        if backend not in found:
            with open_backend(request, backend, tmp_path_factory.mktemp(backend)) as store:
                store.write(recorded_traffic())
                found[backend] = answers(store)
        return found[backend]

    return expected


@pytest.mark.parametrize("previous", ["ac5f873", "before the rollup"])
@pytest.mark.parametrize("backend", ["clickhouse", "cluster", "chdb"])
def test_a_previous_clickhouse_database_upgrades_with_migrate(
    request, backend, previous, tmp_path, clickhouse_new
):
    expected = clickhouse_new(backend)
    before_rollup = previous == "before the rollup"
    with _clickhouse(request, backend) as (target, clients, store_client):
        _previous_clickhouse(target, clients, before_rollup)
        _write_as_previous(store_client, recorded_traffic())

        # the previous release is stamped at its last step; the later ones are applied
        known = 1 if before_rollup else 2
        want = _lines(clickhouse_schema.MIGRATIONS[known:])
        if backend == "chdb":
            session = request.getfixturevalue("chdb_session")
            open_client = lambda _node, database: ChdbClient(session, database)  # noqa: E731
            ((_, applied),) = clickhouse_schema.upgrade(target, open_client)
            assert _lines(applied) == want
            ((_, again),) = clickhouse_schema.upgrade(target, open_client)
            assert again == []
        else:
            url = _url(target)
            r = run("migrate", "--events-url", url, "--data", str(tmp_path))
            assert r.returncode == 0, r.stderr
            assert _applied(r.stdout) == want * len(clients)  # each node its own
            assert r.stdout.count("events: ClickHouse") == len(clients)
            again = run("migrate", "--events-url", url, "--data", str(tmp_path))
            assert again.returncode == 0 and _applied(again.stdout) == [], again.stdout

        ids = [m.id for m in clickhouse_schema.MIGRATIONS]
        for client in clients:
            assert clickhouse_schema.recorded(client, target.database) == ids
            stamped = client.query(
                f"SELECT stamped FROM {target.database}.schema_migrations ORDER BY id"
            )
            assert [bool(r[0]) for r in stamped] == [True] * known + [False] * (len(ids) - known)
        assert answers(ClickHouseStore(store_client)) == expected


def _write_as_previous(client, envelopes) -> None:
    """The traffic's rows as that release wrote them: the same rows, without the columns
    added since (the tag arrays). One write, so every click's view is in it."""
    rows = build_rows(envelopes, lambda _app, _ids: {})
    for table, columns in (*TABLES.items(), ("visitors", VISITOR_COLUMNS)):
        kept = tuple(c for c in columns if c not in LIST_DIMENSIONS)
        if rows[table]:
            client.insert(table, kept, [tuple(r[c] for c in kept) for r in rows[table]])


def _url(target: Target) -> str:
    cluster = f"?cluster={target.cluster}" if target.cluster else ""
    return f"clickhouse://{target.host}:{target.port}/{target.database}{cluster}"
