"""The one SQLAlchemy ``MetaData`` every metadata table is declared on, so that
``create_all`` at start makes the tables of every module (apps, accounts, library)."""

from sqlalchemy import MetaData

metadata = MetaData()
