"""Scroll and attention maps: how far down the page people got, and where they lingered.

Both are functions of depth alone, so they are drawn as horizontal bands over the page:
the scroll map colours each depth by the share of page views that reached it, the
attention map by the mean seconds that depth was in view. Reach comes from a histogram
of each view's deepest point in 1 % bins and a reverse cumulative sum (docs/design.md), so its
cost is the number of page views, once, whatever the page's height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BandMap", "attention_map", "depth_at", "reach", "scroll_map"]

#: The tracker reports attention per 5 % band of the document.
ATTENTION_BANDS = 20


@dataclass(frozen=True)
class BandMap:
    """A map that varies with depth only, on the heat engine's cell grid."""

    cell: int
    width: int
    height: int
    intensity: np.ndarray  # (rows, cols) float32 in 0..1, equal along each row
    max: float  # the value that maps to 1 (share for scroll, seconds for attention)
    values: list[float]  # per 1 % (scroll: 101 values) or per 5 % band (attention: 20)
    page_views: int


def reach(depth: np.ndarray) -> np.ndarray:
    """Share of page views whose deepest point reached each 1 % of the document (101 values).

    ``depth`` is each view's deepest point as a fraction of its document height; a view
    that reached 50 % reached every depth above it, hence the reverse cumulative sum.
    """
    depth = np.asarray(depth, dtype=np.float64)
    if depth.size == 0:
        return np.zeros(101)
    bins = np.clip(np.floor(np.clip(depth, 0, 1) * 100 + 1e-9), 0, 100).astype(np.intp)
    hist = np.bincount(bins, minlength=101)
    return np.cumsum(hist[::-1])[::-1] / depth.size


def depth_at(reached: np.ndarray, share: float) -> int | None:
    """The deepest 1 % step that at least ``share`` of the page views reached."""
    ok = np.flatnonzero(np.asarray(reached) >= share - 1e-12)
    return int(ok.max()) if ok.size else None


def _rows(values_by_fraction: np.ndarray, height: int, cell: int) -> np.ndarray:
    """Value of each grid row, looked up at the row's centre as a fraction of the page."""
    rows = -(-height // cell)
    centre = (np.arange(rows) + 0.5) * cell / max(height, 1)
    idx = np.minimum(
        (centre * len(values_by_fraction)).astype(np.intp), len(values_by_fraction) - 1
    )
    return values_by_fraction[idx]


def scroll_map(depth: np.ndarray, width: int, height: int, cell: int = 10) -> BandMap:
    """Bands coloured by reach: 1 where every page view got to, fading with the drop-off."""
    r = reach(depth)
    per_row = _rows(r[:100], height, cell)
    cols = -(-width // cell)
    grid = np.repeat(per_row[:, None], cols, axis=1).astype(np.float32)
    return BandMap(cell, width, height, grid, 1.0, [round(float(v), 4) for v in r], int(depth.size))


def attention_map(bands: np.ndarray, width: int, height: int, cell: int = 10) -> BandMap:
    """Bands coloured by mean seconds in view per page view, relative to the longest band."""
    bands = np.asarray(bands, dtype=np.float64).reshape(-1, ATTENTION_BANDS)
    mean = bands.mean(axis=0) if len(bands) else np.zeros(ATTENTION_BANDS)
    peak = float(mean.max())
    norm = mean / peak if peak > 0 else mean
    per_row = _rows(norm, height, cell)
    cols = -(-width // cell)
    grid = np.repeat(per_row[:, None], cols, axis=1).astype(np.float32)
    return BandMap(
        cell, width, height, grid, round(peak, 3), [round(float(v), 3) for v in mean], len(bands)
    )
