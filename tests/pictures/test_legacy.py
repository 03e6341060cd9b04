"""A store written by the previous version, which kept pictures inside the event store,
upgraded: the same backgrounds (PNG, boxes, page state) and snapshots come back from the
picture store, and the event store's picture tables are gone.

The old tables are made here with the previous version's own DDL and row formats (in
DuckDB the PNG a BLOB and the HTML zlib-compressed; in ClickHouse the PNG base64 text and
the boxes appended in versions), as that version wrote them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import zlib

import duckdb
import pytest

from pageheat.app import Pageheat
from pageheat.pictures import SQLPictures
from pageheat.store.base import Query
from pageheat.store.clickhouse import ClickHouseStore
from pageheat.store.clickhouse_client import Target, connect
from pageheat.store.duckdb import DuckDBStore
from tests.clickhouse import clickhouse_store, fresh_database
from tests.conftest import make_settings
from tests.store.test_contract import T0, env, view
from tests.test_cli import run

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # every byte value, NULs included
HTML = "<html><body><p>Hallo, Wörld</p></body></html>"
RECTS = {"#buy": (400.0, 300.0, 200.0, 60.0), "#gone": (0.0, 0.0, 0.0, 0.0)}

#: The previous version's picture tables (store/schema/duckdb.sql).
OLD_DUCKDB = """
CREATE TABLE snapshots (
    id VARCHAR PRIMARY KEY, app VARCHAR NOT NULL, view VARCHAR NOT NULL,
    width_class VARCHAR NOT NULL, layout_hash VARCHAR NOT NULL, url VARCHAR,
    vw DOUBLE, dw DOUBLE, dh DOUBLE, captured BIGINT, html BLOB,
    UNIQUE (app, view, width_class, layout_hash)
);
CREATE TABLE backgrounds (
    id VARCHAR PRIMARY KEY, app VARCHAR NOT NULL, view VARCHAR NOT NULL,
    width_class VARCHAR NOT NULL, url VARCHAR, width INTEGER, height INTEGER,
    captured BIGINT, png BLOB
);
ALTER TABLE backgrounds ADD COLUMN IF NOT EXISTS source VARCHAR DEFAULT 'page';
ALTER TABLE backgrounds ADD COLUMN IF NOT EXISTS layout_hash VARCHAR;
ALTER TABLE backgrounds ADD COLUMN IF NOT EXISTS snapshot_id VARCHAR;
CREATE TABLE element_rects (
    background VARCHAR NOT NULL, sel VARCHAR NOT NULL,
    x DOUBLE, y DOUBLE, w DOUBLE, h DOUBLE,
    PRIMARY KEY (background, sel)
);
"""

#: The previous version's picture tables (store/schema/clickhouse.sql), one server.
OLD_CLICKHOUSE = [
    """CREATE TABLE {db}.snapshots (
        id String, app String, view String, width_class String, layout_hash String,
        url String, vw Float64, dw Float64, dh Float64, captured Int64, html String
    ) ENGINE = MergeTree() ORDER BY (app, view, width_class, layout_hash)""",
    """CREATE TABLE {db}.backgrounds (
        id String, app String, view String, width_class String, url String, width Int32,
        height Int32, captured Int64, png String, source String,
        layout_hash Nullable(String), snapshot_id Nullable(String)
    ) ENGINE = MergeTree() ORDER BY (app, view, id)""",
    """CREATE TABLE {db}.element_rects (
        background String, version Int64, sel String,
        x Float64, y Float64, w Float64, h Float64
    ) ENGINE = MergeTree() ORDER BY (background, version, sel)""",
]


def _expected(pictures) -> None:
    """What a user of either version sees of the view's pictures."""
    listed = pictures.backgrounds("app", "/")
    assert [(b.id, b.source, b.layout_hash, b.snapshot_id) for b in listed] == [
        ("render", "snapshot", "h1", "snap1"), ("live", "page", None, None),
    ]  # fmt: skip
    assert pictures.background("render").rects == RECTS
    assert pictures.background("live").rects == {}
    assert pictures.background_png("render") == PNG
    assert pictures.background_png("live") == PNG[::-1]
    snap = pictures.snapshot("snap1")
    assert (snap.html, snap.layout_hash, snap.vw, snap.captured_ms) == (HTML, "h1", 1440, T0)


