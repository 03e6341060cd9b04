"""What a person asks for, assembled from the store, the backgrounds and the heat engine.

The web API and the CLI both answer from here, so a heatmap rendered by
``pageheat render`` is the one the dashboard shows.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from pageheat import heat
from pageheat import kinds as registry
from pageheat.heat.pipeline import grid_json
from pageheat.heat.placement import Placed, Points, place
from pageheat.heat.scroll import BandMap, attention_map, depth_at, reach, scroll_map
from pageheat.heat.shade import palette_lut
from pageheat.pictures.base import Background
from pageheat.stats import significance
from pageheat.store.base import Depths, Query

if TYPE_CHECKING:
    from pageheat.app import Pageheat

#: Kinds drawn from points (clicks, taps, cursor positions) and kinds drawn as depth bands
#: (each declared in `pageheat.kinds`).
POINT_KINDS = registry.POINT_KINDS
BAND_KINDS = registry.BAND_KINDS
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


def _page_size(
    ph: Pageheat, query: Query, rows: Points | None = None, sample: Future | None = None
) -> tuple[int, int]:
    """The page size to draw on when there is no background yet (from ``sample``, the
    view's sample already asked for, when given)."""
    sample = sample.result() if sample is not None else ph.store.view_sample(query)
    width = sample["vw"] if sample else 1280
    tallest = float(rows.y.max()) + 50 if rows is not None and len(rows) else 0
    height = max(sample["dh"] if sample else 0, tallest, 600)
    return int(width), int(min(height, ph.settings.screenshot_max_height))


def minimum_sessions(ph: Pageheat, kind: str) -> int:
    """Sessions under which a map of ``kind`` carries a warning: the setting its entry of
    `pageheat.kinds` names (none for frustration maps: one rage click is worth seeing)."""
    k = registry.KINDS.get(kind)
    return int(getattr(ph.settings, k.min_sessions)) if k and k.min_sessions else 0


def render(
    ph: Pageheat, query: Query, kind: str = "click", capture: bool = True,
    background: str | None = None, scale: str = "relative", peak: float | None = None,
    goal: str | None = None,
) -> Rendered:  # fmt: skip
    """The heatmap of ``query`` over ``background`` (an id) or the view's default one.

    ``goal`` (a goal's id) is what a kind drawn towards a goal needs (conversion).
    ``scale="absolute"`` counts a point map per 1 000 page views of the query, drawn up
    to ``peak`` (in those units; default the map's own clipped peak, which the answer
    reports) so that two maps share a scale.

    Raises ValueError for an unknown kind or scale and LookupError for a background that
    is not one of the view's.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if registry.KINDS[kind].goal:  # a conversion map (``goal``: a goal's id)
        from pageheat import outcomes

        return outcomes.conversion_map(ph, query, kind, goal, capture, background)
    page_views = _scale_page_views(ph, query, kind, scale, peak)
    s = ph.settings
    # The session count scans page views in the database (which does not hold the GIL)
    # while the map is read and drawn here: on a busy view they take about as long.
    # With more renderings at once than ``render_threads``, their counts wait their turn:
    # that delays them, it does not change them.
    counting = ph.render_pool.submit(ph.store.sessions, query)
    # A view without a background is drawn at its sampled size, which scans its page
    # views: asked for now, it runs beside the map's read and drawing too.
    sampling = None
    if background is None and not ph.backgrounds.available(query):
        sampling = ph.render_pool.submit(ph.store.view_sample, query)
    # the map's points as the heat rollup keeps them (store/rollup.py): cell-sized work
    rows = ph.store.map_points(query, kind) if kind in POINT_KINDS else None
    selectors = rows.selectors if rows is not None else []
    bg = _background(ph, query, selectors, capture, background)
    if bg is not None:
        width, height, rects = bg.width, bg.height, bg.rects
    else:
        (width, height), rects = _page_size(ph, query, rows, sampling), None
    depths = None
    if rows is not None:
        h: heat.Heatmap | BandMap = heat.heatmap(
            rows, width, height, cell=s.cell_px, radius_mouse=s.radius_mouse_px,
            radius_touch=s.radius_touch_px, rects=rects, clip_percentile=s.clip_percentile,
            n_hotspots=s.hotspots, peak=peak, scale=scale, page_views=page_views,
        )  # fmt: skip
    else:
        depths = ph.store.depths(query)
        if registry.KINDS[kind].band == "scroll":
            h = scroll_map(depths.depth, width, height, s.cell_px)
        else:
            h = attention_map(depths.bands, width, height, s.cell_px)
    sessions = counting.result()
    warning = None
    needed = minimum_sessions(ph, kind)
    if sessions < needed:
        warning = (
            f"Only {sessions} session{'s' if sessions != 1 else ''} in this heatmap: {kind}"
            f" maps need about {needed} to show a reliable pattern."
        )
    status, error = _status(ph, query, bg)
    return Rendered(kind, h, bg, status, error, sessions, warning, depths)


def _background(
    ph: Pageheat, query: Query, selectors: list[str], capture: bool, bg_id: str | None
) -> Background | None:
    """The background to draw on: made or measured as needed (``capture``), else as stored."""
    if capture:
        return ph.backgrounds.ensure(query, selectors, bg_id)
    return ph.backgrounds.choose(query, bg_id)


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
        if registry.KINDS[r.kind].band == "scroll" and r.depths is not None:
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


def heatmap_png(ph: Pageheat, r: Rendered, opacity: float = 0.7, palette: str = "heat") -> bytes:
    """The map over its background (or alone, transparent, when there is none) in
    ``palette`` (a name of ``heat.PALETTES``; ValueError naming the choices otherwise) for
    a point map, in the band palette for a band map (as the dashboard draws them), with
    the scroll map's drop-off marks."""
    palette = palette_for(r.kind, palette)
    h = r.heatmap
    png = ph.pictures.background_png(r.background.id) if r.background else None
    if png is not None:
        out = heat.composite(png, h.intensity, h.cell, opacity=opacity, palette=palette)
    else:
        out = heat.png(h.intensity, h.cell, h.width, h.height, palette=palette)
    if registry.KINDS[r.kind].band == "scroll" and r.depths is not None and len(r.depths.depth):
        summary = scroll_summary(r.depths)
        marks = [
            (summary[f"depth_{p}"] / 100 * h.height, f"{p} % of visitors reached here")
            for p in (75, 50, 25)
            if summary[f"depth_{p}"] is not None
        ]
        marks.append((summary["avg_fold"] / 100 * h.height, "average fold"))
        out = heat.mark_lines(out, marks)
    return out


def palette_for(kind: str, palette: str = "heat") -> str:
    """The palette a map of ``kind`` is drawn in: the chosen one (checked) for a point
    map, its family's table for the others (`pageheat.kinds`: ``Kind.palette``)."""
    palette_lut(palette)  # a bad palette is refused whatever the kind
    family = registry.kind(kind).palette
    return palette if family == "points" else family


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
    return {"stats": stats, "top_actions": top, "top_elements": elements,
            "inert": inert_clicks(ph, query, int(total), int(stats["inert_clicks"]))}  # fmt: skip


def inert_clicks(ph: Pageheat, query: Query, total: int, inert: int) -> dict[str, Any]:
    """The insight tile of clicks on what is not clickable (count, share of the clicks)
    and the non-interactive elements clicked most, each with its share of all clicks."""
    narrowed = replace(query, filters={**query.filters, "interactive": "false"})
    top = ph.store.actions(narrowed, limit=10) if inert else []
    return {
        "clicks": inert, "share": round(inert / total, 4) if total else 0.0,
        "top": [
            {"selector": a["selector"], "name": action_name(a["tag"], a["text"]),
             "count": a["count"], "share": round(a["count"] / total, 4) if total else 0.0,
             "visitors": a["visitors"]}
            for a in top
        ],
    }  # fmt: skip


def _centres(placed: Placed, selectors: list[str]) -> dict[str, tuple[float, float]]:
    """Mean placed position of each selector's clicks: where "locate" points."""
    out: dict[str, tuple[float, float]] = {}
    if len(placed.x) == 0:
        return out
    sel = placed.sel
    ok = sel >= 0
    w, x, y = placed.weights(ok), placed.x[ok], placed.y[ok]
    n = np.bincount(sel[ok], weights=w, minlength=len(selectors))
    sx = np.bincount(sel[ok], weights=x if w is None else w * x, minlength=len(selectors))
    sy = np.bincount(sel[ok], weights=y if w is None else w * y, minlength=len(selectors))
    for i, name in enumerate(selectors):
        if n[i]:
            out[name] = (sx[i] / n[i], sy[i] / n[i])
    return out


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 1)


