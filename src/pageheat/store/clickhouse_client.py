"""Talking to ClickHouse: one small client interface, parameters bound to SQL literals.

The store writes its SQL once, with ``?`` placeholders as the DuckDB store does, and
binds them here into literals, so the text that runs is complete: the same string goes
to a server over the native protocol (:class:`NativeClient`, ``clickhouse-driver``) and,
in the tests, to an in-process current ClickHouse (chdb), which is how the SQL is held
to what both the 2018 server Debian packages and current releases accept.

A ``clickhouse-driver`` connection is not thread-safe; the collector's writer thread
and the web server's request threads each borrow one from a small pool.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


class Client(Protocol):
    """What the store needs from a ClickHouse connection."""

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a complete (bound) SELECT."""

    def columns(self, sql: str) -> list[Sequence[Any]]:
        """The result of a complete SELECT as one sequence per column (for numpy)."""

    def command(self, sql: str) -> None:
        """Run DDL or another statement without rows."""

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Append rows; returns once the server has written them (synchronously)."""

    def read_rows(self) -> int | None:
        """Rows the last query of this thread read, when the client can tell."""

    def close(self) -> None: ...


def literal(value: Any) -> str:
    """A Python value as a ClickHouse SQL literal (the escaping both old and new accept)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(literal(v) for v in value) + ")"
    raise TypeError(f"no ClickHouse literal for {type(value).__name__}")


def bind(sql: str, params: Sequence[Any] = ()) -> str:
    """Replace each ``?`` outside string literals with the next parameter as a literal."""
    out: list[str] = []
    it = iter(params)
    quote = False
    i = 0
    while i < len(sql):
        ch = sql[i]
        if quote:
            if ch == "\\":
                out.append(sql[i : i + 2])
                i += 2
                continue
            if ch == "'":
                quote = False
        elif ch == "'":
            quote = True
        elif ch == "?":
            try:
                out.append(literal(next(it)))
            except StopIteration:
                raise ValueError("more placeholders than parameters") from None
            i += 1
            continue
        out.append(ch)
        i += 1
    if next(it, _END) is not _END:
        raise ValueError("more parameters than placeholders")
    return "".join(out)


_END = object()


@dataclass(frozen=True)
class Target:
    """Where a ``clickhouse://user:password@host:port/database?cluster=NAME`` URL points.

    ``cluster`` names a ``remote_servers`` cluster of the server's configuration: the
    store then keeps shard-local tables on every node of it and queries ``Distributed``
    tables over them.
    """

    host: str = "127.0.0.1"
    port: int = 9000
    database: str = "pageheat"
    user: str = "default"
    password: str = ""
    cluster: str | None = None
    settings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme != "clickhouse":
            raise ValueError(f"not a clickhouse:// URL: {url!r}")
        opts = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 9000,
            database=parts.path.strip("/") or "pageheat",
            user=parts.username or "default",
            password=parts.password or "",
            cluster=opts.pop("cluster", None) or None,
            settings=opts,
        )

    def at(self, host: str, port: int) -> Target:
        """The same credentials and database on another node (a shard of the cluster)."""
        return Target(host, port, self.database, self.user, self.password, self.cluster,
                      self.settings)  # fmt: skip


class NativeClient:
    """A pool of ``clickhouse-driver`` connections to one server (native protocol)."""

    def __init__(self, target: Target, database: str | None = None):
        self.target = target
        self.database = target.database if database is None else database
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        self._all: list[Any] = []
        self._lock = threading.Lock()
        self._local = threading.local()
        self.settings: dict[str, Any] = {
            # a Distributed insert returns only once every shard has the rows: the
            # collector answers 202 after this, so the rows must be on the shards
            "insert_distributed_sync": 1,
            # sessions (and so page views and their events) never span shards, so an
            # IN over a Distributed table may read each shard's own part of it
            "distributed_product_mode": "local",
            **target.settings,
        }

    @contextmanager
    def _conn(self) -> Iterator[Any]:
        try:
            conn = self._idle.get_nowait()
        except queue.Empty:
            from clickhouse_driver import Client as Driver

            t = self.target
            conn = Driver(t.host, port=t.port, database=self.database, user=t.user,
                          password=t.password, settings=self.settings)  # fmt: skip
            with self._lock:
                self._all.append(conn)
        try:
            yield conn
        except BaseException:
            conn.disconnect()  # a broken connection reconnects on its next use
            raise
        finally:
            self._local.last = conn.last_query
            self._idle.put(conn)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self._conn() as c:
            return c.execute(sql)

    def columns(self, sql: str) -> list[Sequence[Any]]:
        with self._conn() as c:
            return list(c.execute(sql, columnar=True))

    def command(self, sql: str) -> None:
        with self._conn() as c:
            c.execute(sql)

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with self._conn() as c:
            c.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES", rows)

    def read_rows(self) -> int | None:
        last = getattr(self._local, "last", None)
        return int(last.progress.rows) if last is not None else None

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.disconnect()
            self._all.clear()


def connect(target: Target, database: str | None = None) -> NativeClient:
    return NativeClient(target, database)
