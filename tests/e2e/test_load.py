"""Overload on loopback: at twice the rate the server sustains, senders get 202s and, for
the rest, 429/503 with Retry-After, quickly; no request times out or is dropped, and
the server's memory stays under a stated bound (RSS_BOUND_MB).

Bounded to well under a minute: 4 s to measure the sustainable rate (closed loop: 48
senders, each waiting for its answer), 6 s at twice it (open loop: batches leave on a
clock, whatever the answers), then a check that the server still takes batches.

The load comes from a process of its own speaking HTTP/1.1 over raw asyncio sockets
with pre-built requests on keep-alive connections (as bench/ingest_bench.py does): an
HTTP client library in the test's own process, on the same two cores as the server,
could not offer twice a fast server's rate, and its requests then timed out waiting for
a connection of its pool, which is the client's overload, not the server's. Here a
request's time runs from the moment it is written to its socket to its answer's last
byte (plus the connect, when it opens a new connection), so a timeout is the server's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import multiprocessing
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.browsing import until
from tests.conftest import LiveServer

ORIGIN = "http://127.0.0.1:1"
EVENTS = 100  # per batch: a busy visitor's batch is 10-50
#: The server's resident memory must stay under this, in MB (it idles at about 150 MB
#: with DuckDB and pyarrow loaded; the queue bound keeps the rest small).
RSS_BOUND_MB = 600
#: Every answer must come well inside the tracker's own patience.
TIMEOUT_S = 10.0
#: An idle connection is not reused after this many seconds: uvicorn closes keep-alive
#: connections idle for 5 s, and a request written as it closes one would be lost by
#: that race, not by overload.
IDLE_S = 2.0


def template(key: str) -> bytes:
    t = int(time.time() * 1000)
    events = [{"k": "view", "t": t, "v": "VIEW", "url": f"{ORIGIN}/p", "path": "/p",
               "vw": 1440, "vh": 900, "dw": 1440, "dh": 3000}]  # fmt: skip
    events += [{"k": "click", "t": t + i, "v": "VIEW", "x": 10 + i, "y": 20, "vw": 1440,
                "dw": 1440, "dh": 3000, "sel": "#a", "rx": 0.5, "ry": 0.5, "tag": "a"}
               for i in range(EVENTS - 1)]  # fmt: skip
    return json.dumps({"app": key, "visitor": "VISITOR", "session": "s", "batch": "BATCH",
                       "events": events}).encode()  # fmt: skip


def body(tpl: bytes, i: int) -> bytes:
    n = str(i).encode()
    return (
        tpl.replace(b'"BATCH"', b'"b%s"' % n)
        .replace(b'"VIEW"', b'"v%s"' % n)
        .replace(b'"VISITOR"', b'"u%s"' % n)
    )


def request(tpl: bytes, i: int) -> bytes:
    """The whole HTTP/1.1 request of batch ``i``, ready to write."""
    b = body(tpl, i)
    head = (f"POST /api/v1/collect HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {len(b)}\r\n\r\n")  # fmt: skip
    return head.encode() + b


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class Connection:
    """One keep-alive connection to the server, one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.last_used = time.monotonic()

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def exchange(self, raw: bytes) -> tuple[int, dict[str, str]]:
        """Write a request, read its whole answer: (status, headers in lower case)."""
        self.writer.write(raw)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection without answering")
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if "chunked" in headers.get("transfer-encoding", ""):
            while (size := int((await self.reader.readline()).strip() or b"0", 16)) > 0:
                await self.reader.readexactly(size + 2)
            await self.reader.readline()
        else:
            await self.reader.readexactly(int(headers.get("content-length", "0")))
        self.last_used = time.monotonic()
        return int(status_line.split()[1]), headers

    def close(self) -> None:
        self.writer.close()


async def closed_loop(port: int, tpl: bytes, seconds: float, senders: int = 48) -> float:
    """Batches a second the server answers 202 to when enough senders to keep it busy
    each wait for their answer: the most it sustains."""
    done = 0
    counter = iter(range(10**9))
    deadline = time.monotonic() + seconds

    async def sender() -> None:
        nonlocal done
        conn = await Connection.open(port)
        try:
            while time.monotonic() < deadline:
                status, _ = await asyncio.wait_for(
                    conn.exchange(request(tpl, next(counter))), TIMEOUT_S
                )
                done += status == 202
        finally:
            conn.close()

    started = time.monotonic()
    await asyncio.gather(*(sender() for _ in range(senders)))
    return done / (time.monotonic() - started)


