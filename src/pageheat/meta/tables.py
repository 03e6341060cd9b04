"""The one SQLAlchemy ``MetaData`` every metadata table is declared on: a new database
gets every module's tables (apps, accounts, library) from it, and the migrations
(meta/migrations) compare against it."""

from sqlalchemy import MetaData

metadata = MetaData()
