"""Moving a DuckDB install to ClickHouse with the CLI: migrate, export, import.

The events of a DuckDB data directory are exported (JSON lines, Parquet), imported into
ClickHouse (the two-shard cluster, and one server), and the dashboard's answers from the
new store are those of the old one; exported back out of ClickHouse into a new DuckDB
file they are the same again.
"""

from __future__ import annotations

import json

import pytest

from pageheat import reports
from pageheat.app import Pageheat
from pageheat.store.base import Query
from pageheat.store.clickhouse_client import Target
from pageheat.store.clickhouse_schema import drop
from pageheat.store.duckdb import DuckDBStore
from tests.clickhouse import fresh_database
from tests.conftest import make_settings
from tests.store.test_backends_agree import recorded_traffic
from tests.test_cli import run

Q = Query(app="app", view="/")


def answers(ph: Pageheat) -> dict:
    """What the dashboard shows of view "/": three maps, the insights and the view list."""
    return {
        "maps": {
            k: reports.heatmap_json(reports.render(ph, Q, k, capture=False))
            for k in ("click", "move", "scroll")
        },
        "insights": reports.insights(ph, Q),
        "returning": ph.store.stats(Query(app="app", filters={"visitor": "returning"})),
        "views": ph.store.views(Query(app="app")),
    }


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A DuckDB data directory with recorded traffic, and what it answers."""
    data = tmp_path_factory.mktemp("duck")
    store = DuckDBStore(data / "events.duckdb")
    store.write(recorded_traffic())
    store.close()
    ph = Pageheat(make_settings(data))
    try:
        expected = answers(ph)
    finally:
        ph.close()
    assert expected["insights"]["stats"]["total_clicks"] > 0
    assert expected["returning"]["page_views"] > 0
    return data, expected


def _rows(result) -> dict[str, int]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])["rows"]


@pytest.mark.parametrize(("fmt", "where"), [("events.jsonl", "cluster"), ("parquet", "node")])
def test_duckdb_moves_to_clickhouse_and_back(source, tmp_path, fmt, where, request):
    data, expected = source
    first = request.getfixturevalue("ch_cluster")[0] if where == "cluster" else None
    node = first or request.getfixturevalue("ch_node")
    url = node.url(fresh_database(), cluster="pageheat" if first else None)
    try:
        migrated = run("migrate", "--data", str(tmp_path / "new"), "--events-url", url)
        assert migrated.returncode == 0, migrated.stderr
        assert migrated.stdout.count("events: ClickHouse") == (2 if first else 1)

        out = tmp_path / fmt
        exported = _rows(run("export", "--data", str(data), "--out", str(out)))
        assert exported["interactions"] > 0 and exported["visitors"] > 0
        imported = _rows(run("import", str(out), "--data", str(tmp_path / "new"),
                             "--events-url", url))  # fmt: skip
        assert imported == exported

        ph = Pageheat(make_settings(tmp_path / "new", events_url=url))
        try:
            assert answers(ph) == expected
        finally:
            ph.close()

        # and back: out of ClickHouse into a new DuckDB file, the same answers again
        back = tmp_path / "back.jsonl"
        assert _rows(run("export", "--events-url", url, "--data", str(tmp_path / "new"),
                         "--out", str(back))) == exported  # fmt: skip
        assert _rows(run("import", str(back), "--data", str(tmp_path / "again"))) == exported
        ph = Pageheat(make_settings(tmp_path / "again"))
        try:
            assert answers(ph) == expected
        finally:
            ph.close()
    finally:
        drop(Target.parse(url))


def test_import_refuses_a_file_that_is_not_an_export(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"hello": 1}\n')
    r = run("import", str(bad), "--data", str(tmp_path))
    assert r.returncode != 0 and "not a pageheat events export" in r.stderr
