"""Schema migrations of the metadata database (Alembic).

:func:`upgrade` brings any metadata database to the newest schema and is what
``MetaStore`` runs on open and ``pageheat migrate`` runs explicitly:

- an empty database gets every table as the code declares it, stamped at the newest
  revision (building the schema step by step would only replay history);
- a database made before migrations existed (an ``apps`` table, no ``alembic_version``)
  goes through every revision, the first of which is the baseline: that day's schema;
- any other database is upgraded from the revision it records.

On PostgreSQL, several processes starting at once take turns through an advisory lock,
so only the first one migrates. A new revision is a file in ``versions/``: ``alembic
revision`` is not needed, copy the newest one and set ``down_revision``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from pageheat.meta.tables import metadata

#: Any number: the advisory lock PostgreSQL processes take while one migrates.
_LOCK_ID = 0x70616765


def config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    script = ScriptDirectory(str(Path(__file__).parent))
    head = script.get_current_head()
    assert head is not None
    return head


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Bring the database to the newest revision; returns the revision it was at
    (``"new"`` for an empty database, ``"legacy"`` for one made before migrations)."""
    # Importing the modules that declare tables fills ``metadata``.
    import pageheat.meta.accounts
    import pageheat.meta.library
    import pageheat.meta.outcomes  # noqa: F401

    with engine.begin() as con:
        if con.dialect.name == "postgresql":
            con.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        was = current(con)
        tables = set(inspect(con).get_table_names())
        cfg = config(con)
        if was is None and "apps" not in tables:
            metadata.create_all(con)
            command.stamp(cfg, "head")
            return "new"
        command.upgrade(cfg, "head")
        return was or "legacy"
