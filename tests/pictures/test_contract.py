"""The picture store contract: the embedded default and the scale-out setup pass the
same suite (``pictures`` and ``ph_of`` fixtures, tests/pictures/conftest.py)."""

from __future__ import annotations

import threading

from pageheat.pictures import Background, Snapshot, SQLPictures, states_without_snapshot
from pageheat.privacy import delete_app, expire
from pageheat.store.base import PageState, Query
from tests.store.test_contract import T0, env, view

DAY = 86_400_000


def bg(id: str, captured: int = T0, view: str = "/", app: str = "app", **kw) -> Background:
    return Background(**{
        "id": id, "app": app, "view": view, "width_class": "desktop", "url": "https://x.test/",
        "width": 1440, "height": 3000, "captured_ms": captured, "png": b"\x89PNG" + id.encode(),
        "rects": {"#a": (1.0, 2.0, 3.0, 4.0)}, **kw,
    })  # fmt: skip


def snap(id="s1", view="/", wc="desktop", h="h1", app="app", captured=T0) -> Snapshot:
    return Snapshot(id=id, app=app, view=view, width_class=wc, layout_hash=h,
                    url="https://x.test/", vw=1440, dw=1440, dh=3000, captured_ms=captured,
                    html="<p>hi é</p>")  # fmt: skip


def state(view_id: str, h: str, view="/", wc="desktop") -> PageState:
    return PageState(view_id=view_id, view=view, width_class=wc, layout_hash=h, vw=1440)


def test_backgrounds_newest_first_with_their_boxes(pictures):
    for i, captured in enumerate([T0, T0 + 10]):
        pictures.save_background(bg(
            f"bg{i}", captured, rects={"#a": (1.0, 2.0, 3.0, 4.0), "#gone": (0.0, 0.0, 0.0, 0.0)},
            source="snapshot", layout_hash=f"h{i}", snapshot_id=f"s{i}",
        ))  # fmt: skip
    listed = pictures.backgrounds("app", "/")
    assert [b.id for b in listed] == ["bg1", "bg0"] and listed[0].rects is None
    assert listed[0].png is None and listed[0].width == 1440
    got = pictures.background("bg1")
    assert got.rects == {"#a": (1.0, 2.0, 3.0, 4.0), "#gone": (0.0, 0.0, 0.0, 0.0)}
    assert (got.png, got.source, got.layout_hash, got.snapshot_id) == (None, "snapshot", "h1", "s1")
    assert pictures.background_png("bg1") == b"\x89PNGbg1"
    assert pictures.backgrounds("app", "/other") == [] and pictures.background("nope") is None
    assert pictures.background_png("nope") is None
    pictures.save_rects("bg1", {"#b": (5.0, 6.0, 7.0, 8.0)})
    assert pictures.background("bg1").rects == {"#b": (5.0, 6.0, 7.0, 8.0)}
    assert pictures.background("bg0").rects["#a"] == (1.0, 2.0, 3.0, 4.0)
    pictures.save_rects("bg1", {})
    assert pictures.background("bg1").rects == {}


def test_a_page_screenshot_has_no_page_state(pictures):
    pictures.save_background(bg("live", png=None))
    got = pictures.background("live")
    assert (got.source, got.layout_hash, got.snapshot_id) == ("page", None, None)
    assert pictures.background_png("live") is None


def test_a_page_state_keeps_one_snapshot(pictures):
    states = [state("v1", "h1"), state("v3", "h1", wc="mobile"), state("v2", "h2")]
    assert [(s.view_id, s.known) for s in pictures.without_snapshot("app", states)] == [
        ("v1", 0), ("v2", 0), ("v3", 0),
    ]  # fmt: skip
    assert pictures.save_snapshot(snap()) is True
    assert pictures.save_snapshot(snap(id="s2")) is False  # that state is kept once
    assert pictures.save_snapshot(snap(id="s3", app="other")) is True  # another app's
    assert [(s.view_id, s.known) for s in pictures.without_snapshot("app", states)] == [
        ("v2", 1), ("v3", 0),
    ]  # fmt: skip
    kept = pictures.snapshot("s1")
    assert kept == snap()  # the HTML as it came, through its compression
    assert pictures.snapshot("s2") is None and pictures.without_snapshot("app", []) == []


def test_two_processes_receiving_one_state_keep_one_snapshot(pictures):
    """Two stores on one database, as two ``pageheat serve`` processes: the database
    decides, so exactly one of simultaneous uploads of a state is kept."""
    other = SQLPictures(pictures.url)
    try:
        answers: list[bool] = []
        start = threading.Barrier(8)

        def upload(i: int) -> None:
            start.wait(timeout=30)
            answers.append((pictures, other)[i % 2].save_snapshot(snap(id=f"s{i}")))

        threads = [threading.Thread(target=upload, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(answers) == [False] * 7 + [True]
        other.save_background(bg("made-elsewhere"))
        assert pictures.background_png("made-elsewhere") == b"\x89PNGmade-elsewhere"
    finally:
        other.close()


def test_deleting_an_app_removes_its_pictures_only(pictures):
    pictures.save_snapshot(snap())
    pictures.save_background(bg("mine", source="snapshot", snapshot_id="s1"))
    pictures.save_background(bg("live"))
    pictures.save_snapshot(snap(id="theirs", app="other"))
    pictures.save_background(bg("theirs", app="other"))
    assert pictures.delete_app("app") == {"snapshots": 1, "backgrounds": 2, "element_rects": 2}
    assert pictures.backgrounds("app", "/") == [] and pictures.snapshot("s1") is None
    assert pictures.background("theirs").rects == {"#a": (1.0, 2.0, 3.0, 4.0)}
    assert pictures.snapshot("theirs") is not None
    assert pictures.delete_app("app") == {"snapshots": 0, "backgrounds": 0, "element_rects": 0}


def test_expiry_takes_visitors_old_snapshots_and_their_renders(pictures):
    old, new = T0 - 40 * DAY, T0
    pictures.save_snapshot(snap("old", h="h1", captured=old))
    pictures.save_snapshot(snap("new", h="h2", captured=new))
    pictures.save_background(bg("old-render", old, source="snapshot", snapshot_id="old"))
    pictures.save_background(bg("new-render", new, source="snapshot", snapshot_id="new"))
    pictures.save_background(bg("old-live", old))  # a picture of the site, not a visitor
    pictures.save_snapshot(snap("other-old", app="other", captured=old))
    assert pictures.expire("app", T0 - 30 * DAY) == {
        "snapshots": 1, "backgrounds": 1, "element_rects": 1,
    }  # fmt: skip
    assert [b.id for b in pictures.backgrounds("app", "/")] == ["new-render", "old-live"]
    assert pictures.snapshot("old") is None and pictures.snapshot("other-old") is not None
    # the expired state is asked for again
    assert [s.view_id for s in pictures.without_snapshot("app", [state("v", "h1")])] == ["v"]


def test_pictures_copy_to_another_store_as_they_are(pictures, tmp_path):
    pictures.save_snapshot(snap())
    pictures.save_background(bg("b1", source="snapshot", layout_hash="h1", snapshot_id="s1"))
    pictures.save_background(bg("b2", rects={}))
    copy = SQLPictures(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    try:
        assert copy.load(pictures.dump()) == 3
        assert copy.load(pictures.dump()) == 0  # run again: nothing twice
        assert copy.snapshot("s1") == pictures.snapshot("s1")
        for bg_id in ("b1", "b2"):
            assert copy.background(bg_id) == pictures.background(bg_id)
            assert copy.background_png(bg_id) == pictures.background_png(bg_id)
    finally:
        copy.close()


# -- a whole instance of each setup -------------------------------------------------------


def layout(v: str, h: str, t: int = T0 + 1200) -> dict:
    return {"k": "layout", "t": t, "v": v, "h": h, "dw": 1440, "dh": 3000}


def test_page_states_wait_for_a_snapshot_until_one_is_kept(ph_of):
    ph = ph_of
    ph.store.write([env(events=[
        view("v1"), layout("v1", "h1"), view("v2"), layout("v2", "h2"),
        view("v3", vw=390), layout("v3", "h1"),
    ])])  # fmt: skip
    need = states_without_snapshot(ph.store, ph.pictures, "app", ["v1", "v2", "v3", "unknown"])
    assert [(s.view_id, s.view, s.width_class, s.layout_hash, s.known) for s in need] == [
        ("v1", "/", "desktop", "h1", 0), ("v2", "/", "desktop", "h2", 0),
        ("v3", "/", "mobile", "h1", 0),
    ]  # fmt: skip
    assert ph.pictures.save_snapshot(snap())
    need = states_without_snapshot(ph.store, ph.pictures, "app", ["v1", "v2", "v3"])
    assert [(s.view_id, s.known) for s in need] == [("v2", 1), ("v3", 0)]


def test_deleting_an_app_and_retention_reach_its_pictures(ph_of):
    ph = ph_of
    key = ph.meta.create_app("Shop", ["https://x.test"]).key
    ph.store.write([env(app=key, events=[view("v1")])])
    ph.pictures.save_snapshot(snap("old", app=key, captured=T0 - 40 * DAY))
    ph.pictures.save_background(bg("render", app=key, source="snapshot", snapshot_id="old"))
    ph.pictures.save_background(bg("live", app=key))
    ph.meta.set_policy(key, retention_days=30)
    done = expire(ph, now_ms=T0)[key]
    assert (done["snapshots"], done["backgrounds"]) == (1, 1)
    assert [b.id for b in ph.backgrounds.available(Query(app=key, view="/"))] == ["live"]
    counts = delete_app(ph, key)
    assert counts["backgrounds"] == 1 and counts["pageviews"] == 1
    assert ph.pictures.background("live") is None


def test_nothing_picture_shaped_is_written_to_clickhouse(request, tmp_path):
    """Scale-out: pictures go to PostgreSQL; ClickHouse has no picture table and no
    column that could hold a picture."""
    from pageheat.store.clickhouse_client import Target, connect
    from tests.pictures.conftest import instance

    with instance(request, "scaleout", tmp_path / "data") as ph:
        ph.store.write([env(events=[view("v1"), layout("v1", "h1")])])
        ph.pictures.save_snapshot(snap())
        ph.pictures.save_background(bg("b1", source="snapshot", snapshot_id="s1"))
        assert ph.pictures.engine.dialect.name == "postgresql"
        target = Target.parse(ph.settings.events_url)
        client = connect(target)
        try:
            tables = {r[0] for r in client.query(
                "SELECT name FROM system.tables WHERE database = ?", [target.database])}  # fmt: skip
            columns = client.query(
                "SELECT table, name, type FROM system.columns WHERE database = ?"
                " AND (name IN ('png', 'html', 'rects') OR table IN"
                " ('snapshots', 'backgrounds', 'element_rects'))", [target.database])  # fmt: skip
        finally:
            client.close()
        assert "layouts" in tables and not tables & {"snapshots", "backgrounds", "element_rects"}
        assert columns == []
        assert ph.pictures.background_png("b1") == b"\x89PNGb1"
