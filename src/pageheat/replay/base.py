"""What every replay store offers: the :class:`ReplayStore` protocol and the chunk that
crosses it.

The embedded default (``sqlite.py``) is the one implementation today; a ClickHouse one
for scale-out goes beside it and must pass the same contract suite
(tests/replay/test_store_contract.py, parametrised by backend). A store is also an
:class:`~pageheat.appdata.AppData`, so deleting an app and retention reach it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Chunk:
    """One replay chunk as kept: who and where it belongs, the span of its events' own
    times (``first_ms``..``last_ms``, the browser's clock), when the server took it
    (``received_ms``, the server's clock: what retention goes by) and the envelope as
    gzip (``protocol.events_of`` reads the events back)."""

    app: str
    session: str
    view: str
    seq: int
    visitor: str
    first_ms: int
    last_ms: int
    received_ms: int
    events: int
    gzipped: bytes
    #: When its last full snapshot (rrweb type 2) was taken, if it has one: where a
    #: player may start (``ReplayStore.events``'s ``from_ms``).
    snap_ms: int | None = None


class ReplayStore(Protocol):
    def save(self, chunks: Sequence[Chunk]) -> list[bool]:
        """Keep chunks durably in one commit (an answered chunk survives a crash); per
        chunk, False when (app, session, view, seq) was there already (a retry: kept
        once, the first one wins)."""

    def session_bytes(self, app: str, session: str) -> int:
        """Stored bytes of one session's replay (its cap, ``replay_session_max_bytes``)."""

    def events(
        self, app: str, session: str, from_ms: int | None = None, to_ms: int | None = None
    ) -> list[dict[str, Any]]:
        """A session's rrweb events in time order (chunks in (time, view, seq) order,
        events stably by ``timestamp``). With ``from_ms`` it starts at the last full
        snapshot (rrweb type 2, with the meta event before it) at or before ``from_ms``,
        so a player can build the page there without reading the session whole; with
        ``to_ms`` it ends at events stamped up to ``to_ms``. [] when there is none."""

    def with_replay(self, app: str, sessions: Iterable[str]) -> set[str]:
        """Which of these sessions have a replay (a sessions list's ``has_replay``)."""

    def span(self, app: str, session: str) -> tuple[int, int] | None:
        """(first event ms, last event ms) of a session's replay, None when it has none:
        a player opened at "t ms after the start" needs them before its first window,
        and each store answers from the chunk spans it keeps, without reading chunks."""

    def forget_visitor(self, app: str, visitor: str) -> dict[str, int]:
        """Delete one visitor id's replays in an app; rows deleted per table."""

    def delete_app(self, app: str) -> dict[str, int]:
        """Delete every replay of an app; rows deleted per table."""

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        """Delete an app's chunks received before ``before_ms``; rows deleted per table."""

    def count(self, app: str | None = None) -> int:
        """Chunks kept (of one app, or all): for tests, metrics and ``pageheat`` info."""

    def close(self) -> None: ...


#: rrweb's event types this side needs to know: a full snapshot, and the meta event
#: (page URL and size) that rrweb emits just before each.
FULL_SNAPSHOT = 2
META = 4


def cut(
    events: list[dict[str, Any]], from_ms: int | None, to_ms: int | None
) -> list[dict[str, Any]]:
    """Events in time order, from the last full snapshot at or before ``from_ms`` (and
    its meta event) to ``to_ms``: the part of :meth:`ReplayStore.events` every backend
    shares, once it has the chunks that overlap the span."""
    events = sorted(events, key=lambda e: e["timestamp"])
    if to_ms is not None:
        events = [e for e in events if e["timestamp"] <= to_ms]
    if from_ms is not None:
        start = 0
        for i, e in enumerate(events):
            if e["timestamp"] > from_ms:
                break
            if e["type"] == FULL_SNAPSHOT:
                start = i - 1 if i and events[i - 1]["type"] == META else i
        events = events[start:]
    return events


__all__ = ["FULL_SNAPSHOT", "META", "Chunk", "ReplayStore", "cut"]
