"""Schema migrations of the picture store (Alembic), a chain of ``pageheat.migrating``.

The pictures live in ``pictures.sqlite`` or, with ``meta_url`` set, in the metadata
PostgreSQL beside the metadata's own chain: so this chain records its revision in
``pictures_alembic_version`` and takes a lock of its own, and the two never read each
other's revision. ``SQLPictures`` runs :func:`upgrade` on open and ``pageheat migrate``
reports it. A store made before this chain (``picture_snapshots``, no version table)
goes through the baseline; an empty one is created and stamped at the newest revision.
A new revision is a file in ``versions/``: copy the newest one and set
``down_revision``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, MetaData

from pageheat.migrating import Chain


def _tables() -> MetaData:
    from pageheat.pictures.sql import metadata  # imported late: sql.py runs upgrade

    return metadata


CHAIN = Chain(
    folder=Path(__file__).parent, version_table="pictures_alembic_version",
    marker="picture_snapshots", lock_id=0x70696374, tables=_tables,
)  # fmt: skip


def head() -> str:
    return CHAIN.head()


def upgrade(engine: Engine) -> str:
    """Bring the picture tables to the newest revision; returns the revision they were
    at (``"new"`` for a database without them, ``"legacy"`` for ones made before)."""
    return CHAIN.upgrade(engine)
