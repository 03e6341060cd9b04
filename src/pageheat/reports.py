"""What a person asks for, assembled from the store, the backgrounds and the heat engine.

The web API and the CLI both answer from here, so a heatmap rendered by
``pageheat render`` is the one the dashboard shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pageheat import heat
from pageheat.heat.pipeline import grid_json
from pageheat.heat.placement import Placed, Points, place
from pageheat.heat.scroll import BandMap, attention_map, depth_at, reach, scroll_map
from pageheat.store.base import Background, Depths, Query

if TYPE_CHECKING:
    from pageheat.app import Pageheat

#: Kinds drawn from points (clicks, taps, cursor positions) and kinds drawn as depth bands.
POINT_KINDS = ("click", "move", "rage", "dead", "error")
BAND_KINDS = ("scroll", "attention")
KINDS = POINT_KINDS + BAND_KINDS


@dataclass(frozen=True)
class Rendered:
    """A heatmap with the context it was drawn in."""

    kind: str
    heatmap: heat.Heatmap | BandMap
    background: Background | None
    status: str
    error: str | None
    sessions: int
    warning: str | None
    depths: Depths | None = None


def _page_size(ph: Pageheat, query: Query, rows: Points | None = None) -> tuple[int, int]:
    """The page size to draw on when there is no background yet."""
    sample = ph.store.view_sample(query)
    width = sample["vw"] if sample else 1280
    tallest = float(rows.y.max()) + 50 if rows is not None and len(rows) else 0
    height = max(sample["dh"] if sample else 0, tallest, 600)
    return int(width), int(min(height, ph.settings.screenshot_max_height))


def minimum_sessions(ph: Pageheat, kind: str) -> int:
    """Sessions under which a map of ``kind`` carries a warning (none for frustration maps:
    one rage click is worth seeing)."""
    s = ph.settings
    return {
        "click": s.min_sessions_click, "move": s.min_sessions_move,
        "scroll": s.min_sessions_scroll, "attention": s.min_sessions_scroll,
    }.get(kind, 0)  # fmt: skip


def render(
    ph: Pageheat, query: Query, kind: str = "click", capture: bool = True,
    background: str | None = None,
) -> Rendered:  # fmt: skip
    """The heatmap of ``query`` over ``background`` (an id) or the view's default one.

    Raises ValueError for an unknown kind and LookupError for a background that is not
    one of the view's.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    s = ph.settings
    rows = ph.store.points(query, kind) if kind in POINT_KINDS else None
    selectors = rows.selectors if rows is not None else []
    if capture:
        bg = ph.backgrounds.ensure(query, selectors, background)
    else:
        bg = ph.backgrounds.choose(query, background)
    if bg is not None:
        width, height, rects = bg.width, bg.height, bg.rects
    else:
        (width, height), rects = _page_size(ph, query, rows), None
    depths = None
    if rows is not None:
        h: heat.Heatmap | BandMap = heat.heatmap(
            rows, width, height, cell=s.cell_px, radius_mouse=s.radius_mouse_px,
            radius_touch=s.radius_touch_px, rects=rects, clip_percentile=s.clip_percentile,
            n_hotspots=s.hotspots,
        )  # fmt: skip
    else:
        depths = ph.store.depths(query)
        if kind == "scroll":
            h = scroll_map(depths.depth, width, height, s.cell_px)
        else:
            h = attention_map(depths.bands, width, height, s.cell_px)
    sessions = ph.store.sessions(query)
    warning = None
    needed = minimum_sessions(ph, kind)
    if sessions < needed:
        warning = (
            f"Only {sessions} session{'s' if sessions != 1 else ''} in this heatmap: {kind}"
            f" maps need about {needed} to show a reliable pattern."
        )
    status, error = _status(ph, query, bg)
    return Rendered(kind, h, bg, status, error, sessions, warning, depths)


def scroll_summary(depths: Depths) -> dict[str, Any]:
    """Reach per 1 % of the document, the depths 75/50/25 % of page views reached, the fold."""
    r = reach(depths.depth)
    return {
        "reach": [round(float(v), 4) for v in r],
        "depth_75": depth_at(r, 0.75),
        "depth_50": depth_at(r, 0.50),
        "depth_25": depth_at(r, 0.25),
        "avg_fold": round(float(depths.fold.mean()) * 100, 1) if len(depths.fold) else None,
        "page_views": len(depths.depth),
    }


def _status(ph: Pageheat, query: Query, bg: Background | None) -> tuple[str, str | None]:
    st = ph.backgrounds.status(query)
    if st is not None:
        return st.state, st.error
    return ("ready" if bg is not None else "none"), None


