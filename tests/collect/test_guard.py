"""Rate limits, backpressure and the bot filter, as a sender sees them: the status, the
Retry-After, and what the store holds afterwards."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from pageheat.app import Pageheat
from pageheat.collect.guard import TokenBuckets, is_automated
from pageheat.store.base import Query
from pageheat.web.server import build_app
from tests.conftest import make_settings

ORIGIN = "https://shop.example"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0.0.0 Safari/537.36"
)


def run_async(coro):
    """asyncio.run on a thread of its own: a session's Playwright browser keeps an event
    loop running on the main thread, where asyncio.run refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def batch(key: str, n_clicks: int = 1, visitor: str = "v1") -> bytes:
    t = int(time.time() * 1000)
    events = [{"k": "view", "t": t, "v": f"pv-{visitor}", "url": "https://shop.example/",
               "path": "/", "vw": 1440, "vh": 900, "dw": 1440, "dh": 3000}]  # fmt: skip
    events += [{"k": "click", "t": t + i, "v": f"pv-{visitor}", "x": 10, "y": 10, "vw": 1440,
                "dw": 1440, "dh": 3000, "sel": "#a", "rx": 0.5, "ry": 0.5, "tag": "a"}
               for i in range(n_clicks)]  # fmt: skip
    return json.dumps({"app": key, "visitor": visitor, "session": "s1", "events": events,
                       "batch": f"b-{time.monotonic_ns()}"}).encode()  # fmt: skip


def headers(agent: str = CHROME, address: str | None = None) -> dict[str, str]:
    h = {"Content-Type": "text/plain", "Origin": ORIGIN, "User-Agent": agent}
    if address:
        h["X-Forwarded-For"] = address
    return h


def page_views(ph: Pageheat, key: str) -> int:
    return ph.store.stats(Query(app=key))["page_views"]


@pytest.fixture
def make(tmp_path) -> Iterator:
    """Pageheat instances with the settings a test names (bots dropped unless it says)."""
    made: list[Pageheat] = []

    def build(**settings) -> Pageheat:
        p = Pageheat(make_settings(tmp_path / f"d{len(made)}", **{"keep_bots": False, **settings}))
        made.append(p)
        return p

    yield build
    for p in made:
        p.close()


def client(ph: Pageheat, peer: str = "testclient"):
    """The app in-process; ``peer`` is the connection's address (Starlette's default is
    no address at all)."""
    from fastapi.testclient import TestClient

    return TestClient(build_app(ph), client=(peer, 50000))


# -- rate limits ---------------------------------------------------------------------


