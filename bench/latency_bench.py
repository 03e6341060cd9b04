"""Heatmap latency as the data grows, over HTTP, against in-memory floors (not a test).

    .venv/bin/python bench/latency_bench.py [--events 1e6,1e7] [--repeat 7]

For each size: ``pageheat generate`` fills a fresh DuckDB file with realistic traffic,
``pageheat serve`` starts on it in its own process, and the client times
``GET /api/v1/apps/KEY/heatmap`` of the busiest view at the desktop width (JSON and PNG):
the first answer after start (cold) and the median of the next ``repeat`` (warm), plus a
filtered one (browser=Firefox). The server's peak RSS is read from /proc.

The baseline of each size, in the same run: ``numpy.bincount`` of the same points in
memory (the physical floor of gridding them), printed as the ratio heatmap / floor;
growth is each size's warm time over the first size's. Results are appended to
``bench/results.json`` under ``latency``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PAGEHEAT = [sys.executable, "-m", "pageheat"]
TOKEN = "bench-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(client: httpx.Client, url: str, params: dict) -> float:
    t = time.perf_counter()
    r = client.get(url, params=params)
    dt = time.perf_counter() - t
    r.raise_for_status()
    return dt * 1000


def floor_ms(data: Path, key: str, repeat: int) -> tuple[float, int]:
    """numpy.bincount over the view's click points, read once from the store."""
    from pageheat.store.base import Query, WidthRange
    from pageheat.store.duckdb import DuckDBStore

    store = DuckDBStore(data / "events.duckdb")
    try:
        pts = store.points(Query(app=key, view="/", width=WidthRange.parse("desktop")))
    finally:
        store.close()
    x, y = np.asarray(pts.x), np.asarray(pts.y)
    cell, cols = 10, 200
    flat = (y // cell).astype(np.intp) * cols + np.clip(x // cell, 0, cols - 1).astype(np.intp)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        np.bincount(flat, minlength=int(flat.max(initial=0)) + 1)
        times.append((time.perf_counter() - t) * 1000)
    return min(times), len(x)


def one_size(events: int, repeat: int) -> dict:
    data = Path(tempfile.mkdtemp(prefix=f"pageheat-bench-{events}-"))
    env = {**os.environ, "PAGEHEAT_DATA": str(data), "PAGEHEAT_ADMIN_TOKEN": TOKEN,
           "PYTHONPATH": str(ROOT / "src")}  # fmt: skip
    t = time.perf_counter()
    out = subprocess.run([*PAGEHEAT, "generate", "--events", str(events)], env=env,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    gen_s = time.perf_counter() - t
    key = out.split("app ", 1)[1].split(":", 1)[0]
    port = free_port()
    server = subprocess.Popen([*PAGEHEAT, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=600,
                          headers={"Authorization": f"Bearer {TOKEN}"}) as c:  # fmt: skip
            deadline = time.monotonic() + 60
            while True:
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("pageheat serve did not start")
                time.sleep(0.2)
            url = f"/api/v1/apps/{key}/heatmap"
            q = {"view": "/", "width": "desktop"}
            res: dict = {"events": events, "generate_s": round(gen_s, 1)}
            res["json_cold_ms"] = timed(c, url, q)
            res["json_warm_ms"] = statistics.median(timed(c, url, q) for _ in range(repeat))
            png = {**q, "format": "png"}
            res["png_warm_ms"] = statistics.median(timed(c, url, png) for _ in range(repeat))
            filt = {**q, "browser": "Firefox"}
            res["json_filtered_ms"] = statistics.median(timed(c, url, filt) for _ in range(repeat))
            res["peak_rss_mb"] = round(peak_rss_mb(server.pid), 1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    res["floor_ms"], res["points"] = floor_ms(data, key, repeat)
    subprocess.run(["rm", "-rf", str(data)], check=False)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", default="1e6,1e7", help="comma-separated sizes")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.events.split(",")]
    rows = [one_size(n, args.repeat) for n in sizes]
    first = rows[0]["json_warm_ms"]
    print(f"{'events':>12} {'points':>10} {'json cold':>10} {'json warm':>10} {'png warm':>9}"
          f" {'filtered':>9} {'floor':>8} {'warm/floor':>10} {'growth':>7} {'RSS MB':>7}")  # fmt: skip
    for r in rows:
        print(f"{r['events']:>12,} {r['points']:>10,} {r['json_cold_ms']:>8.0f}ms"
              f" {r['json_warm_ms']:>8.1f}ms {r['png_warm_ms']:>7.1f}ms {r['json_filtered_ms']:>7.1f}ms"
              f" {r['floor_ms']:>6.2f}ms {r['json_warm_ms'] / r['floor_ms']:>9.0f}x"
              f" {r['json_warm_ms'] / first:>6.1f}x {r['peak_rss_mb']:>7.0f}")  # fmt: skip
    path = ROOT / "bench" / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results["latency"] = {"machine": f"{os.cpu_count()} cores", "rows": rows}
    path.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
