"""Baseline: the picture tables as the releases before this chain made them with
``create_all`` on opening (picture_snapshots, picture_backgrounds, picture_rects).

Such a database has at least ``picture_snapshots``; a table missing is created here as
it is declared today. When a later revision changes one of them, freeze that table's
definition here as it was (tests/pictures/test_migrations.py fails until then)."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

TABLES = ("picture_snapshots", "picture_backgrounds", "picture_rects")


def upgrade() -> None:
    from pageheat.pictures.sql import metadata

    bind = op.get_bind()
    have = set(sa.inspect(bind).get_table_names())
    missing = [metadata.tables[name] for name in TABLES if name not in have]
    metadata.create_all(bind, tables=missing)
