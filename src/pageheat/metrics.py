"""Prometheus metrics of one pageheat process, through ``prometheus-client``.

Each :class:`~pageheat.app.Pageheat` holds one (``ph.metrics``), with a registry of its own (not the library's global
one): tests build many instances in one process, and a global registry refuses a second
metric of the same name. What is counted is what an operator asks when the dashboard
looks thin or the server looks hot: how many batches and events came in and why some
were refused, how deep the writer's queue is, and how long commits take.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

if TYPE_CHECKING:
    from pageheat.collect.writer import Writer

#: Every ``outcome`` label a collect request ends with (docs/protocol.md lists them).
OUTCOMES = (
    "accepted",  # 202, stored
    "duplicate",  # 202, a retried batch already stored
    "bot",  # 202, dropped: a bot, crawler, headless browser or HTTP library
    "bad_request",  # 400
    "forbidden",  # 403: unknown app or origin
    "too_large",  # 413
    "unsupported",  # 415: content type or encoding
    "rate_limited_ip",  # 429
    "rate_limited_app",  # 429
    "overloaded",  # 503: the writer's queue is full
    "unavailable",  # 503: the store refused the commit
)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self, writer: Writer):
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.batches = Counter(
            "pageheat_collect_batches",
            "Collect requests by outcome (accepted, duplicate, bot, or why refused).",
            ["endpoint", "outcome"],
            registry=r,
        )
        self.events = Counter(
            "pageheat_collect_events",
            "Events in collect requests by outcome (refusals before decoding have none).",
            ["outcome"],
            registry=r,
        )
        self.commit_seconds = Histogram(
            "pageheat_writer_commit_seconds",
            "Time one group commit of the writer takes.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=r,
        )
        self.commits = Counter(
            "pageheat_writer_commits", "Group commits by result.", ["result"], registry=r
        )
        self.committed_events = Counter(
            "pageheat_writer_events", "Events written by the writer.", registry=r
        )
        Gauge(
            "pageheat_writer_queue_events",
            "Events waiting for a commit (backpressure answers 503 above the bound).",
            registry=r,
        ).set_function(lambda: writer.pending)
        Gauge(
            "pageheat_writer_queue_batches", "Batches waiting for a commit.", registry=r
        ).set_function(lambda: writer.depth)
        Gauge(
            "pageheat_writer_queue_limit_events",
            "The max_queue_events setting (0: no bound).",
            registry=r,
        ).set(writer.max_pending)
        writer.observers.append(self._observe_commit)

    def _observe_commit(self, seconds: float, batches: int, events: int, ok: bool) -> None:
        self.commit_seconds.observe(seconds)
        self.commits.labels("ok" if ok else "failed").inc()
        if ok:
            self.committed_events.inc(events)

    def collected(self, endpoint: str, outcome: str, events: int | None = None) -> None:
        self.batches.labels(endpoint, outcome).inc()
        if events:
            self.events.labels(outcome).inc(events)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