def test_an_embedded_store_of_the_previous_version_opens_with_its_pictures(tmp_path):
    data = tmp_path / "data"
    events = DuckDBStore(data / "events.duckdb")
    events.write([env(events=[view("v1")])])
    events.close()
    con = duckdb.connect(str(data / "events.duckdb"))
    con.execute(OLD_DUCKDB)
    con.execute(
        "INSERT INTO snapshots VALUES ('snap1', 'app', '/', 'desktop', 'h1', 'https://x.test/',"
        " 1440, 1440, 3000, ?, ?)", [T0, zlib.compress(HTML.encode(), 6)],
    )  # fmt: skip
    for bg_id, captured, png, source, h, snap_id in (
        ("render", T0 + 5, PNG, "snapshot", "h1", "snap1"),
        ("live", T0, PNG[::-1], "page", None, None),
    ):
        con.execute(
            "INSERT INTO backgrounds (id, app, view, width_class, url, width, height, captured,"
            " png, source, layout_hash, snapshot_id) VALUES (?, 'app', '/', 'desktop',"
            " 'https://x.test/', 1440, 3000, ?, ?, ?, ?, ?)",
            [bg_id, captured, png, source, h, snap_id],
        )
    for sel, (x, y, w, h) in RECTS.items():
        con.execute("INSERT INTO element_rects VALUES ('render', ?, ?, ?, ?, ?)", [sel, x, y, w, h])
    con.close()

    ph = Pageheat(make_settings(data))
    try:
        _expected(ph.pictures)
        assert ph.store.stats(Query(app="app"))["page_views"] == 1  # the events stay
        chosen = ph.backgrounds.choose(Query(app="app", view="/"))
        assert chosen is not None and chosen.id == "render"
    finally:
        ph.close()
    con = duckdb.connect(str(data / "events.duckdb"))
    try:
        found = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        tables = {r[0] for r in found}
    finally:
        con.close()
    assert "pageviews" in tables and not tables & {"snapshots", "backgrounds", "element_rects"}
    # opening again moves nothing twice
    ph = Pageheat(make_settings(data))
    try:
        _expected(ph.pictures)
        assert ph.pictures.count() == {"snapshots": 1, "backgrounds": 2, "element_rects": 2}
    finally:
        ph.close()


def _old_clickhouse_tables(request, setup: str, database: str) -> str:
    """The previous version's picture tables as its ``pageheat migrate`` made them: plain
    tables on one server; on a cluster, ``*_local`` tables on every node and
    ``Distributed`` ones over them. Returns the events URL."""
    if setup == "clickhouse":
        url = request.getfixturevalue("ch_node").url(database)
        ClickHouseStore.open(url).close()  # the schema, as a deployment's first start
        with contextlib.closing(connect(Target.parse(url))) as client:
            for sql in OLD_CLICKHOUSE:
                client.command(sql.format(db=database))
        return url
    nodes = request.getfixturevalue("ch_cluster")
    url = nodes[0].url(database, cluster="pageheat")
    ClickHouseStore.open(url).close()
    for node in nodes:
        with contextlib.closing(connect(Target.parse(node.url(database)))) as client:
            for sql in OLD_CLICKHOUSE:
                local = sql.format(db=database).replace(" (", "_local (", 1)
                client.command(local)
            for table, key in (("snapshots", "id"), ("backgrounds", "id"),
                               ("element_rects", "background")):  # fmt: skip
                client.command(
                    f"CREATE TABLE {database}.{table} AS {database}.{table}_local ENGINE ="
                    f" Distributed(pageheat, {database}, {table}_local, sipHash64({key}))"
                )
    return url


