"""An acknowledged replay chunk survives a SIGKILL of the server right after its 202
(replays.sqlite in WAL with synchronous=FULL), and its retry after the restart is
stored once."""

from __future__ import annotations

import gzip
import json
import sqlite3
import threading
import time

import httpx

from tests.conftest import LiveServer

ORIGIN = "http://127.0.0.1:1"


def body(key: str, i: int) -> bytes:
    t = int(time.time() * 1000)
    events = [{"type": 4, "timestamp": t, "data": {"href": ORIGIN, "width": 1, "height": 1}},
              {"type": 3, "timestamp": t + 1, "data": {"source": 1, "pad": "x" * 2000}}]  # fmt: skip
    return gzip.compress(json.dumps({"app": key, "visitor": f"vis-{i}", "session": f"ses-{i}",
                                     "view": "pv", "seq": 0, "events": events}).encode())  # fmt: skip


def test_acknowledged_chunks_survive_sigkill_and_count_once(tmp_path):
    server = LiveServer(tmp_path / "data").start()
    key = server.create_app("Durable", [ORIGIN])
    acked: set[int] = set()
    counter = iter(range(1_000_000))
    lock = threading.Lock()
    stop = threading.Event()

    def load() -> None:
        with httpx.Client(base_url=server.url, timeout=5) as c:
            while not stop.is_set():
                with lock:
                    i = next(counter)
                try:
                    r = c.post("/api/v1/replay", content=body(key, i),
                               headers={"Origin": ORIGIN, "Content-Type": "text/plain"})  # fmt: skip
                except httpx.HTTPError:
                    return  # the server is gone: never acknowledged
                if r.status_code == 202 and r.json() == {"stored": True}:
                    with lock:
                        acked.add(i)

    threads = [threading.Thread(target=load) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # mid-load: chunks were being written
        stop.set()
        for t in threads:
            t.join(timeout=10)
        assert len(acked) >= 20, len(acked)
        con = sqlite3.connect(tmp_path / "data" / "replays.sqlite")
        stored = {int(s.removeprefix("ses-")) for (s,) in con.execute(
            "SELECT session FROM replay_chunks")}  # fmt: skip
        con.close()
        assert acked <= stored, sorted(acked - stored)
        server.start()
        with httpx.Client(base_url=server.url, timeout=10) as c:
            for i in sorted(acked)[:5]:  # a tracker's retry of an answered chunk
                r = c.post("/api/v1/replay", content=body(key, i), headers={"Origin": ORIGIN})
                assert r.json() == {"stored": False, "duplicate": True}, r.text
    finally:
        stop.set()
        server.stop()
