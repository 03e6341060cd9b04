"""Keeps a background for every (app, view, width class) someone looks at.

Captures run on one worker thread that owns the Chromium, one at a time, so a burst of
dashboard requests costs one browser. The status of each key is kept in memory for the
dashboard ("capturing", "failed: why"); the pictures themselves live in the event store.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from pageheat.snapshots.screenshot import Screenshotter
from pageheat.store.base import Background, EventStore, Query, WidthRange

log = logging.getLogger(__name__)

#: Default capture widths when a width class has no page views to take a median from.
DEFAULT_WIDTHS = {"desktop": 1440, "tablet": 1024, "mobile": 390}
#: A background older than this is captured again when clicked elements are missing from it.
STALE_MS = 10 * 60 * 1000

Key = tuple[str, str, str]


@dataclass
class Status:
    state: str  # "capturing" | "failed"
    error: str | None = None


class Backgrounds:
    """``url_allowed(app, url)`` guards the renderer: only pages of the app's own origins
    are pictured, so a forged page view cannot point the server's browser elsewhere."""

    def __init__(
        self,
        store: EventStore,
        shooter: Screenshotter,
        url_allowed: Callable[[str, str], bool] = lambda app, url: True,
    ):
        self.store = store
        self.shooter = shooter
        self.url_allowed = url_allowed
        self._status: dict[Key, Status] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @staticmethod
    def key(query: Query) -> Key:
        """What a background is of: (app, view, width class); one spelling for all uses."""
        return (query.app, query.view or "", query.width.name if query.width else "desktop")

    def status(self, query: Query) -> Status | None:
        return self._status.get(self.key(query))

    def ensure(self, query: Query, selectors: list[str], force: bool = False) -> Background | None:
        """The current background, starting a capture when there is none, it is stale or asked."""
        assert query.view is not None and query.width is not None
        bg = self.store.background(*self.key(query))
        missing = (
            bg is not None and bg.rects is not None and any(s not in bg.rects for s in selectors)
        )
        stale = bg is not None and missing and time.time() * 1000 - bg.captured_ms > STALE_MS
        if bg is None or stale or force:
            self.request(query, selectors)
        return bg

    def request(self, query: Query, selectors: list[str]) -> None:
        key = self.key(query)
        with self._lock:
            current = self._status.get(key)
            if current and current.state == "capturing":
                return
            self._status[key] = Status("capturing")
            self._jobs.put((key, query, selectors))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pageheat-backgrounds", daemon=True
                )
                self._thread.start()

    def capture_now(self, query: Query, selectors: list[str]) -> Background:
        """Capture in the calling thread (CLI use); raises on failure."""
        sample = self.store.view_sample(query)
        if sample is None:
            raise LookupError(f"no page views of {query.view!r} to picture")
        if not self.url_allowed(query.app, sample["url"]):
            raise PermissionError(f"{sample['url']} is not on one of the app's origins")
        width = _width_for(query.width, sample["vw"])
        shot = self.shooter.capture(sample["url"], width, selectors)
        bg = Background(
            id=secrets.token_hex(8), app=query.app, view=query.view or "",
            width_class=self.key(query)[2], url=sample["url"],
            width=shot.width, height=shot.height, captured_ms=int(time.time() * 1000),
            png=shot.png, rects=shot.rects,
        )  # fmt: skip
        self.store.save_background(bg)
        return bg

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                self.shooter.close()
                return
            key, query, selectors = item
            try:
                self.capture_now(query, selectors)
                self._status.pop(key, None)
            except Exception as exc:
                log.warning("background of %s failed: %s", key, exc)
                self._status[key] = Status("failed", str(exc).splitlines()[0][:300])

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=30)
            self._thread = None


def _width_for(width: WidthRange | None, median_vw: int) -> int:
    if width is None:
        return median_vw or DEFAULT_WIDTHS["desktop"]
    if width.lo <= median_vw <= width.hi:
        return median_vw
    return int(DEFAULT_WIDTHS.get(width.name, max(width.lo, 320)))
