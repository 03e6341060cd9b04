"""Baseline: the schema of the releases before migrations, which made their tables with
``create_all`` as they started (apps, view_rules, app_policies, app_collect, users,
sessions, api_tokens, saved_heatmaps, share_links).

Such a database has at least ``apps``; the tables added by later releases of that time
may be missing, and are created here as they are declared today. When a later revision
changes one of them, freeze that table's definition here as it was
(tests/meta/test_migrations.py fails until then)."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

TABLES = ("view_rules", "users", "sessions", "api_tokens", "saved_heatmaps", "share_links")


def upgrade() -> None:
    from pageheat.meta.tables import metadata

    bind = op.get_bind()
    have = set(sa.inspect(bind).get_table_names())
    missing = [metadata.tables[name] for name in TABLES if name not in have]
    metadata.create_all(bind, tables=missing)
