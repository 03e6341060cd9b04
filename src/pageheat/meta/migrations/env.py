"""Alembic's environment: pageheat always hands it an open connection (see
``pageheat.meta.migrations.upgrade``); there is no alembic.ini and no offline mode."""

from alembic import context

from pageheat.meta.tables import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
context.run_migrations()
