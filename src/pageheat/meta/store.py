"""Apps and their settings in a SQL database through SQLAlchemy.

SQLite in the data directory is the default; any SQLAlchemy URL (PostgreSQL for
scale-out) works, because nothing here is dialect-specific. Reads are cached per process
for the collector's hot path (one lookup per batch) and invalidated on write.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import JSON, BigInteger, Column, MetaData, String, Table, create_engine, select

metadata = MetaData()

apps = Table(
    "apps",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("origins", JSON, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class App:
    key: str
    name: str
    origins: tuple[str, ...]
    created_ms: int = field(default_factory=lambda: int(time.time() * 1000))

    def allows(self, origin: str | None) -> bool:
        """Whether a browser origin may send events (``*`` in the list allows any)."""
        if "*" in self.origins:
            return True
        try:
            return origin is not None and normalise_origin(origin) in self.origins
        except ValueError:  # "null" (sandboxed frames, file://) and other non-origins
            return False


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]``, lower case, default ports dropped; ``*`` stays ``*``."""
    origin = origin.strip()
    if origin == "*":
        return origin
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"origin {origin!r} must look like https://example.com")
    port = parts.port
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


class MetaStore:
    def __init__(self, url: str):
        self.engine = create_engine(url)
        metadata.create_all(self.engine)
        self._apps: dict[str, App] = {}

    def create_app(self, name: str, origins: list[str], key: str | None = None) -> App:
        name = name.strip()
        if not name or len(name) > 200:
            raise ValueError("name must be 1 to 200 characters")
        clean = tuple(dict.fromkeys(normalise_origin(o) for o in origins))
        app = App(key=key or secrets.token_urlsafe(12), name=name, origins=clean)
        with self.engine.begin() as con:
            con.execute(apps.insert().values(
                key=app.key, name=app.name, origins=list(app.origins), created_ms=app.created_ms
            ))  # fmt: skip
        self._apps.pop(app.key, None)
        return app

    def app(self, key: str) -> App | None:
        """The app of a key; unknown keys are not cached, so apps made elsewhere appear."""
        if key not in self._apps:
            with self.engine.connect() as con:
                row = con.execute(select(apps).where(apps.c.key == key)).first()
            if row is None:
                return None
            self._apps[key] = _app(row)
        return self._apps[key]

    def list_apps(self) -> list[App]:
        with self.engine.connect() as con:
            rows = con.execute(select(apps).order_by(apps.c.created_ms)).all()
        return [_app(r) for r in rows]

    def close(self) -> None:
        self.engine.dispose()


def _app(row) -> App:
    origins = row.origins if isinstance(row.origins, list) else json.loads(row.origins)
    return App(key=row.key, name=row.name, origins=tuple(origins), created_ms=row.created_ms)
