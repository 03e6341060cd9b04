"""The single writer: group commit between the collector and the event store.

Requests hand their batch to :meth:`Writer.submit` and wait for the future. One thread
takes everything waiting, up to ``commit_rows`` events or ``commit_interval_ms`` after the
first of them arrived, and writes it in one store transaction. The interval runs from the
arrival, not from when the writer gets to the batch: under load, batches that waited
through the last commit go into the next one at once instead of waiting the interval
again (a tenth of the writer's time at full load, docs/performance.md). One commit for many requests is
what makes "answer only after it is durable" cheap (docs/architecture.md, Durability).

The queue is bounded by the events waiting in it (``max_pending``): past it,
:meth:`Writer.submit` raises :class:`Overloaded` at once and the collector answers 503
with ``Retry-After``, so a flood costs the senders a retry instead of costing the
server its memory.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager

from pageheat.store.base import Envelope, EventStore

log = logging.getLogger(__name__)

_STOP = object()


class WriterClosed(RuntimeError):
    pass


class Overloaded(RuntimeError):
    """More events are waiting for the writer than ``max_pending``: come back later."""


class Writer:
    def __init__(
        self,
        store: EventStore,
        interval_ms: int = 50,
        max_rows: int = 5000,
        max_pending: int = 0,
    ):
        self.store = store
        self.interval = interval_ms / 1000
        self.max_rows = max_rows
        #: Events that may wait at once (0: no bound).
        self.max_pending = max_pending
        self._queue: queue.Queue = queue.Queue()
        self._closed = False
        self._pending = 0
        self._pending_lock = threading.Lock()
        #: Held by each commit, and by :meth:`held` to keep commits from starting.
        self._commit_lock = threading.Lock()
        self.commits = 0
        #: When the last commit ended (monotonic) and whether it failed: what /readyz reads.
        self.last_commit_s: float | None = None
        self.last_error: str | None = None
        #: Called after each commit with (seconds it took, batches, events, ok).
        self.observers: list[Callable[[float, int, int, bool], None]] = []
        self._thread = threading.Thread(target=self._run, name="pageheat-writer", daemon=True)
        self._thread.start()

    def submit(self, envelope: Envelope) -> Future[bool]:
        """Queue a batch; the future is True once stored, False if it was a retry."""
        if self._closed:
            raise WriterClosed("the writer is closed")
        n = len(envelope.events)
        with self._pending_lock:
            # one batch always gets in: a bound below a batch's size must not block all
            if self.max_pending and self._pending and self._pending + n > self.max_pending:
                raise Overloaded(f"{self._pending} events are waiting to be written")
            self._pending += n
        fut: Future[bool] = Future()
        self._queue.put((envelope, fut, time.monotonic()))
        return fut

    @contextmanager
    def held(self) -> Iterator[None]:
        """No commit runs while the block does (it starts once the commit under way, if
        any, has ended): batches keep queuing and, past ``max_pending``, are refused with
        :class:`Overloaded`, exactly as while the disk is slow. A public handle on that
        state, so that what the collector, /readyz and /metrics do under a stalled store
        can be shown (tests/collect/test_guard.py, tests/web/test_ops.py) without reaching
        into the store's locks. Not to be held across :meth:`close`, which waits for the
        last commit."""
        with self._commit_lock:
            yield

    @property
    def depth(self) -> int:
        """Batches waiting for a commit."""
        return self._queue.qsize()

    @property
    def pending(self) -> int:
        """Events waiting for a commit (the backpressure bound counts these)."""
        return self._pending

    @property
    def overloaded(self) -> bool:
        return bool(self.max_pending) and self._pending >= self.max_pending

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._closed

    def close(self) -> None:
        """Commit what is waiting, then stop."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            group = [first[:2]]
            rows = len(first[0].events)
            deadline = first[2] + self.interval
            while rows < self.max_rows:
                remaining = deadline - time.monotonic()
                try:
                    item = (
                        self._queue.get(timeout=max(remaining, 0))
                        if remaining > 0
                        else (self._queue.get_nowait())
                    )
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                group.append(item[:2])
                rows += len(item[0].events)
            self._commit(group)

    def _commit(self, group: list) -> None:
        events = sum(len(env.events) for env, _ in group)
        started = time.monotonic()
        try:
            with self._commit_lock:
                fresh = self.store.write([env for env, _ in group])
        except Exception as exc:  # the store refused: every waiting request learns it
            log.exception("commit of %d batches failed", len(group))
            self._done(started, len(group), events, str(exc) or type(exc).__name__)
            for _, fut in group:
                fut.set_exception(exc)
            return
        self.commits += 1
        self._done(started, len(group), events, None)
        for (_, fut), new in zip(group, fresh, strict=True):
            fut.set_result(new)

    def _done(self, started: float, batches: int, events: int, error: str | None) -> None:
        ended = time.monotonic()
        with self._pending_lock:
            self._pending -= events
        self.last_commit_s, self.last_error = ended, error
        for observe in self.observers:
            try:
                observe(ended - started, batches, events, error is None)
            except Exception:  # a metrics hook must never stop the writer
                log.exception("commit observer failed")
