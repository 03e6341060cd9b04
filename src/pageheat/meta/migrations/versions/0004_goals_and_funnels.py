"""Goals and funnels of an app (meta/outcomes.py): what "converted" means for an app,
and the ordered steps a funnel report counts sessions through."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("app", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("view", sa.String(256), nullable=True),
        sa.Column("selector", sa.String(1024), nullable=True),
        sa.Column("event", sa.String(128), nullable=True),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "funnels",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("app", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("steps", sa.JSON, nullable=False),
        sa.Column("created_ms", sa.BigInteger, nullable=False),
    )
