"""The event store protocol: the narrow surface every backend (DuckDB, ClickHouse) offers.

Everything above the store (heat, insights, web, cli) talks to this protocol only, and one
contract test suite (tests/store/test_contract.py) runs against every implementation.
Queries take a :class:`Query` (app, view, width range, time range, filters), so a filter
reaches every backend, and every read of a backend, through one type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from pageheat.heat.placement import Points

if TYPE_CHECKING:
    import pyarrow as pa

#: Width classes of DESIGN.md, as inclusive [min, max] viewport widths in CSS px.
WIDTH_CLASSES = ("desktop", "tablet", "mobile")


@dataclass(frozen=True)
class WidthRange:
    """Viewport widths a heatmap covers; ``name`` is the class or ``MIN-MAX``."""

    name: str
    lo: float
    hi: float

    @classmethod
    def parse(cls, text: str, desktop_min: int = 1281, mobile_max: int = 767) -> WidthRange:
        text = (text or "desktop").strip().lower()
        if text == "desktop":
            return cls("desktop", desktop_min, 1_000_000)
        if text == "tablet":
            return cls("tablet", mobile_max + 1, desktop_min - 1)
        if text == "mobile":
            return cls("mobile", 0, mobile_max)
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


def width_class(vw: float, desktop_min: int = 1281, mobile_max: int = 767) -> str:
    if vw >= desktop_min:
        return "desktop"
    if vw <= mobile_max:
        return "mobile"
    return "tablet"


#: Filter name (public: query parameters, saved heatmaps) → the column holding it. Every
#: table a read narrows carries each of these columns, copied from the page view.
FILTERS = {
    "device": "device",  # desktop, mobile, tablet, bot (from the User-Agent)
    "browser": "browser",  # browser family, e.g. Chrome, Firefox, Mobile Safari
    "os": "os",  # OS family, e.g. Windows, Mac OS X, Linux, Android, iOS
    "country": "country",  # ISO 3166 code (needs the geoip_db setting)
    "city": "city",  # English city name (needs the geoip_db setting)
    "referrer": "ref_source",  # "direct", or the referring host without www.
    "utm_source": "utm_source",
    "utm_medium": "utm_medium",
    "utm_campaign": "utm_campaign",
    "utm_term": "utm_term",
    "utm_content": "utm_content",
    "visitor": "visitor_type",  # new or returning
    "env": "env",  # the app's tags, set by pageheat.tag(key, value)
    "version": "version",
    "service": "service",
}

#: Filters whose values come from a fixed set, and how a value is written.
FILTER_VALUES = {
    "device": ("desktop", "mobile", "tablet", "bot"),
    "visitor": ("new", "returning"),
}


def parse_filters(raw: Mapping[str, str]) -> dict[str, str]:
    """Filters as a :class:`Query` holds them: known names, each value a comma-separated
    list of alternatives (OR), empty values dropped. Raises ValueError naming the bad one.

    Values match exactly, except that device and visitor are lower-cased and country
    upper-cased (ISO codes), as the collector stores them.
    """
    out: dict[str, str] = {}
    for name, text in raw.items():
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}; filters are {', '.join(FILTERS)}")
        values = [v.strip() for v in str(text or "").split(",") if v.strip()]
        if name in FILTER_VALUES or name == "country":
            values = [v.upper() if name == "country" else v.lower() for v in values]
        allowed = FILTER_VALUES.get(name)
        bad = [v for v in values if allowed and v not in allowed]
        if bad:
            raise ValueError(
                f"{name} must be {', '.join(allowed[:-1])} or {allowed[-1]} (or a comma list"
                f" of them), got {bad[0]!r}"
            )
        if values:
            out[name] = ",".join(dict.fromkeys(values))
    return out


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


#: Which interactions each point map draws, as one SQL condition every backend shares.
#: Rage counts one event per burst: the burst's first click carries its click count.
POINT_KINDS = {
    "click": "kind = 'click'",
    "rage": "kind = 'click' AND rage > 0",
    "dead": "kind = 'click' AND dead",
    "error": "kind = 'click' AND error",
    "move": "kind = 'move'",
}


def stats_answer(
    query: Query, *, page_views: int, visitors: int, sessions: int, clicks: int, rage: int,
    dead: int, error: int, page_errors: int | None, avg_visible_s: float | None,
    ended: int, app_page_views: int,
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

    @classmethod
    def from_rows(cls, rows: list[tuple]) -> Depths:
        """Rows of (view vh, view dh, scroll depth, scroll dh, leave depth, leave dh, bands).

        A view that sent nothing about scrolling still saw its first screen.
        """
        depth, fold, bands = [], [], []
        for vh, dh, s_depth, s_dh, l_depth, l_dh, b in rows:
            reached = [vh / dh]
            if s_depth is not None and s_dh:
                reached.append(s_depth / s_dh)
            if l_depth is not None and l_dh:
                reached.append(l_depth / l_dh)
            depth.append(min(1.0, max(reached)))
            fold.append(min(1.0, vh / dh))
            if b is not None:
                bands.append(list(b))
        return cls(np.array(depth), np.array(fold), np.array(bands).reshape(-1, 20))


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
        filters are. Empty values are left out. ValueError for an unknown name."""

    # -- bulk loading ----------------------------------------------------------------

    def load(self, tables: Mapping[str, pa.Table]) -> int:
        """Rows straight into the tables, in one transaction: ``tables`` maps names of
        :data:`store.rows.TABLES` (and ``visitors``, upserted keeping each visitor's
        earliest first session) to Arrow tables with at least those tables' columns.
        For generated traffic (``pageheat generate``) and imports: no batch ids, no
        view lookups, the rows are taken as they are. Returns the event rows loaded."""

    # -- privacy (issue 10; every backend implements these) ---------------------------

    def forget_visitor(self, app: str, visitor: str) -> dict[str, int]:
        """Delete everything one visitor id sent to an app, in every table (page views,
        interactions, leaves, scrolls, errors, layouts, visitors); rows deleted per table.
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
