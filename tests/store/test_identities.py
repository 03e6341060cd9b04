"""Who a session was, when the site says so (``pageheat.identify``), on every backend
(tests/store/conftest.py): each listed session names its user, ``user=`` lists exactly
that user's sessions, and a user's visitor ids are found for forgetting."""

from __future__ import annotations

from pageheat.store.base import Query
from pageheat.store.sessions import SessionFilter
from tests.store.test_contract import T0, click, env, view

MIN = 60_000


def ident(v, t, user, name=None):
    out = {"k": "identify", "t": t, "v": v, "user": user}
    return {**out, "name": name} if name is not None else out


def script(store) -> None:
    """s1 (u1): alice, first without a name, then "Alice A."; s2 (u2): bob; s3 (u1, later,
    /pricing, a dead click): alice without a name; s4 (u3): nobody; s5 (u4, another
    browser): alice. In another app, u9 is alice too."""
    a = T0
    store.write([
        env(batch="1", visitor="u1", session="s1", events=[
            view("p1", "/", t=a), ident("p1", a + 500, "alice"),
            ident("p1", a + 900, "alice", "Alice A."),
        ]),
        env(batch="2", visitor="u2", session="s2", events=[
            view("p2", "/", t=a + 5 * MIN), ident("p2", a + 5 * MIN + 1, "bob", "Bob"),
        ]),
        env(batch="3", visitor="u1", session="s3", events=[
            view("p3", "/pricing", t=a + 10 * MIN), ident("p3", a + 10 * MIN, "alice"),
            click("p3", "#plan", t=a + 10 * MIN + 5000, dead=True),
        ]),
        env(batch="4", visitor="u3", session="s4", events=[view("p4", "/", t=a + 20 * MIN)]),
        env(batch="5", visitor="u4", session="s5", events=[
            view("p5", "/", t=a + 30 * MIN), ident("p5", a + 30 * MIN + 1, "alice"),
        ]),
        env(app="other", batch="6", visitor="u9", session="s9", events=[
            view("p9", "/", t=a), ident("p9", a + 1, "alice"),
        ]),
    ])  # fmt: skip


def ids(page) -> list[str]:
    return [x["id"] for x in page.sessions]


def test_each_session_names_the_user_the_site_said_and_no_other(store):
    script(store)
    page = store.session_list(Query(app="app"))
    users = {x["id"]: x["user"] for x in page.sessions}
    assert users == {
        "s1": {"id": "alice", "name": "Alice A."},  # the latest identify of the session
        "s2": {"id": "bob", "name": "Bob"},
        "s3": {"id": "alice", "name": None},
        "s4": None,  # never identified: anonymous
        "s5": {"id": "alice", "name": None},
    }
    assert store.session_timeline("app", "s2")["user"] == {"id": "bob", "name": "Bob"}
    assert store.session_timeline("app", "s4")["user"] is None


def test_user_lists_exactly_that_users_sessions(store):
    script(store)
    q = Query(app="app")

    def only(query=q, **kw):
        page = store.session_list(query, narrow=SessionFilter(**kw))
        return ids(page), page.total

    assert only(user="alice") == (["s5", "s3", "s1"], 3)
    assert only(user="bob") == (["s2"], 1)
    assert only(user="carol") == ([], 0)
    # with the query's filters, and with a filter decided over the sessions' events
    assert only(Query(app="app", view="/pricing"), user="alice") == (["s3"], 1)
    assert only(user="alice", has=frozenset({"dead"})) == (["s3"], 1)
    assert only(user="bob", has=frozenset({"dead"})) == ([], 0)
    # paging through one user's sessions loses nothing
    first = store.session_list(q, narrow=SessionFilter(user="alice"), limit=2)
    rest = store.session_list(q, narrow=SessionFilter(user="alice"), limit=2, after=first.next)
    assert ids(first) + ids(rest) == ["s5", "s3", "s1"] and rest.next is None
    # and narrowed to sessions that clicked
    clicked = store.session_list(q, narrow=SessionFilter(user="alice"), clicked=("click", None))
    assert ids(clicked) == ["s3"]
    # another app's alice is another app's
    assert ids(store.session_list(Query(app="other"), narrow=SessionFilter(user="alice"))) == ["s9"]


def test_a_users_visitor_ids_and_forgetting_them(store):
    script(store)
    assert store.user_visitors("app", "alice") == ["u1", "u4"]
    assert store.user_visitors("app", "bob") == ["u2"]
    assert store.user_visitors("app", "nobody") == []
    for visitor in store.user_visitors("app", "alice"):
        deleted = store.forget_visitor("app", visitor)
        assert deleted["identities"] >= 1
    assert store.user_visitors("app", "alice") == []
    left = store.session_list(Query(app="app"))
    assert ids(left) == ["s4", "s2"]
    assert store.user_visitors("other", "alice") == ["u9"]
