"""What the tracker costs a visitor's page: gzipped size, and milliseconds per event.

    .venv/bin/python bench/tracker_bench.py [--events 300] [--repeat 3]

Debian's Chromium (Playwright) opens a page with 400 elements (200 links, 200 buttons,
all on screen, and room below to scroll) twice: without the tracker and with it
(collector answers intercepted). Real input from Playwright (trusted events, which the
tracker insists on) then clicks, scrolls and moves ``events`` times, and the page is then
left alone for ``SETTLE_S``, until the tracker has sent what the burst gave it, so that
the work it defers (held clicks, boxes read after the next frame, timers, batches) is in
the sum. Each figure is per event, median of the runs; the page without the tracker is
measured in the same way in each run (the baseline).

- tracker ms: the time inside the tracker's code. An init script wraps, before any
  script runs, ``addEventListener`` and the callbacks of timers, animation frames, idle
  callbacks, microtasks, promise reactions and observers, and times each call with
  ``performance.now()`` (Chromium coarsens it to 0.1 ms with jitter: unbiased over many
  events). Style and layout the tracker makes the browser bring up to date are inside
  it. The target, DESIGN's "handlers cost < 0.1 ms per event", applies to it, less the
  baseline (the wrapper's cost on a page with no callbacks: 0).
- style, layout: how many style recalculations and layouts Chromium ran per event
  (DevTools Performance domain counters). A tracker that read a box after the page
  changed would make the browser lay out twice: more than the baseline here. In this
  headless Chromium a click leaves a style recalculation pending until the next mouse
  event's hit test (the frame after the click does not run it, as a visible tab does),
  so the tracker's box read, after that frame, still pays it (≈ 0.08 ms a click, in
  tracker ms); the equal counts show it is one the page without the tracker runs too.
- main thread: Chromium's ``TaskDuration`` over the burst, every task on the renderer
  main thread (input, style, layout, paint, scripts), and its ratio to the baseline. It
  is the tracker's cost in the widest sense, but on a shared 2-core machine it varies
  by ±1 ms per event between runs, ten times the target: shown, not judged.

DESIGN's targets: < 0.1 ms per event and 6 KB gzipped. Results go to
``bench/results.json`` under ``tracker``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRACKER = ROOT / "src" / "pageheat" / "web" / "static" / "pageheat.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

#: Wraps every callback the page registers so its main-thread time is summed.
PROBE = """(() => {
  const stats = {ms: 0, calls: 0};
  window.__cost = stats;
  const now = performance.now.bind(performance);
  const wrap = (fn) => typeof fn !== "function" ? fn : function (...a) {
    const t = now(); try { return fn.apply(this, a); } finally { stats.ms += now() - t; stats.calls++; }
  };
  const add = EventTarget.prototype.addEventListener;
  const wrapped = new WeakMap();
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (typeof fn !== "function") return add.call(this, type, fn, opts);
    let w = wrapped.get(fn); if (!w) { w = wrap(fn); wrapped.set(fn, w); }
    return add.call(this, type, w, opts);
  };
  const rm = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    return rm.call(this, type, wrapped.get(fn) || fn, opts);
  };
  for (const name of ["setTimeout", "setInterval", "requestAnimationFrame", "requestIdleCallback", "queueMicrotask"]) {
    const orig = window[name]; if (!orig) continue;
    window[name] = function (fn, ...rest) { return orig.call(window, wrap(fn), ...rest); };
  }
  const then = Promise.prototype.then;
  Promise.prototype.then = function (ok, fail) { return then.call(this, wrap(ok), wrap(fail)); };
  for (const name of ["MutationObserver", "PerformanceObserver", "IntersectionObserver", "ResizeObserver"]) {
    const Orig = window[name]; if (!Orig) continue;
    window[name] = class extends Orig { constructor(cb, ...r) { super(wrap(cb), ...r); } };
  }
})();"""


#: What is timed: clicks on elements clicked before, clicks on elements never clicked
#: (the selector search each time), wheel scrolls, mouse moves.
KINDS = ("click", "click new", "scroll", "move")
#: How long the page is left alone after a burst: a click is held 1 s after the last one,
#: then waits for its batch up to 5 s (data-flush-ms), then the request and its answer.
SETTLE_S = 7.5
#: Chromium's counters read before and after each burst.
COUNTERS = ("TaskDuration", "RecalcStyleCount", "LayoutCount")


def page_html(with_tracker: bool) -> str:
    items = "".join(
        f'<li><a href="#p{i}" class="card">Product {i}</a> <button type="button">Add {i}</button></li>'
        for i in range(200)
    )
    tag = ('<script src="http://bench.local/pageheat.js" data-app="bench" defer></script>'
           if with_tracker else "")  # fmt: skip
    return (f'<!doctype html><html><head><meta charset="utf-8">{tag}<style>'
            "ul{display:grid;grid-template-columns:repeat(6,1fr);margin:0;padding:8px;list-style:none}"
            "li{height:22px;font:12px sans-serif} button{width:90px;height:20px;font-size:11px}"
            "footer{height:5000px}</style></head>"
            f"<body><main><ul>{items}</ul></main><footer>More below</footer></body></html>")  # fmt: skip


def counters(cdp) -> dict[str, float]:
    """Chromium's running totals for the page (TaskDuration in ms)."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {k: metrics[k] * (1000 if k == "TaskDuration" else 1) for k in COUNTERS}


