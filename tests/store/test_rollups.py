"""Heat rollups: the raw points, snapped to their cell, at a cost that does not grow
with traffic.

Every backend keeps the rollup (DuckDB in the writer's transaction, ClickHouse by a
materialised view); a point map whose query the rollup covers reads it, any other reads
the raw rows. The rollup holds exactly the raw points snapped to their 10 px cell and to
1 % of their element's box, so a map drawn at the visitors' own width has the same
grid from either.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from pageheat.kinds import POINT_KINDS
from pageheat.store import rollup
from pageheat.store.base import Query, WidthClasses, WidthRange
from pageheat.store.sql import DUCKDB, Sql
from tests.store.test_backends_agree import recorded_traffic
from tests.store.test_contract import T0, click, env, layout, view

DAY = 86_400_000
DAY0 = T0 // DAY * DAY


def _points(store, q, kind, snapped=False):
    """The map's points (``map_points``), each as many times as it counts, or with
    ``snapped`` the raw points snapped."""
    p = rollup.snap(store.points(q, kind)) if snapped else store.map_points(q, kind)
    names = [p.selectors[i] for i in p.sel]
    times = [1] * len(p) if p.n is None else p.n.tolist()
    rows = zip(p.x.tolist(), p.y.tolist(), p.dw.tolist(), p.rx.tolist(), p.ry.tolist(), names,
               p.touch.tolist(), strict=True)  # fmt: skip
    return sorted(row for row, k in zip(rows, times, strict=True) for _ in range(k))


COVERED = [
    Query(app="app", view="/"),
    Query(app="app", view="/p/?", width=WidthRange.parse("mobile")),
    Query(app="app", view="/", width=WidthRange.parse("desktop"), filters={"device": "desktop"}),
    Query(app="app", view="/pricing", start_ms=DAY0 + DAY, end_ms=DAY0 + 2 * DAY),
]


@pytest.mark.parametrize("kind", POINT_KINDS)  # every point kind of pageheat.kinds
def test_the_rollup_holds_the_raw_points_snapped(store, kind):
    traffic = recorded_traffic()
    for i in range(0, len(traffic), 9):
        store.write(traffic[i : i + 9])
    for q in COVERED:
        assert rollup.covers(q)
        store.rollups = True
        from_rollup = _points(store, q, kind)
        assert from_rollup == _points(store, q, kind, snapped=True)
        store.rollups = False
        assert from_rollup == _points(store, q, kind)
    assert from_rollup or kind != "click"  # the last query saw clicks
    assert not rollup.covers(Query(app="app", view="/", filters={"env": "prod"}))
    assert not rollup.covers(Query(app="app", view="/", start_ms=DAY0 + 5))
    assert not rollup.covers(Query(app="app", view="/", width=WidthRange.parse("500-900")))


def test_width_class_bounds_drive_ingest_rollup_and_raw_reads_alike(store):
    """desktop from 1000 px: a 1100 px visitor is stored as desktop, the rollup keeps it
    there, and a desktop map finds it on either read path (the defaults call it tablet)."""
    store.widths = WidthClasses(desktop_min=1000, mobile_max=767)
    store.write([env(events=[view("v1", vw=1100), click("v1", "#a", vw=1100),
                             click("v1", "#b", vw=1100, x=300), layout("v1", "h1")])])  # fmt: skip
    desktop = Query(app="app", view="/", width=WidthRange.parse("desktop", store.widths))
    tablet = Query(app="app", view="/", width=WidthRange.parse("tablet", store.widths))
    assert desktop.width == WidthRange("desktop", 1000, 1_000_000)
    assert rollup.covers(desktop, store.widths) and rollup.covers(tablet, store.widths)
    for rollups in (True, False):
        store.rollups = rollups
        assert [p[5] for p in _points(store, desktop, "click")] == ["#a", "#b"]
        assert _points(store, tablet, "click") == []
    assert store.layout_counts(desktop) == {"h1": 1}
    asked = store.layout_states("app", ["v1"])  # what the collector asks about
    assert [(s.view, s.width_class, s.layout_hash) for s in asked] == [("/", "desktop", "h1")]
    # the same class name under other bounds is not what the store classed: raw rows only
    assert not rollup.covers(Query(app="app", view="/", width=WidthRange.parse("desktop")),
                             store.widths)  # fmt: skip


def test_rollup_points_are_snapped_to_the_cell_and_to_one_percent_of_the_box(store):
    store.write([env(events=[view("v1"), click("v1", "#a", x=123.9, y=45.5, rx=0.333, ry=0.996)])])
    q = Query(app="app", view="/")
    assert _points(store, q, "click") == [(0.0865, 45.0, 1.0, 0.33, 1.0, "#a", False)]
    store.rollups = False  # a map that the rollup does not cover: the raw rows, snapped
    assert _points(store, q, "click") == [(0.0865, 45.0, 1.0, 0.33, 1.0, "#a", False)]
    p = store.points(q)  # what is recorded stays as it was
    assert (p.x.tolist(), p.y.tolist(), p.rx.tolist(), p.ry.tolist()) == (
        [123.9], [45.5], [0.333], [0.996])  # fmt: skip


def test_a_map_from_the_rollup_moves_no_point_further_than_its_snapping(store):
    from pageheat.heat.placement import place

    store.write(recorded_traffic())
    q = Query(app="app", view="/")
    for kind in ("click", "move"):
        raw = store.points(q, kind)
        assert store.map_points(q, kind).total() == len(raw) > 10
        snapped = rollup.snap(raw)  # point by point (the first test: the rollup holds these)
        for bg in (1440, 390):  # each visitor's points drawn on a desktop and a phone picture
            a, b = place(raw, bg, None), place(snapped, bg, None)
            assert np.abs(a.x - b.x).max() <= bg / 2000 + 1e-9
            assert np.array_equal(a.y // 10, b.y // 10)  # the same row of cells


# -- cost ---------------------------------------------------------------------------------


def clicks_on_a_few_spots(n: int, batch: str, days: int = 1) -> list:
    """``n`` clicks by ``n // 10`` visitors on the same twenty spots of one page, the
    visitors spread over ``days`` days of one month."""
    spots = [(float(50 + 60 * (i % 5)), float(100 + 80 * (i // 5))) for i in range(20)]
    out = []
    for v in range(n // 10):
        vid = f"{batch}-{v}"
        t = T0 + (v % days) * DAY
        events = [view(vid, "/", t=t)]
        events += [click(vid, f"#s{k % 20}", x=spots[k % 20][0], y=spots[k % 20][1],
                         t=t + 1000 + k) for k in range(v, v + 10)]  # fmt: skip
        out.append(env(batch=vid, visitor=vid, session=vid, events=events))
    return out


def _duckdb_rows_scanned(path, sql: str, params) -> dict[str, int]:
    """Rows each table scan of ``sql`` read, from DuckDB's own profiler."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        out = path.parent / "profile.json"
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{out}'")
        con.execute(sql, params).fetchall()
        con.execute("PRAGMA disable_profiling")
    finally:
        con.close()
    scanned: dict[str, int] = {}

    def walk(node: dict) -> None:
        if node.get("type") == "TABLE_SCAN":
            table = node["extra_info"]["Table"].rsplit(".", 1)[-1]
            scanned[table] = scanned.get(table, 0) + int(node["rows_scanned"])
        for child in node.get("children", []):
            walk(child)

    for node in json.loads(out.read_text())["operator"]:
        walk(node)
    return scanned


