"""The insights panel against a scripted truth, recorded by real Chromium visits: counts,
shares, unique visitors, popularity, session end ratio and average visible time."""

from __future__ import annotations

import time

import pytest

from tests.browsing import until

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<script src="{server}/pageheat.js" data-app="{key}" defer></script>
<style>button, a {{ display: block; margin: 40px; width: 200px; height: 40px; }}</style>
</head><body><h1>{title}</h1>
<button id="x" type="button">Add to cart</button>
<button id="z" type="button">Compare</button>
<a id="next" href="b.html">Go on</a>
</body></html>"""


def test_insights_equal_what_the_visitors_did(browser, live_server, site):
    key = live_server.create_app("Shop", [site.url])
    a = site.page("a.html", PAGE.format(title="A", server=live_server.url, key=key))
    site.page("b.html", PAGE.format(title="B", server=live_server.url, key=key))
    visible: list[float] = []

    def visitor(clicks: list[str], seconds: float, go_on: bool) -> None:
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(a, wait_until="load")
        start = time.monotonic()
        for sel in clicks:
            page.click(sel)
        page.wait_for_timeout(max(0.0, seconds - (time.monotonic() - start)) * 1000)
        visible.append(time.monotonic() - start)  # A is left now
        if go_on:  # the session goes on to page B and ends there
            page.click("#next")
            page.wait_for_url("**/b.html")
            page.wait_for_timeout(300)
        page.close(run_before_unload=True)
        context.close()

    visitor(["#x", "#x"], 2.0, go_on=True)
    visitor(["#x", "#z"], 4.0, go_on=False)
    visitor(["#z"], 3.0, go_on=False)

    with live_server.api() as api:

        def insights(view: str) -> dict:
            r = api.get(f"/api/v1/apps/{key}/insights", params={"view": view, "width": "desktop"})
            r.raise_for_status()
            return r.json()

        # every view has left (its leave event carries the visible time) and B is in
        got = until(lambda: (i := insights("/a.html"))["stats"]["avg_visible_s"] is not None
                    and i["stats"]["total_clicks"] == 6 and insights("/b.html")["stats"]["page_views"] == 1
                    and i, 30)  # fmt: skip
        assert got, insights("/a.html")
        stats = until(
            lambda: (s := insights("/a.html")["stats"]) and s["session_end_ratio"] is not None and s
        )
    assert stats["page_views"] == 3
    assert stats["visitors"] == 3
    assert stats["total_clicks"] == 6  # the link to B is a click on A too
    assert stats["popularity"] == pytest.approx(3 / 4, abs=0.001)  # 3 of the app's 4 page views
    # sessions that saw A: three; two of them ended on A (the first went on to B)
    assert stats["session_end_ratio"] == pytest.approx(2 / 3, rel=0.05)
    # visible time on A: the clicking and the waiting, within 5 %
    truth = sum(visible) / len(visible)
    assert stats["avg_visible_s"] == pytest.approx(truth, rel=0.05), (
        stats["avg_visible_s"],
        visible,
    )
    actions = {x["selector"]: x for x in got["top_actions"]}
    counts = {sel: (x["count"], x["share"], x["visitors"]) for sel, x in actions.items()}
    assert counts == {"#x": (3, 0.5, 2), "#z": (2, 0.3333, 2), "#next": (1, 0.1667, 1)}
    assert actions["#x"]["name"] == "click on Add to cart"
