"""The picture store protocol: snapshots, backgrounds and element boxes.

Pictures are not events. They are few, large (a full-page PNG is hundreds of kilobytes)
and written once, and every ``pageheat serve`` process must see the same ones: a
snapshot uploaded to one collector is rendered by whichever process holds the browser,
and its background is read by every dashboard. So they live in a store of their own,
beside the metadata (SQLite by default, PostgreSQL in scale-out), as binary, while the
event store (DuckDB, ClickHouse) keeps only events. ``tests/pictures/test_contract.py``
runs one suite on each setup.

The one place both meet is "which page states still need a snapshot": the event store
knows the states visitors saw (their ``layout`` events), the picture store which of
them it has (:meth:`PictureStore.without_snapshot`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pageheat.store.base import EventStore, PageState

#: An element's box in a background's page pixels: x, y, width, height.
Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Background:
    """A picture of a view at one width: a full-page PNG and its elements' boxes.

    ``source`` is ``page`` for a screenshot of the live URL and ``snapshot`` for a render
    of a visitor's DOM snapshot, which also names its page state (``layout_hash``).
    ``rects`` maps every selector measured to its box; ``(0, 0, 0, 0)`` means measured
    and not there. It is None when the background was read without them.
    """

    id: str
    app: str
    view: str
    width_class: str
    url: str
    width: int
    height: int
    captured_ms: int
    png: bytes | None = None
    rects: dict[str, Rect] | None = None
    source: str = "page"
    layout_hash: str | None = None
    snapshot_id: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """A visitor's DOM snapshot of a page state, kept as sanitised static HTML."""

    id: str
    app: str
    view: str
    width_class: str
    layout_hash: str
    url: str
    vw: float
    dw: float
    dh: float
    captured_ms: int
    html: str | None = None


class PictureStore(Protocol):
    """What pageheat needs from a place that keeps pictures (and
    :class:`~pageheat.appdata.AppData`: deleting an app, expiring by age)."""

    # -- snapshots ---------------------------------------------------------------------

    def save_snapshot(self, snap: Snapshot) -> bool:
        """Keep a snapshot; False (and nothing kept) if its page state (app, view, width
        class, layout hash) already has one. Decided by the database, so two processes
        receiving the same state at once keep one."""

    def snapshot(self, snap_id: str) -> Snapshot | None:
        """One snapshot with its HTML."""

    def without_snapshot(self, app: str, states: Sequence[PageState]) -> list[PageState]:
        """The states (the event store's ``layout_states``) that have no snapshot yet,
        each with ``known`` set to the number of states of its view and width class that
        have one; ordered by view id. The collector asks after every batch that carries
        a ``layout``: one indexed read."""

    # -- backgrounds -------------------------------------------------------------------

    def save_background(self, bg: Background) -> None:
        """Keep a background with its PNG and rects."""

    def save_rects(self, bg_id: str, rects: dict[str, Rect]) -> None:
        """Replace a background's element boxes (after measuring new selectors)."""

    def backgrounds(self, app: str, view: str) -> list[Background]:
        """Every background of a view, newest first, without PNG or rects."""

    def background(self, bg_id: str) -> Background | None:
        """One background with its rects, without its PNG."""

    def background_png(self, bg_id: str) -> bytes | None: ...

    # -- app data ----------------------------------------------------------------------

    def delete_app(self, app: str) -> dict[str, int]:
        """Delete an app's snapshots, backgrounds and boxes; rows deleted per table."""

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        """Delete an app's visitors' snapshots captured before ``before_ms`` and the
        backgrounds rendered from them. Live-page screenshots are pictures of the site,
        not of a visitor, and stay."""

    # -- moving ------------------------------------------------------------------------

    def dump(self) -> Iterator[Snapshot | Background]:
        """Every snapshot (with its HTML), then every background (with its PNG and
        rects), one at a time: what :meth:`load` takes, in this store or another."""

    def load(self, pictures: Iterable[Snapshot | Background]) -> int:
        """Keep pictures as they are (ids included); a snapshot of a state already kept,
        or a background whose id is, is skipped. Returns how many were new."""

    def close(self) -> None: ...


def states_without_snapshot(
    events: EventStore, pictures: PictureStore, app: str, view_ids: list[str]
) -> list[PageState]:
    """The page states these views' ``layout`` events named that have no snapshot yet
    (what the collector's answer asks visitors for): the event store's latest state of
    each view (the DuckDB store remembers what it just wrote, so it reads nothing),
    less those the picture store has (one indexed read)."""
    return pictures.without_snapshot(app, events.layout_states(app, view_ids))