# -- scale, compare, area, action detail -------------------------------------------------


def _scale_page_views(
    ph: Pageheat, query: Query, kind: str, scale: str, peak: float | None
) -> int | None:
    """The page views an absolute map is counted per (None for a relative one), after
    checking that the scale and peak make sense for ``kind``."""
    if scale not in heat.SCALES:
        raise ValueError(f"scale must be one of {', '.join(heat.SCALES)}, got {scale!r}")
    if peak is not None and not (np.isfinite(peak) and peak > 0):
        raise ValueError(f"peak must be a positive number, got {peak!r}")
    if scale == "relative":
        if peak is not None:
            raise ValueError("peak is counted per 1 000 page views: use it with scale=absolute")
        return None
    if kind not in POINT_KINDS:
        raise ValueError(
            f"scale=absolute is for point maps ({', '.join(POINT_KINDS)}); a {kind} map is"
            " already a share of page views"
            if registry.KINDS.get(kind) and registry.KINDS[kind].band == "scroll"
            else f"scale=absolute is for point maps ({', '.join(POINT_KINDS)}), not {kind}"
        )
    return int(ph.store.stats(query)["page_views"] or 0)


@dataclass(frozen=True)
class Compared:
    """Two sides of one view on one background, their diff and their actions' shares."""

    kind: str
    comparison: heat.Comparison
    background: Background | None
    status: str
    error: str | None
    stats: tuple[dict[str, Any], dict[str, Any]]
    actions: list[dict[str, Any]]
    warning: str | None


