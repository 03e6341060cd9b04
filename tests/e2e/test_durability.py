"""An acknowledged batch is never lost, even when the server is killed with SIGKILL right
after answering 202, and a retried batch is never counted twice."""

from __future__ import annotations

import json
import threading
import time

import httpx

from tests.conftest import LiveServer

ORIGIN = "http://127.0.0.1:1"


def _batch(key: str, i: int) -> dict:
    t = int(time.time() * 1000)
    v = f"view-{i}"
    return {
        "app": key, "sdk": "test/1", "batch": f"batch-{i}", "visitor": f"vis-{i}",
        "session": f"ses-{i}",
        "events": [
            {"k": "view", "t": t, "v": v, "url": f"{ORIGIN}/b/{i}", "path": f"/b/{i}",
            "name": f"b-{i}", "vw": 1440, "vh": 900, "dw": 1440, "dh": 2000},
            *[{"k": "click", "t": t + 1, "v": v, "x": 10 + j, "y": 20, "vw": 1440, "dw": 1440,
               "dh": 2000, "sel": "#b", "rx": 0.5, "ry": 0.5, "tag": "button"} for j in range(2)],
        ],
    }  # fmt: skip


def _views(server: LiveServer, key: str) -> dict[str, dict]:
    with server.api() as c:
        r = c.get(f"/api/v1/apps/{key}/views", params={"width": "0-1000000"})
        r.raise_for_status()
        return {v["name"]: v for v in r.json()["views"]}


def test_acknowledged_batches_survive_sigkill_and_count_once(tmp_path):
    server = LiveServer(tmp_path / "data").start()
    key = server.create_app("Durable", [ORIGIN])
    acked: set[int] = set()
    counter = iter(range(1_000_000))
    lock = threading.Lock()
    try:
        for _round in range(3):
            stop = threading.Event()

            def load(url: str = server.url, stop: threading.Event = stop) -> None:
                with httpx.Client(base_url=url, timeout=5) as c:
                    while not stop.is_set():
                        with lock:
                            i = next(counter)
                        try:
                            r = c.post("/api/v1/collect", content=json.dumps(_batch(key, i)),
                                       headers={"Origin": ORIGIN})  # fmt: skip
                        except httpx.HTTPError:
                            return  # the server is gone: this batch was never acknowledged
                        if r.status_code == 202:
                            with lock:
                                acked.add(i)

            threads = [threading.Thread(target=load) for _ in range(4)]
            for t in threads:
                t.start()
            # kill right after an acknowledgement, while others are in flight
            before = len(acked)
            deadline = time.monotonic() + 10
            while len(acked) < before + 40 and time.monotonic() < deadline:
                time.sleep(0.001)
            server.kill()
            stop.set()
            for t in threads:
                t.join()
            server.start()

        assert len(acked) >= 120
        views = _views(server, key)
        missing = [i for i in acked if f"b-{i}" not in views]
        assert not missing, f"{len(missing)} acknowledged batches lost: {missing[:10]}"

        # every acknowledged batch once; resend a few acknowledged ones: still once
        with httpx.Client(base_url=server.url, timeout=5) as c:
            for i in sorted(acked)[:5]:
                r = c.post("/api/v1/collect", content=json.dumps(_batch(key, i)),
                           headers={"Origin": ORIGIN})  # fmt: skip
                assert r.status_code == 202 and r.json().get("duplicate") is True
        views = _views(server, key)
        for i in acked:
            assert views[f"b-{i}"]["page_views"] == 1
            assert views[f"b-{i}"]["clicks"] == 2
    finally:
        server.stop()
