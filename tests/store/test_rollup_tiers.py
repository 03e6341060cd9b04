"""Rollup tiers: a map of any whole-day range reads the month tier for its whole months
and the day tier for the partial months at its edges, and counts sessions from the
session sets; every answer is what the raw rows give, on every backend, and stays so
after a visitor is forgotten or old events expire.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pageheat.store import rollup
from pageheat.store.base import Query, WidthRange
from tests.store.test_contract import click, env, view
from tests.store.test_rollups import _points

DAY = 86_400_000


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def _day(text: str) -> int:
    return _ms(text) // DAY


def spread_traffic(sessions: int = 36) -> list:
    """Sessions every ~39 hours from 2025-10-20 to 2025-12-18 on a few spots of two
    views, from three devices, and one session that crosses the Nov/Dec midnight."""
    out = []
    t0 = _ms("2025-10-20T05:00:00")
    devices = ("desktop", "mobile", "tablet")
    for s in range(sessions):
        t = t0 + s * 39 * 3_600_000
        vw = (1440, 390, 900)[s % 3]
        events = []
        for i, path in enumerate(("/", "/pricing")[: 1 + s % 2]):
            v = f"s{s}v{i}"
            events.append(view(v, path, t=t + i * 60_000, vw=vw))
            for c in range(1 + s % 4):
                events.append(click(v, f"#b{c % 3}", x=float(40 + 70 * (c % 3)),
                                    y=float(120 + 10 * (s % 5)), t=t + i * 60_000 + 1000 + c,
                                    vw=vw, pointer="touch" if vw < 768 else "mouse"))  # fmt: skip
        out.append(env(batch=f"b{s}", visitor=f"u{s % 9}", session=f"s{s}",
                       device=devices[s % 3], events=events))  # fmt: skip
    late = _ms("2025-11-30T23:59:00")  # one session on both sides of the month's edge
    out.append(env(batch="edge", visitor="edge", session="edge", events=[
        view("e1", "/", t=late), click("e1", "#b0", t=late + 1000),
        view("e2", "/", t=late + 120_000), click("e2", "#b1", t=late + 121_000),
    ]))  # fmt: skip
    return out


RANGES = [
    (None, None),
    ("2025-11-01", "2025-12-01"),  # one whole month: the month tier alone
    ("2025-10-25", "2025-12-10"),  # partial, whole, partial
    ("2025-11-30", "2025-12-02"),  # two partial months, across the edge session
    ("2025-11-05", "2025-11-20"),  # inside one month: the day tier alone
    ("2025-11-01", None),
    (None, "2025-11-15"),
]


def _query(view_name, lo, hi, **kw) -> Query:
    return Query(app="app", view=view_name, start_ms=_ms(lo) if lo else None,
                 end_ms=_ms(hi) if hi else None, **kw)  # fmt: skip


def _raw_sessions(store, q: Query) -> int:
    store.rollups = False
    try:
        return store.sessions(q)
    finally:
        store.rollups = True


def test_plan_splits_a_range_into_whole_months_and_edge_days():
    assert rollup.plan(None, None) == ((None, None), [])
    assert rollup.plan(_ms("2025-11-01"), _ms("2025-12-01")) == ((202511, 202512), [])
    assert rollup.plan(_ms("2025-10-25"), _ms("2025-12-10")) == (
        (202511, 202512),
        [(_day("2025-10-25"), _day("2025-11-01")), (_day("2025-12-01"), _day("2025-12-10"))],
    )
    assert rollup.plan(_ms("2025-11-05"), _ms("2025-11-20")) == (
        None, [(_day("2025-11-05"), _day("2025-11-20"))])  # fmt: skip
    assert rollup.plan(_ms("2025-11-30"), _ms("2025-12-02")) == (
        None, [(_day("2025-11-30"), _day("2025-12-02"))])  # fmt: skip
    assert rollup.plan(None, _ms("2025-11-15")) == (
        (None, 202511), [(_day("2025-11-01"), _day("2025-11-15"))])  # fmt: skip
    assert rollup.plan(_ms("2025-12-31"), _ms("2026-01-01")) == (
        None, [(_day("2025-12-31"), _day("2026-01-01"))])  # fmt: skip
    assert rollup.plan(_ms("2025-12-01"), _ms("2026-02-01")) == ((202512, 202602), [])
    assert rollup.plan(_ms("2025-11-10"), _ms("2025-11-10")) == (None, [])


@pytest.mark.parametrize("lo,hi", RANGES)
def test_a_range_across_month_edges_reads_what_the_raw_rows_give(store, lo, hi):
    store.write(spread_traffic())
    seen = 0
    for view_name in ("/", "/pricing"):
        for width in (None, "desktop", "mobile"):
            q = _query(view_name, lo, hi, width=WidthRange.parse(width) if width else None)
            assert rollup.covers(q)
            tiers = _points(store, q, "click")
            assert tiers == _points(store, q, "click", snapped=True)
            assert store.sessions(q) == _raw_sessions(store, q)
            seen += len(tiers)
    q = _query("/", lo, hi, filters={"device": "mobile,tablet"})
    assert _points(store, q, "click") == _points(store, q, "click", snapped=True)
    assert store.sessions(q) == _raw_sessions(store, q)
    assert seen  # every range sees clicks


def test_a_session_on_both_sides_of_a_month_edge_counts_once(store):
    store.write(spread_traffic())
    q = _query("/", "2025-11-30", "2025-12-02")
    assert store.sessions(q) == _raw_sessions(store, q) >= 1
    whole = _query("/", "2025-11-30", "2025-12-01"), _query("/", "2025-12-01", "2025-12-02")
    assert store.sessions(whole[0]) + store.sessions(whole[1]) == store.sessions(q) + 1


def _tier(store, tier: str) -> list:
    """A point tier's rows, summed by key and without zeros (what a read sees)."""
    table, _column = rollup.TIERS[tier]
    keys = rollup.group_by(tier)
    rows = store._rows(
        f"SELECT {keys}, sum(n) AS c FROM {table} GROUP BY {keys} HAVING sum(n) <> 0", {}
    )
    return sorted(tuple(r) for r in rows)