def test_duckdb_rollup_reads_the_same_rows_for_four_times_the_clicks_over_five_days(tmp_path):
    from pageheat.store.duckdb import DuckDBStore

    path = tmp_path / "events.duckdb"
    q = Query(app="app", view="/")
    s = Sql(DUCKDB)
    sql, params = rollup.point_query(s, q, "click"), s.params  # what the DuckDB store runs
    scanned = []
    for n, batch, days in [(200, "a", 1), (600, "b", 5)]:
        s = DuckDBStore(path)
        s.write(clicks_on_a_few_spots(n, batch, days))
        clicks = s.map_points(q).total()
        s.close()
        scanned.append((clicks, _duckdb_rows_scanned(path, sql, params)))
    (few, first), (many, second) = scanned
    assert (few, many) == (200, 800)
    # the twenty spots of the month, whatever the clicks and the days they came on
    assert first == second == {"heat_rollup_month": 20}
    raw = _duckdb_rows_scanned(path, "SELECT x, y, dw, rx, ry, sel, pointer FROM interactions"
                               " WHERE app = 'app' AND name = '/' AND kind = 'click'", [])  # fmt: skip
    assert raw["interactions"] == 800  # what the raw rows would have cost
    day_tier = _duckdb_rows_scanned(path, "SELECT * FROM heat_rollup WHERE app = 'app'", [])
    assert day_tier["heat_rollup"] == 20 * 5  # and the day tier, the spots of each day


