"""Alembic migration chains over SQLAlchemy databases: the metadata database's
(``meta/migrations``) and the picture store's (``pictures/migrations``).

A chain is a folder with an ``env.py`` (which calls :func:`run_env`) and its revisions in
``versions/``, a version table of its own and a PostgreSQL advisory lock of its own. With
``meta_url`` set the pictures live in the metadata database, so both chains may run in
one PostgreSQL: their own version tables keep them from reading each other's revision,
and their own tables (``picture_`` prefix) keep them from touching each other's schema.

:meth:`Chain.upgrade` brings a database to the newest revision:

- an empty database gets every table as the code declares it, stamped at the newest
  revision (building the schema step by step would only replay history);
- a database made before the chain existed (its ``marker`` table, no version table) goes
  through every revision, the first of which is the baseline: that day's schema;
- any other database is upgraded from the revision it records.

On PostgreSQL, several processes starting at once take turns through the chain's
advisory lock, so only the first one migrates. There is no alembic.ini: pageheat hands
Alembic an open connection, and a new revision is a copy of the newest file with
``down_revision`` set (``alembic revision`` is not needed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text


@dataclass(frozen=True)
class Chain:
    #: The folder of ``env.py`` and ``versions/``.
    folder: Path
    #: Where the database records the chain's revision (Alembic's ``version_table``).
    version_table: str
    #: A table every database made before the chain existed has.
    marker: str
    #: Any number, different per chain: the advisory lock taken while one migrates.
    lock_id: int
    #: The chain's tables as the code declares them; a function, so that the modules
    #: declaring them are imported only when a database is opened.
    tables: Callable[[], MetaData]

    def config(self, connection: Connection) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(self.folder))
        cfg.attributes.update(
            connection=connection, metadata=self.tables(), version_table=self.version_table
        )
        return cfg

    def head(self) -> str:
        head = ScriptDirectory(str(self.folder)).get_current_head()
        assert head is not None
        return head

    def current(self, connection: Connection) -> str | None:
        opts = {"version_table": self.version_table}
        return MigrationContext.configure(connection, opts=opts).get_current_revision()

    def upgrade(self, engine: Engine) -> str:
        """Bring the database to the newest revision; returns the revision it was at
        (``"new"`` for an empty database, ``"legacy"`` for one made before the chain)."""
        with engine.begin() as con:
            if con.dialect.name == "postgresql":
                con.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": self.lock_id})
            was = self.current(con)
            cfg = self.config(con)
            if was is None and self.marker not in inspect(con).get_table_names():
                self.tables().create_all(con)
                command.stamp(cfg, "head")
                return "new"
            command.upgrade(cfg, "head")
            return was or "legacy"


def run_env() -> None:
    """The body of every chain's ``env.py``: migrate over the connection and with the
    tables and version table :meth:`Chain.config` put in the configuration."""
    from alembic import context

    given = context.config.attributes
    context.configure(
        connection=given["connection"],
        target_metadata=given["metadata"],
        version_table=given["version_table"],
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    context.run_migrations()
