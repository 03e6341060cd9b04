"""Session replay end to end in real Chromium against a real ``pageheat serve``: the
script tag alone records a visitor who types, scrolls, clicks, follows a link and uses
an SPA route; every page view has its replay, and what the visitor typed is nowhere in
the replay file. A session outside the replay sample never downloads the recorder."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest

from tests.browsing import until
from tests.conftest import ROOT, LiveServer

pytestmark = pytest.mark.browser

SECRET = "Zq7xSecretWord"
#: rrweb's own build of the same version the recorder bundles (its Replayer among it).
RRWEB_UMD = ROOT / "node_modules" / "rrweb" / "dist" / "rrweb.umd.min.cjs"

FORM = """<!doctype html>
<html><head><meta charset="utf-8"><title>Form</title>
<style>body {{ margin: 0; font: 16px sans-serif; }} .tall {{ height: 2400px; }}</style>
<script src="{server}/pageheat.js" data-app="{key}" data-flush-ms="500" defer></script>
</head><body>
  <h1>Checkout</h1>
  <label>Name <input id="name" type="text"></label>
  <p data-pageheat-mask>Masked text ABCMASKED</p>
  <div data-pageheat-block>Blocked text ABCBLOCKED</div>
  <button id="buy" type="button" onclick="this.textContent = 'Bought'">Buy now</button>
  <div class="tall"></div>
  <a id="next" href="spa.html">Next page</a>
</body></html>"""

SPA = """<!doctype html>
<html><head><meta charset="utf-8"><title>SPA</title>
<script src="{server}/pageheat.js" data-app="{key}" data-flush-ms="500" defer></script>
</head><body>
  <main id="app"><button id="route" type="button">Open the route</button></main>
  <script>
    document.getElementById("route").onclick = () => {{
      history.pushState({{}}, "", "spa-route");
      document.getElementById("app").innerHTML =
        '<h2>Route page</h2><button id="on-route" type="button">Route button</button>';
    }};
  </script>
</body></html>"""


@pytest.fixture
def server(tmp_path: Path):
    s = LiveServer(tmp_path / "live", env={"PAGEHEAT_REPLAY_CHUNK_S": "1"}).start()
    yield s
    s.stop()


def stored_chunks(data: Path) -> list[tuple[str, str, int, bytes]]:
    """(session, view, seq, gzipped envelope) of every chunk in the server's file."""
    con = sqlite3.connect(f"file:{data / 'replays.sqlite'}?mode=ro", uri=True)
    try:
        return con.execute("SELECT session, view, seq, data FROM replay_chunks").fetchall()
    finally:
        con.close()


def watch(page) -> tuple[list[str], list[dict]]:
    """The URLs the page requested, and the batches its tracker sent (parsed)."""
    urls: list[str] = []
    batches: list[dict] = []

    def seen(req) -> None:
        urls.append(req.url)
        if req.url.endswith("/api/v1/collect") and req.post_data:
            batches.append(json.loads(req.post_data))

    page.on("request", seen)
    return urls, batches


