"""What every store of an app's data answers, whatever it keeps.

pageheat keeps an app's data in more than one place: events in the event store
(``store/``), the pictures maps are drawn on in the picture store (``pictures/``), and
session replay will keep its chunks in a store of its own beside them. Privacy rules
(``privacy.py``: delete an app, expire by age) must reach every one of them, so each
offers this protocol and :class:`~pageheat.app.Pageheat` lists them in ``app_data``.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine, create_engine, event


class AppData(Protocol):
    def delete_app(self, app: str) -> dict[str, int]:
        """Delete everything this store keeps of an app; rows deleted per table."""

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        """Delete what of an app is older than ``before_ms`` and tied to visitors (its
        retention); rows deleted per table."""

    def close(self) -> None: ...


def sql_engine(url: str) -> Engine:
    """An engine for a store that lives in a SQL database beside the metadata: SQLite
    (a file of the data directory, the embedded default) or PostgreSQL (scale-out, shared
    by every ``pageheat serve`` process). SQLite runs in WAL mode, so the dashboard's
    reads never wait on a write of a large blob, and waits up to 30 s for a writer."""
    from pageheat.meta.store import engine_url

    url = engine_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _wal(dbapi_con, _record) -> None:  # pragma: no branch - runs per connection
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine
