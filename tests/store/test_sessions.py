"""The sessions behind the heat (store/sessions.py), on every backend (tests/store/conftest.py):
which sessions clicked a selector, when (moments to the millisecond), a list that pages
without losing or repeating a session, and every narrowing a list takes."""

from __future__ import annotations

import numpy as np
import pytest

from pageheat.store.base import Query, WidthRange
from pageheat.store.sessions import SessionFilter
from tests.store.test_contract import T0, click, env, leave, view

MIN = 60_000


def err(v, t, msg="TypeError: x is undefined", n=1):
    return {"k": "error", "t": t, "v": v, "msg": msg, "hash": "h" + msg[:8], "n": n}


def script(store) -> None:
    """Five sessions whose answers are known.

    s1 (u1, 10:00, desktop Chrome DE): / then /pricing; clicks #buy at +1 s and +4 s,
        #nav at +2 s; leaves /pricing at +90 s.                            3 clicks, 2 pages
    s2 (u2, 10:05, mobile Safari FR): /; #buy at +30 s as a rage burst, an error at +31 s.
    s3 (u1, 10:10, desktop Firefox DE): /pricing only; a dead click on #plan at +5 s.
    s4 (u3, 10:20, desktop Chrome US): /; no clicks; leaves at +10 s.
    s5 (u4, 10:30, desktop Chrome DE): /; #buy at +2.5 s with a JS error after it.
    """
    a = T0
    store.write([
        env(batch="1", visitor="u1", session="s1", country="DE", events=[
            view("p1", "/", t=a), click("p1", "#buy", t=a + 1000),
            click("p1", "#nav", t=a + 2000), click("p1", "#buy", t=a + 4000),
            view("p2", "/pricing", t=a + 60_000), leave("p2", 30_000, t=a + 90_000),
        ]),
        env(batch="2", visitor="u2", session="s2", device="mobile", browser="Safari",
            country="FR", events=[
            view("p3", "/", t=a + 5 * MIN, vw=390),
            click("p3", "#buy", t=a + 5 * MIN + 30_000, vw=390, rage=4),
            err("p3", a + 5 * MIN + 31_000),
        ]),
        env(batch="3", visitor="u1", session="s3", browser="Firefox", country="DE", events=[
            view("p4", "/pricing", t=a + 10 * MIN),
            click("p4", "#plan", t=a + 10 * MIN + 5000, dead=True),
        ]),
        env(batch="4", visitor="u3", session="s4", country="US", events=[
            view("p5", "/", t=a + 20 * MIN), leave("p5", 10_000, t=a + 20 * MIN + 10_000),
        ]),
        env(batch="5", visitor="u4", session="s5", country="DE", events=[
            view("p6", "/", t=a + 30 * MIN),
            click("p6", "#buy", t=a + 30 * MIN + 2500, error=True),
            err("p6", a + 30 * MIN + 2600, "Error: boom", n=2),
        ]),
    ])  # fmt: skip


def ids(page) -> list[str]:
    return [x["id"] for x in page.sessions]


def test_a_list_is_every_session_newest_first_with_what_each_did(store):
    script(store)
    page = store.session_list(Query(app="app"))
    assert ids(page) == ["s5", "s4", "s3", "s2", "s1"] and page.total == 5 and page.next is None
    s1 = page.sessions[-1]
    assert s1 == {
        "id": "s1", "visitor": "u1", "user": None, "start": T0, "duration_ms": 90_000,
        "pages": 2, "clicks": 3, "rage": 0, "dead": 0, "error_clicks": 0, "errors": 0,
        "device": "desktop", "browser": "Chrome", "os": "Linux", "country": "DE",
        "entry": "/", "exit": "/pricing",
    }  # fmt: skip
    s2 = page.sessions[3]
    assert (s2["rage"], s2["errors"], s2["duration_ms"], s2["device"]) == (1, 1, 31_000, "mobile")
    s5 = page.sessions[0]
    assert (s5["error_clicks"], s5["errors"], s5["duration_ms"]) == (1, 2, 2600)
    assert store.session_list(Query(app="other")).total == 0


def test_the_sessions_that_clicked_a_selector_and_when(store):
    script(store)
    clicks = store.session_clicks(Query(app="app", view="/"), "click", "#buy")
    order = np.argsort(clicks.t)
    assert clicks.session[order].tolist() == ["s1", "s1", "s2", "s5"]
    assert (clicks.t[order] - T0).tolist() == [1000, 4000, 5 * MIN + 30_000, 30 * MIN + 2500]
    assert clicks.points.selectors == ["#buy"] and len(clicks.points) == 4
    # a kind narrows the same way: the rage burst's session only
    rage = store.session_clicks(Query(app="app"), "rage")
    assert rage.session.tolist() == ["s2"]
    dead = store.session_clicks(Query(app="app"), "dead")
    assert dead.session.tolist() == ["s3"]
    # and the list of those sessions is theirs, summarised over all of each one
    page = store.session_list(Query(app="app"), within=["s1", "s2", "s5"])
    assert ids(page) == ["s5", "s2", "s1"]
    assert page.sessions[-1]["pages"] == 2  # /pricing too, though #buy was on /
    with pytest.raises(ValueError, match="kind"):
        store.session_clicks(Query(app="app"), "hover")
    # the database finds the same sessions from the narrowing itself, under the query
    on_buy = store.session_list(Query(app="app", view="/"), clicked=("click", "#buy"))
    assert ids(on_buy) == ["s5", "s2", "s1"] and on_buy.total == 3
    assert on_buy.sessions[-1]["pages"] == 2
    assert ids(store.session_list(Query(app="app"), clicked=("rage", None))) == ["s2"]
    early = Query(app="app", end_ms=T0 + 10 * MIN)
    assert ids(store.session_list(early, clicked=("click", "#buy"))) == ["s2", "s1"]
    with_errors = SessionFilter(has=frozenset({"error"}))
    assert ids(store.session_list(Query(app="app"), narrow=with_errors,
                                  clicked=("click", "#buy"))) == ["s5", "s2"]  # fmt: skip


def test_paging_is_stable_and_loses_nothing(store):
    script(store)
    q = Query(app="app")
    seen, after = [], None
    for _ in range(5):
        page = store.session_list(q, limit=2, after=after)
        assert page.total == 5
        seen += ids(page)
        after = page.next
        if after is None:
            break
    assert seen == ["s5", "s4", "s3", "s2", "s1"]
    # a new session arriving between two pages neither shifts nor repeats the next page
    first = store.session_list(q, limit=2)
    store.write(
        [env(batch="6", visitor="u9", session="s6", events=[view("p9", "/", t=T0 + 40 * MIN)])]
    )
    second = store.session_list(q, limit=2, after=first.next)
    assert ids(first) == ["s5", "s4"] and ids(second) == ["s3", "s2"]
    assert ids(store.session_list(q, limit=2)) == ["s6", "s5"]


def test_filters_narrow_the_list(store):
    script(store)
    q = Query(app="app")
    assert ids(store.session_list(Query(app="app", filters={"country": "DE"}))) == [
        "s5",
        "s3",
        "s1",
    ]
    assert ids(store.session_list(Query(app="app", filters={"browser": "Chrome,Safari"}))) == [
        "s5", "s4", "s2", "s1"]  # fmt: skip
    assert ids(store.session_list(Query(app="app", filters={"device": "mobile"}))) == ["s2"]
    mobile = Query(app="app", width=WidthRange.parse("mobile"))
    assert ids(store.session_list(mobile)) == ["s2"]
    assert ids(store.session_list(Query(app="app", view="/pricing"))) == ["s3", "s1"]
    # a range keeps the sessions with a page view in it, and their whole selves
    ranged = store.session_list(Query(app="app", start_ms=T0 + 30_000, end_ms=T0 + 6 * MIN))
    assert ids(ranged) == ["s2", "s1"]
    assert ranged.sessions[-1]["start"] == T0 and ranged.sessions[-1]["pages"] == 2

    def only(**kw):
        return ids(store.session_list(q, narrow=SessionFilter(**kw)))

    assert only(duration_min_ms=30_000) == ["s2", "s1"]
    assert only(duration_max_ms=10_000) == ["s5", "s4", "s3"]
    assert only(pages_min=2) == ["s1"]
    assert only(pages_max=1) == ["s5", "s4", "s3", "s2"]
    assert only(has=frozenset({"rage"})) == ["s2"]
    assert only(has=frozenset({"dead"})) == ["s3"]
    assert only(has=frozenset({"error"})) == ["s5", "s2"]
    assert only(has=frozenset({"rage", "error"})) == ["s2"]
    assert only(user="alice") == []  # no session of this script was identified
    page = store.session_list(q, narrow=SessionFilter(has=frozenset({"error"})), limit=1)
    assert ids(page) == ["s5"] and page.total == 2 and page.next is not None
    assert ids(store.session_list(q, narrow=SessionFilter(has=frozenset({"error"})),
                                  after=page.next)) == ["s2"]  # fmt: skip
    with pytest.raises(ValueError, match="has"):
        SessionFilter(has=frozenset({"angry"}))


def test_a_session_timeline_in_offsets(store):
    script(store)
    s1 = store.session_timeline("app", "s1")
    assert s1["id"] == "s1" and s1["duration_ms"] == 90_000
    assert [(i["type"], i["t"], i["view"]) for i in s1["timeline"]] == [
        ("view", 0, "/"), ("click", 1000, "/"), ("click", 2000, "/"), ("click", 4000, "/"),
        ("view", 60_000, "/pricing"),
    ]  # fmt: skip
    first = s1["timeline"][1]
    assert (first["selector"], first["text"], first["tag"], first["x"], first["y"]) == (
        "#buy", "buy", "button", 100.0, 100.0)  # fmt: skip
    assert s1["timeline"][0]["url"] == "https://x.test/"
    s5 = store.session_timeline("app", "s5")["timeline"]
    assert [(i["type"], i["t"]) for i in s5] == [("view", 0), ("click", 2500), ("error", 2600)]
    assert s5[1]["error"] is True and s5[1]["dead"] is False and s5[1]["rage"] == 0
    assert (s5[2]["message"], s5[2]["count"]) == ("Error: boom", 2)
    assert store.session_timeline("app", "nope") is None
    assert store.session_timeline("other", "s1") is None
