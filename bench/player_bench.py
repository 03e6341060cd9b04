"""How soon the replay player shows a 30-minute session (not a test).

    .venv/bin/python bench/player_bench.py [--minutes 30] [--repeat 3]

A real ``pageheat serve`` and Debian's Chromium. A session is synthesised straight into
the server's ``replays.sqlite`` (as the replay writer stores it: gzipped chunks every
10 s): a page of 600 elements loaded every 5 minutes (meta + full snapshot), the mouse
moving every 100 ms, a click every 20 s, a DOM change every second. The dashboard's
player is opened at ``?t=`` of the session's middle (a cold browser context each time:
the player chunk is fetched too), and the time from navigation to the first frame (the
Replayer's iframe holding the rebuilt page at that moment) is measured, with the bytes
the first window moved against the whole session's. Target: first frame ≤ 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx
import msgspec
from ingest_bench import TOKEN, free_port, wait_up

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--no-first-run"]  # fmt: skip
T0 = 1_763_900_000_000
SESSION = "bench-session-30min"


def page_node(n: int, page: int) -> dict:
    """An rrweb serialized document: html > head, body with `n` paragraphs and buttons."""
    nid = iter(range(1, 10 * n))
    kids = []
    for i in range(n):
        tag = "button" if i % 10 == 0 else "p"
        attrs = {"id": f"b{i}"} if tag == "button" else {}
        kids.append({"type": 2, "tagName": tag, "attributes": attrs, "id": next(nid) + 10,
                     "childNodes": [{"type": 3, "textContent": f"Page {page} item {i}",
                                     "id": 100_000 + i}]})  # fmt: skip
    body = {"type": 2, "tagName": "body", "attributes": {}, "childNodes": kids, "id": 5}
    head = {"type": 2, "tagName": "head", "attributes": {}, "childNodes": [
        {"type": 2, "tagName": "style", "attributes": {"_cssText": "p{margin:4px}"},
         "childNodes": [], "id": 4}], "id": 3}  # fmt: skip
    html = {"type": 2, "tagName": "html", "attributes": {}, "childNodes": [head, body], "id": 2}
    return {"type": 0, "childNodes": [{"type": 1, "name": "html", "publicId": "",
                                       "systemId": "", "id": 6}, html], "id": 1}  # fmt: skip


def session_chunks(key: str, minutes: int) -> list:
    from pageheat.replay import Chunk

    chunks = []
    end = T0 + minutes * 60_000
    page = -1
    for seq, start in enumerate(range(T0, end, 10_000)):
        events: list[dict] = []
        if (start - T0) % 300_000 == 0:
            page += 1
            events.append({"type": 4, "timestamp": start,
                           "data": {"href": f"https://shop.example/p{page}", "width": 1280,
                                    "height": 800}})  # fmt: skip
            events.append({"type": 2, "timestamp": start + 1,
                           "data": {"node": page_node(600, page),
                                    "initialOffset": {"top": 0, "left": 0}}})  # fmt: skip
        for t in range(start + 100, start + 10_000, 100):
            events.append({"type": 3, "timestamp": t, "data": {
                "source": 1, "positions": [{"x": t % 1200, "y": t % 700, "id": 5,
                                            "timeOffset": 0}]}})  # fmt: skip
            if t % 1000 == 0:
                events.append({"type": 3, "timestamp": t + 1, "data": {
                    "source": 0, "texts": [{"id": 100_000 + t % 600, "value": f"at {t}"}],
                    "attributes": [], "removes": [], "adds": []}})  # fmt: skip
        if (start - T0) % 20_000 == 0:
            events.append({"type": 3, "timestamp": start + 5000, "data": {
                "source": 2, "type": 2, "id": 10, "x": 40, "y": 40}})  # fmt: skip
        events.sort(key=lambda e: e["timestamp"])
        body = msgspec.json.encode({"app": key, "visitor": "bench", "session": SESSION,
                                    "view": f"v{page}", "seq": seq, "events": events})  # fmt: skip
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        snaps = [e["timestamp"] for e in events if e["type"] == 2]
        chunks.append(Chunk(app=key, session=SESSION, view=f"v{page}", seq=seq,
                            visitor="bench", first_ms=events[0]["timestamp"],
                            last_ms=events[-1]["timestamp"], received_ms=int(time.time() * 1000),
                            events=len(events), gzipped=c.compress(body) + c.flush(),
                            snap_ms=max(snaps) if snaps else None))  # fmt: skip
    return chunks


READY = """() => {
  const el = document.querySelector('.replay[data-at]');
  const f = document.querySelector('.replayer-wrapper iframe');
  const doc = f && f.contentDocument;
  return el && doc && doc.querySelector('#b0') ? performance.now() : null;
}"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from pageheat.replay.sqlite import SQLiteReplays

    data = Path(tempfile.mkdtemp(prefix="pageheat-player-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"PAGEHEAT_DATA": str(data), "PAGEHEAT_ADMIN_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen([sys.executable, "-m", "pageheat", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    results: dict = {}
    try:
        wait_up(port)
        api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        key = api.post("/api/v1/apps", json={"name": "Bench", "origins": [url]}).json()["key"]
        chunks = session_chunks(key, args.minutes)
        store = SQLiteReplays(data / "replays.sqlite")  # the server's file, WAL: shared
        store.save(chunks)
        store.close()
        path = f"/api/v1/apps/{key}/sessions/{SESSION}/replay"
        whole = len(api.get(path).content)
        mid = args.minutes * 30_000
        first = len(api.get(path, params={"from": T0 + mid, "to": T0 + mid + 60_000}).content)
        times = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _ in range(args.repeat):
                ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
                page = ctx.new_page()
                page.goto(f"{url}/login")
                page.click("#login-switch")
                page.fill("#token", TOKEN)
                page.click("button[type=submit]")
                page.wait_for_url(f"{url}/")
                page.goto(f"{url}/apps/{key}/sessions/{SESSION}/replay?t={mid}")
                ready = page.wait_for_function(READY, polling="raf", timeout=60_000).json_value()
                at = int(page.get_attribute(".replay", "data-at"))
                times.append(ready)
                assert abs(at - mid) < 5_000, (at, mid)
                ctx.close()
            browser.close()
        results = {
            "session_minutes": args.minutes,
            "chunks": len(chunks),
            "events": sum(c.events for c in chunks),
            "whole_session_json_kb": round(whole / 1024),
            "first_window_json_kb": round(first / 1024),
            "first_frame_ms_median": round(statistics.median(times)),
            "first_frame_ms_max": round(max(times)),
        }
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
