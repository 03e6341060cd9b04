"""Every filter narrows both the heatmap and the insights to exactly the visits that match,
on data recorded by real Chromium visits.

One recording serves every dimension: four visits that differ in device, browser and OS
(the context's User-Agent), place (a MaxMind database written here, ``trusted_proxies``
naming the browsers' loopback and an inner proxy network, and an ``X-Forwarded-For``
header on the context), referrer (``goto(referer=…)``), UTM (the URL's
query), tags (``pageheat.tag`` in the page), new or returning (the first visitor comes back
in a new session) and viewport width. Visit i clicks a number of times chosen so that
(clicks, page views) tells every subset of the visits apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest

from tests.browsing import until
from tests.conftest import LiveServer, SiteServer
from tests.geoip import write_mmdb

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Filters</title>
<script src="{server}/pageheat.js" data-app="{key}" data-flush-ms="3600000" defer></script>
<script>
  // a site tagging its pages, as pageheat.tag is meant to be used
  document.addEventListener("DOMContentLoaded", () => {{
    const q = new URLSearchParams(location.search);
    for (const k of ["env", "version", "service"]) if (q.get(k)) pageheat.tag(k, q.get(k));
  }});
</script>
<style>button {{ display: block; width: 200px; height: 60px; margin: 40px; }}</style>
</head><body>
<button id="a" type="button">Add to cart</button>
<button id="b" type="button">Details</button>
</body></html>"""

FIREFOX_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101"
                   " Firefox/128.0")  # fmt: skip
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
          " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")  # fmt: skip
CHROME_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36"
              " (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36")  # fmt: skip

#: Where the test database puts each address (the browsers connect from 127.0.0.1).
PLACES = {
    "127.0.0.0/8": ("DE", "Berlin"),
    "203.0.113.0/24": ("FR", "Paris"),
    "198.51.100.0/24": ("FR", "Lyon"),
}


@dataclass
class Visit:
    name: str
    clicks: int
    agent: str
    width: int = 1440
    touch: bool = False
    forwarded: str | None = None
    referer: str | None = None
    query: dict[str, str] = field(default_factory=dict)
    returning_to: str | None = None  # the visit whose context (visitor) comes back


VISITS = [
    Visit("v1", 1, FIREFOX_WINDOWS, query={"env": "prod", "version": "1", "service": "shop"}),
    Visit("v2", 2, IPHONE, width=390, touch=True, forwarded="203.0.113.7",
          referer="http://www.news.example/today",
          query={"utm_source": "news", "utm_medium": "email", "utm_campaign": "spring",
                 "utm_term": "shoes", "utm_content": "banner", "env": "staging",
                 "version": "2", "service": "web"}),
    Visit("v3", 3, CHROME_MAC, forwarded="198.51.100.1, 10.1.2.3",
          referer="http://search.example/?q=shoes",
          query={"utm_source": "search", "utm_campaign": "spring", "env": "prod",
                 "version": "2", "service": "shop"}),
    # v1's visitor again, in a new session: returning
    Visit("v4", 5, FIREFOX_WINDOWS, returning_to="v1",
          query={"env": "prod", "version": "3", "service": "shop"}),
]  # fmt: skip

#: One case per filter dimension: its parameters and the visits that match them.
CASES = {
    "device": ({"device": "mobile"}, {"v2"}),
    "browser": ({"browser": "Firefox"}, {"v1", "v4"}),
    "os": ({"os": "Mac OS X"}, {"v3"}),
    "country": ({"country": "FR"}, {"v2", "v3"}),
    "city": ({"city": "Lyon"}, {"v3"}),
    "referrer": ({"referrer": "news.example"}, {"v2"}),
    "utm_source": ({"utm_source": "search"}, {"v3"}),
    "utm_medium": ({"utm_medium": "email"}, {"v2"}),
    "utm_campaign": ({"utm_campaign": "spring"}, {"v2", "v3"}),
    "utm_term": ({"utm_term": "shoes"}, {"v2"}),
    "utm_content": ({"utm_content": "banner"}, {"v2"}),
    "visitor": ({"visitor": "returning"}, {"v4"}),
    "env": ({"env": "staging"}, {"v2"}),
    "version": ({"version": "2"}, {"v2", "v3"}),
    "service": ({"service": "shop"}, {"v1", "v3", "v4"}),
    "width": ({"width": "mobile"}, {"v2"}),  # the viewport's width class, not a filter
}
ALL_WIDTHS = "0-100000"


