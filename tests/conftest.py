"""Shared fixtures: a Pageheat in a temporary data directory, real servers on free ports,
and a real Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pageheat.app import Pageheat
from pageheat.settings import Settings
from pageheat.web.server import build_app
from tests.tiers import needs

#: Fixtures of real database servers, registered once for the whole suite so that each
#: starts at most once per test session: ClickHouse (one node, a two-shard cluster, chdb)
#: and PostgreSQL.
pytest_plugins = ["tests.clickhouse", "tests.postgres"]

TOKEN = "test-admin-token"
CHROMIUM = os.environ.get("PAGEHEAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: The tests' visitors are headless Chromium and Python HTTP clients, which pageheat
#: drops as bots by default (tests/collect/test_guard.py shows it does): every test
#: server keeps them, on purpose and in one place.
#: Their Chromium is the tests' too (PAGEHEAT_CHROMIUM, which `make test-fast` points
#: nowhere): an in-process Pageheat pictures pages with it as ``pageheat serve`` does.
TEST_SETTINGS = {"keep_bots": True, "chromium": CHROMIUM}


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus exposition (what /metrics serves), read by
    prometheus_client's own parser; 0 when the series is absent (a labelled counter that
    never counted). ``labels`` are the sample's labels, all of them."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def make_settings(data: Path, **extra) -> Settings:
    return Settings.load(
        {"data": str(data), "admin_token": TOKEN, **TEST_SETTINGS, **extra}, environ={}
    )


@pytest.fixture
def ph(tmp_path: Path) -> Iterator[Pageheat]:
    p = Pageheat(make_settings(tmp_path / "data"))
    yield p
    p.close()


@pytest.fixture
def client(ph: Pageheat):
    """The real ASGI app in-process; authorised as admin by default."""
    from fastapi.testclient import TestClient

    with TestClient(build_app(ph), headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        yield c


class LiveServer:
    """A real ``pageheat serve`` process on a free port; it can be killed and restarted."""

    def __init__(self, data: Path, env: dict[str, str] | None = None):
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = TOKEN
        self.env = env or {}
        self.proc: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        env = {**os.environ, "PAGEHEAT_ADMIN_TOKEN": TOKEN, **_env(TEST_SETTINGS), **self.env}
        self.data.mkdir(parents=True, exist_ok=True)
        self.log = self.data / "server.log"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pageheat", "serve", "--data", str(self.data),
                 "--port", str(self.port)],
                env=env, stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pageheat serve exited: {self.log.read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            time.sleep(0.1)
        raise RuntimeError("pageheat serve did not come up in 30 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {TOKEN}"},
                            timeout=60)  # fmt: skip

    def metric(self, name: str, **labels: str) -> float:
        """One sample of the server's /metrics now (:func:`metric`)."""
        with self.api() as c:
            r = c.get("/metrics")
            r.raise_for_status()
            return metric(r.text, name, **labels)

    def create_app(self, name: str, origins: list[str]) -> str:
        with self.api() as c:
            r = c.post("/api/v1/apps", json={"name": name, "origins": origins})
            r.raise_for_status()
            return r.json()["key"]


def _env(settings: dict) -> dict[str, str]:
    return {f"PAGEHEAT_{k.upper()}": str(v) for k, v in settings.items()}


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "live").start()
    yield server
    server.stop()


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; every request path is noted, and gated pages need the cookie."""

    def __init__(self, *args, site: SiteServer, **kwargs):
        self.site = site
        super().__init__(*args, directory=str(site.root), **kwargs)

    def do_GET(self) -> None:
        self.site.requests.append(self.path)
        name = self.path.split("?", 1)[0].lstrip("/")
        if name in self.site.gated and self.site.cookie not in self.headers.get("Cookie", ""):
            self.send_response(302)
            self.send_header("Location", "/login.html")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args) -> None:
        pass


class SiteServer:
    """Static pages on 127.0.0.1, standing in for a customer's site (another origin)."""

    def __init__(self, root: Path):
        self.root = root
        #: Every path requested, in order (to tell whether something fetched a URL).
        self.requests: list[str] = []
        #: Page names served only to a browser that sends ``cookie`` (a logged-in page).
        self.gated: set[str] = set()
        self.cookie = "session=signed-in"
        handler = functools.partial(_SiteHandler, site=self)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def page(self, name: str, html: str) -> str:
        (self.root / name).write_text(html)
        return f"{self.url}/{name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SiteServer]:
    root = tmp_path / "site"
    root.mkdir()
    s = SiteServer(root)
    yield s
    s.close()


@pytest.fixture(scope="session")
def browser():
    needs("Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