def _recomputed(store, tier: str) -> list:
    """The same tier, recomputed from the raw interactions."""
    engine = store.dialect.name
    rows = store._rows(
        f"{rollup.select(engine, tier=tier)} FROM interactions GROUP BY {rollup.group_by(tier)}",
        {},
    )
    return sorted(tuple(r) for r in rows)


def _session_sets(store) -> list:
    """Sessions per (view, day, device, width class), from the sets and from raw rows."""
    keys = ", ".join(rollup.SESSION_KEY)
    sets = store._rows(
        f"SELECT {keys}, {store.dialect.session_count} FROM session_rollup GROUP BY {keys}", {}
    )
    day = store.dialect.day.format(t="t", day=DAY)
    raw = store._rows(
        f"SELECT app, name, {day} AS d, device, width_class, count(DISTINCT session)"
        " FROM pageviews GROUP BY app, name, d, device, width_class",
        {},
    )
    return [sorted(tuple(r) for r in rows if r[-1]) for rows in (sets, raw)]


def test_deletions_and_retention_leave_every_tier_as_a_rebuild_would(store):
    store.write(spread_traffic())
    store.write([env(app="other", batch="o", session="o", events=[view("o1"), click("o1")])])
    for tier in ("day", "month"):
        assert _tier(store, tier) == _recomputed(store, tier)
    before = _tier(store, "month")
    assert store.forget_visitor("app", "u4")["interactions"] > 0
    store.forget_visitor("app", "edge")  # the session across the month's edge
    after = _tier(store, "month")
    assert after != before and after == _recomputed(store, "month")
    assert _tier(store, "day") == _recomputed(store, "day")
    sets, raw = _session_sets(store)
    assert sets == raw
    # retention at a time that is not midnight: the day it falls in is counted again
    store.expire("app", before_ms=_ms("2025-11-20T02:00:30"))  # between two views
    for tier in ("day", "month"):
        assert _tier(store, tier) == _recomputed(store, tier)
    sets, raw = _session_sets(store)
    assert sets == raw and any(r[2] == _day("2025-11-20") for r in raw)
    q = _query("/", "2025-11-01", "2025-12-01")
    assert _points(store, q, "click") == _points(store, q, "click", snapped=True)
    assert store.sessions(q) == _raw_sessions(store, q)
    store.delete_app("app")
    assert [r for r in _tier(store, "month") if r[0] == "app"] == []
    assert [r for r in _session_sets(store)[0] if r[0] == "app"] == []
    assert _tier(store, "month") == _recomputed(store, "month") != []  # the other app's


def test_duckdb_rewrites_its_tiers_in_view_order_keeping_their_key(tmp_path):
    """A rewrite (after a bulk load, on opening, after retention) puts each view's rows
    together, changes no answer, and the month tier still upserts by its key."""
    from pageheat.store import duckdb_rollup
    from pageheat.store.duckdb import DuckDBStore

    store = DuckDBStore(tmp_path / "events.duckdb")
    try:
        store.write(spread_traffic())
        q = _query("/", "2025-10-25", "2025-12-10")
        before = _points(store, q, "click"), store.sessions(q), _tier(store, "month")
        with store._con.cursor() as cur:
            for table in duckdb_rollup.CLUSTERED:
                duckdb_rollup.recluster(cur, table)
            names = [r[0] for r in cur.execute("SELECT name FROM heat_rollup_month").fetchall()]
            assert names == sorted(names) and len(set(names)) == 2
            recorded = dict(cur.execute("SELECT name, rows FROM rollup_clustered").fetchall())
        assert recorded["heat_rollup_month"] == len(names)
        assert (_points(store, q, "click"), store.sessions(q), _tier(store, "month")) == before
        store.write(spread_traffic(3))  # the same batch ids: nothing new
        store.write([env(batch="more", session="more", events=[view("m1"), click("m1", "#b0",
                         x=40.0, y=120.0, t=_ms("2025-11-03T10:00:00"))])])  # fmt: skip
        assert _tier(store, "month") == _recomputed(store, "month") != before[2]
        assert len(_tier(store, "month")) == len(names)  # an upsert: the point was there
    finally:
        store.close()
