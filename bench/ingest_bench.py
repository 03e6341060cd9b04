"""Events/s ingested over HTTP, every acknowledged event counted back (not a test).

    .venv/bin/python bench/ingest_bench.py [--seconds 15] [--clients 256] [--loaders 1]

A load generator in its own process(es) keeps ``clients`` keep-alive connections busy
with ``POST /api/v1/collect`` batches of 50 events (realistic page views from
``pageheat.generate``, each batch with its own id) for ``seconds``. It counts the 202s,
their events and the latency of each answer.

The baseline, in the same run: the same load against a floor server on the same stack
(uvicorn, one process) that reads each body, decodes it with msgspec and answers 202
without storing anything. pageheat's rate is printed as a share of the floor's.

Afterwards pageheat is stopped and its DuckDB file is opened: every batch that was
answered 202 must be there exactly once (``lost`` and ``doubled`` must be 0). Rate limits
are switched off for the run (they are per-address, and the load comes from one). Results
go to ``bench/results.json`` under ``ingest``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
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

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
ORIGIN = "https://shop.example"
UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
      " Chrome/126.0.0.0 Safari/537.36")  # fmt: skip
#: The target: events a second, sustained, with every acknowledged one stored once.
TARGET = 50_000
#: Seconds of the same load before each measured run, not counted: the first requests
#: pay one-off costs (the User-Agent parser compiles its patterns on its first use).
WARMUP_S = 3
#: A batch id of this many characters is swapped into each body before sending.
ID_SLOT = "#" * 16

FLOOR_APP = """
import msgspec

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["method"] == "GET":  # the start-up probe
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    body = bytearray()
    while True:
        msg = await receive()
        body += msg.get("body", b"")
        if not msg.get("more_body"):
            break
    n = len(msgspec.json.decode(bytes(body))["events"])
    out = b'{"accepted": %d, "need_snapshot": []}' % n
    await send({"type": "http.response.start", "status": 202,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(out)).encode())]})
    await send({"type": "http.response.body", "body": out})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bodies(key: str, n: int = 400) -> list[tuple[bytes, int]]:
    """Batches of 50 wire events (page views of one visitor joined), with an id slot."""
    from pageheat.generate import batches

    out: list[tuple[bytes, int]] = []
    events: list[dict] = []
    for body, _facts in batches(key, 10**9, seed=3):
        for ev in body["events"]:
            if ev["k"] == "move":
                ev["p"] = ev["p"][:5]
            events.append(ev)
            if len(events) == 50:
                batch = {"app": key, "visitor": body["visitor"], "session": body["session"],
                         "batch": ID_SLOT, "sdk": "bench/1", "events": events}  # fmt: skip
                out.append((json.dumps(batch, separators=(",", ":")).encode(), 50))
                events = []
                if len(out) == n:
                    return out
    return out