def heatmap_json(r: Rendered) -> dict[str, Any]:
    h = r.heatmap
    if isinstance(h, BandMap):
        out = {
            **grid_json(h.intensity, h.cell, h.width, h.height, h.max),
            "total": h.page_views, "hotspots": [], "placed": {"anchored": 0, "positional": 0},
            "not_visible": [],
        }  # fmt: skip
        if r.kind == "scroll" and r.depths is not None:
            out["scroll"] = scroll_summary(r.depths)
        else:
            out["attention"] = {"seconds": h.values, "bands": len(h.values)}
    else:
        out = heat.to_json(h)
    bg = r.background
    out.update(
        kind=r.kind,
        background=None if bg is None else background_json(bg),
        background_status=r.status,
        background_error=r.error,
        warning=r.warning,
        sessions=r.sessions,
    )  # fmt: skip
    return out


def background_json(bg: Background, page_views: int | None = None) -> dict[str, Any]:
    """A background as the API lists it: what it shows, when, and where its pictures are."""
    out = {
        "id": bg.id, "width": bg.width, "height": bg.height, "width_class": bg.width_class,
        "source": bg.source, "layout_hash": bg.layout_hash, "captured": bg.captured_ms,
        "url": f"/api/v1/backgrounds/{bg.id}.png",
        "thumbnail": f"/api/v1/backgrounds/{bg.id}.png?thumb=1",
    }  # fmt: skip
    if page_views is not None:
        out["page_views"] = page_views
    return out


def backgrounds(ph: Pageheat, query: Query) -> dict[str, Any]:
    """The page states captured for a view and width range, and the one used by default."""
    counts = ph.store.layout_counts(query)
    chosen = ph.backgrounds.choose(query)
    st = ph.backgrounds.status(query)
    return {
        "backgrounds": [
            background_json(b, counts.get(b.layout_hash or "", 0))
            for b in ph.backgrounds.available(query)
        ],
        "default": chosen.id if chosen else None,
        "status": st.state if st else ("ready" if chosen else "none"),
        "error": st.error if st else None,
    }


def heatmap_png(ph: Pageheat, r: Rendered, opacity: float = 0.7) -> bytes:
    h = r.heatmap
    png = ph.store.background_png(r.background.id) if r.background else None
    if png is not None:
        out = heat.composite(png, h.intensity, h.cell, opacity=opacity)
    else:
        out = heat.png(h.intensity, h.cell, h.width, h.height)
    if r.kind == "scroll" and r.depths is not None and len(r.depths.depth):
        summary = scroll_summary(r.depths)
        marks = [
            (summary[f"depth_{p}"] / 100 * h.height, f"{p} % of visitors reached here")
            for p in (75, 50, 25)
            if summary[f"depth_{p}"] is not None
        ]
        marks.append((summary["avg_fold"] / 100 * h.height, "average fold"))
        out = heat.mark_lines(out, marks)
    return out


def action_name(tag: str, text: str) -> str:
    """The readable name of an action, as the peers show it: ``click on Add to cart``."""
    label = " ".join((text or "").split())
    return f"click on {label[:60]}" if label else f"click on <{tag}>"


def insights(
    ph: Pageheat, query: Query, limit: int = 100, background: str | None = None
) -> dict[str, Any]:
    stats = ph.store.stats(query)
    actions = ph.store.actions(query, limit=limit)
    rows = ph.store.points(query)
    bg = ph.backgrounds.choose(query, background) if query.view else None
    placed = place(rows, bg.width if bg else _page_size(ph, query, rows)[0],
                   bg.rects if bg else None)  # fmt: skip
    centres = _centres(placed, rows.selectors)
    total = stats["total_clicks"] or 0
    top = []
    for a in actions:
        rect = bg.rects.get(a["selector"]) if bg and bg.rects is not None else None
        visible = None if bg is None or bg.rects is None else bool(rect and rect[2] and rect[3])
        if visible:
            x, y = rect[0] + rect[2] / 2, rect[1] + rect[3] / 2
        else:
            x, y = centres.get(a["selector"], (None, None))
        top.append({
            "selector": a["selector"], "name": action_name(a["tag"], a["text"]),
            "count": a["count"], "share": round(a["count"] / total, 4) if total else 0.0,
            "visitors": a["visitors"], "rage": a["rage"], "dead": a["dead"], "error": a["error"],
            "x": _round(x), "y": _round(y), "visible": visible,
        })  # fmt: skip
    elements = [
        {**t, "rect": list(bg.rects[t["selector"]])}
        for t in top
        if t["visible"] and bg is not None and bg.rects is not None
    ][:10]
    return {"stats": stats, "top_actions": top, "top_elements": elements}


def _centres(placed: Placed, selectors: list[str]) -> dict[str, tuple[float, float]]:
    """Mean placed position of each selector's clicks: where "locate" points."""
    out: dict[str, tuple[float, float]] = {}
    if len(placed.x) == 0:
        return out
    sel = placed.sel
    ok = sel >= 0
    n = np.bincount(sel[ok], minlength=len(selectors))
    sx = np.bincount(sel[ok], weights=placed.x[ok], minlength=len(selectors))
    sy = np.bincount(sel[ok], weights=placed.y[ok], minlength=len(selectors))
    for i, name in enumerate(selectors):
        if n[i]:
            out[name] = (sx[i] / n[i], sy[i] / n[i])
    return out


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 1)
