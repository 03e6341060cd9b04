"""What an operator's tools see: liveness, readiness, Prometheus metrics, JSON logs."""

from __future__ import annotations

import json
import logging
import time

from pageheat.collect.enrich import name_views
from pageheat.collect.protocol import build_protocol
from pageheat.store.base import Envelope
from pageheat.web.ops import JsonLines
from tests.conftest import TOKEN, metric

ORIGIN = "https://shop.example"


def _batch(key: str, visitor: str = "v1") -> bytes:
    t = int(time.time() * 1000)
    return json.dumps({"app": key, "visitor": visitor, "session": "s", "events": [
        {"k": "view", "t": t, "v": f"pv-{visitor}", "url": "https://shop.example/", "path": "/",
         "vw": 1440, "vh": 900, "dw": 1440, "dh": 3000}]}).encode()  # fmt: skip


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["status"] == "ready" and r.json()["problems"] == []


def test_readyz_is_503_while_the_writer_is_over_its_bound(ph, client):
    ph.writer.max_pending = 1
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    with ph.writer.held():  # a commit that does not end (a stalled disk)
        stored = ph.writer.submit(_envelope(key))
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["problems"] == ["1 events are waiting to be written"]
    assert stored.result(timeout=5) is True  # committed once the disk moves again
    assert client.get("/readyz").status_code == 200


def _envelope(key: str):
    events = name_views(build_protocol().decode(_batch(key)).events)
    return Envelope(app=key, batch_id=None, visitor="v", session="s", received_ms=0, sdk="t",
                    device="desktop", browser="Chrome", os="Linux", events=events)  # fmt: skip


def test_metrics_count_outcomes_queue_and_commits(ph, client):
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    h = {"Content-Type": "text/plain", "Origin": ORIGIN}
    assert client.post("/api/v1/collect", content=_batch(key), headers=h).status_code == 202
    assert client.post("/api/v1/collect", content=b"{", headers=h).status_code == 400
    assert client.post("/api/v1/collect", content=_batch("nope"), headers=h).status_code == 403
    ua = {**h, "User-Agent": "curl/8.5.0"}
    ph.meta.set_policy(key, keep_bots=False)
    assert client.post("/api/v1/collect", content=_batch(key, "b"), headers=ua).status_code == 202

    text = client.get("/metrics").text
    batches = "pageheat_collect_batches_total"
    assert metric(text, batches, endpoint="collect", outcome="accepted") == 1
    assert metric(text, batches, endpoint="collect", outcome="bad_request") == 1
    assert metric(text, batches, endpoint="collect", outcome="forbidden") == 1
    assert metric(text, batches, endpoint="collect", outcome="bot") == 1
    assert metric(text, "pageheat_collect_events_total", outcome="accepted") == 1
    assert metric(text, "pageheat_writer_queue_events") == 0
    assert metric(text, "pageheat_writer_commits_total", result="ok") >= 1
    assert metric(text, "pageheat_writer_commit_seconds_count") >= 1
    assert metric(text, "pageheat_writer_events_total") == 1
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_json_lines_log_format():
    record = logging.LogRecord("pageheat.collect", logging.WARNING, __file__, 1,
                               "commit of %d batches failed", (3,), None)  # fmt: skip
    line = json.loads(JsonLines().format(record))
    assert line["level"] == "warning" and line["logger"] == "pageheat.collect"
    assert line["msg"] == "commit of 3 batches failed"
    assert line["ts"].endswith("Z")
