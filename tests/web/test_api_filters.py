"""Filters in the query API: every route that builds a query takes them as parameters,
answers with the ones applied, and refuses a bad one naming it; view-name rules."""

from __future__ import annotations

import pytest

from tests.collect.test_collect import batch, click, view

ORIGIN = "https://shop.example"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
          " (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")  # fmt: skip
LINUX = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
         " Chrome/126.0.0.0 Safari/537.36")  # fmt: skip


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def send(client, key, n, events, agent=LINUX, **kw):
    body = batch(key, events, batch=f"b{n}", **kw)
    r = client.post("/api/v1/collect", json=body, headers={"Origin": ORIGIN, "User-Agent": agent})
    assert r.status_code == 202, r.text


@pytest.fixture
def recorded(client, key):
    # a desktop visitor from a newsletter clicks 3 times; an iPhone visitor, direct, twice;
    # the desktop visitor comes back in a new session and clicks once
    news = {"source": "news", "campaign": "spring"}
    send(client, key, 1, [view("v1", utm=news), *[click("v1", x=100 + i) for i in range(3)]],
         visitor="u1", session="s1")  # fmt: skip
    send(client, key, 2, [view("v2", utm={}), click("v2"), click("v2")], agent=IPHONE,
         visitor="u2", session="s2")  # fmt: skip
    send(client, key, 3, [view("v3", utm={}), click("v3")], visitor="u1", session="s3")
    return key


#: Filters → (clicks, page views) of the recording below.
CASES = [
    ({}, 6, 3),
    ({"device": "mobile"}, 2, 1),
    ({"device": "desktop", "visitor": "new"}, 3, 1),
    ({"visitor": "returning"}, 1, 1),
    ({"utm_source": "news"}, 3, 1),
    ({"os": "iOS,Linux"}, 6, 3),
    ({"browser": "Mobile Safari"}, 2, 1),
    ({"referrer": "direct", "env": "nowhere"}, 0, 0),
]


def test_filters_narrow_heatmap_insights_scroll_and_views_alike(client, recorded):
    base = f"/api/v1/apps/{recorded}"
    for params, clicks, page_views in CASES:  # one recording (and one server) for all
        one = {"view": "/p/?", "width": "desktop", **params}
        heat = client.get(f"{base}/heatmap", params=one).json()
        assert (heat["total"], heat["filters"]) == (clicks, params)
        ins = client.get(f"{base}/insights", params=one).json()
        stats = ins["stats"]
        assert (stats["total_clicks"], stats["page_views"], ins["filters"]) == (
            clicks, page_views, params)  # fmt: skip
        assert sum(a["count"] for a in ins["top_actions"]) == clicks, params
        assert client.get(f"{base}/scroll", params=one).json()["page_views"] == page_views
        listed = client.get(f"{base}/views", params=params).json()["views"]
        assert [(v["page_views"], v["clicks"]) for v in listed] == (
            [(page_views, clicks)] if page_views else []), params  # fmt: skip


def test_a_filter_given_twice_is_any_of_its_values(client, recorded):
    r = client.get(f"/api/v1/apps/{recorded}/insights?view=/p/?&device=mobile&device=desktop")
    assert r.json()["stats"]["total_clicks"] == 6
    assert r.json()["filters"] == {"device": "mobile,desktop"}


def test_filter_values_list_what_a_picker_offers(client, recorded):
    base = f"/api/v1/apps/{recorded}/filters"
    r = client.get(f"{base}/browser", params={"view": "/p/?", "width": "0-5000"})
    assert r.status_code == 200, r.text
    assert r.json()["values"] == [
        {"value": "Chrome", "page_views": 2},
        {"value": "Mobile Safari", "page_views": 1},
    ]
    # Its own filter does not narrow the list (every alternative stays pickable) but is
    # returned as selected; other filters narrow it.
    picked = client.get(f"{base}/browser", params={"view": "/p/?", "width": "0-5000",
                                                   "browser": "Chrome"}).json()  # fmt: skip
    assert (len(picked["values"]), picked["selected"]) == (2, ["Chrome"])
    new = client.get(f"{base}/browser", params={"width": "0-5000", "visitor": "returning"})
    assert new.json()["values"] == [{"value": "Chrome", "page_views": 1}]
    assert client.get(f"{base}/visitor", params={"width": "0-5000"}).json() == {
        "name": "visitor", "selected": [], "fixed": ["new", "returning"],
        "values": [{"value": "new", "page_views": 2}, {"value": "returning", "page_views": 1}],
    }  # fmt: skip
    # The width range narrows too (every page view here is 1440 px wide).
    assert client.get(f"{base}/device", params={"width": "0-800"}).json()["values"] == []
    # No geo database: the country list is empty, not an error.
    assert client.get(f"{base}/country").json()["values"] == []
    bad = client.get(f"{base}/colour")
    assert bad.status_code == 404 and "colour" in bad.json()["error"]


@pytest.mark.parametrize(
    ("query", "named"),
    [("visitor=old", "visitor"), ("device=phone", "device"), ("width=huge", "width"),
     ("from=yesterday", "from"), ("to=2025-13-01", "to")],
)  # fmt: skip
def test_a_bad_filter_is_400_naming_it(client, recorded, query, named):
    for route in ("heatmap", "insights", "scroll", "backgrounds"):
        r = client.get(f"/api/v1/apps/{recorded}/{route}?view=/p/?&{query}")
        assert r.status_code == 400, (route, r.text)
        assert r.json()["error"].startswith(named), r.json()


def test_the_openapi_schema_declares_every_filter_on_every_query_route(client):
    from pageheat.store.base import FILTERS

    paths = client.get("/openapi.json").json()["paths"]
    for route in ("views", "heatmap", "insights", "scroll", "backgrounds"):
        declared = {p["name"] for p in paths[f"/api/v1/apps/{{key}}/{route}"]["get"]["parameters"]}
        assert set(FILTERS) <= declared, route


def test_view_rules_over_the_api_name_later_views(client, ph, key):
    url = f"/api/v1/apps/{key}/rules"
    assert client.get(url).json() == {"rules": []}
    rules = [{"pattern": "/p/*", "name": "Product page"}, {"pattern": "/**", "name": "Other"}]
    r = client.put(url, json=rules)
    assert r.status_code == 200 and r.json() == {"rules": rules}
    assert client.get(url).json() == {"rules": rules}
    send(client, key, 1, [view("v1"), view("v2", path="/about"), view("v3", name="Named")])
    names = {v["name"] for v in client.get(f"/api/v1/apps/{key}/views").json()["views"]}
    assert names == {"Product page", "Other", "Named"}
    bad = client.put(url, json=[{"pattern": "no-slash", "name": "x"}])
    assert bad.status_code == 400 and "must be a URL path glob" in bad.json()["error"]
    assert client.put(url, json=[{"pattern": "/x"}]).status_code == 400
    assert client.put(url, json={"pattern": "/x", "name": "x"}).status_code == 400
    assert client.put("/api/v1/apps/nope/rules", json=[]).status_code == 404
    assert client.get(url).json() == {"rules": rules}  # a refused change changed nothing
