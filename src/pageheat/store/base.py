"""The event store protocol: the narrow surface every backend (DuckDB, ClickHouse) offers.

Everything above the store (heat, insights, web, cli) talks to this protocol only, and one
contract test suite (tests/store/test_contract.py) runs against every implementation.
Queries take a :class:`Query` (app, view, width range, time range, filters), so a filter
reaches every backend, and every read of a backend, through one type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from pageheat import filters as _filters
from pageheat import kinds as _kinds
from pageheat.heat.placement import Points
from pageheat.settings import default

if TYPE_CHECKING:
    import pyarrow as pa

    from pageheat.store.sessions import SessionClicks, SessionFilter, SessionPage

#: Width classes (docs/design.md), widest first (the order of their codes in the tables).
WIDTH_CLASSES = ("desktop", "tablet", "mobile")


@dataclass(frozen=True)
class WidthRange:
    """Viewport widths a heatmap covers; ``name`` is the class or ``MIN-MAX``."""

    name: str
    lo: float
    hi: float

    @classmethod
    def parse(cls, text: str, classes: WidthClasses | None = None) -> WidthRange:
        """A width class under ``classes`` (the settings' defaults when None) or
        ``MIN-MAX`` in px."""
        text = (text or "desktop").strip().lower()
        if text in WIDTH_CLASSES:
            return (classes or WidthClasses()).range(text)
        lo, sep, hi = text.partition("-")
        try:
            lo_f, hi_f = float(lo), float(hi)
        except ValueError:
            raise ValueError(
                f"width must be desktop, tablet, mobile or MIN-MAX in px, got {text!r}"
            ) from None
        if not sep or lo_f < 0 or hi_f < lo_f:
            raise ValueError(f"width range {text!r} must be MIN-MAX with 0 <= MIN <= MAX")
        return cls(f"{lo_f:g}-{hi_f:g}", lo_f, hi_f)


@dataclass(frozen=True)
class WidthClasses:
    """The width-class bounds (settings ``desktop_min_px`` and ``mobile_max_px``).

    One value of it decides a page view's class at ingest (store/rows.py), which rollup
    rows a class query may read (store/rollup.py) and the viewport range a class query
    reads raw rows by, so the three cannot disagree. A store keeps the class it decided
    with each row: changing the bounds re-classes new page views, not stored ones.
    """

    desktop_min: int = default("desktop_min_px")
    mobile_max: int = default("mobile_max_px")

    def __post_init__(self) -> None:
        if not 0 <= self.mobile_max < self.desktop_min:
            raise ValueError(
                f"width classes need 0 <= mobile_max_px ({self.mobile_max})"
                f" < desktop_min_px ({self.desktop_min})"
            )

    @classmethod
    def from_settings(cls, settings: Any) -> WidthClasses:
        return cls(settings.desktop_min_px, settings.mobile_max_px)

    def range(self, name: str) -> WidthRange:
        """The inclusive viewport range of the class ``name``."""
        if name == "desktop":
            return WidthRange("desktop", self.desktop_min, 1_000_000)
        if name == "tablet":
            return WidthRange("tablet", self.mobile_max + 1, self.desktop_min - 1)
        if name == "mobile":
            return WidthRange("mobile", 0, self.mobile_max)
        raise ValueError(f"no width class {name!r}")

    def codes(self, vw: np.ndarray) -> np.ndarray:
        """Each viewport width's class as its index in :data:`WIDTH_CLASSES` (int32)."""
        vw = np.asarray(vw, np.float64)
        codes = np.where(vw >= self.desktop_min, 0, np.where(vw <= self.mobile_max, 2, 1))
        return codes.astype(np.int32)


#: Filter name (public: query parameters, saved heatmaps) → the column holding it. Every
#: table a read narrows carries each of these columns, copied from the page view. Each
#: filter is declared in `pageheat.filters`; this is its view for SQL.
FILTERS: dict[str, str] = {name: f.column for name, f in _filters.FILTERS.items()}

#: Filters that narrow clicks only (``Filter.on == "click"``): a condition on
#: ``interactions`` rows, left out of every read of another table.
CLICK_FILTERS: frozenset[str] = frozenset(
    name for name, f in _filters.FILTERS.items() if f.on == "click"
)

#: Filters whose values come from a fixed set, and how a value is written.
FILTER_VALUES: dict[str, tuple[str, ...]] = {
    name: f.values for name, f in _filters.FILTERS.items() if f.values
}

#: Filters as a :class:`Query` holds them (`pageheat.filters.parse_filters`).
parse_filters = _filters.parse_filters


#: What a session may have done, for goals, funnel steps and cohorts (:class:`Did`).
DID_KINDS = ("view", "click", "event", "rage", "dead", "error")


@dataclass(frozen=True)
class Did:
    """Something a session did, as the store can find it: reached ``view`` (``view``),
    clicked ``selector`` on ``view`` (``click``; any view when ``view`` is None), sent the
    custom goal ``event`` (``event``), or had a rage or dead click or a page error.
    Goals, funnel steps and behaviour cohorts are each one of these (``outcomes.py``
    resolves them from the metadata), so the store reads each the same way
    (``store.sql.did``)."""

    what: str
    view: str | None = None
    selector: str | None = None
    event: str | None = None

    def __post_init__(self) -> None:
        if self.what not in DID_KINDS:
            raise ValueError(f"what must be one of {', '.join(DID_KINDS)}, got {self.what!r}")


@dataclass(frozen=True)
class Cohort:
    """The sessions a read keeps (``cohort=``): those that did ``did`` (``negate``: those
    that did not) within the query's time range, or exactly ``sessions`` when the cohort
    is the outcome of a computation the SQL cannot express (a funnel's step). Applied by
    the one WHERE builder (``store.sql.where``) to every table, as a filter is."""

    #: As asked (``converted:3``), for answers and messages.
    name: str
    did: Did | None = None
    negate: bool = False
    sessions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Query:
    """What a heatmap, an insight or a view list is about.

    ``filters`` maps names of :data:`FILTERS` to a value or a comma-separated list of
    values (any of them matches); every filter must match (AND). Build it with
    :func:`parse_filters`; a backend refuses unknown names with ValueError.
    """

    app: str
    view: str | None = None
    width: WidthRange | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    filters: dict[str, str] = field(default_factory=dict)
    #: Only the sessions of a behaviour cohort (None: every session).
    cohort: Cohort | None = None


#: Which interactions each point map draws, as one SQL condition every backend shares
#: (declared with each kind in `pageheat.kinds`). Rage counts one event per burst: the
#: burst's first click carries its click count.
POINT_KINDS: dict[str, str] = _kinds.point_conditions()


def stats_answer(
    query: Query, *, page_views: int, visitors: int, sessions: int, clicks: int, rage: int,
    dead: int, error: int, page_errors: int | None, avg_visible_s: float | None,
    ended: int, app_page_views: int, inert: int = 0,
) -> dict[str, Any]:  # fmt: skip
    """A view's statistics (:meth:`EventStore.stats`) from the counts a backend read, so
    every backend rounds them and leaves out what has no meaning the same way: the session
    end ratio and popularity need a view, visible time needs at least one leave."""
    return {
        "page_views": int(page_views),
        "visitors": int(visitors),
        "sessions": int(sessions),
        "total_clicks": int(clicks),
        "rage_clicks": int(rage or 0),
        "dead_clicks": int(dead or 0),
        "error_clicks": int(error or 0),
        "inert_clicks": int(inert or 0),
        "page_errors": int(page_errors or 0),
        "avg_visible_s": round(avg_visible_s, 2) if avg_visible_s is not None else None,
        "session_end_ratio": round(ended / sessions, 4) if sessions and query.view else None,
        "popularity": round(page_views / app_page_views, 4)
        if app_page_views and query.view
        else None,
    }


@dataclass(frozen=True)
class Depths:
    """Per page view: how deep it got and where the fold was (fractions of the document),
    and, for the views that reported it, seconds each 5 % band was in view."""

    depth: np.ndarray
    fold: np.ndarray
    bands: np.ndarray  # (views with attention data, 20)


@dataclass(frozen=True)
class Envelope:
    """A validated batch with what the collector learnt about its sender.

    The IP is not here on purpose: only its country and city (when a GeoIP database is
    configured) are kept.
    """

    app: str
    batch_id: str | None
    visitor: str
    session: str
    received_ms: int
    sdk: str
    device: str
    browser: str
    os: str
    events: list[Any]
    #: Where the sender's IP address is (GeoIP), never the address itself.
    country: str = ""
    city: str = ""


@dataclass(frozen=True)
class PageState:
    """One state of a view at one width class, as a page view's ``layout`` event named it."""

    view_id: str
    view: str
    width_class: str
    layout_hash: str
    vw: float
    #: States of this view and width class pageheat already has snapshots of.
    known: int = 0


class EventStore(Protocol):
    """What pageheat needs from a place that keeps events."""

    #: The width-class bounds the store classes page views by, and reads classes by.
    widths: WidthClasses

    def write(self, envelopes: list[Envelope]) -> list[bool]:
        """Store the envelopes in one commit; per envelope, False if its batch id was seen.

        Returns only once the data is durable: the collector acknowledges after this.
        """

    def views(self, query: Query) -> list[dict[str, Any]]:
        """Views of an app with page views, visitors and clicks, most viewed first."""

    def points(self, query: Query, kind: str = "click") -> Points:
        """Clicks, taps or cursor positions (``POINT_KINDS``) as the heat engine's columns."""

    def map_points(self, query: Query, kind: str = "click") -> Points:
        """The points a heatmap draws: :meth:`points` snapped to their 10 px cell and to
        1 % of their element's box, each distinct one with its count (``Points.n``), read
        from the heat rollup when it covers the query (store/rollup.py), so that a map
        costs distinct points, not events."""

    def sessions(self, query: Query) -> int:
        """Sessions that saw the query's view: what minimum-data warnings count."""

    def depths(self, query: Query) -> Depths:
        """Scroll depth, fold and attention of each page view matching the query."""

    def actions(self, query: Query, limit: int = 100) -> list[dict[str, Any]]:
        """Clicks grouped by element: selector, name, count, visitors; most clicked first."""

    def stats(self, query: Query) -> dict[str, Any]:
        """Page views, visitors, sessions, total clicks and visible time of the query."""

    def view_sample(self, query: Query) -> dict[str, Any] | None:
        """The latest URL and the median viewport width of a view, to picture it."""

    def last_event_ms(self, app: str) -> int | None:
        """When the app last sent anything, for "tracker not seen" empty states."""

    def selectors(self, query: Query) -> list[str]:
        """Every selector clicked in the query: what a background's render measures."""

    # -- action detail -----------------------------------------------------------------

    def action(self, query: Query, selector: str) -> dict[str, Any] | None:
        """Clicks on one selector: ``selector``, ``tag`` and ``text`` (latest), ``count``,
        ``visitors``, ``first`` and ``last`` (ms), ``rage``, ``dead``, ``error``; None
        when it has none in the query."""

    def action_series(
        self, query: Query, selector: str, bucket_ms: int, origin_ms: int = 0
    ) -> list[tuple[int, int]]:
        """(bucket start ms, clicks) of one selector, oldest first, non-empty buckets only;
        buckets are ``bucket_ms`` long and start at ``origin_ms + k * bucket_ms``."""

    def action_sessions(self, query: Query, selector: str, limit: int = 10) -> list[dict[str, Any]]:
        """The ``limit`` sessions that clicked the selector latest: ``session``,
        ``visitor``, ``browser``, ``device``, ``clicks`` (on it), ``last_click``, and the
        session's ``start`` and ``end`` (ms, over all of the app's events of the session)."""

    # -- outcomes (store/outcomes.py) --------------------------------------------------

    def conversion(self, query: Query, goal: Did, selectors: Sequence[str]) -> dict[str, Any]:
        """The view's sessions (``viewers``) and those that reached ``goal``
        (``viewers_converted``); per selector (``actions``) the sessions that clicked it
        on the view and those that converted, and the same for the view's other
        sessions (``others_sessions``, ``others_converted``)."""

    def funnel_steps(self, query: Query, steps: Sequence[Did]) -> list[Any]:
        """Per step, the sessions that reached it in order and when (``StepTimes``)."""

    def journeys(self, query: Query, limit: int = 10) -> dict[str, Any]:
        """Views right before and after the query's view (sessions each), entries, exits."""

    # -- page states (the pictures themselves are in pictures/) ----------------------

    def layout_states(self, app: str, view_ids: list[str]) -> list[PageState]:
        """The latest state each of these page views' ``layout`` events named (views
        without one are left out), ``known`` 0; the picture store then keeps those it has
        no snapshot of (``PictureStore.without_snapshot``). The collector asks after
        every batch that carries a ``layout``, right after writing it."""

    def page_state(self, app: str, view_id: str, layout_hash: str) -> PageState | None:
        """The state a view's ``layout`` event named, if it named ``layout_hash``."""

    def layout_counts(self, query: Query) -> dict[str, int]:
        """Page views per layout hash: how common each page state is."""

    # -- filter values ---------------------------------------------------------------

    def filter_values(self, query: Query, name: str, limit: int = 50) -> list[tuple[str, int]]:
        """The values filter ``name`` takes in the query's page views, most page views
        first (ties by value), with their page-view counts. The query's own filter on
        ``name`` is not applied, so a picker shows every alternative it may add; the other
        filters are. Empty values are left out. ``tag.KEY`` lists the values of that
        tag. ValueError for an unknown name."""

    def tag_keys(self, query: Query, limit: int = 100) -> list[tuple[str, int]]:
        """The tag keys (``pageheat.tag``) the query's page views carry, most page views
        first (ties by key), with their page-view counts: what the filter picker offers
        as ``tag.KEY`` filters."""

    # -- the sessions behind the heat (store/sessions.py) ------------------------------

    def session_clicks(
        self, query: Query, kind: str = "click", selector: str | None = None
    ) -> SessionClicks:
        """The points of ``kind`` the query counts (on ``selector`` when given), each with
        its session and time: what narrows a session list to a selector, area or kind."""

    def session_list(
        self, query: Query, within: Sequence[str] | None = None,
        narrow: SessionFilter | None = None, limit: int = 25,
        after: tuple[int, str] | None = None, clicked: tuple[str, str | None] | None = None,
    ) -> SessionPage:  # fmt: skip
        """Sessions with a page view matching ``query`` (with ``clicked``: a point of that
        kind and selector matching it; with ``within``: these sessions of its app),
        narrowed by length, pages and frustration, newest first, keyset-paged."""

    def session_timeline(self, app: str, session: str) -> dict[str, Any] | None:
        """One session's summary and its page views, clicks and errors as offsets."""

    def session_users(self, app: str, sessions: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Who the site identified each of ``sessions`` as (``{"id", "name"}``)."""

    def user_visitors(self, app: str, user: str) -> list[str]:
        """The visitor ids the site identified as ``user`` (forgetting a user)."""

    # -- bulk loading ----------------------------------------------------------------

    def load(self, tables: Mapping[str, pa.Table]) -> int:
        """Rows straight into the tables, in one transaction: ``tables`` maps names of
        :data:`store.rows.TABLES` (and ``visitors``, upserted keeping each visitor's
        earliest first session) to Arrow tables with at least those tables' columns.
        For generated traffic (``pageheat generate``) and imports: no batch ids, no
        view lookups, the rows are taken as they are. Returns the event rows loaded."""

    # -- privacy (every backend implements these) -------------------------------------

    def forget_visitor(self, app: str, visitor: str) -> dict[str, int]:
        """Delete everything one visitor id sent to an app, in every table (page views,
        interactions, leaves, scrolls, errors, layouts, goals, identities, visitors); rows
        deleted per table.
        Pictures are not in the event store (see ``pictures/``)."""

    def delete_app(self, app: str) -> dict[str, int]:
        """Delete every row of an app in every table; rows deleted per table."""

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        """Delete an app's events older than ``before_ms`` (its retention), with the batch
        ids and first sessions of that age; rows deleted per table."""

    def dump(self, table: str, chunk_rows: int = 100_000) -> Iterator[pa.Table]:
        """Every row of an event table (:data:`store.rows.TABLES`) or ``visitors``, as
        Arrow tables of at most ``chunk_rows`` rows: ``pageheat export`` reads a store
        with it, and ``load`` takes the same tables back, in this store or another."""

    def close(self) -> None: ...
