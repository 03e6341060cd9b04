"""Delivery: simple text/plain POSTs, retries of the very same batch, final refusals."""

import json

import pytest

pytestmark = pytest.mark.browser


def test_batches_are_simple_text_requests(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    capture.wait_events("view")
    [request] = capture.requests  # no OPTIONS preflight before it
    assert request.method == "POST"
    assert request.url == f"{pages.url}/api/v1/collect"
    assert request.headers["content-type"].startswith("text/plain")


def test_data_endpoint_names_the_collector(page, capture, pages):
    page.goto(f"{pages.url}/endpoint.html")
    capture.wait_events("view")
    assert capture.urls == ["http://collector.example:8000/api/v1/collect"]


def test_a_failed_batch_is_resent_unchanged(page, capture, pages):
    capture.answers = [503]
    page.goto(f"{pages.url}/shop.html")
    first = capture.wait(lambda: capture.routed and capture.routed[0])
    # Byte for byte: same batch id, same events (other batches, the layout's, go between).
    capture.wait(lambda: capture.routed.count(first) >= 2, timeout=8)
    assert json.loads(first)["batch"]
    capture.wait(lambda: page.evaluate("localStorage.pageheat_q") is None)


def test_an_unsent_batch_is_resent_on_the_next_page_load(page, capture, pages):
    capture.answers = ["abort"]
    page.goto(f"{pages.url}/shop.html")
    capture.wait(lambda: page.evaluate("localStorage.pageheat_q"))
    [[_, lost]] = json.loads(page.evaluate("localStorage.pageheat_q"))
    page.close()  # the visitor comes back later, in a new tab
    again = page.context.new_page()
    capture.page = again
    again.goto(f"{pages.url}/next.html")
    capture.wait(lambda: lost.encode() in capture.routed[1:], timeout=8)
    views = {e["v"]: e["path"] for e in capture.events("view")}  # the lost one counted once
    assert sorted(views.values()) == ["/next.html", "/shop.html"]


def test_final_refusals_are_dropped(page, capture, pages):
    capture.answers = [400]
    page.clock.install()  # the tracker's timers, moved on by the test below
    with page.expect_event("requestfinished", lambda r: "/api/v1/collect" in r.url):
        page.goto(f"{pages.url}/shop.html")  # answered 400
    # Past the first retry's 2 s at once: a batch kept for a retry would be in the queue
    # now (resent but not answered yet), and sent a second time.
    page.clock.run_for(2500)
    assert page.evaluate("localStorage.pageheat_q") is None
    assert capture.routed.count(capture.routed[0]) == 1
