"""Compare two heatmaps of one page, and count the points inside a rectangle of it.

A comparison is of *behaviour*, not of traffic: each side's density is first expressed
per 1 000 of its own page views (`per_page_views`), so a period with twice the visitors
is not "warmer" everywhere. The diff ``b - a`` is then put on one scale for the whole
page, symmetric around 0: the |diff| at the clip percentile of changed cells maps to 1,
as the relative scale maps the page's own clipped peak (one very hot change does not
wash out every other one). Both sides must be placed on the same background (same size
and cell), which is the caller's business: the engine only checks the shapes agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hotspots import peaks, selectors_in, windows
from .normalise import PER_VIEWS, clip_value
from .pipeline import UNIT_ABSOLUTE, Heatmap
from .placement import Placed
from .shade import IGNORED_BELOW

__all__ = ["Comparison", "compare", "comparison_json", "count_in", "diff", "inside"]


def diff(
    a: np.ndarray, b: np.ndarray, clip_percentile: float = 99.5, peak: float | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """``(delta, scaled, top)`` of two densities in the same unit.

    ``delta`` is ``b - a``; ``top`` the |delta| that maps to ±1 (``peak`` if given, else
    the ``clip_percentile`` of the non-zero |delta|); ``scaled`` is ``delta / top``
    clipped to [-1, 1] (float32; all zeros when nothing changed).
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"the two sides differ in shape: {a.shape} != {b.shape}")
    delta = b - a
    # Cells equal on both sides but for float rounding are "no change", not a faint
    # change that the percentile would count.
    scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
    delta[np.abs(delta) <= scale * 1e-12] = 0.0
    top = clip_value(np.abs(delta), clip_percentile, peak)
    if top <= 0:
        return delta, np.zeros(delta.shape, dtype=np.float32), 0.0
    scaled = np.clip(delta / top, -1.0, 1.0).astype(np.float32)
    return delta, scaled, top


@dataclass(frozen=True)
class Comparison:
    """Two heatmaps on one background and their diff (``b - a``, per 1 000 page views)."""

    a: Heatmap
    b: Heatmap
    delta: np.ndarray  # b - a in points per cell per 1 000 page views
    scaled: np.ndarray  # delta / max, clipped to -1..1 (float32)
    max: float  # the |delta| drawn at full colour
    warming: list[dict]
    cooling: list[dict]

    @property
    def cell(self) -> int:
        return self.a.cell

    @property
    def width(self) -> int:
        return self.a.width

    @property
    def height(self) -> int:
        return self.a.height


def compare(
    a: Heatmap,
    b: Heatmap,
    *,
    clip_percentile: float = 99.5,
    peak: float | None = None,
    n_hotspots: int = 10,
    radius_cells: int = 2,
) -> Comparison:
    """Diff two heatmaps drawn with their page views (``heatmap(..., page_views=)``).

    ``warming`` and ``cooling`` list up to ``n_hotspots`` areas each, strongest first:
    peaks of the diff (only those at least the ignored 5 % of the scale), with the raw
    points of each side in the square of ``radius_cells`` around the peak (``a``,
    ``b``), their change per 1 000 page views (``change``, b - a) and the selector most
    of the points there hit (on the side that has more of them).
    """
    if (a.cell, a.width, a.height) != (b.cell, b.width, b.height):
        raise ValueError(
            "both sides must be drawn on one background: "
            f"{a.width}x{a.height}/{a.cell} != {b.width}x{b.height}/{b.cell}"
        )
    delta, scaled, top = diff(a.rate, b.rate, clip_percentile, peak)
    spots = {
        name: _spots(sign * delta, top, a, b, n_hotspots, radius_cells)
        for name, sign in (("warming", 1.0), ("cooling", -1.0))
    }
    return Comparison(a, b, delta, scaled, top, spots["warming"], spots["cooling"])


def _spots(
    g: np.ndarray, top: float, a: Heatmap, b: Heatmap, n: int, radius_cells: int
) -> list[dict]:
    if top <= 0 or n <= 0:
        return []
    ys, xs = peaks(np.where(g >= IGNORED_BELOW * top, g, 0.0), n, radius_cells)
    wins = windows(ys, xs, g.shape, radius_cells)
    sel_a = selectors_in(wins, g.shape, a.cell, a.placed)
    sel_b = selectors_in(wins, g.shape, b.cell, b.placed)
    per_a = PER_VIEWS / a.page_views if a.page_views else 0.0
    per_b = PER_VIEWS / b.page_views if b.page_views else 0.0
    out = []
    for py, px, win, sa, sb in zip(ys, xs, wins, sel_a, sel_b, strict=True):
        ca = round(float(a.counts[win].sum()))
        cb = round(float(b.counts[win].sum()))
        out.append({
            "x": (px + 0.5) * a.cell, "y": (py + 0.5) * a.cell, "a": ca, "b": cb,
            "change": round(cb * per_b - ca * per_a, 2),
            "selector": (sb if cb >= ca else sa) or sa or sb,
        })  # fmt: skip
    return out


def comparison_json(c: Comparison) -> dict:
    """JSON-ready dict: the diff grid like a heatmap's (flat, row-major, -1..1 rounded to
    3 places), its scale, each side's totals, and the warming and cooling areas."""
    rows, cols = c.scaled.shape

    def side(h: Heatmap) -> dict:
        anchored = h.placed.count(h.placed.anchored)
        return {
            "total": int(h.total), "page_views": h.page_views,
            "per_1000": round(h.total * PER_VIEWS / h.page_views, 2) if h.page_views else 0.0,
            "peak": round(h.max, 4),
            "placed": {"anchored": anchored, "positional": h.placed.count() - anchored},
            "not_visible": [
                {"selector": s, "count": int(n)}
                for s, n in sorted(h.placed.not_visible.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        }  # fmt: skip

    return {
        "cell": int(c.cell), "width": int(c.width), "height": int(c.height),
        "cols": int(cols), "rows": int(rows),
        "grid": np.round(c.scaled.astype(np.float64), 3).ravel().tolist(),
        "max": round(c.max, 4), "scale": "absolute", "unit": UNIT_ABSOLUTE,
        # One peak both sides can be drawn with (heatmap?scale=absolute&peak=…).
        "peak": round(max(c.a.max, c.b.max), 4),
        "a": side(c.a), "b": side(c.b),
        "hotspots": {"warming": c.warming, "cooling": c.cooling},
    }  # fmt: skip


def count_in(
    placed: Placed, x: float, y: float, w: float, h: float, width: float, height: float
) -> tuple[int, int]:
    """``(inside, total)``: placed points in the closed rectangle ``[x, x+w] x [y, y+h]``
    and all points on the ``width`` x ``height`` page (what a heatmap's ``total`` counts,
    so the share matches the map's). Closed so a click on an element's very edge, as
    anchoring at ``rx = 1`` puts it, belongs to the element's box."""
    on_page = inside(placed, 0, 0, width, height, width, height)
    return placed.count(inside(placed, x, y, w, h, width, height)), placed.count(on_page)


def inside(
    placed: Placed, x: float, y: float, w: float, h: float, width: float, height: float
) -> np.ndarray:
    """Which placed points :func:`count_in` counts inside the rectangle (a mask): the
    sessions behind an area are those of exactly these points."""
    px = np.asarray(placed.x, dtype=np.float64)
    py = np.asarray(placed.y, dtype=np.float64)
    on_page = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    return on_page & (px >= x) & (px <= x + w) & (py >= y) & (py <= y + h)