@pytest.mark.parametrize("where", ["clickhouse", "cluster"])
def test_clickhouse_rollup_reads_the_same_rows_for_four_times_the_clicks_over_five_days(
    request, where
):
    from pageheat.store.clickhouse import ClickHouseStore
    from pageheat.store.clickhouse_client import Target, connect
    from pageheat.store.clickhouse_schema import drop, migrate
    from tests.clickhouse import fresh_database

    nodes = request.getfixturevalue("ch_cluster" if where == "cluster" else "ch_node")
    first = nodes[0] if isinstance(nodes, list) else nodes
    target = Target.parse(first.url(fresh_database(), "pageheat" if where == "cluster" else None))
    shards = [connect(n) for n in migrate(target)]
    client = connect(target)
    store = ClickHouseStore(client)
    q = Query(app="app", view="/")
    try:
        read = []
        for n, batch, days in [(200, "a", 1), (600, "b", 5)]:
            store.write(clicks_on_a_few_spots(n, batch, days))
            for shard in shards:  # what the background merges do, done now
                name = "heat_rollup_month_local" if target.cluster else "heat_rollup_month"
                shard.command(f"OPTIMIZE TABLE {name} FINAL")
            clicks = store.map_points(q).total()
            read.append((clicks, client.read_rows()))
        (few, rows_few), (many, rows_many) = read
        assert (few, many) == (200, 800)
        # twenty spots: twenty rows of the month (on a cluster, the spots each shard's
        # sessions hit), whatever the clicks and the days they came on
        assert rows_few == rows_many and 20 <= rows_many <= 20 * len(shards)
        assert len(store.points(q)) == 800 and client.read_rows() >= 800  # the raw rows
    finally:
        store.close()
        for shard in shards:
            shard.close()
        drop(target)


def test_rollup_points_carry_each_rows_count_and_draw_as_repeated_points():
    from pageheat import heat

    rows = [(10.0, 20.0, 1440.0, 0.5, 0.5, "#b", 0, 3), (0.0, 0.0, 390.0, 0.0, 1.0, "#a", 1, 2)]
    p = rollup.points(list(zip(*rows, strict=True)))
    assert len(p) == 2 and p.total() == 5 and p.selectors == ["#a", "#b"]
    assert [p.selectors[i] for i in p.sel] == ["#b", "#a"] and p.n.tolist() == [3, 2]
    # the map of the counted rows is the map of the rows repeated, cell for cell
    times = p.n
    repeated = heat.Points(
        x=np.repeat(p.x, times), y=np.repeat(p.y, times), dw=np.repeat(p.dw, times),
        rx=np.repeat(p.rx, times), ry=np.repeat(p.ry, times), sel=np.repeat(p.sel, times),
        touch=np.repeat(p.touch, times), selectors=p.selectors,
    )  # fmt: skip
    rects = {"#b": (100.0, 100.0, 50.0, 20.0)}
    a, b = heat.heatmap(p, 400, 300, rects=rects), heat.heatmap(repeated, 400, 300, rects=rects)
    assert np.array_equal(a.counts, b.counts) and a.counts.sum() == 5
    assert a.hotspots == b.hotspots and a.hotspots[0]["count"] == 3
    assert (
        heat.to_json(a)["placed"] == heat.to_json(b)["placed"] == {"anchored": 3, "positional": 2}
    )
    assert a.placed.not_visible == b.placed.not_visible == {"#a": 2}


def test_a_store_from_before_the_rollup_gets_its_events_counted_in(tmp_path, ch_node):
    """Opening an old DuckDB file, or migrating an old ClickHouse database, fills it."""
    import duckdb

    from pageheat.store.clickhouse import ClickHouseStore
    from pageheat.store.clickhouse_client import Target, connect
    from pageheat.store.clickhouse_schema import drop, migrate
    from pageheat.store.duckdb import DuckDBStore
    from tests.clickhouse import fresh_database

    q = Query(app="app", view="/")
    path = tmp_path / "old.duckdb"
    s = DuckDBStore(path)
    s.write(recorded_traffic())
    expected = _points(s, q, "click", snapped=True)
    s.close()
    con = duckdb.connect(str(path))
    # as the release before the rollup left it (and before versioned migrations)
    for table in ("heat_rollup", "heat_rollup_month", "session_rollup", "rollup_clustered"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP TABLE schema_migrations")
    con.close()
    s = DuckDBStore(path)
    try:
        assert _points(s, q, "click") == expected and expected
    finally:
        s.close()

    target = Target.parse(ch_node.url(fresh_database()))
    migrate(target)
    client = connect(target)
    store = ClickHouseStore(client)
    try:
        store.write(recorded_traffic())
        # as the release before the rollup left it: no rollup, no tag arrays (the later
        # steps' tables are created only if missing), no versioned migrations
        for table in ("heat_rollup", "heat_rollup_month", "session_rollup"):
            client.command(f"DROP TABLE {table}_mv")
            client.command(f"DROP TABLE {table}")
        for table in ("pageviews", "interactions", "scrolls", "errors", "layouts"):
            for column in ("tag_keys", "tag_values"):
                client.command(f"ALTER TABLE {table} DROP COLUMN {column}")
        client.command("DROP TABLE schema_migrations")
        migrate(target)
        assert _points(store, q, "click") == expected
        migrate(target)  # again: nothing counted twice
        assert _points(store, q, "click") == expected
    finally:
        store.close()
        drop(target)
