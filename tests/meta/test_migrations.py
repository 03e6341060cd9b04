"""The metadata database migrates itself (meta/migrations): a database written by the
schema before migrations opens with every app's settings where they were, on SQLite and
on PostgreSQL, and ends with the same tables and columns as a new one."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from pageheat.cli import cli
from pageheat.meta import MetaStore
from pageheat.meta.migrations import head
from pageheat.meta.store import engine_url

#: What the release before migrations made (its create_all), with two apps: one whose
#: retention, bots, sampling and Do-Not-Track were set, and one never changed.
PREVIOUS = [
    "CREATE TABLE apps (key VARCHAR(64) NOT NULL, name VARCHAR(200) NOT NULL,"
    " origins JSON NOT NULL, created_ms BIGINT NOT NULL, PRIMARY KEY (key))",
    "CREATE TABLE view_rules (app VARCHAR(64) NOT NULL, position INTEGER NOT NULL,"
    " pattern VARCHAR(1024) NOT NULL, name VARCHAR(256) NOT NULL, PRIMARY KEY (app, position))",
    "CREATE TABLE app_policies (app VARCHAR(64) NOT NULL, retention_days INTEGER,"
    " keep_bots BOOLEAN, PRIMARY KEY (app))",
    "CREATE TABLE app_collect (app VARCHAR(64) NOT NULL, sample_rate FLOAT NOT NULL,"
    " respect_dnt BOOLEAN NOT NULL, PRIMARY KEY (app))",
    """INSERT INTO apps VALUES ('set', 'Shop', '["https://shop.example"]', 1),"""
    """ ('plain', 'Blog', '["https://blog.example"]', 2)""",
    "INSERT INTO view_rules VALUES ('set', 0, '/p/*', 'Product')",
    "INSERT INTO app_policies VALUES ('set', 30, true)",
    "INSERT INTO app_collect VALUES ('set', 0.25, true)",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def meta_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'meta.sqlite'}"
    return request.getfixturevalue("postgres").create_database(f"m_{uuid.uuid4().hex[:10]}")


def _run(url: str, statements: list[str]) -> None:
    engine = sa.create_engine(engine_url(url))
    with engine.begin() as con:
        for sql in statements:
            con.execute(sa.text(sql))
    engine.dispose()


def _schema(url: str) -> dict[str, dict[str, bool]]:
    """Every table's columns and whether each may be NULL."""
    engine = sa.create_engine(engine_url(url))
    insp = sa.inspect(engine)
    out = {
        t: {c["name"]: c["nullable"] for c in insp.get_columns(t)} for t in insp.get_table_names()
    }
    engine.dispose()
    return out


def test_a_database_of_the_previous_schema_keeps_every_apps_settings(meta_url, tmp_path):
    _run(meta_url, PREVIOUS)
    meta = MetaStore(meta_url)
    try:
        assert meta.migrated_from == "legacy"
        shop, blog = meta.app("set"), meta.app("plain")
        assert (shop.name, shop.origins, shop.view_rules) == (
            "Shop",
            ("https://shop.example",),
            (("/p/*", "Product"),),
        )
        assert (shop.retention_days, shop.keep_bots, shop.sample_rate, shop.respect_dnt) == (
            30,
            True,
            0.25,
            True,
        )
        assert (blog.retention_days, blog.keep_bots, blog.sample_rate, blog.respect_dnt) == (
            None,
            None,
            1.0,
            False,
        )
        # Apps made before session replay do not start recording by themselves.
        assert (shop.replay, shop.replay_sample, blog.replay) == (False, 1.0, False)
        # The settings are apps' columns now: one row per lookup, the old tables gone.
        tables = _schema(meta_url)
        assert "app_policies" not in tables and "app_collect" not in tables
        assert {"retention_days", "keep_bots", "sample_rate", "respect_dnt"} <= set(tables["apps"])
        # A change still sticks after the migration.
        meta.change_app("plain", sample_rate=0.5)
    finally:
        meta.close()
    again = MetaStore(meta_url)
    try:
        assert again.migrated_from == head()  # already there: nothing to do
        assert again.app("plain").sample_rate == 0.5
    finally:
        again.close()


def test_an_old_database_ends_with_the_schema_of_a_new_one(tmp_path):
    """The oldest databases have only ``apps``: the baseline creates what is missing, so
    every database ends with the tables and columns a new one gets."""
    old, new = f"sqlite:///{tmp_path / 'old.sqlite'}", f"sqlite:///{tmp_path / 'new.sqlite'}"
    _run(old, PREVIOUS[:1])
    MetaStore(old).close()
    fresh = MetaStore(new)
    assert fresh.migrated_from == "new"
    fresh.close()
    assert _schema(old) == _schema(new)


def test_pageheat_migrate_upgrades_the_metadata_database(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite:///{data / 'meta.sqlite'}"
    _run(url, PREVIOUS)
    result = CliRunner().invoke(cli, ["migrate", "--data", str(data)], env={})
    assert result.exit_code == 0, result.output
    assert f"metadata: sqlite at revision {head()} (was before migrations)" in result.output
    assert "app_collect" not in _schema(url)
