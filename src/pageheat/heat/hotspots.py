"""Find the hottest areas and say how many clicks and which element each holds.

This is what the dashboard lists beside the map ("42 % of clicks, on #signup"), so
counts come from the raw grid, not the blurred one: the blur decides *where* a
hotspot is, the raw counts say *how many* real clicks are under it.
"""

from __future__ import annotations

import numpy as np

from .grid import flat_index
from .placement import Placed

__all__ = ["hotspots", "local_maxima", "peaks", "selectors_in", "windows"]


def local_maxima(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every positive cell not lower than any of its 8 neighbours.

    Plateaus yield several candidates; `hotspots` suppresses all but one.
    """
    g = np.asarray(g, dtype=np.float64)
    if g.size == 0:
        e = np.empty(0, dtype=np.intp)
        return e, e
    p = np.pad(g, 1, constant_values=-np.inf)
    rows, cols = g.shape
    peak = g > 0
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            if dy == 1 and dx == 1:
                continue
            peak &= g >= p[dy : dy + rows, dx : dx + cols]
    return np.nonzero(peak)


def hotspots(
    smoothed: np.ndarray,
    counts: np.ndarray,
    cell: int,
    n: int,
    placed: Placed | None = None,
    radius_cells: int = 2,
) -> list[dict]:
    """Up to ``n`` hotspots, hottest first.

    Each is ``{"x", "y", "count", "share", "selector"}``: the centre of the peak cell
    in page px, the raw points in the square of ``radius_cells`` around it, their
    share of all points on the grid (rounded to 4 places), and the selector most of
    those points were anchored to (``None`` if none had one).

    A peak within ``2 * radius_cells`` (Chebyshev, in cells) of a hotter one is
    suppressed: one button is one hotspot, not a cluster of them. That distance also
    makes the kept squares disjoint, so no click is counted twice and shares add
    up to at most 1.
    """
    smoothed = np.asarray(smoothed, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    total = float(counts.sum())
    if n <= 0 or total <= 0:
        return []
    kept_y, kept_x = peaks(smoothed, n, radius_cells)
    wins = windows(kept_y, kept_x, counts.shape, radius_cells)
    selectors = selectors_in(wins, counts.shape, cell, placed)
    out = []
    for py, px, win, sel in zip(kept_y, kept_x, wins, selectors, strict=True):
        c = round(float(counts[win].sum()))
        out.append(
            {
                "x": (px + 0.5) * cell,
                "y": (py + 0.5) * cell,
                "count": c,
                "share": round(c / total, 4),
                "selector": sel,
            }
        )
    return out


def peaks(g: np.ndarray, n: int, radius_cells: int = 2) -> tuple[list[int], list[int]]:
    """Rows and columns of up to ``n`` local maxima of ``g`` (positive cells only),
    highest first, none within ``2 * radius_cells`` (Chebyshev) of a higher one."""
    g = np.asarray(g, dtype=np.float64)
    r = max(0, int(radius_cells))
    ys, xs = local_maxima(g)
    # Highest first; ties broken top-left first so the output is deterministic.
    order = np.lexsort((xs, ys, -g[ys, xs]))
    ys, xs = ys[order], xs[order]
    kept_y: list[int] = []
    kept_x: list[int] = []
    if n <= 0:
        return kept_y, kept_x
    for py, px in zip(ys.tolist(), xs.tolist(), strict=True):
        if kept_y:
            ky = np.asarray(kept_y)
            kx = np.asarray(kept_x)
            if np.any(np.maximum(np.abs(ky - py), np.abs(kx - px)) <= 2 * r):
                continue
        kept_y.append(py)
        kept_x.append(px)
        if len(kept_y) == n:
            break
    return kept_y, kept_x


def windows(
    ys: list[int], xs: list[int], shape: tuple[int, int], radius_cells: int = 2
) -> list[tuple[slice, slice]]:
    """The square of ``radius_cells`` around each peak, cut at the grid's edges."""
    r = max(0, int(radius_cells))
    rows, cols = shape
    return [
        (slice(max(0, py - r), min(rows, py + r + 1)), slice(max(0, px - r), min(cols, px + r + 1)))
        for py, px in zip(ys, xs, strict=True)
    ]


def selectors_in(
    windows: list[tuple[slice, slice]],
    shape: tuple[int, int],
    cell: int,
    placed: Placed | None,
) -> list[str | None]:
    """Most common selector per window, in one pass over the points.

    Windows are disjoint (see `hotspots`), so a label grid maps every point to at
    most one hotspot with a single gather, and one bincount over (hotspot, selector)
    pairs does the rest: no per-hotspot scan of a million points.
    """
    none: list[str | None] = [None] * len(windows)
    if placed is None or not windows or not placed.selectors or len(placed.x) == 0:
        return none
    rows, cols = shape
    # one label per cell, and -1 for the off-page "dump" cell that flat_index uses
    label = np.full(rows * cols + 1, -1, dtype=np.int64)
    for i, win in enumerate(windows):
        label[:-1].reshape(shape)[win] = i
    x, y, sel = placed.x, placed.y, placed.sel
    flat = flat_index(x, y, cols * cell, rows * cell, cell)
    lab = label[flat]
    hit = lab >= 0
    hit &= sel >= 0
    nsel = len(placed.selectors)
    table = np.bincount(
        lab[hit] * nsel + sel[hit], placed.weights(hit), len(windows) * nsel
    ).reshape(len(windows), nsel)
    best = table.argmax(axis=1)
    return [placed.selectors[b] if table[i, b] > 0 else None for i, b in enumerate(best.tolist())]
