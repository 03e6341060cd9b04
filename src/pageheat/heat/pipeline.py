"""The whole engine in one call: place -> grid -> smooth -> normalise -> hotspots.

Mouse and touch are gridded and blurred separately because a fingertip is less
precise than a cursor (20 px radius against 10 px by default); the two densities are
then added, so one map shows both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .grid import grid
from .hotspots import hotspots as find_hotspots
from .normalise import PER_VIEWS, SCALES, clip_value, normalise, per_page_views
from .placement import Placed, Points, Rect, place
from .smooth import smooth

__all__ = ["UNIT_ABSOLUTE", "Heatmap", "grid_json", "heatmap", "to_json"]

#: What an absolute ``peak`` (and a comparison's diff) is counted in.
UNIT_ABSOLUTE = f"points per {PER_VIEWS:,.0f} page views".replace(",", " ")


@dataclass(frozen=True)
class Heatmap:
    """Every stage's output, so callers pick what they need (PNG, JSON, hover counts)
    without recomputing."""

    cell: int
    width: int
    height: int
    counts: np.ndarray
    density: np.ndarray
    intensity: np.ndarray
    max: float
    total: int
    hotspots: list[dict]
    placed: Placed
    #: ``relative`` (``max`` in points per cell) or ``absolute`` (``max`` in points per
    #: cell per 1 000 page views of ``page_views``).
    scale: str = "relative"
    page_views: int | None = None

    @property
    def rate(self) -> np.ndarray:
        """Density per 1 000 page views (needs ``page_views``): the unit of comparisons."""
        if self.page_views is None:
            raise ValueError("this heatmap was drawn without its page views")
        return per_page_views(self.density, self.page_views)


def heatmap(
    points: Points,
    width: int,
    height: int,
    *,
    cell: int = 10,
    radius_mouse: float = 10,
    radius_touch: float = 20,
    rects: Mapping[str, Rect] | None = None,
    how: str = "linear",
    clip_percentile: float = 99.5,
    peak: float | None = None,
    n_hotspots: int = 20,
    scale: str = "relative",
    page_views: int | None = None,
) -> Heatmap:
    """Heatmap of ``points`` over a ``width`` x ``height`` background (page px).

    Kernel sigma is half the radius (DESIGN: sigma ~ radius/2), expressed in cells since
    the blur runs on the grid. ``total`` counts the points that landed on the page;
    clicks placed below a shorter background are not on the map and would make
    every share look too small.

    ``scale="absolute"`` divides the density by ``page_views`` (per 1 000) before
    normalising; ``peak`` is then in those units and defaults to the map's own clipped
    peak, which ``max`` reports so that a second map can be drawn with ``peak=`` that
    value. With the default ``"relative"`` scale, ``peak`` is in points per cell.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    if scale == "absolute" and page_views is None:
        raise ValueError("scale='absolute' needs the page views the points came from")
    if peak is not None and not (np.isfinite(peak) and peak > 0):
        raise ValueError(f"peak must be a positive number, got {peak!r}")
    placed = place(points, float(width), rects)
    touch = placed.touch
    if touch.any():
        mouse = ~touch
        c_mouse = grid(placed.x[mouse], placed.y[mouse], width, height, cell,
                       placed.weights(mouse))  # fmt: skip
        c_touch = grid(placed.x[touch], placed.y[touch], width, height, cell,
                       placed.weights(touch))  # fmt: skip
        counts = c_mouse + c_touch
        density = smooth(c_mouse, radius_mouse / 2 / cell) + smooth(
            c_touch, radius_touch / 2 / cell
        )
    else:  # the common desktop case: one grid, no masking copies
        counts = grid(placed.x, placed.y, width, height, cell, placed.n)
        density = smooth(counts, radius_mouse / 2 / cell)
    scaled = density if scale == "relative" else per_page_views(density, page_views or 0)
    top = clip_value(scaled, clip_percentile, peak)
    intensity = normalise(scaled, how, clip_percentile, top)
    return Heatmap(
        cell=cell,
        width=width,
        height=height,
        counts=counts,
        density=density,
        intensity=intensity,
        max=top,
        total=round(float(counts.sum())),
        hotspots=find_hotspots(density, counts, cell, n_hotspots, placed),
        placed=placed,
        scale=scale,
        page_views=None if page_views is None else int(page_views),
    )


def grid_json(intensity: np.ndarray, cell: int, width: int, height: int, peak: float) -> dict:
    """The grid part of every map's JSON (point maps and band maps alike)."""
    rows, cols = intensity.shape
    return {
        "cell": int(cell),
        "width": int(width),
        "height": int(height),
        "cols": int(cols),
        "rows": int(rows),
        # float64 before rounding: float32 0.1 would otherwise print as 0.10000000149.
        "grid": np.round(intensity.astype(np.float64), 3).ravel().tolist(),
        "max": float(peak),
    }


def to_json(h: Heatmap) -> dict:
    """JSON-ready dict for the dashboard and the API.

    ``grid`` is the intensity as one flat, row-major list of ``rows * cols`` numbers
    (index ``row * cols + col``), rounded to 3 decimals: flat because it is smaller
    to send and maps straight onto a canvas ``ImageData`` loop; ``cols`` and
    ``rows`` give its shape.
    """
    anchored = h.placed.count(h.placed.anchored)
    extra: dict = {"scale": h.scale}
    if h.scale == "absolute":
        extra.update(peak=round(h.max, 4), page_views=h.page_views, unit=UNIT_ABSOLUTE)
    return {
        **grid_json(h.intensity, h.cell, h.width, h.height, h.max),
        **extra,
        "total": int(h.total),
        "hotspots": [dict(s) for s in h.hotspots],
        "placed": {"anchored": anchored, "positional": h.placed.count() - anchored},
        "not_visible": [
            {"selector": s, "count": int(c)}
            for s, c in sorted(h.placed.not_visible.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }
