"""The pictures heatmaps are drawn on: which ones a view has, which one to use, making more.

A view gets backgrounds two ways. Visitors' snapshots (the tracker sends one per page
state pageheat lacks) are rendered as soon as they arrive: they show pages the server
cannot fetch (logged in, in a cart, A/B variants) exactly as a visitor saw them. A
screenshot of the live URL is the fallback when no snapshot covers the width asked for.

All rendering runs on one worker thread that owns the Chromium, one job at a time, so a
burst of uploads or dashboard requests costs one browser. The status of each job is kept
in memory for the dashboard ("capturing", "rendering", "failed: why"); the pictures live
in the picture store (``pictures/``), what visitors did (page states, clicked selectors,
page URLs) in the event store.
"""

from __future__ import annotations

import contextlib
import io
import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from pageheat.pictures.base import Background, PictureStore
from pageheat.settings import default
from pageheat.snapshots.screenshot import Screenshotter
from pageheat.store.base import EventStore, Query, WidthRange

log = logging.getLogger(__name__)

#: Default capture widths when a width class has no page views to take a median from.
DEFAULT_WIDTHS = {"desktop": 1440, "tablet": 1024, "mobile": 390}
Key = tuple[str, str, str]


@dataclass(frozen=True)
class Timing:
    """When the service does work again (settings ``background_stale_s``,
    ``background_retry_s``, ``measure_every_s`` and ``measure_wait_s``)."""

    #: A live-page screenshot older than this is taken again when clicked elements are
    #: missing from it (a snapshot's render is measured again instead: its page cannot
    #: change).
    stale_s: float = default("background_stale_s")
    #: A failed live-page capture is not retried by mere viewing for this long (a
    #: dashboard polling an empty heatmap would otherwise start one capture after another).
    retry_s: float = default("background_retry_s")
    #: Shortest time between two measurements of one background's new selectors, and how
    #: long a heatmap request waits for one (a snapshot re-render takes about a second).
    measure_every_s: float = default("measure_every_s")
    measure_wait_s: float = default("measure_wait_s")

    @classmethod
    def from_settings(cls, s: Any) -> Timing:
        return cls(s.background_stale_s, s.background_retry_s, s.measure_every_s,
                   s.measure_wait_s)  # fmt: skip


@dataclass
class Status:
    state: str  # "capturing" | "rendering" | "failed"
    error: str | None = None
    #: Jobs of this key queued or running (two snapshots of one view render in turn).
    pending: int = 0
    since: float = 0.0


