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


@pytest.mark.parametrize("release", ["18.16", "current"])
def test_values_are_parameters_escaped_by_the_driver_on_both_releases(request, release):
    """``?`` in order or ``%(name)s`` by name: the value comes back as it went in, and a
    ``?`` or ``%`` of the statement's own text stays text."""
    from tests.clickhouse import ChdbClient
    from tests.store.test_contract import TRICKY

    if release == "18.16":
        node = request.getfixturevalue("ch_node")
        client = connect(Target(port=node.tcp_port, database="system"))
    else:
        client = ChdbClient(request.getfixturevalue("chdb_session"), "system")
    try:
        assert client.query("SELECT ?, '?', '100%', ?", [TRICKY, [1, 2]]) == [
            (TRICKY, "?", "100%", [1, 2])
        ]
        assert client.query("SELECT %(a)s, %(a)s = %(b)s, '5%'", {"a": TRICKY, "b": "x"}) == [
            (TRICKY, 0, "5%")
        ]
        with pytest.raises(ValueError, match="more parameters"):
            client.query("SELECT ?", [1, 2])
    finally:
        client.close()
