"""The event store contract: every backend passes this same suite.

The ``store`` fixture (tests/store/conftest.py) gives each test every backend in turn:
DuckDB, one ClickHouse server, a two-shard ClickHouse cluster and ClickHouse's current
release in-process; nothing in these tests knows which backend it talks to.
"""

from __future__ import annotations

import numpy as np
import pytest

from pageheat.collect.enrich import name_views
from pageheat.collect.protocol import build_protocol
from pageheat.store.base import Envelope, Query, WidthRange

P = build_protocol()
T0 = 1_763_000_000_000  # 2025-11-13


def env(app="app", batch="b1", visitor="u1", session="s1", events=(), device="desktop",
        browser="Chrome", os="Linux", country="", city=""):  # fmt: skip
    decoded = [P.decoder.decode(_batch(list(events))).events][0]
    return Envelope(app=app, batch_id=batch, visitor=visitor, session=session, received_ms=T0,
                    sdk="t", device=device, browser=browser, os=os, events=name_views(decoded),
                    country=country, city=city)  # fmt: skip


def _batch(events: list[dict]) -> bytes:
    import json

    return json.dumps({"app": "a", "visitor": "v", "session": "s", "events": events}).encode()


def view(v, path="/", t=T0, vw=1440, **kw):
    return {"k": "view", "t": t, "v": v, "url": f"https://x.test{path}", "path": path,
            "vw": vw, "vh": 900, "dw": vw, "dh": 3000, **kw}  # fmt: skip


def click(v, sel="#a", x=100.0, y=100.0, t=T0 + 1000, vw=1440, pointer="mouse", **kw):
    return {"k": "click", "t": t, "v": v, "x": x, "y": y, "vw": vw, "dw": vw, "dh": 3000,
            "sel": sel, "rx": 0.25, "ry": 0.75, "tag": "button", "text": sel.strip("#"),
            "pointer": pointer, **kw}  # fmt: skip


def leave(v, vis, t=T0 + 5000):
    return {"k": "leave", "t": t, "v": v, "vis": vis, "depth": 1200, "dh": 3000}


def test_write_is_idempotent_per_batch_id(store):
    e = env(events=[view("v1"), click("v1")])
    assert store.write([e, e]) == [True, False]
    assert store.write([e]) == [False]
    assert store.stats(Query(app="app"))["total_clicks"] == 1


def test_batches_without_id_are_all_stored(store):
    e = env(batch=None, events=[view("v1"), click("v1")])
    assert store.write([e, e]) == [True, True]
    assert store.stats(Query(app="app"))["total_clicks"] == 2


def test_views_most_viewed_first_with_folded_names(store):
    store.write([
        env(batch="1", visitor="u1", events=[view("v1", "/p/1"), click("v1")]),
        env(batch="2", visitor="u2", events=[view("v2", "/p/2"), view("v3", "/about")]),
        env(batch="3", visitor="u2", events=[view("v4", "/p/3"), click("v4"), click("v4")]),
    ])  # fmt: skip
    views = store.views(Query(app="app"))
    assert [(v["name"], v["page_views"], v["visitors"], v["clicks"]) for v in views] == [
        ("/p/?", 3, 2, 3),
        ("/about", 1, 1, 0),
    ]
    assert store.views(Query(app="other")) == []


def test_points_carry_selectors_and_pointer(store):
    store.write([env(events=[
        view("v1"), click("v1", "#a", 10, 20), click("v1", "#b", 30, 40, pointer="touch"),
        click("v1", "#a", 50, 60),
    ])])  # fmt: skip
    pts = store.points(Query(app="app", view="/"))
    order = np.argsort(pts.x)
    assert pts.x[order].tolist() == [10, 30, 50]
    assert pts.y[order].tolist() == [20, 40, 60]
    assert [pts.selectors[i] for i in pts.sel[order]] == ["#a", "#b", "#a"]
    assert pts.touch[order].tolist() == [False, True, False]
    assert pts.rx.tolist() == [0.25] * 3 and pts.ry.tolist() == [0.75] * 3


def test_width_and_time_filters(store):
    store.write([env(events=[
        view("d", vw=1440), click("d", vw=1440, t=T0 + 10),
        view("m", vw=390), click("m", vw=390, t=T0 + 20), click("m", vw=390, t=T0 + 30),
    ])])  # fmt: skip
    desktop = Query(app="app", view="/", width=WidthRange.parse("desktop"))
    mobile = Query(app="app", view="/", width=WidthRange.parse("mobile"))
    assert len(store.points(desktop)) == 1
    assert len(store.points(mobile)) == 2
    later = Query(app="app", view="/", start_ms=T0 + 25)
    assert len(store.points(later)) == 1
    assert len(store.points(Query(app="app", view="/", end_ms=T0 + 25))) == 2