async def open_loop(port: int, tpl: bytes, rate: float, seconds: float, first: int, pid: int):
    """Send ``rate`` batches a second for ``seconds`` whatever the answers, each on an idle
    connection or a new one: the outcome of each, the Retry-After of each refusal, the
    slowest answer of each status, the rate actually offered, and the highest RSS seen."""
    outcomes: Counter[str] = Counter()
    retry_after: list[str | None] = []
    slowest: dict[str, float] = {}
    peak = [rss_mb(pid)]
    n = int(rate * seconds)
    # built before the clock starts, so that sending costs only the write
    raws = [request(tpl, first + k) for k in range(n)]
    idle: list[Connection] = [await Connection.open(port) for _ in range(64)]

    async def one(raw: bytes) -> None:
        conn = None
        while idle and conn is None:
            c = idle.pop()
            if time.monotonic() - c.last_used < IDLE_S:
                conn = c
            else:
                c.close()
        started = time.monotonic()
        try:
            async with asyncio.timeout(TIMEOUT_S):
                if conn is None:
                    conn = await Connection.open(port)
                status, headers = await conn.exchange(raw)
        except TimeoutError:
            outcomes["timeout"] += 1
            if conn is not None:
                conn.close()
            return
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            outcomes[type(exc).__name__] += 1
            if conn is not None:
                conn.close()
            return
        took = time.monotonic() - started
        slowest[str(status)] = max(slowest.get(str(status), 0.0), round(took, 3))
        outcomes[str(status)] += 1
        if status != 202:
            retry_after.append(headers.get("retry-after"))
        idle.append(conn)

    async def watch(stop: asyncio.Event) -> None:
        while not stop.is_set():
            peak.append(rss_mb(pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)

    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(stop))
    tasks = []
    start = time.monotonic()
    for k, raw in enumerate(raws):
        delay = start + k / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raw)))
    offered = n / (time.monotonic() - start)
    await asyncio.gather(*tasks)
    stop.set()
    await watcher
    for c in idle:
        c.close()
    return outcomes, retry_after, max(peak), slowest, offered


def load(phase: str, *args):
    """Run one phase of load on this (the loader) process's own event loop."""
    return asyncio.run({"closed": closed_loop, "open": open_loop}[phase](*args))


def test_twice_the_sustainable_rate_gets_retry_after_not_timeouts(tmp_path):
    server = LiveServer(tmp_path / "data", env={
        "PAGEHEAT_RATE_IP_PER_S": "0",  # one loopback address sends it all
        "PAGEHEAT_RATE_APP_PER_S": "0",
        "PAGEHEAT_MAX_QUEUE_EVENTS": "5000",
    }).start()  # fmt: skip
    # spawn, not fork: the test process may hold a browser's threads and event loop
    loader = concurrent.futures.ProcessPoolExecutor(1, multiprocessing.get_context("spawn"))
    try:
        key = server.create_app("Load", [ORIGIN])
        tpl = template(key)
        assert server.proc is not None
        pid = server.proc.pid
        sustained = loader.submit(load, "closed", server.port, tpl, 4.0).result()
        assert sustained > 5, f"only {sustained:.1f} batches/s"
        outcomes, retry_after, peak, slowest, offered = loader.submit(
            load, "open", server.port, tpl, 2 * sustained, 6.0, 10**6, pid
        ).result()
        print(f"\nsustained {sustained:.0f} batches/s ({sustained * EVENTS:.0f} events/s);"
              f" offered {offered:.0f} batches/s: {dict(outcomes)}; slowest answers (s)"
              f" {slowest}; peak RSS {peak:.0f} MB")  # fmt: skip

        assert set(outcomes) <= {"202", "429", "503"}, outcomes  # no timeout, no reset
        assert outcomes["503"] + outcomes["429"] > 0, "twice the sustainable rate was taken"
        assert outcomes["202"] > 0
        assert all(ra is not None and ra.isdigit() and int(ra) >= 1 for ra in retry_after)
        assert peak < RSS_BOUND_MB, f"peak RSS {peak:.0f} MB"
        drained = until(lambda: server.metric("pageheat_writer_queue_events") == 0, 30)
        assert drained, "the writer's queue never drained"
        with httpx.Client(base_url=server.url, timeout=TIMEOUT_S) as c:
            r = c.post("/api/v1/collect", content=body(tpl, 5), headers={"Origin": ORIGIN})
            assert r.status_code == 202
            assert c.get("/readyz").status_code == 200
    finally:
        loader.shutdown()
        server.stop()
