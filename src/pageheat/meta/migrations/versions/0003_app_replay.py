"""Session replay's two app settings, as columns of ``apps``: ``replay`` (record
sessions) and ``replay_sample`` (the share of sessions recorded, 0..1). Apps made before
this revision get replay off: their owners chose what to collect before recording
existed, so a new kind of data starts only when they turn it on; new apps are made with
it on (``MetaStore.create_app``)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("replay", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(
            sa.Column("replay_sample", sa.Float, nullable=False, server_default=sa.text("1.0"))
        )