def test_a_visit_is_recorded_per_page_view_without_what_was_typed(browser, server, site):
    key = server.create_app("Shop", [site.url])
    url = site.page("form.html", FORM.format(server=server.url, key=key))
    site.page("spa.html", SPA.format(server=server.url, key=key))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    urls, batches = watch(page)
    with page.expect_request("**/pageheat-replay.js", timeout=20_000):
        page.goto(url, wait_until="load")
    page.wait_for_function("typeof window.pageheatReplay === 'function'")
    page.click("#name")
    page.keyboard.type(SECRET, delay=20)
    page.mouse.wheel(0, 900)
    page.wait_for_function("scrollY > 500")
    page.mouse.wheel(0, -900)
    page.wait_for_function("scrollY === 0")
    page.click("#buy")
    page.wait_for_function("document.getElementById('buy').textContent === 'Bought'")
    with page.expect_request("**/pageheat-replay.js", timeout=20_000):
        page.click("#next")  # a full page load: pagehide sends the first page's last chunk
    page.wait_for_function("typeof window.pageheatReplay === 'function'")
    page.click("#route")
    page.click("#on-route")
    page.wait_for_function("location.pathname.endsWith('/spa-route')")
    # a chunk of the route's view goes within replay_chunk_s (1 s here)
    views = lambda: [e["v"] for b in batches for e in b["events"] if e["k"] == "view"]  # noqa: E731
    until(lambda: len(views()) == 3, timeout=20)
    page.close(run_before_unload=True)
    context.close()
    assert len(views()) == 3, views()
    sessions = {b["session"] for b in batches}
    assert len(sessions) == 1
    (session,) = sessions

    def recorded() -> set[str]:
        return {view for _, view, _, _ in stored_chunks(server.data)}

    assert until(lambda: set(views()) <= recorded(), timeout=30), (views(), recorded())
    chunks = stored_chunks(server.data)
    assert {s for s, *_ in chunks} == {session}
    raw = b"".join(zlib.decompress(blob, wbits=31) for *_, blob in chunks)
    # what the visitor typed, masked and blocked text: nowhere, not even compressed
    for secret in (SECRET, "ABCMASKED", "ABCBLOCKED"):
        assert secret.encode() not in raw
    file_bytes = b"".join(p.read_bytes() for p in server.data.glob("replays.sqlite*"))
    assert SECRET.encode() not in file_bytes
    # the pages are there: the clicked button, the next page, the route's DOM
    assert b"Buy now" in raw and b"Bought" in raw and b"Route button" in raw
    with server.api() as api:
        r = api.get(f"/api/v1/apps/{key}/sessions/{session}/replay")
        assert r.status_code == 200, r.text
        events = r.json()["events"]
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)
    assert sum(e["type"] == 2 for e in events) >= 3  # a full snapshot per page view
    # no input event left the page; the recorder got the scroll and the clicks
    incremental = [e["data"] for e in events if e["type"] == 3]
    assert not [d for d in incremental if d.get("source") == 5]
    assert any(d.get("source") == 3 for d in incremental)  # scroll
    assert any(d.get("source") == 2 and d.get("type") == 2 for d in incremental)  # click
    assert any(u.endswith("/api/v1/replay") for u in urls)
    # Played by rrweb's Replayer, each page is rebuilt with what the visitor clicked.
    seen = replayed(browser, site, events)
    assert [sel for sel in ("#buy", "#route", "#on-route") if sel in seen] == [
        "#buy", "#route", "#on-route"], seen  # fmt: skip
    assert seen["#buy"] == "Bought" and seen["#on-route"] == "Route button"


#: Plays the events in a blank page: at the start and end of each page's part (a page
#: load, an SPA route), which of the clicked elements the rebuilt document has, and their
#: text (the latest seen).
REPLAY = """async events => {
  const replayer = new rrweb.Replayer(events, {root: document.body, showWarning: false});
  const start = events[0].timestamp;
  const found = {};
  const look = () => {
    const doc = replayer.iframe.contentDocument;
    for (const sel of ["#buy", "#route", "#on-route"]) {
      const el = doc && doc.querySelector(sel);
      if (el) found[sel] = el.textContent;
    }
  };
  // each page's part as it started (after its full snapshot) and as it ended (just
  // before the meta event of the next one), in time order
  const starts = events.filter(e => e.type === 2).map(e => e.timestamp + 1);
  const ends = events.filter(e => e.type === 4).map(e => e.timestamp - 1).slice(1);
  const times = [...starts, ...ends, events[events.length - 1].timestamp].sort((a, b) => a - b);
  for (const t of times) {
    replayer.pause(t - start);
    look();
  }
  return found;
}"""


def replayed(browser, site, events: list[dict]) -> dict[str, str]:
    site.page("rrweb.js", RRWEB_UMD.read_text())
    url = site.page("player.html", '<!doctype html><html><head><meta charset="utf-8">'
                    '<script src="rrweb.js"></script></head><body></body></html>')  # fmt: skip
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("typeof rrweb !== 'undefined' && !!rrweb.Replayer")
        return page.evaluate(REPLAY, events)
    finally:
        context.close()


def test_a_session_outside_the_sample_never_loads_the_recorder(browser, server, site):
    key = server.create_app("Shop", [site.url])
    with server.api() as api:
        assert api.patch(f"/api/v1/apps/{key}", json={"replay_sample": 0.0}).status_code == 200
    url = site.page("form.html", FORM.format(server=server.url, key=key))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    urls, batches = watch(page)
    # The collector asks this first visitor for a snapshot in the same answer that would
    # have said "replay": the snapshot code's request proves the answer was read.
    with page.expect_request("**/pageheat-snapshot.js", timeout=20_000):
        page.goto(url, wait_until="load")
    page.click("#buy")
    assert batches
    assert not [u for u in urls if "replay" in u], urls
    context.close()
    assert stored_chunks(server.data) == []
