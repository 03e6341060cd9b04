"""`pageheat generate`: synthetic traffic of the documented shape, counted back from a
real DuckDB file through the same reads the dashboard uses."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from click.testing import CliRunner

from pageheat.cli import cli
from pageheat.generate import shop_layout, tables
from pageheat.reports import scroll_summary
from pageheat.store.base import Query, WidthRange
from pageheat.store.duckdb import DuckDBStore

ALL = WidthRange("all", 0, 100_000)


def test_generated_traffic_has_the_documented_shape(tmp_path):
    made, n = tables("shop", 300_000, seed=7)
    assert n == pytest.approx(300_000, rel=0.03)
    store = DuckDBStore(tmp_path / "events.duckdb")
    try:
        assert store.load(made) == sum(made[t].num_rows for t in made if t != "visitors")
        views = store.views(Query(app="shop", width=ALL))
        page_views = sum(v["page_views"] for v in views)
        assert page_views == made["pageviews"].num_rows
        # Zipf popularity: the home page first, each of the next views rarer
        assert views[0]["name"] == "/" and views[0]["page_views"] > 2 * views[1]["page_views"]
        devices = dict(store.filter_values(Query(app="shop", width=ALL), "device"))
        share = {d: c / page_views for d, c in devices.items()}
        assert share["desktop"] == pytest.approx(0.55, abs=0.02)
        assert share["mobile"] == pytest.approx(0.40, abs=0.02)
        assert share["tablet"] == pytest.approx(0.05, abs=0.01)
        # clicks land on the layout's elements, the most popular element first
        home = Query(app="shop", view="/", width=WidthRange.parse("desktop"))
        top = store.actions(home, limit=5)
        assert top[0]["selector"] == shop_layout()[0].sel
        assert {a["selector"] for a in top} <= {e.sel for e in shop_layout()} | {"main"}
        stats = store.stats(home)
        assert 0 < stats["rage_clicks"] < stats["total_clicks"] * 0.05
        assert 0 < stats["dead_clicks"] < stats["total_clicks"] * 0.1
        # scroll reach falls with depth: everyone sees the first screen, few the end
        reach = scroll_summary(store.depths(home))["reach"]
        assert reach[0] == 1.0 and reach[99] < 0.3
        assert all(a >= b for a, b in pairwise(reach))
        returning = dict(store.filter_values(Query(app="shop", width=ALL), "visitor"))
        assert returning["new"] > 0 and returning["returning"] > 0
    finally:
        store.close()


def test_the_command_fills_an_app(tmp_path):
    r = CliRunner().invoke(cli, ["generate", "--events", "50000", "--data", str(tmp_path)])
    assert r.exit_code == 0, r.output
    key = r.output.split("app ", 1)[1].split(":", 1)[0]
    listed = CliRunner().invoke(cli, ["app", "list", "--data", str(tmp_path)])
    assert json.loads(listed.output.splitlines()[0])["key"] == key
    store = DuckDBStore(tmp_path / "events.duckdb")
    try:
        pvs = sum(v["page_views"] for v in store.views(Query(app=key, width=ALL)))
        assert pvs == pytest.approx(50_000 / 11.7, rel=0.05)
    finally:
        store.close()
    bad = CliRunner().invoke(cli, ["generate", "--app", "nope", "--data", str(tmp_path)])
    assert bad.exit_code != 0 and "no app" in bad.output