def compare(
    ph: Pageheat, a: Query, b: Query, shared: Query, kind: str = "click",
    background: str | None = None, peak: float | None = None, limit: int = 100,
    capture: bool = True,
) -> Compared:  # fmt: skip
    """Side ``b`` against side ``a`` (two periods, two segments) of one view.

    Both are placed on one background: ``background`` (an id) or the default one of
    ``shared`` (the view at the width both sides share), so the same button is at the
    same place in both. Each side is counted per 1 000 of its own page views; the diff is
    ``b - a`` drawn on a scale symmetric around 0 (``peak``: the change, per 1 000 page
    views, drawn at full colour; default the clip percentile of the changes).

    ``actions``: every selector in either side's top ``limit`` actions with its share of
    each side's clicks and the change ``b - a`` in share (fractions, like ``share``),
    biggest change first. Raises ValueError and LookupError as `render` does.
    """
    if kind not in POINT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(POINT_KINDS)} to compare, got {kind!r}")
    if peak is not None and not (np.isfinite(peak) and peak > 0):
        raise ValueError(f"peak must be a positive number, got {peak!r}")
    s = ph.settings
    rows = (ph.store.points(a, kind), ph.store.points(b, kind))
    selectors = sorted(set(rows[0].selectors) | set(rows[1].selectors))
    bg = _background(ph, shared, selectors, capture, background)
    if bg is not None:
        width, height, rects = bg.width, bg.height, bg.rects
    else:
        sizes = [_page_size(ph, q, r) for q, r in zip((shared, shared), rows, strict=True)]
        width, height, rects = sizes[0][0], max(h for _, h in sizes), None
    stats = (ph.store.stats(a), ph.store.stats(b))

    def side(r: Points, st: dict[str, Any]) -> heat.Heatmap:
        return heat.heatmap(
            r, width, height, cell=s.cell_px, radius_mouse=s.radius_mouse_px,
            radius_touch=s.radius_touch_px, rects=rects, clip_percentile=s.clip_percentile,
            n_hotspots=0, scale="absolute", page_views=int(st["page_views"] or 0),
        )  # fmt: skip

    maps = [side(r, st) for r, st in zip(rows, stats, strict=True)]
    comparison = heat.compare(
        maps[0], maps[1], clip_percentile=s.clip_percentile, peak=peak, n_hotspots=s.hotspots
    )
    views_a, views_b = maps[0].page_views, maps[1].page_views
    for spot in (*comparison.warming, *comparison.cooling):
        # points of the area per page view: a rate (a page view may click it twice)
        spot["significance"] = significance(spot["a"], views_a, spot["b"], views_b, rate=True)
    clicks = rows if kind == "click" else (ph.store.points(a), ph.store.points(b))
    actions = action_changes(
        ph.store.actions(a, limit=limit), ph.store.actions(b, limit=limit),
        _counts(clicks[0]), _counts(clicks[1]),
        int(stats[0]["total_clicks"] or 0), int(stats[1]["total_clicks"] or 0),
    )  # fmt: skip
    needed = minimum_sessions(ph, kind)
    few = [(name, st["sessions"]) for name, st in zip("ab", stats, strict=True)
           if st["sessions"] < needed]  # fmt: skip
    warning = None
    if few:
        sides = " and ".join(f"{n} sessions in side {side}" for side, n in few)
        warning = f"Only {sides}: {kind} maps need about {needed} a side to compare reliably."
    status, error = _status(ph, shared, bg)
    return Compared(kind, comparison, bg, status, error, stats, actions, warning)


