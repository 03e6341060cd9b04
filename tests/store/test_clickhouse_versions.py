"""The two ClickHouse releases the store's SQL is held to are what they claim to be.

The contract suite runs the ClickHouse store on Debian's 2018 server and on a current
release in-process (chdb); that only proves something if the first is the old one and
the second refuses what old servers took, such as the ``MergeTree(date, key, 8192)``
engine syntax.
"""

from __future__ import annotations

import pytest

from pageheat.store.clickhouse_client import Target, connect
from pageheat.store.clickhouse_schema import statements


def test_the_debian_server_is_18_16(ch_node):
    client = connect(Target(port=ch_node.tcp_port, database="system"))
    try:
        ((version,),) = client.query("SELECT version()")
    finally:
        client.close()
    assert version.startswith("18.16.")


def test_chdb_is_a_current_release_that_refuses_the_old_syntax(chdb_session):
    version = chdb_session.query("SELECT version()", "CSV").bytes().decode().strip().strip('"')
    assert int(version.split(".")[0]) >= 25
    chdb_session.query("CREATE DATABASE IF NOT EXISTS old_syntax")
    with pytest.raises(Exception, match="deprecated"):
        chdb_session.query(
            "CREATE TABLE old_syntax.t (d Date, a String) ENGINE = MergeTree(d, (a), 8192)"
        )
    chdb_session.query("DROP DATABASE old_syntax")


def test_the_schema_uses_neither_the_old_engine_syntax_nor_a_ttl():
    for sql in statements("db", clustered=True) + statements("db", clustered=False):
        assert "MergeTree(" not in sql.replace("MergeTree()", "").replace("SummingMergeTree(n)", "")
        assert " TTL " not in sql.upper()
