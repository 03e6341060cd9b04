"""Time a DOM snapshot's whole trip on a 3 000-element page (not a test).

    .venv/bin/python bench/snapshot_bench.py [--repeat R]

1. in the visitor's browser: pageheat-snapshot.js serialising the page, against
   ``document.documentElement.outerHTML`` (the browser's own serialiser) as the floor;
2. on the server: sanitising the tree into inert HTML (``snapshots.sanitize``);
3. rendering that HTML to a full-page PNG in Chromium with JavaScript off, against
   rendering a one-line page in the same (warm) browser.

Medians of R runs, each with its ratio to its baseline in the same invocation, since the
machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import sync_playwright

from pageheat.snapshots.sanitize import to_html
from pageheat.snapshots.screenshot import CHROMIUM_ARGS, Screenshotter

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "tracker" / "pages" / "big.html"
CHUNK = ROOT / "src" / "pageheat" / "web" / "static" / "pageheat-snapshot.js"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def browser_side(chromium: str, repeat: int) -> tuple[list[float], list[float], str, int]:
    handler = functools.partial(_Quiet, directory=str(PAGE.parent))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = b.new_page(viewport={"width": 1440, "height": 900})
            page.route("**/pageheat.js", lambda r: r.abort())
            page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/{PAGE.name}")
            page.add_script_tag(content=CHUNK.read_text())
            page.evaluate(
                "() => { window.__bodies = [];"
                " window.fetch = (u, o) => { __bodies.push(o.body); return Promise.resolve(); }; }"
            )
            snap = [page.evaluate(
                "() => { const t = performance.now();"
                " pageheatSnapshot('http://x', 'a', 'v', 'pv', 'h'); return performance.now() - t; }"
            ) for _ in range(repeat)]  # fmt: skip
            floor = [page.evaluate(
                "() => { const t = performance.now(); document.documentElement.outerHTML;"
                " return performance.now() - t; }"
            ) for _ in range(repeat)]  # fmt: skip
            body = page.evaluate("() => __bodies[0]")
            n = page.evaluate("() => document.getElementsByTagName('*').length")
            b.close()
    finally:
        httpd.shutdown()
    return snap, floor, body, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    med = statistics.median

    snap, floor, body, n = browser_side(args.chromium, args.repeat)
    print(f"page: {n} elements, snapshot body {len(body):,} bytes")
    print(f"browser  serialise (rrweb-snapshot)   {med(snap):8.1f} ms"
          f"   {med(snap) / med(floor):5.1f}x outerHTML ({med(floor):.1f} ms)")  # fmt: skip

    dom = json.loads(body)["dom"]
    sanitise = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        page = to_html(dom)
        sanitise.append((time.perf_counter() - t) * 1000)
    print(f"server   sanitise to inert HTML      {med(sanitise):8.1f} ms"
          f"   {page.nodes:,} nodes -> {len(page.html):,} bytes")  # fmt: skip

    pool = ThreadPoolExecutor(1)  # Playwright's sync API keeps to one thread
    shooter = Screenshotter(args.chromium)
    try:
        pool.submit(shooter.render_html, "<p>warm up</p>", 1440, []).result()
        blank, full = [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            pool.submit(shooter.render_html, "<p>blank</p>", 1440, []).result()
            blank.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            shot = pool.submit(shooter.render_html, page.html, 1440, ["#x", "div"]).result()
            full.append((time.perf_counter() - t) * 1000)
    finally:
        pool.submit(shooter.close).result()
        pool.shutdown()
    print(f"server   render PNG {shot.width}x{shot.height:<6}      {med(full):8.0f} ms"
          f"   {med(full) / med(blank):5.1f}x a one-line page ({med(blank):.0f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