async def _client(port: int, templates, stop_at: float, prefix: str, stats: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while time.monotonic() < stop_at:
            tpl, n = templates[i % len(templates)]
            i += 1
            bid = f"{prefix}{stats['sent']:x}".rjust(16, "0")[-16:].encode()
            stats["sent"] += 1
            body = tpl.replace(ID_SLOT.encode(), bid, 1)
            head = (f"POST /api/v1/collect HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n"
                    f"User-Agent: {UA}\r\nContent-Type: text/plain\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()  # fmt: skip
            t = time.perf_counter()
            writer.write(head + body)
            status_line = await reader.readline()
            length, chunked = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                k, _, v = line.decode().partition(":")
                if k.lower() == "content-length":
                    length = int(v)
                elif k.lower() == "transfer-encoding" and "chunked" in v:
                    chunked = True
            if chunked:
                while (size := int((await reader.readline()).strip() or b"0", 16)) > 0:
                    await reader.readexactly(size + 2)
                await reader.readline()
            else:
                await reader.readexactly(length)
            stats["lat"].append(time.perf_counter() - t)
            status = int(status_line.split()[1])
            stats["status"][status] = stats["status"].get(status, 0) + 1
            if status == 202:
                stats["ok_ids"].append(bid.decode())
                stats["events"] += n
    finally:
        writer.close()


def _loader(port: int, templates, seconds: float, clients: int, tag: str, q) -> None:
    stats: dict = {"sent": 0, "events": 0, "lat": [], "status": {}, "ok_ids": []}

    async def run() -> None:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(_client(port, templates, stop_at, f"{tag}{c:02x}", stats)
                               for c in range(clients)))  # fmt: skip

    asyncio.run(run())
    q.put(stats)


def load(port: int, templates, seconds: float, clients: int, loaders: int, tag: str = "L") -> dict:
    q: mp.Queue = mp.Queue()
    per = max(1, clients // loaders)
    procs = [mp.Process(target=_loader, args=(port, templates, seconds, per, f"{tag}{i}", q))
             for i in range(loaders)]  # fmt: skip
    t = time.perf_counter()
    for p in procs:
        p.start()
    parts = [q.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - t
    lat = sorted(x for s in parts for x in s["lat"])
    status: dict[int, int] = {}
    for s in parts:
        for k, v in s["status"].items():
            status[k] = status.get(k, 0) + v
    return {
        "seconds": round(wall, 2),
        "events": sum(s["events"] for s in parts),
        "events_per_s": round(sum(s["events"] for s in parts) / seconds),
        "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
        "p99_ms": round(lat[int(len(lat) * 0.99) - 1] * 1000, 2) if lat else None,
        "status": status,
        "ok_ids": [i for s in parts for i in s["ok_ids"]],
    }


def wait_up(port: int, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=2).status_code < 500:
                return
        except (OSError, httpx.TransportError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--clients", type=int, default=256)
    ap.add_argument("--loaders", type=int, default=1)
    args = ap.parse_args()

    data = Path(tempfile.mkdtemp(prefix="pageheat-ingest-"))
    env = {**os.environ, "PAGEHEAT_DATA": str(data), "PAGEHEAT_ADMIN_TOKEN": TOKEN,
           "PAGEHEAT_RATE_IP_PER_S": "0", "PAGEHEAT_RATE_APP_PER_S": "0"}  # fmt: skip
    out = subprocess.run([sys.executable, "-m", "pageheat", "app", "create", "Bench", "--origin",
                          ORIGIN, "--data", str(data)], env=env, capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    key = json.loads(out.splitlines()[0])["key"]  # `app create` prints the app as JSON
    templates = bodies(key)

    # The floor: same load, same stack, nothing stored.
    floor_file = data / "floor_app.py"
    floor_file.write_text(FLOOR_APP)
    fport = free_port()
    floor = subprocess.Popen([sys.executable, "-m", "uvicorn", "floor_app:app", "--port", str(fport),
                              "--log-level", "warning", "--no-access-log"], cwd=data)  # fmt: skip
    try:
        wait_up(fport, "/")
        load(fport, templates, WARMUP_S, args.clients, args.loaders, "W")
        base = load(fport, templates, args.seconds, args.clients, args.loaders)
    finally:
        floor.terminate()
        floor.wait(timeout=30)

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pageheat", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_up(port)
        load(port, templates, WARMUP_S, args.clients, args.loaders, "W")
        spy = None
        if os.environ.get("PAGEHEAT_BENCH_PROFILE"):  # a flame graph of the server under load
            spy = subprocess.Popen(["py-spy", "record", "-o", os.environ["PAGEHEAT_BENCH_PROFILE"],
                                    "-d", str(int(args.seconds)), "-f", "raw", "-p", str(server.pid)])  # fmt: skip
        res = load(port, templates, args.seconds, args.clients, args.loaders)
        if spy:
            spy.wait(timeout=60)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)

    # Count back: every 202'd batch id once, none twice.
    import duckdb

    con = duckdb.connect(str(data / "events.duckdb"), read_only=True)
    stored = dict(con.execute("SELECT id, count(*) FROM batches WHERE app = ? GROUP BY id",
                              [key]).fetchall())  # fmt: skip
    con.close()
    ok = res.pop("ok_ids")
    base.pop("ok_ids")
    lost = sum(1 for i in ok if i not in stored)
    doubled = sum(1 for n in stored.values() if n > 1)
    res.update(lost=lost, doubled=doubled, batches_stored=len(stored))
    ratio = res["events_per_s"] / base["events_per_s"] if base["events_per_s"] else float("nan")
    print(f"{'':>10} {'events/s':>10} {'p50':>8} {'p99':>8}  statuses")
    print(
        f"{'floor':>10} {base['events_per_s']:>10,} {base['p50_ms']:>6.1f}ms {base['p99_ms']:>6.1f}ms  {base['status']}"
    )
    print(
        f"{'pageheat':>10} {res['events_per_s']:>10,} {res['p50_ms']:>6.1f}ms {res['p99_ms']:>6.1f}ms  {res['status']}"
    )
    print(
        f"pageheat / floor: {ratio:.2f}; acknowledged batches {len(ok):,}, lost {lost}, doubled {doubled}"
    )
    met = res["events_per_s"] >= TARGET and not lost and not doubled
    print(f"target >= {TARGET:,} events/s, none lost or doubled: {'met' if met else 'MISSED'}")
    path = ROOT / "bench" / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results["ingest"] = {"machine": f"{os.cpu_count()} cores", "clients": args.clients,
                         "floor": base, "pageheat": res, "ratio": round(ratio, 3),
                         "target_met": met}  # fmt: skip
    path.write_text(json.dumps(results, indent=2) + "\n")
    subprocess.run(["rm", "-rf", str(data)], check=False)
    if lost or doubled:
        sys.exit("acknowledged events were lost or doubled")


if __name__ == "__main__":
    main()
