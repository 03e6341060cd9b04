"""Fixtures for the tracker suite: the built bundle, a page server, and a capture of the
tracker's real requests, every body checked against the wire protocol's JSON Schema and
decoded by the server's own decoder.

``fetch`` requests are caught by a Playwright route that answers as the collector does
(asking for snapshots when a test says so) and keeps snapshot uploads.
``navigator.sendBeacon`` requests bypass Playwright's routing in Chromium, so they reach
the page server (the tracker's default endpoint is its script's origin), which keeps them.
The page server also serves the lazily loaded snapshot code, as the product does.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pageheat.collect.protocol import build_protocol

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).resolve().parent / "pages"
STATIC = ROOT / "src" / "pageheat" / "web" / "static"
BUNDLE = STATIC / "pageheat.js"
SNAPSHOT_CODE = STATIC / "pageheat-snapshot.js"
SOURCES = ROOT / "tracker" / "src"
COLLECT = "**/api/v1/collect"
SNAPSHOT = "**/api/v1/snapshot"


def built_bundle() -> Path:
    """The tracker bundle, rebuilt first when a source is newer (and node is at hand)."""
    newest = max(p.stat().st_mtime for p in SOURCES.rglob("*.ts"))
    built = (BUNDLE, SNAPSHOT_CODE)
    stale = not all(b.exists() and b.stat().st_mtime >= newest for b in built)
    if stale and shutil.which("node") and (ROOT / "node_modules" / "esbuild").exists():
        subprocess.run(["node", "tools/build.mjs"], cwd=ROOT, check=True, capture_output=True)
    for b in built:
        if not b.exists():
            pytest.fail(f"{b} is missing: run `npm install && npm run build`")
    return BUNDLE


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The test pages, plus the bundle at /pageheat.js, as a site would serve them."""

    def __init__(self, *args, site: PageServer, **kwargs):
        self.site = site
        super().__init__(*args, directory=str(PAGES), **kwargs)

    def translate_path(self, path: str) -> str:
        if path.split("?")[0] == "/pageheat.js":
            return str(self.site.bundle)
        if path.split("?")[0] == "/pageheat-snapshot.js":
            return str(SNAPSHOT_CODE)
        if path.startswith("/spa/"):  # the SPA's deep links all serve its one page
            return str(PAGES / "spa.html")
        return super().translate_path(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_POST(self) -> None:
        """Beacons: kept for the capture, answered as the collector would."""
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.path != "/api/v1/collect":
            self.send_error(404)
            return
        self.site.beacons.append(body)
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(b'{"accepted": 1, "need_snapshot": []}')

    def log_message(self, *args) -> None:
        pass


class PageServer:
    """A threaded server for tests/tracker/pages on a free port of 127.0.0.1."""

    def __init__(self, bundle: Path):
        self.bundle = bundle
        self.beacons: list[bytes] = []
        handler = functools.partial(_Handler, site=self)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def bundle() -> Path:
    return built_bundle()


@pytest.fixture(scope="module")
def pages() -> Iterator[PageServer]:
    server = PageServer(built_bundle())
    yield server
    server.close()


@functools.cache
def protocol_and_schema() -> tuple[Any, dict[str, Any]]:
    protocol = build_protocol()
    return protocol, protocol.json_schema()


class Capture:
    """Every batch the tracker posts, answered like the collector (202 unless told)."""

    def __init__(self, page, server: PageServer):
        self.page = page
        self.server = server
        self.first_beacon = len(server.beacons)
        self.routed: list[bytes] = []
        self.urls: list[str] = []
        self.requests: list[Any] = []
        #: Answers to give, in order, before falling back to 202: a status code, or
        #: "abort" for a network failure.
        self.answers: list[int | str] = []
        #: What a 202 lists in ``need_snapshot``: nothing (False), the view ids of the
        #: batch's layout events (True: the collector has no picture of any state), or
        #: these view ids whatever the batch holds.
        self.ask: bool | list[str] = False
        #: Bodies posted to /api/v1/snapshot (answered 201), and the URLs of every
        #: request for the snapshot code.
        self.snapshots: list[bytes] = []
        self.snapshot_code_loads: list[str] = []
        #: Routed batches whose answer the page has had (or whose request failed).
        self.answered = 0
        page.context.on("request", self.seen)
        page.context.on("requestfinished", self.ended)
        page.context.on("requestfailed", self.ended)

    def seen(self, request) -> None:
        if request.url.split("?")[0].endswith("/pageheat-snapshot.js"):
            self.snapshot_code_loads.append(request.url)

    def ended(self, request) -> None:
        if request.method == "POST" and request.url.split("?")[0].endswith("/api/v1/collect"):
            self.answered += 1

    def handle_snapshot(self, route) -> None:
        self.snapshots.append(route.request.post_data_buffer or b"")
        route.fulfill(
            status=201,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": "*"},
            body=json.dumps({"id": "s1", "stored": True}),
        )

    def need_snapshot(self, batch: dict[str, Any]) -> list[str]:
        if self.ask is True:
            return [e["v"] for e in batch.get("events", []) if e.get("k") == "layout"]
        return list(self.ask or [])

    def handle(self, route) -> None:
        request = route.request
        body = request.post_data_buffer or b""
        self.requests.append(request)
        if request.method != "POST":
            route.abort()
            return
        self.routed.append(body)
        self.urls.append(request.url)
        status = self.answers.pop(0) if self.answers else 202
        if status == "abort":
            route.abort()
            return
        batch = json.loads(body)
        accepted = len(batch.get("events", [])) if status == 202 else 0
        need = self.need_snapshot(batch) if status == 202 else []
        route.fulfill(
            status=status,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": "*"},
            body=json.dumps({"accepted": accepted, "need_snapshot": need}),
        )

    @property
    def beacons(self) -> list[bytes]:
        return self.server.beacons[self.first_beacon :]

    @property
    def bodies(self) -> list[bytes]:
        """Every body received: by fetch (routed) and by beacon (page server)."""
        return self.routed + self.beacons

    def check(self) -> list[str]:
        """What the JSON Schema or the server's decoders refuse, body by body."""
        protocol, schema = protocol_and_schema()
        errors = []
        for body in self.bodies:
            try:
                jsonschema.validate(json.loads(body), schema)
                protocol.decode(body)
            except Exception as exc:
                errors.append(f"{exc}\n{body[:2000]!r}")
        for body in self.snapshots:
            try:
                protocol.decode_snapshot(body)
            except Exception as exc:
                errors.append(f"snapshot: {exc}\n{body[:2000]!r}")
        return errors

    @property
    def batches(self) -> list[dict[str, Any]]:
        return [json.loads(b) for b in self.bodies]

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Events of every batch so far, oldest first."""
        events = [e for b in self.batches for e in b["events"] if kind in (None, e["k"])]
        return sorted(events, key=lambda e: e["t"])

    def wait(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Pump the page's event loop until ``predicate()`` is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; captured events: {self.events()}")
            self.page.wait_for_timeout(50)

    def wait_events(self, kind: str, n: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        return self.wait(lambda: len(self.events(kind)) >= n and self.events(kind), timeout)

    def wait_answered(self) -> None:
        """Until the page has the answer to every batch routed so far: what an answer
        starts (a snapshot when it asks for one) starts from then on."""
        self.wait(lambda: self.answered >= len(self.routed))

    def leave(self, tracked: bool = True, to: str = "/next.html") -> list[dict[str, Any]]:
        """The visitor goes on to another page of the site (``to``, tracked); returns the
        events that came before that page's view, oldest first.

        How a test shows what the tracker did NOT send, without waiting a while: leaving
        is a page's last word, its tracker sends everything it still holds (held clicks,
        open move and error events, the layout, the leave event) by beacon at pagehide,
        and no timer of the page runs after. The next page's tracker then sends its view,
        after anything the page left can have sent. The wait is for that view and, when
        the page left was ``tracked``, for its leave event (its final flush); whatever is
        missing from the events returned then was never sent. To cover what a page's
        timers would do later, move its clock on first (``page.clock.install()`` before
        the page loads, ``page.clock.run_for(ms)`` before leaving)."""
        views = self.events("view")
        before = {e["v"] for e in views}
        path = to.split("?")[0]
        self.page.goto(self.server.url + to)
        [after] = self.wait(
            lambda: [e for e in self.events("view") if e["v"] not in before and e["path"] == path]
        )
        if tracked:
            assert views, "no view of the page left was sent"
            last = views[-1]["v"]
            self.wait(lambda: [e for e in self.events("leave") if e["v"] == last])
        return [e for e in self.events() if e["v"] != after["v"]]


@pytest.fixture
def context_options() -> dict[str, Any]:
    return {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def page(browser, context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    yield page
    with contextlib.suppress(Exception):
        context.close()


@pytest.fixture
def capture(page, pages) -> Iterator[Capture]:
    cap = Capture(page, pages)
    page.context.route(COLLECT, cap.handle)
    page.context.route(SNAPSHOT, cap.handle_snapshot)
    yield cap
    errors = cap.check()
    assert not errors, "bodies refused by the wire protocol:\n" + "\n".join(errors)
