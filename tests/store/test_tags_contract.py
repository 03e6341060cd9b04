"""Every tag kept and filterable (``tag.KEY=VALUE``), and clicks on what is not clickable
(``interactive=false``, the ``inert`` kind): on every backend of the ``store`` fixture
(DuckDB, one ClickHouse 18.16 server, a two-shard cluster, current ClickHouse)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pageheat.store.base import Query
from tests.store.test_contract import T0, click, env, scroll, view


def buy(v: str, **kw) -> dict:
    return click(v, "#buy", interactive=True, **kw)


def _ab(store) -> None:
    """Two variants of one page: A's visitors click #buy twice, B's #buy once and #faq.
    Variant A's second visitor's click arrives in a later write than its view."""
    store.write([
        env(batch="1", visitor="u1", session="s1", events=[
            view("a1", tags={"variant": "A", "env": "prod", "plan": "pro"}),
            buy("a1"), buy("a1", t=T0 + 1500), scroll("a1", 2000),
        ]),
        env(batch="2", visitor="u2", session="s2", events=[
            view("a2", tags={"variant": "A"}),
        ]),
        env(batch="3", visitor="u3", session="s3", events=[
            view("b1", tags={"variant": "B", "env": "prod"}),
            buy("b1"), click("b1", "#faq", interactive=False),
        ]),
    ])  # fmt: skip
    store.write([env(batch="4", visitor="u2", session="s2", events=[buy("a2")])])


def test_every_tag_is_kept_and_filters_every_read(store):
    _ab(store)
    q = Query(app="app", view="/")
    a = replace(q, filters={"tag.variant": "A"})
    b = replace(q, filters={"tag.variant": "B"})
    assert store.stats(a)["page_views"] == 2 and store.stats(b)["page_views"] == 1
    assert len(store.points(a)) == 3  # the late click kept its view's tags
    assert len(store.map_points(b)) == 2
    assert [(x["selector"], x["count"]) for x in store.actions(b)] == [("#buy", 1), ("#faq", 1)]
    assert len(store.depths(a).depth) == 2
    both = replace(q, filters={"tag.variant": "A,B", "tag.plan": "pro"})
    assert store.stats(both)["page_views"] == 1
    # an unknown key or value matches nothing; env is a tag like any other
    assert store.stats(replace(q, filters={"tag.nope": "x"}))["page_views"] == 0
    assert store.stats(replace(q, filters={"tag.env": "prod"}))["page_views"] == 2
    assert store.stats(replace(q, filters={"env": "prod"}))["page_views"] == 2


def test_tag_keys_and_values_for_the_picker(store):
    _ab(store)
    q = Query(app="app")
    assert store.tag_keys(q) == [("variant", 3), ("env", 2), ("plan", 1)]
    assert store.filter_values(q, "tag.variant") == [("A", 2), ("B", 1)]
    # the filter's own value does not narrow its list; another tag does
    assert store.filter_values(replace(q, filters={"tag.variant": "A"}), "tag.variant") == [
        ("A", 2), ("B", 1)]  # fmt: skip
    assert store.filter_values(replace(q, filters={"tag.plan": "pro"}), "tag.variant") == [
        ("A", 1)]  # fmt: skip
    assert store.tag_keys(replace(q, filters={"tag.variant": "B"})) == [("env", 1), ("variant", 1)]


def test_clicks_on_what_is_not_clickable(store):
    _ab(store)
    q = Query(app="app", view="/")
    assert store.stats(q)["inert_clicks"] == 1
    assert store.points(q, "inert").selectors == ["#faq"]
    inert = replace(q, filters={"interactive": "false"})
    assert [x["selector"] for x in store.actions(inert)] == ["#faq"]
    assert len(store.map_points(inert)) == 1
    # the filter narrows clicks only: page views still count every page view
    assert store.stats(inert)["page_views"] == 3
    assert store.stats(inert)["total_clicks"] == 1
    assert store.filter_values(q, "interactive") == [("true", 4), ("false", 1)]


def test_bad_tag_filter_names_are_refused(store):
    with pytest.raises(ValueError, match="tag key"):
        store.stats(Query(app="app", filters={"tag.1x": "a"}))