class Backgrounds:
    """``url_allowed(app, url)`` guards the live-page renderer: only pages of the app's own
    origins are pictured, so a forged page view cannot point the server's browser elsewhere."""

    def __init__(
        self,
        store: EventStore,
        pictures: PictureStore,
        shooter: Screenshotter,
        url_allowed: Callable[[str, str], bool] = lambda app, url: True,
        timing: Timing | None = None,
    ):
        self.store = store
        self.timing = timing or Timing()
        self.pictures = pictures
        self.shooter = shooter
        self.url_allowed = url_allowed
        self._status: dict[Key, Status] = {}
        self._measured: dict[str, tuple[float, Future]] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @staticmethod
    def key(query: Query) -> Key:
        """What a live-page capture is of: (app, view, width range name)."""
        return (query.app, query.view or "", query.width.name if query.width else "desktop")

    # -- which background --------------------------------------------------------------

    def available(self, query: Query) -> list[Background]:
        """The view's backgrounds whose width the query's width range covers, newest first."""
        assert query.view is not None
        bgs = self.pictures.backgrounds(query.app, query.view)
        w = query.width
        return [b for b in bgs if w is None or w.lo <= b.width <= w.hi]

    def choose(self, query: Query, bg_id: str | None = None) -> Background | None:
        """The background to draw on, with its rects: ``bg_id`` if given, else the one that
        shows the page state most page views settled in (the newest among equals)."""
        if bg_id:
            bg = self.pictures.background(bg_id)
            if bg is None or bg.app != query.app or bg.view != query.view:
                raise LookupError(f"no background {bg_id!r} of view {query.view!r}")
            w = query.width
            if w is not None and not w.lo <= bg.width <= w.hi:
                raise ValueError(
                    f"background {bg_id!r} is {bg.width} px wide, outside the width range {w.name}"
                )
            return bg
        candidates = self.available(query)
        if not candidates:
            return None
        counts = self.store.layout_counts(query)
        best = max(candidates, key=lambda b: (counts.get(b.layout_hash or "", 0), b.captured_ms))
        return self.pictures.background(best.id)

    def ensure(
        self, query: Query, selectors: list[str], bg_id: str | None = None
    ) -> Background | None:
        """The background to use, starting whatever work it still needs: a capture when
        there is none, a measurement when clicked elements were never looked for in it."""
        assert query.view is not None and query.width is not None
        bg = self.choose(query, bg_id)
        if bg is None:
            if not self._rendering(query.app, query.view):
                self.request(query, selectors)
            return None
        missing = [s for s in selectors if s not in (bg.rects or {})]
        if missing and bg.source == "snapshot" and bg.snapshot_id:
            # A snapshot's page cannot change, so its boxes are measured again now, and
            # the first look at a new element already has it anchored.
            with contextlib.suppress(Exception):
                self.measure(bg).result(timeout=self.timing.measure_wait_s)
                bg = self.pictures.background(bg.id) or bg
        elif missing and time.time() - bg.captured_ms / 1000 > self.timing.stale_s and not bg_id:
            self.request(query, selectors)
        return bg

    def status(self, query: Query) -> Status | None:
        """What is under way or went wrong for this view and width: a snapshot render
        first (it is the better picture), else the live-page capture."""
        snap = self._status.get((query.app, query.view or "", "snapshot"))
        page = self._status.get(self.key(query))
        if snap is not None and (snap.state == "rendering" or page is None):
            return snap
        return page

    def _rendering(self, app: str, view: str) -> bool:
        st = self._status.get((app, view, "snapshot"))
        return st is not None and st.state == "rendering"

    # -- making them -------------------------------------------------------------------

    def request(self, query: Query, selectors: list[str], force: bool = False) -> None:
        """Screenshot the live page (in the background); a recent failure is not retried
        unless ``force``d (someone pressed "capture now")."""
        with self._lock:
            st = self._status.get(self.key(query))
            if st is not None and st.state in ("capturing", "rendering"):
                return
            if st is not None and not force and time.monotonic() - st.since < self.timing.retry_s:
                return
        self._submit(self.key(query), "capturing", ("page", query, selectors))

    def from_snapshot(self, app: str, view: str, snap_id: str) -> None:
        """Render a newly stored snapshot (in the background)."""
        self._submit((app, view, "snapshot"), "rendering", ("snapshot", snap_id))

    def measure(self, bg: Background) -> Future:
        """Measure a snapshot background again for selectors clicked since its render;
        at most once per ``timing.measure_every_s`` (callers share the one under way)."""
        with self._lock:
            now = time.monotonic()
            last = self._measured.get(bg.id)
            every = self.timing.measure_every_s
            if last is not None and (not last[1].done() or now - last[0] < every):
                return last[1]
            done: Future = Future()
            self._measured[bg.id] = (now, done)
            self._jobs.put((None, ("measure", bg.id, done)))
        self._start()
        return done

    def _submit(self, key: Key, state: str, job: tuple) -> None:
        with self._lock:
            current = self._status.get(key)
            pending = current.pending if current and current.state == state else 0
            self._status[key] = Status(state, pending=pending + 1, since=time.monotonic())
            self._jobs.put((key, job))
        self._start()

    def _done(self, key: Key, error: str | None) -> None:
        """One job of ``key`` ended; the key is clear once all its jobs have, unless one failed."""
        with self._lock:
            st = self._status.get(key)
            if st is None:
                return
            st.pending -= 1
            if error is not None:
                st.error = error
            if st.pending <= 0:
                if st.error is None:
                    self._status.pop(key, None)
                else:
                    st.state, st.since = "failed", time.monotonic()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pageheat-backgrounds", daemon=True
                )
                self._thread.start()

    def capture_now(self, query: Query, selectors: list[str]) -> Background:
        """Screenshot the live page in the calling thread (CLI use); raises on failure."""
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
        self.pictures.save_background(bg)
        return bg

    def render_now(self, snap_id: str) -> Background:
        """Render a stored snapshot in the calling thread; raises on failure."""
        snap = self.pictures.snapshot(snap_id)
        if snap is None:
            raise LookupError(f"no snapshot {snap_id!r}")
        selectors = self.store.selectors(Query(app=snap.app, view=snap.view))
        shot = self.shooter.render_html(snap.html or "", max(1, round(snap.vw)), selectors)
        bg = Background(
            id=secrets.token_hex(8), app=snap.app, view=snap.view,
            width_class=snap.width_class, url=snap.url, width=shot.width, height=shot.height,
            captured_ms=snap.captured_ms, png=shot.png, rects=shot.rects, source="snapshot",
            layout_hash=snap.layout_hash, snapshot_id=snap.id,
        )  # fmt: skip
        self.pictures.save_background(bg)
        return bg

    def measure_now(self, bg_id: str, done: Future | None = None) -> None:
        """Render a snapshot background again and keep the boxes of every clicked selector."""
        try:
            bg = self.pictures.background(bg_id)
            snap = self.pictures.snapshot(bg.snapshot_id) if bg and bg.snapshot_id else None
            if bg is not None and snap is not None:
                selectors = self.store.selectors(Query(app=bg.app, view=bg.view))
                shot = self.shooter.render_html(snap.html or "", bg.width, selectors)
                self.pictures.save_rects(bg.id, shot.rects)
        except BaseException as exc:
            if done is not None:
                done.set_exception(exc)
            raise
        if done is not None:
            done.set_result(None)

    def _run(self) -> None:
        work = {"page": self.capture_now, "snapshot": self.render_now, "measure": self.measure_now}
        while True:
            item = self._jobs.get()
            if item is None:
                self.shooter.close()
                return
            key, (what, *args) = item
            error = None
            try:
                work[what](*args)
            except LookupError as exc:
                # Nothing to picture yet (no page view of it so far) is no failure: the
                # next look asks again, instead of waiting out timing.retry_s after the
                # first page views arrive.
                log.info("background job %s %s: %s", what, key, exc)
            except Exception as exc:
                log.warning("background job %s %s failed: %s", what, key, exc)
                error = (str(exc).splitlines() or [type(exc).__name__])[0][:300]
            if key is not None:
                self._done(key, error)
            self._jobs.task_done()

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=30)
            self._thread = None

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until no job is queued or running (tests, the demo's first start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._jobs.unfinished_tasks == 0:
                return True
            time.sleep(0.05)
        return False


def thumbnail(png: bytes, width: int = 240) -> bytes:
    """A small picture of a background for the chooser (top of the page, 3:4 at most)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        scale = width / im.width
        top = im.crop((0, 0, im.width, min(im.height, round(im.width * 4 / 3))))
        small = top.resize((width, max(1, round(top.height * scale))), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=True)
        return out.getvalue()


def _width_for(width: WidthRange | None, median_vw: int) -> int:
    if width is None:
        return median_vw or DEFAULT_WIDTHS["desktop"]
    if width.lo <= median_vw <= width.hi:
        return median_vw
    return int(DEFAULT_WIDTHS.get(width.name, max(width.lo, 320)))
