"""Alembic's environment: pageheat always hands it an open connection (see
``pageheat.migrating``); there is no alembic.ini and no offline mode."""

from pageheat.migrating import run_env

run_env()