def test_actions_and_stats(store):
    store.write([
        env(batch="1", visitor="u1", session="s1", events=[
            view("v1", "/"), click("v1", "#a"), click("v1", "#a"), click("v1", "#b"),
            leave("v1", 10_000), view("v2", "/pricing", t=T0 + 6000), leave("v2", 4_000, T0 + 9000),
        ]),
        env(batch="2", visitor="u2", session="s2", events=[
            view("v3", "/"), click("v3", "#a"), leave("v3", 20_000),
        ]),
    ])  # fmt: skip
    q = Query(app="app", view="/")
    actions = store.actions(q)
    assert [(a["selector"], a["count"], a["visitors"], a["text"]) for a in actions] == [
        ("#a", 3, 2, "a"),
        ("#b", 1, 1, "b"),
    ]
    stats = store.stats(q)
    assert stats["page_views"] == 2
    assert stats["visitors"] == 2
    assert stats["sessions"] == store.sessions(q) == 2
    assert stats["total_clicks"] == 4
    assert stats["avg_visible_s"] == pytest.approx(15.0)
    # s1 went on to /pricing, s2 ended on /: half the sessions ended here
    assert stats["session_end_ratio"] == pytest.approx(0.5)
    assert stats["popularity"] == pytest.approx(2 / 3, abs=1e-4)


def test_clicks_in_a_later_write_keep_their_views_dimensions(store):
    store.write([env(batch="1", events=[view("v1", "/p/9", tags={"env": "prod"})])])
    store.write([env(batch="2", events=[click("v1")])])
    assert store.views(Query(app="app"))[0]["clicks"] == 1
    assert len(store.points(Query(app="app", view="/p/?"))) == 1


def layout(v, h, t=T0 + 1200):
    return {"k": "layout", "t": t, "v": v, "h": h, "dw": 1440, "dh": 3000}


def test_page_states_are_each_views_latest_layout(store):
    store.write([env(events=[
        view("v1"), layout("v1", "h0", t=T0 + 900), layout("v1", "h1"), view("v2"),
        layout("v2", "h2"), view("v3", vw=390), layout("v3", "h1"),
    ])])  # fmt: skip
    states = store.layout_states("app", ["v3", "v1", "v2", "unknown"])
    assert [(s.view_id, s.view, s.width_class, s.layout_hash, s.vw, s.known) for s in states] == [
        ("v1", "/", "desktop", "h1", 1440, 0), ("v2", "/", "desktop", "h2", 1440, 0),
        ("v3", "/", "mobile", "h1", 390, 0),
    ]  # fmt: skip
    assert store.layout_states("app", []) == []
    assert store.page_state("app", "v2", "h2").vw == 1440
    assert store.page_state("app", "v2", "h1") is None
    assert store.layout_counts(Query(app="app", view="/", width=WidthRange.parse("desktop"))) == {
        "h0": 1, "h1": 1, "h2": 1,  # v1 named two states: each counts it
    }  # fmt: skip


def test_selectors_are_the_clicked_ones(store):
    store.write([env(events=[view("v1"), click("v1", "#b"), click("v1", "#a"),
                             click("v1", "#a", t=T0 + 2000)])])  # fmt: skip
    assert store.selectors(Query(app="app", view="/")) == ["#a", "#b"]


#: A value that would change a statement if it were pasted into its text: quotes, a
#: backslash, the placeholders of both engines, a percent sign, a comment.
TRICKY = "it's 100% \\'? $p0 %(p0)s' OR 1=1 --"


def test_values_that_look_like_sql_are_matched_as_values(store):
    sel = f'[data-x="{TRICKY}"]'
    store.write([env(events=[
        view("v1", tags={"env": TRICKY}), click("v1", sel), view("v2", tags={"env": "prod"}),
        click("v2", "#a"),
    ])])  # fmt: skip
    tricky = Query(app="app", view="/", filters={"env": TRICKY})
    assert store.filter_values(Query(app="app", view="/"), "env") == [(TRICKY, 1), ("prod", 1)]
    assert [(a["selector"], a["count"]) for a in store.actions(tricky)] == [(sel, 1)]
    assert store.action(tricky, sel)["count"] == 1
    assert store.action(Query(app="app", view="/"), "x' OR '1'='1") is None
    assert store.selectors(Query(app="app", view="/", filters={"env": "prod"})) == ["#a"]
    assert store.stats(tricky)["page_views"] == 1


