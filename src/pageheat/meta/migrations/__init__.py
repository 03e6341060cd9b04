"""Schema migrations of the metadata database (Alembic), a chain of ``pageheat.migrating``.

:func:`upgrade` brings any metadata database to the newest schema and is what
``MetaStore`` runs on open and ``pageheat migrate`` runs explicitly: an empty database is
created and stamped at the newest revision, one made before migrations (an ``apps``
table, no ``alembic_version``) goes through every revision from the baseline, any other
is upgraded from the revision it records (see ``pageheat.migrating`` for why, and for
the PostgreSQL lock). A new revision is a file in ``versions/``: copy the newest one and
set ``down_revision``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, MetaData

from pageheat.migrating import Chain


def _tables() -> MetaData:
    # Importing the modules that declare tables fills ``metadata``.
    import pageheat.meta.accounts
    import pageheat.meta.library
    import pageheat.meta.outcomes  # noqa: F401
    from pageheat.meta.tables import metadata

    return metadata


#: Alembic's default version table, as the first releases with migrations wrote it.
CHAIN = Chain(
    folder=Path(__file__).parent, version_table="alembic_version", marker="apps",
    lock_id=0x70616765, tables=_tables,
)  # fmt: skip


def head() -> str:
    return CHAIN.head()


def current(connection: Connection) -> str | None:
    return CHAIN.current(connection)


def upgrade(engine: Engine) -> str:
    """Bring the database to the newest revision; returns the revision it was at
    (``"new"`` for an empty database, ``"legacy"`` for one made before migrations)."""
    return CHAIN.upgrade(engine)
