"""Heatmaps and their numbers as files that leave pageheat: a PNG, two CSVs.

An export is read away from the dashboard (in a slide, a ticket, a spreadsheet), so the
PNG carries what the dashboard shows around the map (app, view, width, kind, range,
filters, counts, the colour scale) and the CSVs carry the same numbers the API answers.
Everything here is computed by `pageheat.reports`, so an export never disagrees with the
screen; nothing here knows HTTP (`pageheat.web.exports` serves these, and the share
links answer the same bytes for their stored query).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from pageheat import reports
from pageheat.heat.encode import Legend, framed
from pageheat.heat.scroll import BandMap
from pageheat.heat.shade import BANDS, DIVERGING, IGNORED_BELOW, LABELS, PALETTES, palette_lut
from pageheat.kinds import KINDS

if TYPE_CHECKING:
    from pageheat.app import Pageheat
    from pageheat.store.base import Query, WidthRange

__all__ = [
    "ACTIONS_HEADER",
    "GRID_HEADER",
    "actions_csv",
    "csv_text",
    "export_png",
    "filename",
    "format_number",
    "grid_csv",
    "header_lines",
    "legend",
    "palettes_json",
]

ACTIONS_HEADER = ("rank", "action", "selector", "clicks", "share_pct", "visitors", "rage",
                  "dead", "error")  # fmt: skip
GRID_HEADER = ("x", "y", "width", "height", "value")
#: Actions an actions CSV lists at most (the dashboard's panel shows 100).
ACTIONS_LIMIT = 1000

#: The dashboard's preset ranges (dashboard/src/filters.ts RANGES), as a header says them.
RANGE_NAMES = {"24h": "last 24 hours", "7d": "last 7 days", "30d": "last 30 days",
               "90d": "last 90 days"}  # fmt: skip
#: Each kind's map as a header names it, and what one point of a point map is
#: (`pageheat.kinds`).
KIND_NAMES = {name: k.title for name, k in KINDS.items()}
POINT_NOUNS = {name: k.one for name, k in KINDS.items() if k.mode == "points"}
#: Where a legend labels the scale: the 5 % threshold, the quarters, the peak.
_STEPS = (IGNORED_BELOW, 0.25, 0.5, 0.75, 1.0)


# -- PNG ----------------------------------------------------------------------------------


def export_png(
    ph: Pageheat, query: Query, kind: str = "click", *, app_name: str,
    params: Mapping[str, str] | None = None, opacity: float = 0.7,
    background: str | None = None, scale: str = "relative", peak: float | None = None,
    palette: str = "heat", capture: bool = True, now: datetime | None = None,
    goal: str | None = None,
) -> bytes:  # fmt: skip
    """The heatmap of ``query`` as `reports.heatmap_png` draws it (on its background,
    scroll marks included) under a band naming what it shows, with its legend.

    ``params`` are the plain parameters the query came from; only ``range`` is read (a
    preset such as ``7d`` is named in the header; its times come from ``query``).
    ``now`` is the export's time (default: now, UTC). Raises ValueError for a bad kind,
    scale, peak or palette and LookupError for a background not of the view, as
    `reports.render` does.
    """
    palette_lut(palette)  # a bad palette is refused before any work
    r = reports.render(ph, query, kind, capture=capture, background=background, scale=scale,
                       peak=peak, goal=goal)  # fmt: skip
    picture = reports.heatmap_png(ph, r, opacity, palette)
    stats = ph.store.stats(query)
    title, lines = header_lines(app_name, query, r, stats, params or {}, now)
    return framed(picture, title, lines, legend(r, reports.palette_for(kind, palette)))


def header_lines(
    app_name: str, query: Query, r: reports.Rendered, stats: Mapping[str, Any],
    params: Mapping[str, str], now: datetime | None = None,
) -> tuple[str, list[str]]:  # fmt: skip
    """The title and text lines an exported PNG carries: app and view; kind, width class
    and time range; the filters; what was counted; when and by what it was exported (and
    the map's too-little-data warning, which holds on paper as on screen)."""
    title = f"{app_name} · {query.view or 'all views'}"
    what = (KIND_NAMES.get(r.kind, r.kind), describe_width(query.width),
            describe_range(query, params.get("range")))  # fmt: skip
    lines = [
        " · ".join(what),
        "Filters: " + ("; ".join(describe_filters(query.filters)) or "none"),
    ]
    counted = [_count(stats.get("page_views"), "page view"),
               _count(stats.get("sessions"), "session")]  # fmt: skip
    h = r.heatmap
    if not isinstance(h, BandMap):
        counted.append(_count(h.total, POINT_NOUNS.get(r.kind, "point")) + " on the map")
    lines.append(" · ".join(counted))
    if r.warning:
        lines.append(r.warning)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    lines.append(f"exported {when:%Y-%m-%d} UTC by pageheat")
    return title, lines


def describe_width(w: WidthRange | None) -> str:
    if w is None:
        return "every width"
    if w.name == "desktop":
        return f"desktop ({w.lo:g} px and wider)"
    if w.name in ("tablet", "mobile"):
        return f"{w.name} ({w.lo:g}-{w.hi:g} px)"
    return f"{w.lo:g}-{w.hi:g} px wide"


def describe_range(query: Query, preset: str | None = None) -> str:
    """``all time``, ``since …``, ``until …`` or ``… to …`` in UTC; whole days as dates
    (the end inclusive, as the dashboard's custom days read), else minutes."""
    start, end = query.start_ms, query.end_ms
    if start is None and end is None:
        return "all time"
    days = all(t is None or t % 86_400_000 == 0 for t in (start, end))

    def at(ms: int, is_end: bool) -> str:
        dt = datetime.fromtimestamp(ms / 1000, UTC)
        if days:
            return f"{dt - timedelta(days=1) if is_end else dt:%Y-%m-%d}"
        return f"{dt:%Y-%m-%d %H:%M}"

    if end is None:
        text = f"since {at(start, False)} UTC"  # type: ignore[arg-type]
    elif start is None:
        text = f"until {at(end, True)} UTC"
    else:
        a, b = at(start, False), at(end, True)
        text = f"{a} UTC" if a == b else f"{a} to {b} UTC"
    name = RANGE_NAMES.get(preset or "")
    return f"{name} ({text})" if name else text


def describe_filters(filters: Mapping[str, str]) -> list[str]:
    """``browser = Chrome, Firefox`` for each filter (its alternatives are ORed)."""
    return [f"{name} = {', '.join(value.split(','))}" for name, value in filters.items()]


def _count(n: Any, noun: str) -> str:
    """``1 page view``, ``1 203 page views`` (thousands spaced, as the dashboard does)."""
    n = int(n or 0)
    return f"{n:,} {noun}{'' if n == 1 else 's'}".replace(",", " ")


def legend(r: reports.Rendered, palette: str = "heat") -> Legend:
    """The scale of ``r`` in its own units: a relative point map runs from fewer to more
    (its own peak); an absolute one in points per 1 000 page views; a scroll map in the
    share of page views that got that far; an attention map in seconds in view."""
    h = r.heatmap
    cut = f"{IGNORED_BELOW:.0%}".replace("%", " %")
    if isinstance(h, BandMap):
        if KINDS[r.kind].band == "scroll":
            ticks = [(v, f"{v:.0%}".replace("%", " %")) for v in _STEPS]
            return Legend(palette, ticks, f"share of page views that scrolled this far; under"
                          f" {cut} not drawn")  # fmt: skip
        if h.max > 0:
            ticks = [(v, f"{format_number(v * h.max)} s") for v in _STEPS]
            return Legend(palette, ticks, "mean seconds in view per page view; under"
                          f" {cut} of the longest not drawn")  # fmt: skip
    elif h.scale == "absolute" and h.max > 0:
        noun = POINT_NOUNS.get(r.kind, "point") + "s"
        ticks = [(v, format_number(v * h.max)) for v in _STEPS]
        return Legend(palette, ticks, f"{noun} per 1 000 page views in a {h.cell} px cell;"
                      f" under {format_number(IGNORED_BELOW * h.max)} not drawn")  # fmt: skip
    return Legend(palette, [(IGNORED_BELOW, "fewer"), (1.0, "more")],
                  f"relative to this map's peak; under {cut} of it not drawn")  # fmt: skip


def format_number(x: float) -> str:
    """Three significant digits, never in exponent form (legends, the PNG band)."""
    return np.format_float_positional(float(x), precision=3, unique=False, fractional=False,
                                      trim="-")  # fmt: skip


def filename(view: str | None, what: str) -> str:
    """``pageheat-<view slug>-<what>``: ASCII only, so it needs no header encoding."""
    if view is None:
        slug = "all-views"
    else:
        slug = re.sub(r"[^a-z0-9]+", "-", view.lower()).strip("-")[:60].strip("-") or "home"
    return f"pageheat-{slug}-{what}"


# -- CSV ----------------------------------------------------------------------------------


def actions_csv(
    ph: Pageheat, query: Query, background: str | None = None, limit: int = ACTIONS_LIMIT
) -> str:
    """The top actions as `reports.insights` counts them, most clicked first.

    ``share_pct`` is the action's share of the query's clicks in percent; ``action`` the
    readable name (``click on Buy``). Text cells are guarded against formula injection:
    selectors and names come from visitors' pages.
    """
    top = reports.insights(ph, query, limit, background)["top_actions"]
    rows = (
        (i, a["name"], a["selector"], a["count"], round(a["share"] * 100, 2), a["visitors"],
         a["rage"], a["dead"], a["error"])
        for i, a in enumerate(top, 1)
    )  # fmt: skip
    return csv_text(ACTIONS_HEADER, rows)


def grid_csv(
    ph: Pageheat, query: Query, kind: str = "click", background: str | None = None,
    capture: bool = True, goal: str | None = None,
) -> str:  # fmt: skip
    """The heat grid in page pixels of the background, one row per non-empty cell.

    A point map gives each cell's raw count (before smoothing; they add up to the
    points on the map). A scroll or attention map varies with depth only, so it gives one
    full-width row per cell row: the share of page views that reached it, or the mean
    seconds it was in view.
    """
    r = reports.render(ph, query, kind, capture=capture, background=background, goal=goal)
    h = r.heatmap
    cell, width, height = h.cell, h.width, h.height

    def size(x: int, y: int, w: int = cell) -> tuple[int, int, int, int]:
        return x, y, min(w, width - x), min(cell, height - y)

    rows: list[tuple[Any, ...]] = []
    if isinstance(h, BandMap):
        values = h.intensity[:, 0].astype(np.float64) * h.max if h.intensity.size else []
        for i, v in enumerate(values):
            if v > 0 and i * cell < height:
                rows.append((*size(0, i * cell, width), round(float(v), 4)))
    else:
        for i, j in zip(*np.nonzero(h.counts), strict=True):
            v = float(h.counts[i, j])
            rows.append((*size(int(j) * cell, int(i) * cell), int(v) if v.is_integer() else
                         round(v, 3)))  # fmt: skip
    return csv_text(GRID_HEADER, rows)


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A CSV file whose cells a spreadsheet will not run as formulas."""
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(header)
    out.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue()


#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(v: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'``."""
    if isinstance(v, str) and v.startswith(_FORMULA):
        return "'" + v
    return v


# -- palettes -----------------------------------------------------------------------------


#: The palette families: point maps are drawn in the palette a person picks, band maps
#: (``Kind.palette``) in the band table, comparisons in the diverging one.
FAMILIES = {"points": PALETTES, "bands": BANDS, "diverging": DIVERGING}


def palettes_json() -> dict[str, list[str]]:
    """Every palette's 256 colours as ``#rrggbbaa``, point, band and diverging ones: the
    dashboard draws its canvas and legend with the very tables the server's PNGs use."""
    return {
        name: ["#" + bytes(row).hex() for row in lut.astype(np.uint8)]
        for tables in FAMILIES.values()
        for name, lut in tables.items()
    }


def palette_families() -> dict[str, list[str]]:
    """Family (``points``, ``bands``, ``diverging``) → its palettes' names."""
    return {family: list(tables) for family, tables in FAMILIES.items()}


def palette_labels() -> dict[str, str]:
    return {name: LABELS.get(name, name) for tables in FAMILIES.values() for name in tables}