def measure(browser, with_tracker: bool, n: int) -> dict[str, dict[str, float]]:
    """Per event kind: tracker ms and Chromium's counters, per event."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(PROBE)
    lib = TRACKER.read_bytes()
    page.route(
        "http://bench.local/pageheat.js",
        lambda r: r.fulfill(body=lib, content_type="text/javascript"),
    )
    page.route("http://bench.local/api/**", lambda r: r.fulfill(
        status=202, body='{"accepted":1,"need_snapshot":[]}', content_type="application/json"))  # fmt: skip
    page.route(
        "http://bench.local/",
        lambda r: r.fulfill(body=page_html(with_tracker), content_type="text/html"),
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto("http://bench.local/")
    # the tracker's start-up (view, layout hash, their batches) is not per event
    page.wait_for_timeout(SETTLE_S * 1000)
    # Measured once: Playwright's own box lookups run on the page's main thread too.
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('button')].map(b => { const r = b.getBoundingClientRect();"
        " return [r.left, r.top]; })"
    )
    out = {}
    for kind in KINDS:
        page.evaluate("() => { window.__cost.ms = 0; window.__cost.calls = 0; }")
        count = min(n, 188) if kind == "click new" else n  # buttons 12..199, once each
        before = counters(cdp)
        for i in range(count):
            if kind.startswith("click"):
                # "click": 12 buttons in turn (a selector found once serves again while
                # the DOM is unchanged); "click new": a button never clicked before
                x, y = boxes[i % 12 if kind == "click" else 199 - i]
                page.mouse.click(x + 20 + i % 7, y + 10)
            elif kind == "scroll":
                page.mouse.wheel(0, 120 if (i // 20) % 2 == 0 else -120)
            else:
                page.mouse.move(100 + (i * 37) % 900, 100 + (i * 53) % 600)
        page.wait_for_timeout(SETTLE_S * 1000)  # deferred work: held clicks, timers, batches
        after = counters(cdp)
        out[kind] = {k: (after[k] - before[k]) / count for k in COUNTERS}
        out[kind]["tracker"] = page.evaluate("() => window.__cost.ms") / count
    page.close()
    return out


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    size = len(TRACKER.read_bytes())
    gz = len(gzip.compress(TRACKER.read_bytes(), 9))
    runs: dict[bool, list[dict[str, dict[str, float]]]] = {False: [], True: []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(args.repeat):
            for flag in (False, True):
                runs[flag].append(measure(browser, flag, args.events))
        browser.close()
    fields = ("tracker", *COUNTERS)
    med = {
        flag: {k: {f: statistics.median(r[k][f] for r in rs) for f in fields} for k in KINDS}
        for flag, rs in runs.items()
    }
    added = {k: med[True][k]["tracker"] - med[False][k]["tracker"] for k in KINDS}
    print(f"tracker: {size:,} bytes, {gz:,} gzipped (budget 6 144)")
    print(f"per event, median of {args.repeat} runs; each figure with the tracker / without it")
    print(
        f"{'event':>9} {'tracker ms':>16} {'style':>11} {'layout':>11} {'main thread ms':>16} {'ratio':>6}"
    )
    for k in KINDS:
        w, wo = med[True][k], med[False][k]
        print(
            f"{k:>9} {w['tracker']:>7.4f} / {wo['tracker']:.4f}"
            f" {w['RecalcStyleCount']:>5.2f} / {wo['RecalcStyleCount']:.2f}"
            f" {w['LayoutCount']:>5.2f} / {wo['LayoutCount']:.2f}"
            f" {w['TaskDuration']:>7.3f} / {wo['TaskDuration']:.3f}"
            f" {w['TaskDuration'] / wo['TaskDuration']:>6.2f}"
        )
    for k in KINDS:
        print(
            f"target < 0.1 ms per {k}: {'met' if added[k] < 0.1 else 'MISSED'} ({added[k]:.4f} ms)"
        )
    print(f"target <= 6 144 bytes gzipped: {'met' if gz <= 6144 else 'MISSED'}")
    path = ROOT / "bench" / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results["tracker"] = {
        "machine": f"{os.cpu_count()} cores", "bytes": size, "gzipped": gz,
        "ms_per_event": added,
        "with_tracker": med[True], "without_tracker": med[False],
    }  # fmt: skip
    path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