@pytest.mark.parametrize("setup", ["clickhouse", "cluster"])
def test_pageheat_migrate_moves_clickhouse_pictures_to_the_metadata_database(
    request, setup, postgres, tmp_path
):
    url = _old_clickhouse_tables(request, setup, fresh_database())
    meta = postgres.create_database(f"m_{fresh_database()}")
    target = Target.parse(url)
    with clickhouse_store(url) as store, contextlib.closing(connect(target)) as old:
        store.write([env(events=[view("v1")])])
        old.insert(
            "snapshots",
            ("id", "app", "view", "width_class", "layout_hash", "url", "vw", "dw", "dh",
             "captured", "html"),
            [("snap1", "app", "/", "desktop", "h1", "https://x.test/", 1440.0, 1440.0, 3000.0,
              T0, HTML)],
        )  # fmt: skip
        old.insert(
            "backgrounds",
            ("id", "app", "view", "width_class", "url", "width", "height", "captured", "png",
             "source", "layout_hash", "snapshot_id"),
            [("render", "app", "/", "desktop", "https://x.test/", 1440, 3000, T0 + 5,
              base64.b64encode(PNG).decode(), "snapshot", "h1", "snap1"),
             ("live", "app", "/", "desktop", "https://x.test/", 1440, 3000, T0,
              base64.b64encode(PNG[::-1]).decode(), "page", None, None)],
        )  # fmt: skip
        columns = ("background", "version", "sel", "x", "y", "w", "h")
        # an older version of the render's boxes, then the one that counts (sel '' marks
        # a version, so the live page's empty set of boxes is one too)
        old.insert("element_rects", columns, [
            ("render", 1, "", 0.0, 0.0, 0.0, 0.0), ("render", 1, "#old", 1.0, 1.0, 1.0, 1.0),
            ("render", 2, "", 0.0, 0.0, 0.0, 0.0),
            *[("render", 2, sel, *box) for sel, box in RECTS.items()],
            ("live", 1, "", 0.0, 0.0, 0.0, 0.0),
        ])  # fmt: skip

        r = run("migrate", "--events-url", url, "--meta-url", meta, "--data", str(tmp_path))
        assert r.returncode == 0, r.stderr
        assert "pictures: postgresql at revision 0001 (was a new database; 3 moved out of the" \
            " event store)" in r.stdout  # fmt: skip
        again = run("migrate", "--events-url", url, "--meta-url", meta, "--data", str(tmp_path))
        assert "(was at 0001; 0 moved" in again.stdout, again.stdout + again.stderr

        for node in request.getfixturevalue("ch_cluster") if target.cluster else [None]:
            client = connect(Target.parse(node.url(target.database))) if node else old
            found = client.query("SELECT name FROM system.tables WHERE database = ?",
                                      [target.database])  # fmt: skip
            tables = {r[0] for r in found}
            assert "pageviews" in tables and not {t for t in tables if "snapshot" in t
                                                  or "background" in t or "rects" in t}  # fmt: skip
            if node:
                client.close()
        assert store.stats(Query(app="app"))["page_views"] == 1
    pictures = SQLPictures(meta)
    try:
        _expected(pictures)
    finally:
        pictures.close()


def test_pictures_copy_moves_an_embedded_install_s_pictures_to_postgresql(postgres, tmp_path):
    """Moving to scale-out: the embedded pictures.sqlite into the metadata PostgreSQL."""
    from tests.pictures.test_contract import bg, snap

    data = tmp_path / "data"
    ph = Pageheat(make_settings(data))
    try:
        ph.pictures.save_snapshot(snap("snap1"))
        ph.pictures.save_background(bg("render", source="snapshot", snapshot_id="snap1",
                                       png=PNG, rects=RECTS))  # fmt: skip
    finally:
        ph.close()
    meta = postgres.create_database(f"m_{fresh_database()}")
    r = run("pictures-copy", "--data", str(data), "--to", meta)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "copied": 2, "to": {"snapshots": 1, "backgrounds": 1, "element_rects": 2},
    }  # fmt: skip
    assert json.loads(run("pictures-copy", "--data", str(data), "--to", meta).stdout)["copied"] == 0
    ph = Pageheat(make_settings(tmp_path / "scaled", meta_url=meta))
    try:
        assert ph.pictures.background_png("render") == PNG
        assert ph.pictures.background("render").rects == RECTS
        assert ph.pictures.snapshot("snap1").html == "<p>hi é</p>"
    finally:
        ph.close()
