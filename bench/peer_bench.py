"""pageheat's heat engine against heatmap.js on the same points, in one run (not a test).

    .venv/bin/python bench/peer_bench.py [--points 1000000] [--repeat 3]

The points: clicks clustered on 60 spots of a 1280 x 3000 page plus 10 % noise (as
``bench/heat_bench.py`` makes them). The peer: heatmap.js 2.0.5 (npm ``heatmap.js``,
what many self-made heatmap tools embed) in Debian's Chromium through Playwright, timed
with ``performance.now()`` around ``setData`` (which draws) and, separately, the building
of its ``{x, y, value}`` objects. pageheat: ``heat.heatmap`` (grid, smooth, normalise,
hotspots) and the PNG of it, in this process, best of ``repeat-ours``, interleaved with
``heat_bench.sketch`` (the same stages in plain numpy and Pillow, the floor issue 20 holds
the engine to). The ratios are heatmap.js's time over pageheat's (target >= 50) and
pageheat's over the sketch's (target <= 2). Results go to ``bench/results.json`` under ``peer``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from heat_bench import points as bench_points  # bench/ is the script's folder
from heat_bench import sketch

from pageheat.heat import heatmap, png
from pageheat.heat.placement import Points

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1280, 3000
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin: 0 }} #map {{ width: {WIDTH}px; height: {HEIGHT}px; position: relative }}
</style></head><body><div id="map"></div><script src="/heatmap.min.js"></script></body></html>
"""

RUN = """async () => {
  const buf = await (await fetch("/points.bin")).arrayBuffer();
  const xy = new Uint16Array(buf);
  const t0 = performance.now();
  const data = new Array(xy.length / 2);
  for (let i = 0; i < data.length; i++) data[i] = {x: xy[2 * i], y: xy[2 * i + 1], value: 1};
  const t1 = performance.now();
  const map = h337.create({container: document.getElementById("map"), radius: 10});
  map.setData({min: 0, max: 50, data});
  const t2 = performance.now();
  return {build_ms: t1 - t0, draw_ms: t2 - t1};
}"""


def clustered(n: int) -> tuple[np.ndarray, np.ndarray]:
    """heat_bench's clustered points, kept on the page (heatmap.js takes integers)."""
    x, y = bench_points("clustered", n, np.random.default_rng(0))
    return np.clip(x, 0, WIDTH - 1), np.clip(y, 0, HEIGHT - 1)


def heatmapjs(x: np.ndarray, y: np.ndarray, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    lib = (ROOT / "node_modules" / "heatmap.js" / "build" / "heatmap.min.js").read_bytes()
    blob = np.column_stack([x, y]).astype(np.uint16).tobytes()
    runs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.route(
                "**/heatmap.min.js", lambda r: r.fulfill(body=lib, content_type="text/javascript")
            )
            page.route(
                "**/points.bin",
                lambda r: r.fulfill(body=blob, content_type="application/octet-stream"),
            )
            page.route(
                "http://bench.local/", lambda r: r.fulfill(body=PAGE, content_type="text/html")
            )
            page.goto("http://bench.local/")
            runs.append(page.evaluate(RUN))
            page.close()
        browser.close()
    return {k: min(r[k] for r in runs) for k in runs[0]}


def ours(x: np.ndarray, y: np.ndarray, repeat: int) -> dict[str, float]:
    n = len(x)
    pts = Points(x=x, y=y, dw=np.full(n, float(WIDTH)), rx=np.zeros(n), ry=np.zeros(n),
                 sel=np.full(n, -1, dtype=np.int32), touch=np.zeros(n, dtype=bool),
                 selectors=[])  # fmt: skip

    hm = heatmap(pts, WIDTH, HEIGHT)
    # Interleaved, best of ``repeat`` each: on a shared machine the three see the same load.
    runs: dict[str, list[float]] = {"heatmap_ms": [], "png_ms": [], "sketch_ms": []}
    for _ in range(repeat):
        for key, f in (
            ("heatmap_ms", lambda: heatmap(pts, WIDTH, HEIGHT)),
            ("png_ms", lambda: png(hm.intensity, hm.cell, WIDTH, HEIGHT)),
            ("sketch_ms", lambda: sketch(x, y, WIDTH, HEIGHT)),
        ):
            t = time.perf_counter()
            f()
            runs[key].append((time.perf_counter() - t) * 1000)
    return {k: min(v) for k, v in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="heatmap.js runs (a page each)")
    ap.add_argument("--repeat-ours", type=int, default=15, help="pageheat and sketch runs")
    args = ap.parse_args()
    x, y = clustered(args.points)
    mine = ours(x, y, args.repeat_ours)
    peer = heatmapjs(x, y, args.repeat)
    total = mine["heatmap_ms"] + mine["png_ms"]
    print(f"{args.points:,} clustered points on a {WIDTH} x {HEIGHT} page")
    print(
        f"  pageheat  heatmap {mine['heatmap_ms']:8.1f} ms + PNG {mine['png_ms']:7.1f} ms = {total:8.1f} ms"
    )
    print(
        f"  heatmap.js setData {peer['draw_ms']:7.1f} ms (+ building its objects {peer['build_ms']:.1f} ms)"
    )
    print(f"  numpy sketch       {mine['sketch_ms']:7.1f} ms (bincount, blur, clip, colour table,"
          " Pillow palette PNG)")  # fmt: skip
    print(f"  heatmap.js / pageheat: {peer['draw_ms'] / total:.1f}x (draw only),"
          f" {(peer['draw_ms'] + peer['build_ms']) / total:.1f}x (with its objects); target >= 50")  # fmt: skip
    print(f"  pageheat / numpy sketch: {total / mine['sketch_ms']:.2f}x; target <= 2")
    path = ROOT / "bench" / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results["peer"] = {"machine": f"{os.cpu_count()} cores", "points": args.points,
                       "pageheat": mine, "heatmapjs": peer,
                       "ratio": round(peer["draw_ms"] / total, 2),
                       "vs_sketch": round(total / mine["sketch_ms"], 2)}  # fmt: skip
    path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
