"""The embedded replay store: ``replays.sqlite`` in the data directory.

A file of its own (not the DuckDB events file, not ``meta.sqlite``): chunks are blobs of
tens of KB written one commit per group, which SQLite keeps well and DuckDB's columnar
file does not, and the metadata file stays small to back up. The connection runs in WAL
mode with ``synchronous=FULL``, so a commit is on disk when ``save`` returns and the 202
that follows it survives a SIGKILL of the server (WAL with ``NORMAL`` may lose the last
commits on a power cut, which an acknowledged chunk must not). Chunks are kept as the
gzip the browser sent; the primary key (app, session, view, seq) keeps a retry once.

One connection, serialised by a lock: the replay writer's thread writes, the API's
threads read; SQLite's WAL would allow concurrent readers, but reads of a replay are
rare next to writes, and one connection keeps ``close`` simple.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pageheat.replay.base import Chunk, cut
from pageheat.replay.protocol import events_of

if TYPE_CHECKING:
    from pageheat.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS replay_chunks (
    app TEXT NOT NULL,
    session TEXT NOT NULL,
    view TEXT NOT NULL,
    seq INTEGER NOT NULL,
    visitor TEXT NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    snap_ms INTEGER,
    received_ms INTEGER NOT NULL,
    events INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (app, session, view, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS replay_chunks_visitor ON replay_chunks (app, visitor);
CREATE INDEX IF NOT EXISTS replay_chunks_received ON replay_chunks (app, received_ms);
"""


class SQLiteReplays:
    """:class:`~pageheat.replay.base.ReplayStore` over one SQLite file."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        self._con = sqlite3.connect(self.path, check_same_thread=False, timeout=30,
                                    isolation_level=None)  # fmt: skip
        self._con.execute("PRAGMA journal_mode=WAL")
        self._con.execute("PRAGMA synchronous=FULL")
        self._con.executescript(SCHEMA)
        self._lock = threading.Lock()

    def save(self, chunks: Sequence[Chunk]) -> list[bool]:
        fresh: list[bool] = []
        with self._lock:
            cur = self._con.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                for c in chunks:
                    cur.execute(
                        "INSERT OR IGNORE INTO replay_chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (c.app, c.session, c.view, c.seq, c.visitor, c.first_ms, c.last_ms,
                         c.snap_ms, c.received_ms, c.events, len(c.gzipped), c.gzipped),
                    )  # fmt: skip
                    fresh.append(cur.rowcount == 1)
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
        return fresh

    def session_bytes(self, app: str, session: str) -> int:
        return self._one("SELECT coalesce(sum(bytes), 0) FROM replay_chunks"
                         " WHERE app = ? AND session = ?", app, session)  # fmt: skip

    def events(
        self, app: str, session: str, from_ms: int | None = None, to_ms: int | None = None
    ) -> list[dict[str, Any]]:
        # Only the chunks from the last full snapshot at or before `from_ms` on are read.
        anchor = None
        if from_ms is not None:
            anchor = self._one("SELECT max(snap_ms) FROM replay_chunks WHERE app = ? AND"
                               " session = ? AND snap_ms <= ?", app, session, from_ms)  # fmt: skip
        sql = "SELECT data FROM replay_chunks WHERE app = ? AND session = ?"
        args: list[Any] = [app, session]
        if anchor is not None:
            sql += " AND last_ms >= ?"
            args.append(anchor)
        if to_ms is not None:
            sql += " AND first_ms <= ?"
            args.append(to_ms)
        with self._lock:
            blobs = self._con.execute(sql + " ORDER BY first_ms, view, seq", args).fetchall()
        events = [e for (blob,) in blobs for e in events_of(blob)]
        return cut(events, from_ms, to_ms)

    def span(self, app: str, session: str) -> tuple[int, int] | None:
        with self._lock:
            lo, hi = self._con.execute(
                "SELECT min(first_ms), max(last_ms) FROM replay_chunks WHERE app = ?"
                " AND session = ?", (app, session)
            ).fetchone()  # fmt: skip
        return None if lo is None else (int(lo), int(hi))

    def with_replay(self, app: str, sessions: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(sessions))
        found: set[str] = set()
        for i in range(0, len(wanted), 500):  # SQLite's bound on parameters
            part = wanted[i : i + 500]
            marks = ",".join("?" * len(part))
            with self._lock:
                rows = self._con.execute(
                    f"SELECT DISTINCT session FROM replay_chunks WHERE app = ?"
                    f" AND session IN ({marks})", [app, *part]
                ).fetchall()  # fmt: skip
            found.update(r[0] for r in rows)
        return found

    def forget_visitor(self, app: str, visitor: str) -> dict[str, int]:
        return self._delete("app = ? AND visitor = ?", app, visitor)

    def delete_app(self, app: str) -> dict[str, int]:
        return self._delete("app = ?", app)

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        return self._delete("app = ? AND received_ms < ?", app, before_ms)

    def count(self, app: str | None = None) -> int:
        if app is None:
            return self._one("SELECT count(*) FROM replay_chunks")
        return self._one("SELECT count(*) FROM replay_chunks WHERE app = ?", app)

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def _one(self, sql: str, *args: Any) -> Any:
        with self._lock:
            return self._con.execute(sql, args).fetchone()[0]

    def _delete(self, where: str, *args: Any) -> dict[str, int]:
        with self._lock:
            n = self._con.execute(f"DELETE FROM replay_chunks WHERE {where}", args).rowcount
        return {"replay_chunks": n}


def open_replays(settings: Settings) -> SQLiteReplays:
    """The replay store of the settings: ``replays.sqlite`` in the data directory."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SQLiteReplays(settings.data_dir / "replays.sqlite")


__all__ = ["SQLiteReplays", "open_replays"]
