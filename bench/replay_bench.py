"""Event ingest with and without session replay load, and replay chunks a second
(not a test).

    .venv/bin/python bench/replay_bench.py [--seconds 10] [--clients 64] [--replay-per-s 20]

One ``pageheat serve`` (rate limits off). First the event load of ``ingest_bench`` alone
(batches of 50 events over ``clients`` keep-alive connections) for ``seconds``; then the
same event load while ``replay-per-s`` replay chunks arrive a second (20: two hundred
sessions being recorded at once, one chunk each 10 s; each chunk 10 s of a busy page,
200 rrweb events of mouse moves, scrolls and DOM mutations, about 40 KB of JSON). Replay chunks have their own
queue and writer thread (replay/writer.py), so the event rate under replay load should
stay at ≥ 90 % of the rate alone (the issue's bar). Prints both rates, their ratio and
the chunks stored a second.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_bench import ORIGIN, TOKEN, UA, WARMUP_S, bodies, free_port, load, wait_up


def chunk(key: str, n: int, rng: random.Random) -> bytes:
    """One recorder chunk: 10 s of a busy page, gzipped as the browser sends it."""
    t = int(time.time() * 1000)
    events = []
    for i in range(200):
        kind = i % 4
        if kind == 0:
            data = {"source": 1, "positions": [{"x": rng.randint(0, 1400), "y": rng.randint(0, 900),
                                                "id": rng.randint(1, 900), "timeOffset": -k * 50}
                                               for k in range(5)]}  # fmt: skip
        elif kind == 1:
            data = {"source": 3, "id": 1, "x": 0, "y": rng.randint(0, 5000)}
        else:
            data = {"source": 0, "texts": [], "attributes": [
                {"id": rng.randint(1, 900), "attributes": {"class": f"item item-{rng.randint(0, 99)}"}}],
                "removes": [], "adds": [{"parentId": rng.randint(1, 900), "nextId": None, "node": {
                    "type": 2, "tagName": "li", "attributes": {"class": "row"}, "childNodes": [
                        {"type": 3, "textContent": f"Row {rng.randint(0, 10**6)}", "id": 10**5 + i}],
                    "id": 10**5 + 1000 + i}}]}  # fmt: skip
        events.append({"type": 3, "timestamp": t + i * 50, "data": data})
    body = {"app": key, "sdk": "bench/1", "visitor": f"vis{n}", "session": f"s{n}",
            "view": f"v{n}", "seq": 0, "events": events}  # fmt: skip
    return gzip.compress(json.dumps(body, separators=(",", ":")).encode(), 6)


def _replay_loader(port: int, key: str, seconds: float, per_s: float, q) -> None:
    """Posts ``per_s`` chunks a second (each a new session) for ``seconds``, made
    beforehand so the loader's own gzip does not compete with the server for the CPU."""
    rng = random.Random(7)
    n = int(seconds * per_s) + 1
    made = [chunk(key, i, rng) for i in range(n)]
    stats = {"stored": 0, "status": {}, "bytes": 0}

    async def one(c: httpx.AsyncClient, body: bytes) -> None:
        r = await c.post(
            "/api/v1/replay",
            content=body,
            headers={"Origin": ORIGIN, "User-Agent": UA, "Content-Type": "text/plain"},
        )
        stats["status"][r.status_code] = stats["status"].get(r.status_code, 0) + 1
        if r.status_code == 202:
            stats["stored"] += 1
            stats["bytes"] += len(body)

    async def run() -> None:
        start = time.monotonic()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            tasks = []
            for i, body in enumerate(made):
                await asyncio.sleep(max(0.0, start + i / per_s - time.monotonic()))
                tasks.append(asyncio.create_task(one(c, body)))
            await asyncio.gather(*tasks)

    asyncio.run(run())
    q.put(stats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--replay-per-s", type=float, default=20.0)
    args = ap.parse_args()

    data = Path(tempfile.mkdtemp(prefix="pageheat-replay-bench-"))
    env = {**os.environ, "PAGEHEAT_DATA": str(data), "PAGEHEAT_ADMIN_TOKEN": TOKEN,
           "PAGEHEAT_RATE_IP_PER_S": "0", "PAGEHEAT_RATE_APP_PER_S": "0"}  # fmt: skip
    out = subprocess.run([sys.executable, "-m", "pageheat", "app", "create", "Bench", "--origin",
                          ORIGIN, "--data", str(data)], env=env, capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    key = json.loads(out.splitlines()[0])["key"]
    templates = bodies(key)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pageheat", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_up(port)
        load(port, templates, WARMUP_S, args.clients, 1, "W")
        alone = load(port, templates, args.seconds, args.clients, 1, "A")
        q: mp.Queue = mp.Queue()
        rec = mp.Process(target=_replay_loader,
                         args=(port, key, args.seconds + 2, args.replay_per_s, q))  # fmt: skip
        rec.start()
        time.sleep(2)  # the replay load is running (its chunks made) before the events' clock
        loaded = load(port, templates, args.seconds, args.clients, 1, "B")
        replay = q.get()
        rec.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
    ratio = loaded["events_per_s"] / alone["events_per_s"] if alone["events_per_s"] else 0.0
    result = {
        "events_per_s_alone": alone["events_per_s"],
        "events_per_s_with_replay": loaded["events_per_s"],
        "ratio": round(ratio, 3),
        "replay_chunks_per_s": round(replay["stored"] / (args.seconds + 2), 1),
        "replay_kb_per_s": round(replay["bytes"] / 1024 / (args.seconds + 2), 1),
        "replay_status": replay["status"],
        "event_status": loaded["status"],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