def test_data_survives_reopening(tmp_path):
    from pageheat.store.duckdb import DuckDBStore

    s = DuckDBStore(tmp_path / "e.duckdb")
    s.write([env(events=[view("v1"), click("v1")])])
    s.close()
    s = DuckDBStore(tmp_path / "e.duckdb")
    assert s.stats(Query(app="app"))["total_clicks"] == 1
    assert s.write([env(events=[view("v1"), click("v1")])]) == [False]
    s.close()


def move(v, pts, t=T0 + 2000, vw=1440):
    return {"k": "move", "t": t, "v": v, "vw": vw, "dw": vw, "dh": 3000, "p": pts}


def scroll(v, depth, bands=None, t=T0 + 3000):
    return {"k": "scroll", "t": t, "v": v, "depth": depth, "dh": 3000, "vh": 900,
            "bands": bands or [0.0] * 20}  # fmt: skip


def test_frustration_kinds_select_their_clicks(store):
    store.write([env(events=[
        view("v1"), click("v1", "#a", rage=5), *[click("v1", "#a") for _ in range(4)],
        click("v1", "#p", dead=True), click("v1", "#e", error=True),
    ])])  # fmt: skip
    q = Query(app="app", view="/")
    assert len(store.points(q, "click")) == 7  # a burst's clicks stay clicks
    rage = store.points(q, "rage")
    assert len(rage) == 1 and rage.selectors == ["#a"]  # one rage event per burst
    assert store.points(q, "dead").selectors == ["#p"]
    assert store.points(q, "error").selectors == ["#e"]
    stats = store.stats(q)
    assert (stats["rage_clicks"], stats["dead_clicks"], stats["error_clicks"]) == (1, 1, 1)


def test_moves_are_points_of_their_own_kind(store):
    store.write([env(events=[view("v1"), move("v1", [[10, 20, 0], [40, 60, 100], [90, 60, 250]])])])
    q = Query(app="app", view="/")
    pts = store.points(q, "move")
    assert sorted(zip(pts.x.tolist(), pts.y.tolist(), strict=True)) == [
        (10, 20), (40, 60), (90, 60)]  # fmt: skip
    assert len(store.points(q, "click")) == 0
    assert store.views(Query(app="app"))[0]["clicks"] == 0


def test_depths_take_the_latest_scroll_and_see_the_first_screen(store):
    store.write([env(events=[
        view("a"), scroll("a", 1500, t=T0 + 10), scroll("a", 3000, [1.0] * 20, t=T0 + 20),
        view("b"), leave("b", 1000),  # leave depth 1200 of 3000
        view("c"),  # nothing but the view: it saw its first screen (900 of 3000)
    ])])  # fmt: skip
    d = store.depths(Query(app="app", view="/"))
    assert sorted(d.depth.tolist()) == pytest.approx([0.3, 0.4, 1.0])
    assert d.fold.tolist() == pytest.approx([0.3, 0.3, 0.3])
    assert d.bands.shape == (1, 20) and d.bands.sum() == 20.0


def test_page_errors_count_each_occurrence(store):
    store.write([env(events=[
        view("v1"), {"k": "error", "t": T0 + 5, "v": "v1", "msg": "x is undefined", "hash": "h1", "n": 3},
        {"k": "error", "t": T0 + 6, "v": "v1", "msg": "boom", "hash": "h2"},
    ])])  # fmt: skip
    assert store.stats(Query(app="app", view="/"))["page_errors"] == 4


# -- filters ---------------------------------------------------------------------------

#: Three page views of "/" that differ in every filter dimension; view i has 2**i of each
#: countable thing (clicks, cursor points, errors, seconds visible), so a sum names the set.
VISITS = {
    "v1": dict(visitor="u1", session="s1", device="desktop", browser="Chrome", os="Linux",
               country="DE", city="Berlin", referrer="", utm={},
               tags={"env": "prod", "version": "1", "service": "shop"}),
    "v2": dict(visitor="u2", session="s2", device="mobile", browser="Mobile Safari", os="iOS",
               country="FR", city="Paris", referrer="https://www.news.example/today",
               utm={"source": "news", "medium": "email", "campaign": "spring", "term": "shoes",
                    "content": "banner"},
               tags={"env": "staging", "version": "2", "service": "web"}),
    # u1 again in a later session (and a later write): a returning visitor
    "v3": dict(visitor="u1", session="s3", device="desktop", browser="Firefox", os="Windows",
               country="DE", city="Munich", referrer="https://search.example/?q=x",
               utm={"source": "search", "campaign": "spring"},
               tags={"env": "prod", "version": "3", "service": "shop"}),
}  # fmt: skip
WEIGHT = {"v1": 1, "v2": 2, "v3": 4}


