"""Data rights in the event store: forget one visitor, delete an app, expire old events.

Part of the store contract (the ``store`` fixture is the contract suite's, so every
backend runs these); reads go through the protocol's own queries, as a user of the
dashboard would see the data, not through SQL.
"""

from __future__ import annotations

import pytest

from pageheat.store.base import Query
from tests.store.test_contract import T0, click, env, leave, view

DAY = 86_400_000


@pytest.fixture
def kept(store):
    """The contract's store: every backend deletes a visitor, an app and expired events."""
    return store


def _error(v: str, t: int = T0 + 2000) -> dict:
    return {"k": "error", "t": t, "v": v, "msg": "boom", "hash": "h1"}


def _scroll(v: str, t: int = T0 + 3000) -> dict:
    return {"k": "scroll", "t": t, "v": v, "depth": 2000, "dh": 3000, "vh": 900,
            "bands": [1.0] * 20}  # fmt: skip


def _layout(v: str, t: int = T0 + 1200) -> dict:
    return {"k": "layout", "t": t, "v": v, "h": "state1", "dw": 1440, "dh": 3000}


def _visit(visitor: str, v: str, app: str = "app", t: int = T0, batch: str | None = None):
    events = [view(v, "/p", t=t), _layout(v, t + 1200), click(v, t=t + 1000),
              _error(v, t + 2000), _scroll(v, t + 3000), leave(v, 4000, t=t + 5000)]  # fmt: skip
    return env(app=app, batch=batch or f"{app}-{visitor}-{v}", visitor=visitor,
               session=f"s-{visitor}", events=events)  # fmt: skip


def _seen(store, app: str = "app") -> dict:
    q = Query(app=app, view="/p")
    stats = store.stats(q)
    return {
        "page_views": stats["page_views"],
        "visitors": stats["visitors"],
        "clicks": stats["total_clicks"],
        "errors": stats["page_errors"],
        "scrolled": len(store.depths(q).bands),
        "layouts": sum(store.layout_counts(q).values()),
    }


def test_forget_visitor_deletes_their_rows_everywhere_and_nothing_else(kept):
    kept.write([_visit("alice", "va"), _visit("bob", "vb"), _visit("alice", "vo", app="other")])
    assert _seen(kept) == {"page_views": 2, "visitors": 2, "clicks": 2, "errors": 2,
                            "scrolled": 2, "layouts": 2}  # fmt: skip

    deleted = kept.forget_visitor("app", "alice")

    assert deleted["pageviews"] == 1 and deleted["interactions"] == 1
    assert deleted["visitors"] == 1
    assert _seen(kept) == {"page_views": 1, "visitors": 1, "clicks": 1, "errors": 1,
                            "scrolled": 1, "layouts": 1}  # fmt: skip
    assert [s["visitor"] for s in kept.action_sessions(Query(app="app"), "#a")] == ["bob"]
    # the same visitor id in another app is another person's business
    assert _seen(kept, "other")["page_views"] == 1
    # forgetting twice finds nothing
    assert not any(kept.forget_visitor("app", "alice").values())


def test_a_forgotten_visitor_who_comes_back_is_new(kept):
    kept.write([_visit("alice", "v1")])
    kept.forget_visitor("app", "alice")
    kept.write([env(batch="again", visitor="alice", session="s-later",
                     events=[view("v2", "/p", t=T0 + DAY)])])  # fmt: skip
    assert kept.stats(Query(app="app", filters={"visitor": "new"}))["page_views"] == 1
    assert kept.stats(Query(app="app", filters={"visitor": "returning"}))["page_views"] == 0


def test_delete_app_removes_its_events(kept):
    kept.write([_visit("alice", "va"), _visit("bob", "vo", app="other")])

    deleted = kept.delete_app("app")

    assert deleted["pageviews"] == 1 and deleted["batches"] == 1
    assert kept.views(Query(app="app")) == []
    assert kept.last_event_ms("app") is None
    assert _seen(kept, "other")["page_views"] == 1
    # its batch ids are gone too: an app made again with the key starts clean
    assert kept.write([_visit("alice", "va")]) == [True]


def test_expire_deletes_what_is_older_than_the_cutoff(kept):
    old, new = T0, T0 + 40 * DAY
    kept.write([_visit("alice", "v-old", t=old), _visit("bob", "v-new", t=new),
                 _visit("carol", "v-other", app="other", t=old)])  # fmt: skip

    deleted = kept.expire("app", before_ms=T0 + 30 * DAY)

    assert deleted["pageviews"] == 1 and deleted["interactions"] == 1
    assert _seen(kept) == {"page_views": 1, "visitors": 1, "clicks": 1, "errors": 1,
                            "scrolled": 1, "layouts": 1}  # fmt: skip
    assert [s["visitor"] for s in kept.action_sessions(Query(app="app"), "#a")] == ["bob"]
    assert _seen(kept, "other")["page_views"] == 1  # another app's retention is its own
    assert not any(kept.expire("app", before_ms=T0 + 30 * DAY).values())
