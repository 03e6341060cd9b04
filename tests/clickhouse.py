"""Real ClickHouse servers for the tests: Debian's ``clickhouse-server`` on loopback ports.

:func:`start_node` starts one server from a config of its own in a temporary directory
(its own data path, ports, users; listening on 127.0.0.1 only), waits until it answers
on its native port and returns a handle that stops it. :func:`start_cluster` starts two
such servers whose ``remote_servers`` name both as the shards of cluster ``pageheat``,
so a ``Distributed`` table on either reaches both.

Start-up takes well under a second; the fixtures start them once per test session, and
each test gets a database of its own. Their data lives in memory (/dev/shm) when the
machine has it: ClickHouse syncs every part it writes, and on a disk each small insert
then costs ~60 ms instead of ~3 ms, which is the whole suite's time on a cluster.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

SERVER = os.environ.get("PAGEHEAT_CLICKHOUSE_SERVER", "/usr/sbin/clickhouse-server")
CLUSTER = "pageheat"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Node:
    """One running ``clickhouse-server``."""

    root: Path
    tcp_port: int = field(default_factory=_free_port)
    http_port: int = field(default_factory=_free_port)
    interserver_port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None

    def url(self, database: str, cluster: str | None = None) -> str:
        tail = f"?cluster={cluster}" if cluster else ""
        return f"clickhouse://127.0.0.1:{self.tcp_port}/{database}{tail}"

    def write_config(self, shards: list[Node] | None = None) -> Path:
        for sub in ("data", "tmp", "user_files", "format_schemas", "log"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        remote = ""
        if shards:
            replicas = "".join(
                f"<shard><replica><host>127.0.0.1</host><port>{n.tcp_port}</port></replica></shard>"
                for n in shards
            )
            remote = f"<remote_servers><{CLUSTER}>{replicas}</{CLUSTER}></remote_servers>"
        r = self.root
        (r / "users.xml").write_text(
            "<?xml version='1.0'?><yandex>"
            "<profiles><default><log_queries>1</log_queries></default></profiles>"
            "<users><default><password></password><networks><ip>127.0.0.1</ip></networks>"
            "<profile>default</profile><quota>default</quota></default></users>"
            "<quotas><default/></quotas></yandex>"
        )
        config = r / "config.xml"
        config.write_text(
            f"""<?xml version='1.0'?>
<yandex>
  <logger><level>warning</level><log>{r}/log/server.log</log>
    <errorlog>{r}/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>{self.tcp_port}</tcp_port>
  <http_port>{self.http_port}</http_port>
  <interserver_http_port>{self.interserver_port}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>{r}/data/</path>
  <tmp_path>{r}/tmp/</tmp_path>
  <user_files_path>{r}/user_files/</user_files_path>
  <format_schema_path>{r}/format_schemas/</format_schema_path>
  <users_config>{r}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <query_log><database>system</database><table>query_log</table>
    <flush_interval_milliseconds>200</flush_interval_milliseconds></query_log>
  {remote}
</yandex>
"""
        )
        return config

    def start(self, shards: list[Node] | None = None, timeout_s: float = 30) -> Node:
        config = self.write_config(shards)
        self.proc = subprocess.Popen(
            [SERVER, f"--config-file={config}"],
            cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.root / "log" / "error.log"
                raise RuntimeError(
                    f"clickhouse-server exited ({self.proc.returncode}):"
                    f" {log.read_text()[-2000:] if log.exists() else ''}"
                )
            if self._answers():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"clickhouse-server did not answer on {self.tcp_port} in {timeout_s} s")

    def _answers(self) -> bool:
        from clickhouse_driver import Client

        with socket.socket() as probe:  # not listening yet: no driver warning in the log
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", self.tcp_port)) != 0:
                return False
        with contextlib.suppress(Exception):
            c = Client("127.0.0.1", port=self.tcp_port, connect_timeout=1)
            try:
                return c.execute("SELECT 1") == [(1,)]
            finally:
                c.disconnect()
        return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def available() -> bool:
    return shutil.which(SERVER) is not None or Path(SERVER).exists()


def start_node(root: Path) -> Node:
    return Node(root).start()


def start_cluster(root: Path, shards: int = 2) -> list[Node]:
    """Servers that are each other's shards; the first is where clients connect."""
    nodes = [Node(root / f"shard{i + 1}") for i in range(shards)]
    started: list[Node] = []
    try:
        for n in nodes:
            started.append(n.start(shards=nodes))
    except BaseException:
        for n in started:
            n.stop()
        raise
    return nodes


