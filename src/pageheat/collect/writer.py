"""The single writer: group commit between the collector and the event store.

Requests hand their batch to :meth:`Writer.submit` and wait for the future. One thread
takes everything waiting, up to ``commit_rows`` events or ``commit_interval_ms`` after the
first arrival, and writes it in one store transaction. One commit for many requests is
what makes "answer only after it is durable" cheap (DESIGN.md, event store).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future

from pageheat.store.base import Envelope, EventStore

log = logging.getLogger(__name__)

_STOP = object()


class WriterClosed(RuntimeError):
    pass


class Writer:
    def __init__(self, store: EventStore, interval_ms: int = 50, max_rows: int = 5000):
        self.store = store
        self.interval = interval_ms / 1000
        self.max_rows = max_rows
        self._queue: queue.Queue = queue.Queue()
        self._closed = False
        self.commits = 0
        self._thread = threading.Thread(target=self._run, name="pageheat-writer", daemon=True)
        self._thread.start()

    def submit(self, envelope: Envelope) -> Future[bool]:
        """Queue a batch; the future is True once stored, False if it was a retry."""
        if self._closed:
            raise WriterClosed("the writer is closed")
        fut: Future[bool] = Future()
        self._queue.put((envelope, fut))
        return fut

    @property
    def depth(self) -> int:
        return self._queue.qsize()

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
            group = [first]
            rows = len(first[0].events)
            deadline = time.monotonic() + self.interval
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
                group.append(item)
                rows += len(item[0].events)
            self._commit(group)

    def _commit(self, group: list) -> None:
        try:
            fresh = self.store.write([env for env, _ in group])
        except Exception as exc:  # the store refused: every waiting request learns it
            log.exception("commit of %d batches failed", len(group))
            for _, fut in group:
                fut.set_exception(exc)
            return
        self.commits += 1
        for (_, fut), new in zip(group, fresh, strict=True):
            fut.set_result(new)