@dataclass
class Recording:
    server: LiveServer
    key: str
    #: Visit → X-Forwarded-For of its browser's first request to the collector.
    forwarded: dict[str, str | None]


def _visit(browser, contexts: dict, url: str, v: Visit, seen: dict) -> None:
    if v.returning_to:
        context = contexts[v.returning_to]
        # a new session: the tracker's session id is gone (as after 30 idle minutes)
        context.add_init_script("localStorage.removeItem('pageheat_sid')")
    else:
        headers = {"X-Forwarded-For": v.forwarded} if v.forwarded else {}
        context = browser.new_context(
            viewport={"width": v.width, "height": 800}, user_agent=v.agent, has_touch=v.touch,
            is_mobile=v.touch, extra_http_headers=headers,
        )  # fmt: skip
        contexts[v.name] = context
    page = context.new_page()
    target = f"{url}?{urlencode(v.query)}" if v.query else url
    page.goto(target, wait_until="load", referer=v.referer)
    page.wait_for_function("window.pageheat !== undefined")
    for i in range(v.clicks):
        sel = "#a" if i % 2 == 0 else "#b"
        page.tap(sel) if v.touch else page.click(sel)
    # The page is hidden: the tracker sends what it holds by sendBeacon (data-flush-ms keeps
    # it from sending earlier by fetch, which a header set on the context would turn into
    # a CORS preflight; a real proxy adds X-Forwarded-For after the browser). Seen here,
    # while the page is open, with the headers it carried.
    with page.expect_request("**/api/v1/collect") as sent:
        page.evaluate("dispatchEvent(new PageTransitionEvent('pagehide'))")
    seen[v.name] = sent.value.headers.get("x-forwarded-for")
    page.close(run_before_unload=True)


@pytest.fixture(scope="module")
def recording(browser, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("filters")
    db = write_mmdb(tmp / "GeoLite2-City.mmdb", PLACES)
    server = LiveServer(tmp / "live", env={"PAGEHEAT_GEOIP_DB": str(db),
                                           "PAGEHEAT_TRUSTED_PROXIES": "127.0.0.1,10.0.0.0/8"}).start()  # fmt: skip
    (tmp / "site").mkdir()
    site = SiteServer(tmp / "site")
    try:
        key = server.create_app("Shop", [site.url])
        url = site.page("f.html", PAGE.format(server=server.url, key=key))
        contexts: dict = {}
        seen: dict = {}
        for v in VISITS:
            _visit(browser, contexts, url, v, seen)
        for context in contexts.values():
            context.close()
        rec = Recording(server, key, seen)
        everything = {"view": "/f.html", "width": ALL_WIDTHS}
        total = sum(v.clicks for v in VISITS)
        got = until(lambda: (s := insights(rec, everything)["stats"])["total_clicks"] == total
                    and s["page_views"] == len(VISITS))  # fmt: skip
        assert got, insights(rec, everything)
        yield rec
    finally:
        site.close()
        server.stop()


def insights(rec: Recording, params: dict) -> dict:
    with rec.server.api() as api:
        r = api.get(f"/api/v1/apps/{rec.key}/insights", params=params)
        r.raise_for_status()
        return r.json()


def heatmap(rec: Recording, params: dict) -> dict:
    with rec.server.api() as api:
        r = api.get(f"/api/v1/apps/{rec.key}/heatmap", params={"kind": "click", **params})
        r.raise_for_status()
        return r.json()


def test_the_forwarded_address_reaches_the_collector(recording):
    assert recording.forwarded == {v.name: v.forwarded for v in VISITS}


@pytest.mark.parametrize("dimension", list(CASES))
def test_a_filter_narrows_heatmap_and_insights_to_the_matching_visits(recording, dimension):
    params, matching = CASES[dimension]
    clicks = sum(v.clicks for v in VISITS if v.name in matching)
    query = {"view": "/f.html", "width": ALL_WIDTHS, **params}
    heat = heatmap(recording, query)
    stats = insights(recording, query)["stats"]
    assert (heat["total"], stats["total_clicks"], stats["page_views"]) == (
        clicks, clicks, len(matching)
    ), (dimension, heat["total"], stats)  # fmt: skip
