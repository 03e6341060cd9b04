"""Talking to ClickHouse: one small client interface, parameters escaped by the driver.

Statements carry their values as parameters, never in their text: named
(``%(p0)s``, as the shared reads write them, store/sql.py) or ``?`` in order (the
store's own statements), which :func:`named` turns into named ones. clickhouse-driver
escapes each value into the statement (its ``execute(sql, params)``: client-side,
because ClickHouse 18.16 has no query parameters on the native protocol; the driver's
server-side parameters need 22.8). The tests' in-process current ClickHouse (chdb)
takes the same statements with the same driver escaping (:func:`substitute`), which is
how the SQL is held to what both the 2018 server Debian packages and current releases
accept. What stays text is what no parameter can be: table, database and cluster names,
which come from the schema and the configuration, never from a request.

A ``clickhouse-driver`` connection is not thread-safe; the collector's writer thread
and the web server's request threads each borrow one from a small pool.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit


class Client(Protocol):
    """What the store needs from a ClickHouse connection."""

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        """Rows of a SELECT (parameters as :func:`named` takes them)."""

    def columns(self, sql: str, params: Params = None) -> list[Sequence[Any]]:
        """The result of a SELECT as one sequence per column (for numpy)."""

    def command(self, sql: str, params: Params = None) -> None:
        """Run DDL or another statement without rows."""

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Append rows; returns once the server has written them (synchronously)."""

    def read_rows(self) -> int | None:
        """Rows the last query of this thread read, when the client can tell."""

    def close(self) -> None: ...


#: Parameters of a statement: named (``%(name)s``), or in order for its ``?`` marks.
Params = Mapping[str, Any] | Sequence[Any] | None


def named(sql: str, params: Params = None) -> tuple[str, dict[str, Any] | None]:
    """A statement in clickhouse-driver's form: ``%(name)s`` marks and a dict.

    ``?`` marks outside string literals become ``%(pN)s`` in order, and a ``%`` of the
    text itself is doubled (the driver formats the text with ``%``). Without parameters
    the text is left as it is, and the driver does not format it.
    """
    if params is None:
        return sql, None
    if isinstance(params, Mapping):
        return _PERCENT.sub("%%", sql), dict(params)
    out: list[str] = []
    values: dict[str, Any] = {}
    quote = False
    i = 0
    while i < len(sql):
        ch = sql[i]
        if ch == "%":
            out.append("%%")
        elif quote:
            if ch == "\\":
                out.append(sql[i : i + 2].replace("%", "%%"))
                i += 2
                continue
            if ch == "'":
                quote = False
            out.append(ch)
        elif ch == "'":
            quote = True
            out.append(ch)
        elif ch == "?":
            if len(values) == len(params):
                raise ValueError("more placeholders than parameters")
            name = f"p{len(values)}"
            values[name] = params[len(values)]
            out.append(f"%({name})s")
        else:
            out.append(ch)
        i += 1
    if len(values) != len(params):
        raise ValueError("more parameters than placeholders")
    return "".join(out), values


#: A ``%`` that is not a ``%(name)s`` mark.
_PERCENT = re.compile(r"%(?!\(\w+\)s)")


def substitute(sql: str, params: Params = None) -> str:
    """The statement with its parameters written in by clickhouse-driver's escaping, for
    a client that takes complete text (chdb): what the driver sends for the same call."""
    text, values = named(sql, params)
    if values is None:
        return text
    from clickhouse_driver.util.escape import escape_params

    return text % escape_params(values, None)


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

    def query(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        with self._conn() as c:
            return c.execute(*named(sql, params))

    def columns(self, sql: str, params: Params = None) -> list[Sequence[Any]]:
        with self._conn() as c:
            return list(c.execute(*named(sql, params), columnar=True))

    def command(self, sql: str, params: Params = None) -> None:
        with self._conn() as c:
            c.execute(*named(sql, params))

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
