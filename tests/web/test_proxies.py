"""Proxy headers are believed only from ``trusted_proxies``.

Behind the documented nginx (docs/deploy.md) the browser speaks HTTPS to nginx and nginx
speaks HTTP to pageheat: only ``X-Forwarded-Proto`` tells pageheat that the session
cookie must be ``Secure``, and only ``X-Forwarded-For`` names the visitor whose address
the rate limits and GeoIP use. Anyone can send those headers, so they count only when
the connection comes from a configured proxy. In-process: Starlette's test client lets
each test choose the connection's address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pageheat.app import Pageheat
from pageheat.settings import SettingsError
from pageheat.web.server import build_app
from tests.collect.test_guard import CHROME, batch
from tests.conftest import TOKEN, make_settings

PROXY = "10.1.2.3"  # in the trusted network below
STRANGER = "198.51.100.20"  # not trusted: a visitor talking to pageheat directly
ORIGIN = "https://shop.example"
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture
def ph(tmp_path: Path) -> Iterator[Pageheat]:
    p = Pageheat(make_settings(tmp_path / "data", trusted_proxies="127.0.0.1, 10.0.0.0/8",
                               rate_ip_per_s=0.01, rate_ip_burst=2))  # fmt: skip
    yield p
    p.close()


@contextmanager
def from_address(ph: Pageheat, address: str) -> Iterator[TestClient]:
    """A client whose connections come from ``address``, to pageheat's public host name."""
    with TestClient(build_app(ph), base_url="http://heat.example.com",
                    client=(address, 40000)) as c:  # fmt: skip
        yield c


def login_cookies(c: TestClient, headers: dict[str, str]) -> dict[str, str]:
    r = c.post("/login", json={"token": TOKEN}, headers=headers)
    assert r.status_code == 204, r.text
    return {v.split("=", 1)[0]: v for v in r.headers.get_list("set-cookie")}


def secure(cookie: str) -> bool:
    return bool(re.search(r";\s*secure\b", cookie, re.I))


def test_https_through_a_trusted_proxy_gets_secure_session_cookies(ph):
    with from_address(ph, PROXY) as c:
        cookies = login_cookies(c, HTTPS)
    assert secure(cookies["pageheat_session"]) and secure(cookies["pageheat_csrf"])
    with from_address(ph, PROXY) as c:  # the proxy says the browser used plain HTTP
        cookies = login_cookies(c, {"X-Forwarded-Proto": "http"})
    assert not secure(cookies["pageheat_session"])


def test_the_same_header_from_an_untrusted_address_changes_nothing(ph):
    with from_address(ph, STRANGER) as c:
        cookies = login_cookies(c, HTTPS)
    assert not secure(cookies["pageheat_session"]) and not secure(cookies["pageheat_csrf"])


def test_redirects_keep_the_scheme_the_browser_used_only_through_a_trusted_proxy(ph):
    with from_address(ph, PROXY) as c:
        r = c.get("/api/v1/apps/", headers=HTTPS, follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == "https://heat.example.com/api/v1/apps"
    with from_address(ph, STRANGER) as c:
        r = c.get("/api/v1/apps/", headers=HTTPS, follow_redirects=False)
    assert r.headers["location"] == "http://heat.example.com/api/v1/apps"


def collect(c: TestClient, key: str, n: int, forwarded: str) -> int:
    r = c.post("/api/v1/collect", content=batch(key, visitor=f"v{n}"),
               headers={"Content-Type": "text/plain", "Origin": ORIGIN, "User-Agent": CHROME,
                        "X-Forwarded-For": forwarded})  # fmt: skip
    return r.status_code


def test_the_per_address_limit_counts_visitors_behind_a_proxy_and_strangers_by_connection(ph):
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    # through the proxy: each visitor has a bucket of 2, whatever the proxy's address
    with from_address(ph, PROXY) as c:
        visitors = [collect(c, key, i, f"203.0.113.{i % 3}") for i in range(6)]
        # a visitor who writes its own X-Forwarded-For gets the address nginx appended
        spoofing = [collect(c, key, 10 + i, f"203.0.113.{50 + i}, 203.0.113.9")
                    for i in range(3)]  # fmt: skip
    assert visitors == [202] * 6
    assert spoofing == [202, 202, 429]
    # from an address that is no proxy, the header is the sender's word only: one bucket
    with from_address(ph, STRANGER) as c:
        direct = [collect(c, key, 20 + i, f"203.0.113.{100 + i}") for i in range(3)]
    assert direct == [202, 202, 429]


def test_a_trusted_proxies_entry_that_is_no_address_stops_the_start(tmp_path):
    p = Pageheat(make_settings(tmp_path / "data", trusted_proxies="127.0.0.1, nginx.local"))
    try:
        with pytest.raises(SettingsError, match=r"nginx\.local"):
            build_app(p)
    finally:
        p.close()