def _visit(v: str, t: int):
    d = VISITS[v]
    n = WEIGHT[v]
    events = [
        view(v, "/", t=t, referrer=d["referrer"], utm=d["utm"], tags=d["tags"]),
        *[click(v, f"#{v}", t=t + 100 + i) for i in range(n)],
        move(v, [[10 * i, 10, i] for i in range(n)], t=t + 200),
        scroll(v, 1500, t=t + 300),
        {"k": "error", "t": t + 400, "v": v, "msg": "boom", "hash": "h", "n": n},
        layout(v, f"h{v}", t=t + 500),
        leave(v, n * 1000, t=t + 600),
    ]
    return env(batch=v, visitor=d["visitor"], session=d["session"], events=events,
               device=d["device"], browser=d["browser"], os=d["os"], country=d["country"],
               city=d["city"])  # fmt: skip


@pytest.fixture
def visits(store):
    store.write([_visit("v1", T0), _visit("v2", T0 + 10_000)])
    store.write([_visit("v3", T0 + 3_600_000)])
    return store


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {"v1", "v2", "v3"}),
        ({"device": "desktop"}, {"v1", "v3"}), ({"device": "Mobile"}, {"v2"}),
        ({"browser": "Chrome"}, {"v1"}), ({"browser": "Chrome,Firefox"}, {"v1", "v3"}),
        ({"os": "iOS"}, {"v2"}),
        ({"country": "DE"}, {"v1", "v3"}), ({"country": "fr"}, {"v2"}),
        ({"city": "Munich"}, {"v3"}),
        ({"referrer": "direct"}, {"v1"}), ({"referrer": "news.example"}, {"v2"}),
        ({"utm_source": "search"}, {"v3"}), ({"utm_medium": "email"}, {"v2"}),
        ({"utm_campaign": "spring"}, {"v2", "v3"}), ({"utm_term": "shoes"}, {"v2"}),
        ({"utm_content": "banner"}, {"v2"}),
        ({"visitor": "new"}, {"v1", "v2"}), ({"visitor": "returning"}, {"v3"}),
        ({"env": "prod"}, {"v1", "v3"}), ({"version": "2"}, {"v2"}),
        ({"service": "shop"}, {"v1", "v3"}),
        ({"env": "prod", "visitor": "new"}, {"v1"}),  # filters AND
        ({"env": "prod,staging", "city": "Paris,Munich"}, {"v2", "v3"}),  # values OR
        ({"utm_source": "nobody"}, set()),
    ],
)  # fmt: skip
def test_a_filter_narrows_every_read_the_same_way(visits, filters, expected):
    store = visits
    q = Query(app="app", view="/", filters=filters)
    n = sum(WEIGHT[v] for v in expected)
    assert len(store.points(q, "click")) == n
    assert len(store.points(q, "move")) == n
    assert store.selectors(q) == sorted(f"#{v}" for v in expected)
    assert {a["selector"] for a in store.actions(q)} == {f"#{v}" for v in expected}
    stats = store.stats(q)
    assert (stats["page_views"], stats["total_clicks"], stats["page_errors"]) == (
        len(expected), n, n)  # fmt: skip
    assert stats["sessions"] == store.sessions(q) == len(expected)
    if expected:
        assert stats["avg_visible_s"] == pytest.approx(n / len(expected), abs=0.01)
        assert stats["popularity"] == 1.0  # the only view, under the same filters
    assert len(store.depths(q).depth) == len(expected)
    assert store.layout_counts(q) == {f"h{v}": 1 for v in expected}
    listed = store.views(Query(app="app", filters=filters))
    assert [(x["page_views"], x["clicks"]) for x in listed] == ([(len(expected), n)] if n else [])
    assert store.view_sample(q) is None if not expected else store.view_sample(q) is not None