def _counts(rows: Points) -> dict[str, int]:
    """Points per selector (every selector, not only the top ones)."""
    if not len(rows):
        return {}
    sel = np.asarray(rows.sel)
    n = np.bincount(sel[sel >= 0], minlength=len(rows.selectors))
    return {name: int(n[i]) for i, name in enumerate(rows.selectors) if n[i]}


def action_changes(
    top_a: list[dict[str, Any]], top_b: list[dict[str, Any]],
    counts_a: dict[str, int], counts_b: dict[str, int], total_a: int, total_b: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """Each selector of either side's top actions with both shares and their change.

    ``top_*`` are the store's actions (they name the selectors and their elements);
    ``counts_*`` every selector's clicks on each side, so an action in one side's top
    list has its true count on the other side even when it is not in that side's list.
    Shares are fractions of the side's clicks; ``change`` is ``share_b - share_a``.
    """
    named: dict[str, dict[str, Any]] = {}
    for act in [*top_b, *top_a]:
        named.setdefault(act["selector"], act)
    out = []
    for sel, act in named.items():
        ca, cb = counts_a.get(sel, 0), counts_b.get(sel, 0)
        sa = ca / total_a if total_a else 0.0
        sb = cb / total_b if total_b else 0.0
        out.append({
            "selector": sel, "name": action_name(act.get("tag", ""), act.get("text", "")),
            "count_a": ca, "count_b": cb, "share_a": round(sa, 4), "share_b": round(sb, 4),
            "change": round(sb - sa, 4),
            "significance": significance(ca, total_a, cb, total_b),
        })  # fmt: skip
    out.sort(key=lambda x: (-abs(x["change"]), -(x["count_a"] + x["count_b"]), x["selector"]))
    return out


def _query_json(q: Query) -> dict[str, Any]:
    def iso(ms: int | None) -> str | None:
        if ms is None:
            return None
        return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")

    return {
        "from": iso(q.start_ms), "to": iso(q.end_ms),
        "width": q.width.name if q.width else None, "filters": dict(q.filters),
    }  # fmt: skip


def compare_json(c: Compared, a: Query | None = None, b: Query | None = None) -> dict[str, Any]:
    """The comparison as the API answers it (see ``heat.comparison_json`` for the grid)."""
    out = heat.comparison_json(c.comparison)
    for side, st, q in zip("ab", c.stats, (a, b), strict=True):
        out[side].update(
            clicks=int(st["total_clicks"] or 0), sessions=int(st["sessions"] or 0),
            visitors=int(st["visitors"] or 0),
        )  # fmt: skip
        if q is not None:
            out[side]["query"] = _query_json(q)
    bg = c.background
    out.update(
        kind=c.kind, actions=c.actions,
        background=None if bg is None else background_json(bg),
        background_status=c.status, background_error=c.error, warning=c.warning,
    )  # fmt: skip
    return out


def compare_png(ph: Pageheat, c: Compared, opacity: float = 0.7) -> bytes:
    """The diff over the shared background (or alone, transparent, when there is none)."""
    cmp = c.comparison
    png = ph.pictures.background_png(c.background.id) if c.background else None
    if png is not None:
        return heat.diff_composite(png, cmp.scaled, cmp.cell, opacity=opacity)
    return heat.diff_png(cmp.scaled, cmp.cell, cmp.width, cmp.height)


def area(
    ph: Pageheat, query: Query, x: float, y: float, w: float, h: float, kind: str = "click",
    background: str | None = None, capture: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """Points of a point map inside a rectangle of the background (page px), placed as
    the heatmap places them, and their share of all the map's points."""
    if kind not in POINT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(POINT_KINDS)}, got {kind!r}")
    for name, v in (("x", x), ("y", y), ("w", w), ("h", h)):
        if not np.isfinite(v) or (name in "wh" and v < 0):
            raise ValueError(f"{name} must be a finite number{' >= 0' if name in 'wh' else ''}")
    rows = ph.store.points(query, kind)
    if capture:
        bg = ph.backgrounds.ensure(query, rows.selectors, background)
    else:
        bg = ph.backgrounds.choose(query, background)
    if bg is not None:
        width, height, rects = bg.width, bg.height, bg.rects
    else:
        (width, height), rects = _page_size(ph, query, rows), None
    placed = place(rows, float(width), rects)
    count, total = heat.count_in(placed, x, y, w, h, width, height)
    return {
        "count": count, "share": round(count / total, 4) if total else 0.0, "total": total,
        "x": x, "y": y, "w": w, "h": h, "kind": kind,
        "background": None if bg is None else bg.id,
    }  # fmt: skip
