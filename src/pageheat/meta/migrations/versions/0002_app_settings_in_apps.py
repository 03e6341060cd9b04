"""An app's settings are columns of ``apps``: ``app_policies`` (retention, bots) and
``app_collect`` (sampling, Do-Not-Track) were tables of their own only because
``create_all`` adds tables and never columns. One row per app lookup now."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("retention_days", sa.Integer, nullable=True))
        batch.add_column(sa.Column("keep_bots", sa.Boolean, nullable=True))
        batch.add_column(
            sa.Column("sample_rate", sa.Float, nullable=False, server_default=sa.text("1.0"))
        )
        batch.add_column(
            sa.Column("respect_dnt", sa.Boolean, nullable=False, server_default=sa.false())
        )
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "app_policies" in tables:
        op.execute(
            "UPDATE apps SET retention_days = (SELECT p.retention_days FROM app_policies p"
            " WHERE p.app = apps.key), keep_bots = (SELECT p.keep_bots FROM app_policies p"
            " WHERE p.app = apps.key)"
        )
        op.drop_table("app_policies")
    if "app_collect" in tables:
        op.execute(
            "UPDATE apps SET sample_rate = coalesce((SELECT c.sample_rate FROM app_collect c"
            " WHERE c.app = apps.key), 1.0), respect_dnt = coalesce((SELECT c.respect_dnt"
            " FROM app_collect c WHERE c.app = apps.key), false)"
        )
        op.drop_table("app_collect")