def test_filter_values_are_what_a_picker_offers(visits):
    def values(name, **filters):
        return visits.filter_values(Query(app="app", view="/", filters=filters), name)

    assert values("country") == [("DE", 2), ("FR", 1)]  # most page views first
    assert values("browser") == [("Chrome", 1), ("Firefox", 1), ("Mobile Safari", 1)]
    # its own filter leaves every alternative pickable; the others narrow the list
    assert values("browser", browser="Chrome") == values("browser")
    assert values("browser", device="desktop") == [("Chrome", 1), ("Firefox", 1)]
    assert values("visitor") == [("new", 2), ("returning", 1)]
    assert values("utm_term") == [("shoes", 1)]  # empty values are left out
    with pytest.raises(ValueError, match="colour"):
        values("colour")


def test_unknown_filters_and_values_are_refused_naming_the_allowed_ones(visits):
    with pytest.raises(ValueError, match=r"colour.*device, browser, os, country, city"):
        visits.points(Query(app="app", filters={"colour": "red"}))
    with pytest.raises(ValueError, match="visitor must be new or returning"):
        visits.stats(Query(app="app", filters={"visitor": "old"}))


def test_a_visitor_returns_in_a_later_session_not_a_later_page(store):
    # one write: u1's first session has two page views, then a second session
    store.write([
        env(batch="1", visitor="u1", session="a", events=[view("p1", "/", t=T0)]),
        env(batch="2", visitor="u1", session="b", events=[view("p3", "/", t=T0 + 7_200_000)]),
        env(batch="3", visitor="u1", session="a", events=[view("p2", "/x", t=T0 + 1000)]),
    ])  # fmt: skip
    # later writes: the store remembers u1's first session; u2 is new
    store.write([env(batch="4", visitor="u1", session="a", events=[view("p4", "/", t=T0 + 2000)]),
                 env(batch="5", visitor="u2", session="c", events=[view("p5", "/", t=T0 + 5)])])  # fmt: skip
    store.write([env(batch="6", visitor="u2", session="d",
                     events=[view("p6", "/", t=T0 + 9_000_000)])])  # fmt: skip

    def count(visitor, view=None):
        return store.stats(Query(app="app", view=view, filters={"visitor": visitor}))["page_views"]

    assert (count("new"), count("returning")) == (4, 2)  # p1 p2 p4 p5 | p3 p6
    assert (count("new", "/x"), count("returning", "/x")) == (1, 0)
    # an earlier session that arrives late (a tracker's retry queue) becomes the first one
    for batch, session, v, t in [("7", "late", "q1", T0 + 500), ("8", "early", "q2", T0),
                                 ("9", "late", "q3", T0 + 600)]:  # fmt: skip
        store.write([env(batch=batch, visitor="u3", session=session, events=[view(v, "/y", t=t)])])
    assert (count("new", "/y"), count("returning", "/y")) == (2, 1)  # q1 (then) q2 | q3


def test_session_end_ignores_filters_that_belong_to_one_page(store):
    # the campaign lands on /, the session goes on to /pricing (no UTM there): it did not
    # end on /, whatever the filter; a second visitor's session ends on /
    store.write([
        env(batch="1", visitor="u1", session="s1", events=[
            view("a", "/", utm={"source": "news"}), view("b", "/pricing", t=T0 + 5000)]),
        env(batch="2", visitor="u2", session="s2", events=[view("c", "/", utm={"source": "news"})]),
        env(batch="3", visitor="u3", session="s3", events=[view("d", "/pricing")]),
    ])  # fmt: skip
    stats = store.stats(Query(app="app", view="/", filters={"utm_source": "news"}))
    assert stats["session_end_ratio"] == pytest.approx(0.5)
    # popularity: of the app's page views from that campaign (two), both are of /
    assert stats["popularity"] == pytest.approx(1.0)
    assert store.stats(Query(app="app", view="/"))["popularity"] == pytest.approx(0.5)


