"""Every store test runs against each backend: the DuckDB file, one ClickHouse server,
a two-shard ClickHouse cluster behind Distributed tables (both Debian's 18.16 server),
and the ClickHouse store's SQL on a current ClickHouse in-process (chdb)."""

from __future__ import annotations

import contextlib

import pytest

from tests.clickhouse import chdb_store, clickhouse_store, fresh_database

BACKENDS = ["duckdb", "clickhouse", "cluster", "chdb"]


@contextlib.contextmanager
def open_backend(request, name: str, tmp_path):
    """A fresh, empty store of the named backend."""
    if name == "duckdb":
        from pageheat.store.duckdb import DuckDBStore

        s = DuckDBStore(tmp_path / "events.duckdb")
        try:
            yield s
        finally:
            s.close()
    elif name == "clickhouse":
        node = request.getfixturevalue("ch_node")
        with clickhouse_store(node.url(fresh_database())) as s:
            yield s
    elif name == "cluster":
        first = request.getfixturevalue("ch_cluster")[0]
        with clickhouse_store(first.url(fresh_database(), cluster="pageheat")) as s:
            yield s
    elif name == "chdb":
        with chdb_store(request.getfixturevalue("chdb_session")) as s:
            yield s
    else:
        raise ValueError(name)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """Each backend in turn, empty: every test in tests/store that takes ``store``."""
    with open_backend(request, request.param, tmp_path) as s:
        yield s
