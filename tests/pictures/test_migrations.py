"""The picture store migrates itself (pictures/migrations): a store written by the
release before migrations (its ``create_all``) opens with every picture where it was, on
SQLite and on PostgreSQL; a new one is stamped at the newest revision; and in the
metadata PostgreSQL the two chains keep to their own version tables."""

from __future__ import annotations

import uuid
import zlib

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from pageheat.cli import cli
from pageheat.meta import MetaStore
from pageheat.meta import migrations as meta_migrations
from pageheat.meta.store import engine_url
from pageheat.pictures import SQLPictures
from pageheat.pictures.migrations import head

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
HTML = "<html><body><h1>Pricing</h1></body></html>"


def previous(blob: str) -> list[str]:
    """What the release before migrations made (its create_all), with a snapshot, a
    background rendered from it and two element boxes; ``blob`` is the dialect's binary
    type (BLOB, BYTEA)."""
    return [
        "CREATE TABLE picture_snapshots (id VARCHAR(64) NOT NULL, app VARCHAR(64) NOT NULL,"
        ' "view" TEXT NOT NULL, width_class VARCHAR(32) NOT NULL, layout_hash VARCHAR(128)'
        " NOT NULL, url TEXT NOT NULL, vw FLOAT NOT NULL, dw FLOAT NOT NULL, dh FLOAT NOT"
        f" NULL, captured_ms BIGINT NOT NULL, html {blob} NOT NULL, PRIMARY KEY (id),"
        ' CONSTRAINT picture_state UNIQUE (app, "view", width_class, layout_hash))',
        "CREATE TABLE picture_backgrounds (id VARCHAR(64) NOT NULL, app VARCHAR(64) NOT NULL,"
        ' "view" TEXT NOT NULL, width_class VARCHAR(32) NOT NULL, url TEXT NOT NULL, width'
        " INTEGER NOT NULL, height INTEGER NOT NULL, captured_ms BIGINT NOT NULL, source"
        " VARCHAR(16) NOT NULL, layout_hash VARCHAR(128), snapshot_id VARCHAR(64),"
        f" png {blob}, PRIMARY KEY (id))",
        'CREATE INDEX picture_backgrounds_view ON picture_backgrounds (app, "view")',
        "CREATE TABLE picture_rects (background VARCHAR(64) NOT NULL, sel TEXT NOT NULL,"
        " x FLOAT NOT NULL, y FLOAT NOT NULL, w FLOAT NOT NULL, h FLOAT NOT NULL,"
        " PRIMARY KEY (background, sel))",
        "INSERT INTO picture_snapshots VALUES ('s1', 'shop', '/pricing', 'desktop', 'h1',"
        " 'https://shop.example/pricing', 1280, 1280, 2400, 1000, :html)",
        "INSERT INTO picture_backgrounds VALUES ('b1', 'shop', '/pricing', 'desktop',"
        " 'https://shop.example/pricing', 1280, 2400, 2000, 'snapshot', 'h1', 's1', :png)",
        "INSERT INTO picture_rects VALUES ('b1', '#buy', 10, 20, 100, 40),"
        " ('b1', '#gone', 0, 0, 0, 0)",
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pictures.sqlite'}"
    return request.getfixturevalue("postgres").create_database(f"pm_{uuid.uuid4().hex[:10]}")


def _run(url: str, statements: list[str]) -> None:
    engine = sa.create_engine(engine_url(url))
    with engine.begin() as con:
        for sql in statements:
            con.execute(sa.text(sql), {"html": zlib.compress(HTML.encode()), "png": PNG}
                        if ":" in sql else {})  # fmt: skip
    engine.dispose()


def _previous(url: str) -> list[str]:
    return previous("BYTEA" if url.startswith("postgresql") else "BLOB")


def _versions(url: str) -> dict[str, list[str]]:
    """Each version table of the database and the revisions it records."""
    engine = sa.create_engine(engine_url(url))
    with engine.connect() as con:
        names = [t for t in sa.inspect(con).get_table_names() if t.endswith("alembic_version")]
        out = {t: [r for (r,) in con.execute(sa.text(f"SELECT version_num FROM {t}"))]
               for t in names}  # fmt: skip
    engine.dispose()
    return out


def _schema(url: str) -> dict[str, dict[str, bool]]:
    engine = sa.create_engine(engine_url(url))
    insp = sa.inspect(engine)
    out = {
        t: {c["name"]: c["nullable"] for c in insp.get_columns(t)}
        for t in insp.get_table_names()
        if t.startswith("picture")
    }
    engine.dispose()
    return out


def test_a_store_of_the_previous_schema_is_stamped_and_keeps_its_pictures(url):
    _run(url, _previous(url))
    store = SQLPictures(url)
    try:
        assert store.migrated_from == "legacy"
        snap = store.snapshot("s1")
        assert (snap.view, snap.layout_hash, snap.html) == ("/pricing", "h1", HTML)
        bg = store.background("b1")
        assert (bg.source, bg.snapshot_id, bg.width, bg.height) == ("snapshot", "s1", 1280, 2400)
        assert bg.rects == {"#buy": (10, 20, 100, 40), "#gone": (0, 0, 0, 0)}
        assert store.background_png("b1") == PNG
        # the unique page state still holds after the migration
        assert store.save_snapshot(snap) is False
    finally:
        store.close()
    assert _versions(url) == {"pictures_alembic_version": [head()]}
    again = SQLPictures(url)
    try:
        assert again.migrated_from == head()  # already there: nothing to do
        assert again.background_png("b1") == PNG
    finally:
        again.close()


def test_a_new_store_gets_the_newest_revision_and_the_same_schema_as_an_old_one(tmp_path):
    """The oldest stores have only ``picture_snapshots``: the baseline creates what is
    missing, so every store ends with the tables and columns a new one gets."""
    old, new = f"sqlite:///{tmp_path / 'old.sqlite'}", f"sqlite:///{tmp_path / 'new.sqlite'}"
    _run(old, previous("BLOB")[:1])
    SQLPictures(old).close()
    fresh = SQLPictures(new)
    assert fresh.migrated_from == "new"
    fresh.close()
    assert _versions(new) == {"pictures_alembic_version": [head()]}
    assert _schema(old) == _schema(new)
    assert set(_schema(new)) == {"picture_snapshots", "picture_backgrounds", "picture_rects",
                                 "pictures_alembic_version"}  # fmt: skip


def test_in_the_metadata_postgresql_the_two_chains_keep_their_own_revisions(postgres):
    """With ``meta_url`` set the pictures live beside the metadata: opening either never
    takes the other's version table for its own, whichever came first."""
    url = postgres.create_database(f"pm_{uuid.uuid4().hex[:10]}")
    MetaStore(url).close()  # metadata first, new: stamped at its head
    _run(url, _previous(url))  # pictures of the release before migrations
    store = SQLPictures(url)
    assert store.migrated_from == "legacy"  # not "new", though a version table exists
    assert store.background_png("b1") == PNG
    store.close()
    meta = MetaStore(url)
    assert meta.migrated_from == meta_migrations.head()
    meta.close()
    assert _versions(url) == {
        "alembic_version": [meta_migrations.head()],
        "pictures_alembic_version": [head()],
    }
    # and the other way round: pictures first, then a metadata database made new
    other = postgres.create_database(f"pm_{uuid.uuid4().hex[:10]}")
    store = SQLPictures(other)
    assert store.migrated_from == "new"
    store.close()
    meta = MetaStore(other)
    assert meta.migrated_from == "new"
    meta.close()
    assert set(_versions(other)) == {"alembic_version", "pictures_alembic_version"}


def test_pageheat_migrate_reports_the_picture_store(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _run(f"sqlite:///{data / 'pictures.sqlite'}", previous("BLOB"))
    runner = CliRunner()
    result = runner.invoke(cli, ["migrate", "--data", str(data)], env={})
    assert result.exit_code == 0, result.output
    assert f"pictures: sqlite at revision {head()} (was before migrations; 0 moved" in (
        result.output
    )
    result = runner.invoke(cli, ["migrate", "--data", str(data)], env={})
    assert f"pictures: sqlite at revision {head()} (was at {head()}; 0 moved" in result.output