def test_token_bucket_refills_at_its_rate():
    b = TokenBuckets(rate=2, burst=3)
    assert [b.take("k", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("k", now=0.0) == pytest.approx(0.5)
    assert b.take("k", now=0.5) == 0.0  # one token back after 1/rate s
    assert b.take("other", now=0.5) == 0.0  # buckets are per key
    assert b.take("k", 10, now=100.0) == 0.0  # more than a burst passes from a full bucket
    assert TokenBuckets(rate=0, burst=0).take("k", 10**6) == 0.0  # 0: no limit


def test_token_buckets_keep_bounded_memory():
    b = TokenBuckets(rate=1, burst=1, max_keys=100)
    for i in range(10_000):
        b.take(f"203.0.113.{i}")
    assert len(b) == 100


def test_an_address_over_its_rate_gets_429_with_retry_after(make):
    # one token a 100 s: however slow the three commits are, none comes back meanwhile
    ph = make(rate_ip_per_s=0.01, rate_ip_burst=3, trusted_proxies="127.0.0.1")
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    with client(ph, "127.0.0.1") as c:  # a proxy, telling each visitor's address
        answers = [c.post("/api/v1/collect", content=batch(key, visitor=f"v{i}"),
                          headers=headers(address="203.0.113.7")) for i in range(4)]  # fmt: skip
        other = c.post("/api/v1/collect", content=batch(key, visitor="v9"),
                       headers=headers(address="198.51.100.2"))  # fmt: skip
    assert [r.status_code for r in answers] == [202, 202, 202, 429]
    # a whole token at 0.01 a second, less what came back while the commits ran
    assert 90 <= int(answers[3].headers["retry-after"]) <= 100
    assert answers[3].json()["error"] == "too many requests from this address; retry later"
    assert other.status_code == 202  # another address has its own bucket
    assert page_views(ph, key) == 4


def test_an_app_over_its_event_rate_gets_429_and_nothing_of_the_batch(make):
    ph = make(rate_app_per_s=1, rate_app_burst=6)
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    with client(ph) as c:
        first = c.post("/api/v1/collect", content=batch(key, 2, "a"), headers=headers())
        second = c.post("/api/v1/collect", content=batch(key, 3, "b"), headers=headers())
    assert first.status_code == 202  # 3 events of 6
    assert second.status_code == 429  # 4 more than the 3 left
    assert int(second.headers["retry-after"]) >= 1
    assert ph.store.stats(Query(app=key))["total_clicks"] == 2


# -- backpressure ----------------------------------------------------------------------


def test_a_full_writer_queue_answers_503_at_once_and_takes_batches_again_after(make):
    ph = make(max_queue_events=3, commit_interval_ms=5)
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    app = build_app(ph)

    async def scenario() -> tuple[httpx.Response, httpx.Response, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pageheat") as c:
            post = lambda b: c.post("/api/v1/collect", content=b, headers=headers())  # noqa: E731
            with ph.writer.held():  # the disk is slow: the commit waits
                waiting = asyncio.create_task(post(batch(key, 1, "a")))  # 2 events queued
                deadline = time.monotonic() + 10
                while ph.writer.pending < 2 and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
                assert ph.writer.pending == 2, "the batch never reached the writer"
                started = time.monotonic()
                # 2 more: over 3 (without backpressure it would wait for the writer)
                refused = await asyncio.wait_for(post(batch(key, 1, "b")), timeout=5)
                took = time.monotonic() - started
            return await waiting, refused, took

    accepted, refused, took = run_async(scenario())
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"] == "pageheat is busy; retry later"
    assert took < 1.0  # refused at once, not after waiting for the writer
    assert accepted.status_code == 202
    assert ph.writer.pending == 0
    with client(ph) as c:
        assert (
            c.post("/api/v1/collect", content=batch(key, 1, "c"), headers=headers()).status_code
            == 202
        )
    assert page_views(ph, key) == 2


# -- bots ------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "python-httpx/0.28.1",
    "Go-http-client/1.1",
    "",
])  # fmt: skip
def test_bots_crawlers_headless_browsers_and_http_libraries_are_automated(agent):
    assert is_automated(agent)


@pytest.mark.parametrize("agent", [
    CHROME,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 10; Cubot P40) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
])  # fmt: skip
def test_people_s_browsers_are_not_automated(agent):
    assert not is_automated(agent)


def test_the_headless_chromium_the_tests_drive_is_a_bot(browser):
    """Why the test servers keep bots (tests/conftest.py): their visitors are these."""
    page = browser.new_page()
    try:
        assert is_automated(page.evaluate("navigator.userAgent"))
    finally:
        page.close()


def test_bots_are_answered_202_and_dropped_unless_the_app_keeps_them(make):
    ph = make()
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    headless = "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36"
    with client(ph) as c:
        r = c.post("/api/v1/collect", content=batch(key, visitor="bot"), headers=headers(headless))
        assert r.status_code == 202
        assert r.json() == {"accepted": 0, "need_snapshot": [], "dropped": "bot"}
        assert page_views(ph, key) == 0
        person = c.post("/api/v1/collect", content=batch(key, visitor="p"), headers=headers())
        assert person.json()["accepted"] == 2 and page_views(ph, key) == 1

        ph.meta.set_policy(key, keep_bots=True)
        r = c.post("/api/v1/collect", content=batch(key, visitor="bot2"), headers=headers(headless))
        assert r.json()["accepted"] == 2
    assert page_views(ph, key) == 2


def test_keep_bots_setting_keeps_them_for_every_app(make):
    ph = make(keep_bots=True)
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    with client(ph) as c:
        r = c.post("/api/v1/collect", content=batch(key), headers=headers("curl/8.5.0"))
    assert r.json()["accepted"] == 2
    assert page_views(ph, key) == 1
    ph.meta.set_policy(key, keep_bots=False)  # an app can still drop them
    with client(ph) as c:
        r = c.post("/api/v1/collect", content=batch(key, visitor="x"), headers=headers("curl/8"))
    assert r.json()["dropped"] == "bot"
