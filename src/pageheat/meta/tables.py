"""The one SQLAlchemy ``MetaData`` every metadata table is declared on: a new database
gets every module's tables (apps, accounts, library) from it, and the migrations
(meta/migrations) compare against it."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    false,
    text,
)

metadata = MetaData()

#: An app: its key, name and allowed origins, and its own settings. A setting that is NULL
#: means "the instance's setting". Changes to this schema are migrations
#: (meta/migrations/versions).
apps = Table(
    "apps",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("origins", JSON, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    #: Days its events are kept (0: forever); see ``pageheat expire``.
    Column("retention_days", Integer, nullable=True),
    #: Store batches from bots, crawlers and headless browsers.
    Column("keep_bots", Boolean, nullable=True),
    #: Share of visitors sampled, and whether Do-Not-Track / GPC are honoured.
    Column("sample_rate", Float, nullable=False, server_default=text("1.0")),
    Column("respect_dnt", Boolean, nullable=False, server_default=false()),
    #: Session replay: whether sessions are recorded (off for apps made before it
    #: existed, on for new ones: ``MetaStore.create_app``) and the share recorded.
    Column("replay", Boolean, nullable=False, server_default=false()),
    Column("replay_sample", Float, nullable=False, server_default=text("1.0")),
)

#: An app's view-name rules (pattern → name), tried in ``position`` order at ingest.
view_rules = Table(
    "view_rules",
    metadata,
    Column("app", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("pattern", String(1024), nullable=False),
    Column("name", String(256), nullable=False),
)
