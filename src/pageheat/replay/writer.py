"""The replay chunks' own queue and thread, beside the event writer.

A chunk is tens of KB and an SQLite commit with ``synchronous=FULL`` costs an fsync:
written on the event writer's thread, recording would slow the heatmaps' ingest. So
chunks wait here, and one thread commits whatever has gathered (up to ``max_chunks`` a
commit) in one transaction, then answers each waiting request (202 only once stored).

The queue is bounded by the bytes waiting (``replay_queue_bytes``): past it
:meth:`ReplayWriter.submit` raises :class:`~pageheat.collect.writer.Overloaded` at once
and the collector answers 503 with ``Retry-After``; the recorder keeps the chunk and
sends it again.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future

from pageheat.collect.writer import Overloaded, WriterClosed
from pageheat.replay.base import Chunk, ReplayStore

log = logging.getLogger(__name__)

_STOP = object()


class ReplayWriter:
    def __init__(self, store: ReplayStore, max_bytes: int = 0, max_chunks: int = 200):
        self.store = store
        #: Bytes that may wait at once (0: no bound).
        self.max_bytes = max_bytes
        self.max_chunks = max_chunks
        self._queue: queue.Queue = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self._closed = False
        self.commits = 0
        self._thread = threading.Thread(target=self._run, name="pageheat-replay", daemon=True)
        self._thread.start()

    def submit(self, chunk: Chunk) -> Future[bool]:
        """Queue a chunk; the future is True once stored, False if it was a retry."""
        if self._closed:
            raise WriterClosed("the replay writer is closed")
        n = len(chunk.gzipped)
        with self._lock:
            # one chunk always gets in: a bound below a chunk's size must not block all
            if self.max_bytes and self._pending and self._pending + n > self.max_bytes:
                raise Overloaded(f"{self._pending} bytes of replay are waiting to be written")
            self._pending += n
        fut: Future[bool] = Future()
        self._queue.put((chunk, fut))
        return fut

    @property
    def pending(self) -> int:
        """Bytes waiting for a commit (what the bound counts)."""
        return self._pending

    @property
    def overloaded(self) -> bool:
        return bool(self.max_bytes) and self._pending >= self.max_bytes

    def close(self) -> None:
        """Commit what is waiting, then stop."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            group = [first]
            stopping = False
            while len(group) < self.max_chunks:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                group.append(item)
            self._commit(group)
            if stopping:
                return

    def _commit(self, group: list[tuple[Chunk, Future[bool]]]) -> None:
        try:
            fresh = self.store.save([c for c, _ in group])
        except Exception as exc:  # the store refused: every waiting request learns it
            log.exception("commit of %d replay chunks failed", len(group))
            self._release(group)
            for _, fut in group:
                fut.set_exception(exc)
            return
        self.commits += 1
        self._release(group)
        for (_, fut), new in zip(group, fresh, strict=True):
            fut.set_result(new)

    def _release(self, group: list[tuple[Chunk, Future[bool]]]) -> None:
        with self._lock:
            self._pending -= sum(len(c.gzipped) for c, _ in group)


__all__ = ["ReplayWriter"]