class ChdbClient:
    """The store's client interface over chdb: current ClickHouse (26.x) in this process.

    The store runs the same SQL here as on the 18.16 server, its parameters written in
    by clickhouse-driver's own escaping (``substitute``), so a statement that a current
    release refuses (old ``MergeTree(date, key, 8192)`` syntax, a renamed function)
    fails the contract suite even though Debian's server would take it.
    """

    def __init__(self, session, database: str):
        import threading

        self._s = session
        self.database = database
        self._lock = threading.Lock()
        self._last_rows: int | None = None

    def _run(self, sql: str, params=None, fmt: str = "CSV"):
        from pageheat.store.clickhouse_client import substitute

        text = substitute(sql, params)
        with self._lock:
            self._s.query(f"USE {self.database}")
            return self._s.query(text, fmt)

    def query(self, sql: str, params=None) -> list[tuple]:
        import json

        res = self._run(sql, params, "JSONCompact")
        raw = res.bytes() if hasattr(res, "bytes") else bytes(res)
        if not raw.strip():
            return []
        doc = json.loads(raw)
        self._last_rows = doc.get("statistics", {}).get("rows_read")
        types = [m["type"] for m in doc["meta"]]
        return [tuple(_from_json(v, t) for v, t in zip(row, types, strict=True))
                for row in doc["data"]]  # fmt: skip

    def columns(self, sql: str, params=None) -> list:
        rows = self.query(sql, params)
        return [list(c) for c in zip(*rows, strict=True)] if rows else []

    def command(self, sql: str, params=None) -> None:
        self._run(sql, params)

    def insert(self, table: str, columns, rows: list[tuple]) -> None:
        import json

        if not rows:
            return
        lines = "\n".join(
            json.dumps(
                {c: int(v) if isinstance(v, bool) else v for c, v in zip(columns, r, strict=True)}
            )
            for r in rows
        )
        self._run(f"INSERT INTO {table} ({', '.join(columns)}) FORMAT JSONEachRow\n{lines}")

    def read_rows(self) -> int | None:
        return self._last_rows

    def close(self) -> None:
        pass


def _from_json(value, type_: str):
    """JSON of ClickHouse's JSONCompact back to what clickhouse-driver returns."""
    if value is None:
        return float("nan") if type_.startswith("Float") else None
    if type_.startswith(("Int", "UInt")) and isinstance(value, str):
        return int(value)
    if type_.startswith("Float") and isinstance(value, str):
        return float(value)
    if type_.startswith("Tuple(") and isinstance(value, list):
        return tuple(value)
    return value


# -- fixtures (imported by the conftest of each test folder that uses them) -------------

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from tests.tiers import needs  # noqa: E402


@pytest.fixture(scope="session")
def ch_node(tmp_path_factory) -> Iterator[Node]:
    """One clickhouse-server for the whole test session."""
    needs("clickhouse-server")
    root = scratch_dir(tmp_path_factory, "clickhouse")
    node = start_node(root)
    yield node
    node.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def ch_cluster(tmp_path_factory) -> Iterator[list[Node]]:
    """Two clickhouse-servers, the shards of cluster ``pageheat``."""
    needs("clickhouse-server")
    root = scratch_dir(tmp_path_factory, "clickhouse-cluster")
    nodes = start_cluster(root)
    yield nodes
    for n in nodes:
        n.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def chdb_session(tmp_path_factory):
    """An in-process current ClickHouse (chdb) for the session."""
    from chdb import session

    root = scratch_dir(tmp_path_factory, "chdb")
    s = session.Session(str(root))
    yield s
    s.close()
    shutil.rmtree(root, ignore_errors=True)


def scratch_dir(tmp_path_factory, name: str) -> Path:
    """A directory for a server's data: in memory where there is /dev/shm, else tmp."""
    import tempfile

    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix=f"pageheat-{name}-", dir=shm))
    return tmp_path_factory.mktemp(name)


def fresh_database() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def clickhouse_store(url: str):
    """A ClickHouse store on a database of its own, dropped afterwards."""
    from pageheat.store.clickhouse import ClickHouseStore
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import drop

    store = ClickHouseStore.open(url)
    try:
        yield store
    finally:
        store.close()
        drop(Target.parse(url))


@contextlib.contextmanager
def chdb_store(session):
    """A ClickHouse store whose SQL runs on chdb (current ClickHouse), own database."""
    from pageheat.store.clickhouse import ClickHouseStore
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import migrate

    db = fresh_database()
    migrate(Target(database=db), lambda target, database: ChdbClient(session, database))
    store = ClickHouseStore(ChdbClient(session, db))
    try:
        yield store
    finally:
        store.close()
        session.query(f"DROP DATABASE IF EXISTS {db}")
