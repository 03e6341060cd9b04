"""Goals, conversion by action, behaviour cohorts, funnels and journeys on every backend.

One scripted shop where every answer is known: eight sessions view the product page
``/p``; three click ``#a`` and go on to ``/done`` (the goal), two click ``#a`` and stay,
two click ``#b`` and go to ``/other``, one only looks. One of the ``#b`` sessions
rage-clicks, one of the stayers sends the custom goal ``signup``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pageheat.store.base import Cohort, Did, Query
from tests.store.test_contract import T0, click, env, view

DONE = Did("view", view="/done")


def goal(v, name, t, value=None):
    ev = {"k": "goal", "t": t, "v": v, "name": name}
    return ev if value is None else {**ev, "value": value}


def shop(store) -> None:
    envs = []
    for i in range(1, 9):
        s = f"s{i}"
        t = T0 + i * 60_000
        events = [view(f"{s}-p", "/p", t=t)]
        if i <= 5:
            events.append(click(f"{s}-p", "#a", t=t + 1000))
        elif i <= 7:
            events.append(click(f"{s}-p", "#b", t=t + 1000, rage=3 if i == 6 else 0))
        if i <= 3:
            events.append(view(f"{s}-d", "/done", t=t + 5000))
        elif i in (6, 7):
            events.append(view(f"{s}-o", "/other", t=t + 3000))
        if i == 4:
            events.append(goal(f"{s}-p", "signup", t + 2000, 9.5))
        envs.append(env(batch=f"b{i}", visitor=f"u{i}", session=s, events=events))
    assert store.write(envs) == [True] * 8


def test_conversion_per_action_is_the_script(store):
    shop(store)
    q = Query(app="app", view="/p")
    c = store.conversion(q, DONE, ["#a", "#b"])
    assert (c["viewers"], c["viewers_converted"]) == (8, 3)
    assert c["actions"]["#a"] == {"sessions": 5, "converted": 3, "others_sessions": 3,
                                  "others_converted": 0}  # fmt: skip
    assert c["actions"]["#b"] == {"sessions": 2, "converted": 0, "others_sessions": 6,
                                  "others_converted": 3}  # fmt: skip
    # a custom goal event counts its session once
    signup = store.conversion(q, Did("event", event="signup"), ["#a"])
    assert signup["viewers_converted"] == 1
    assert signup["actions"]["#a"]["converted"] == 1


def test_cohorts_narrow_every_read(store):
    shop(store)
    q = Query(app="app", view="/p")

    def clicks(cohort: Cohort | None) -> int:
        return store.stats(replace(q, cohort=cohort))["total_clicks"]

    assert clicks(None) == 7
    assert clicks(Cohort("converted", DONE)) == 3
    assert clicks(Cohort("not_converted", DONE, negate=True)) == 4
    assert clicks(Cohort("clicked", Did("click", view="/p", selector="#b"))) == 2
    assert clicks(Cohort("rage", Did("rage"))) == 1
    assert clicks(Cohort("goal", Did("event", event="signup"))) == 1
    assert clicks(Cohort("sessions", sessions=("s1", "s6"))) == 2
    assert clicks(Cohort("none", sessions=())) == 0
    # the heat rollup steps aside: the map reads the converted sessions' clicks only
    converted = replace(q, cohort=Cohort("converted", DONE))
    drawn = store.map_points(converted)
    assert drawn.n is None and len(drawn) == 3  # raw rows, one a click
    assert store.sessions(converted) == 3
    assert len(store.points(converted)) == 3
    assert [a["count"] for a in store.actions(converted)] == [3]


def test_funnel_steps_follow_each_session_in_order(store):
    shop(store)
    steps = [Did("view", view="/p"), Did("click", view="/p", selector="#a"), DONE]
    reached = store.funnel_steps(Query(app="app"), steps)
    assert [len(r.sessions) for r in reached] == [8, 5, 3]
    assert sorted(reached[2].sessions.tolist()) == ["s1", "s2", "s3"]
    gaps = reached[2].t - reached[1].t[np.searchsorted(reached[1].sessions, reached[2].sessions)]
    assert gaps.tolist() == [4000, 4000, 4000]
    # in order only: /done before /p does not count
    backwards = store.funnel_steps(Query(app="app"), [DONE, Did("view", view="/p")])
    assert [len(r.sessions) for r in backwards] == [3, 0]


def test_a_narrowed_funnel_keeps_only_the_cohorts_sessions(store):
    # a cohort (as a width or filter) narrows page-view steps through the session join
    # that an unnarrowed funnel leaves out: each step keeps the converted sessions only
    shop(store)
    steps = [Did("view", view="/p"), Did("click", view="/p", selector="#a"), DONE]
    q = Query(app="app", cohort=Cohort("converted", DONE))
    reached = store.funnel_steps(q, steps)
    assert [r.sessions.tolist() for r in reached] == [["s1", "s2", "s3"]] * 3
    lost = store.funnel_steps(replace(q, cohort=Cohort("none", sessions=())), steps)
    assert [len(r) for r in lost] == [0, 0, 0]


def test_journeys_around_a_view(store):
    shop(store)
    j = store.journeys(Query(app="app", view="/p"))
    assert j["previous"] == []
    assert j["next"] == [{"view": "/done", "sessions": 3}, {"view": "/other", "sessions": 2}]
    assert (j["entries"], j["exits"], j["sessions"]) == (8, 3, 8)
    done = store.journeys(Query(app="app", view="/done"))
    assert done["previous"] == [{"view": "/p", "sessions": 3}]
    assert (done["entries"], done["exits"]) == (0, 3)


def test_goal_events_are_forgotten_with_their_visitor(store):
    shop(store)
    assert store.forget_visitor("app", "u4")["goals"] == 1
    signup = store.conversion(Query(app="app", view="/p"), Did("event", event="signup"), [])
    assert signup["viewers_converted"] == 0
