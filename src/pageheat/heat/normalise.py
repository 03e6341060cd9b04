"""Map density to 0..1 intensity: datashader's "transform" stage.

Two decisions live here. *Scale*: the page's own peak by default, or an absolute
``peak`` shared between two heatmaps so a side-by-side comparison means something.
*Clip*: the 99.5th percentile of lit cells, so one very hot button does not turn the
rest of the page into "less than 5 %" and vanish.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["HOW", "PER_VIEWS", "SCALES", "clip_value", "normalise", "per_page_views"]


def _linear(g: np.ndarray) -> np.ndarray:
    return g


def _log(g: np.ndarray) -> np.ndarray:
    # log1p keeps 0 at 0, so empty cells stay transparent.
    return np.log1p(g)


HOW: dict[str, Callable[[np.ndarray], np.ndarray]] = {"linear": _linear, "log": _log}


def clip_value(g: np.ndarray, clip_percentile: float = 99.5, peak: float | None = None) -> float:
    """The density that maps to intensity 1.

    The percentile is taken over *non-zero* cells: a long page is mostly empty, and
    over all cells the 99.5th percentile would often be 0. It uses the ``lower``
    method (an actual cell value, never interpolated) because with fewer than 200
    lit cells an interpolated percentile reaches into the outlier it is meant to
    clip, which is exactly the case where clipping matters.
    """
    if peak is not None:
        return max(float(peak), 0.0)
    g = np.asarray(g)
    lit = g[g > 0]
    if lit.size == 0:
        return 0.0
    if clip_percentile >= 100:
        return float(lit.max())
    return float(np.percentile(lit, clip_percentile, method="lower"))


def normalise(
    g: np.ndarray,
    how: str = "linear",
    clip_percentile: float = 99.5,
    peak: float | None = None,
) -> np.ndarray:
    """Intensity in 0..1 (float32), values above the clip saturating at 1.

    Parameters
    ----------
    how
        Key of `HOW`. ``"log"`` lifts the long tail of rarely clicked areas, at the
        cost of making small differences near the top harder to see.
    clip_percentile
        Percentile of non-zero cells mapped to 1 (see `clip_value`).
    peak
        Absolute scale: divide by this instead of the page's own clip (same units as
        ``g``). Cells above it saturate.

    An all-zero grid (or ``peak`` 0) gives all zeros, without NaN or warnings:
    an empty heatmap is a normal state, not an error.
    """
    try:
        f = HOW[how]
    except KeyError:
        raise ValueError(f"unknown how={how!r}; expected one of {sorted(HOW)}") from None
    g = np.asarray(g, dtype=np.float64)
    top = clip_value(g, clip_percentile, peak)
    if top <= 0:
        return np.zeros(g.shape, dtype=np.float32)
    scaled = f(np.clip(g, 0.0, top)) / f(np.float64(top))
    return scaled.astype(np.float32)


#: Scale modes: ``relative`` maps the page's own clipped peak to 1; ``absolute`` expresses
#: density per `PER_VIEWS` page views first, so a peak given in those units means the same
#: on every heatmap it is passed to.
SCALES = ("relative", "absolute")
PER_VIEWS = 1000.0


def per_page_views(g: np.ndarray, page_views: float, per: float = PER_VIEWS) -> np.ndarray:
    """Density in points per ``per`` page views (float64): what makes two maps comparable.

    A period with twice the traffic has twice the clicks; dividing by its page views
    leaves only the change in behaviour. No page views gives an all-zero grid (nothing
    happened), not a division error.
    """
    g = np.asarray(g, dtype=np.float64)
    if page_views is None or page_views <= 0:
        return np.zeros(g.shape, dtype=np.float64)
    return g * (float(per) / float(page_views))