def test_a_file_from_before_the_filters_gets_them_on_opening(tmp_path):
    import duckdb

    from pageheat.store.duckdb import DuckDBStore

    path = tmp_path / "old.duckdb"
    s = DuckDBStore(path)
    s.write([_visit("v1", T0), _visit("v2", T0 + 10_000)])
    s.write([_visit("v3", T0 + 3_600_000)])
    s.close()
    con = duckdb.connect(str(path))  # make it look as the first release left it
    con.execute("ALTER TABLE pageviews DROP COLUMN visitor_type")
    for table in ("scrolls", "errors", "layouts"):
        for col in ("device", "browser", "os", "utm_term", "visitor_type"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN {col}")
    con.execute("ALTER TABLE interactions DROP COLUMN visitor_type")
    con.execute("DROP TABLE visitors")
    con.execute("DROP TABLE heat_rollup")
    con.execute("DROP TABLE schema_migrations")  # and before versioned migrations
    con.close()
    s = DuckDBStore(path)
    try:
        returning = Query(app="app", view="/", filters={"visitor": "returning"})
        assert s.stats(returning)["page_views"] == 1 and len(s.points(returning)) == 4
        # visitors seen before the upgrade are known: u2 comes back, u9 is new
        s.write([env(batch="again", visitor="u2", session="s9", events=[view("w1", "/", t=T0 + 7_200_000)]),
                 env(batch="first", visitor="u9", session="s1", events=[view("w2", "/")])])  # fmt: skip
        assert s.stats(returning)["page_views"] == 2
        mobile = Query(app="app", view="/", filters={"device": "mobile", "utm_term": "shoes"})
        assert s.layout_counts(mobile) == {"hv2": 1}
    finally:
        s.close()


# -- action detail ------------------------------------------------------------------------


def test_one_action_counts_its_clicks_visitors_and_span(store):
    store.write([
        env(batch="1", visitor="u1", session="s1", events=[
            view("v1"), click("v1", "#a", t=T0 + 10, rage=3), click("v1", "#a", t=T0 + 20),
            click("v1", "#b", t=T0 + 30),
        ]),
        env(batch="2", visitor="u2", session="s2", events=[
            view("v2", t=T0 + 100), click("v2", "#a", t=T0 + 500, dead=True),
        ]),
    ])  # fmt: skip
    q = Query(app="app", view="/")
    a = store.action(q, "#a")
    assert {k: a[k] for k in ("selector", "tag", "text", "count", "visitors", "first", "last")} == {
        "selector": "#a", "tag": "button", "text": "a", "count": 3, "visitors": 2,
        "first": T0 + 10, "last": T0 + 500,
    }  # fmt: skip
    assert (a["rage"], a["dead"], a["error"]) == (1, 1, 0)
    assert store.action(q, "#nope") is None
    assert store.action(Query(app="app", view="/", start_ms=T0 + 100), "#a")["count"] == 1


def test_action_series_counts_per_bucket_from_the_origin(store):
    hour = 3_600_000
    base = T0 // hour * hour
    store.write([env(events=[
        view("v1", t=base), click("v1", "#a", t=base + 5), click("v1", "#a", t=base + hour - 1),
        click("v1", "#a", t=base + 3 * hour), click("v1", "#b", t=base + 2 * hour),
    ])])  # fmt: skip
    q = Query(app="app", view="/")
    assert store.action_series(q, "#a", hour) == [(base, 2), (base + 3 * hour, 1)]
    # buckets offset by half an hour: the first click is in the bucket before
    half = hour // 2
    assert store.action_series(q, "#a", hour, base % hour + half) == [
        (base - half, 1), (base + half, 1), (base + 2 * hour + half, 1),
    ]  # fmt: skip
    assert store.action_series(Query(app="app", view="/other"), "#a", hour) == []


def test_action_sessions_latest_first_with_their_whole_span(store):
    writes = []
    for i in range(4):
        t = T0 + i * 100_000
        events = [view(f"v{i}", t=t), click(f"v{i}", "#a", t=t + 1000 + i),
                  leave(f"v{i}", 1000, t=t + 9000)]  # fmt: skip
        if i == 1:  # session 1 goes on to another page and clicks there later
            events += [view("p1", "/pricing", t=t + 10_000), click("p1", "#x", t=t + 20_000)]
        writes.append(env(batch=f"b{i}", visitor=f"u{i % 2}", session=f"s{i}", events=events,
                          device="mobile" if i == 3 else "desktop"))  # fmt: skip
    store.write(writes)
    got = store.action_sessions(Query(app="app", view="/"), "#a", limit=3)
    assert [g["session"] for g in got] == ["s3", "s2", "s1"]
    s3, _, s1 = got
    assert [s3[k] for k in ("visitor", "device", "browser", "clicks")] == [
        "u1",
        "mobile",
        "Chrome",
        1,
    ]
    assert s3["last_click"] == T0 + 300_000 + 1003
    assert (s3["start"], s3["end"]) == (T0 + 300_000, T0 + 309_000)  # view to leave
    assert (s1["start"], s1["end"]) == (T0 + 100_000, T0 + 120_000)  # to its last click elsewhere
    assert store.action_sessions(Query(app="app", view="/"), "#x") == []
