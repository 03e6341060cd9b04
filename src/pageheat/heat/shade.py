"""Colour intensity with a 256-entry lookup table: datashader's "shade" stage.

Colouring is one ``numpy.take`` on uint8 indices, so it costs the same for any
palette, and the same indices feed a palette-mode PNG directly (`encode.png`).
"""

from __future__ import annotations

import colorcet
import numpy as np

__all__ = ["IGNORED_BELOW", "PALETTES", "palette_lut", "shade", "shade_index"]

# Reading guide: under 5 % of the peak is "ignored" and is drawn fully transparent.
IGNORED_BELOW = 0.05
# Alpha of the faintest visible colour: light enough not to hide the page under
# barely-clicked areas, strong enough that the 5-25 % "light" band is seen at all.
_ALPHA_FLOOR = 0.25


def _ramp(name: str, start: float = 0.0, stop: float = 1.0) -> np.ndarray:
    """Resample a colorcet palette's ``[start, stop]`` stretch to 256 RGBA rows.

    Alpha rises linearly from `_ALPHA_FLOOR` at the 5 % threshold to opaque at 1,
    so hot areas cover the page and faint ones let it show through.
    """
    hexes = colorcet.palette[name]
    rgb = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in hexes], dtype=float)
    pos = np.linspace(start, stop, 256) * (len(rgb) - 1)
    src = np.arange(len(rgb))
    lut = np.empty((256, 4), dtype=np.uint8)
    for c in range(3):
        lut[:, c] = np.round(np.interp(pos, src, rgb[:, c]))
    v = np.arange(256) / 255.0
    alpha = _ALPHA_FLOOR + (1 - _ALPHA_FLOOR) * (v - IGNORED_BELOW) / (1 - IGNORED_BELOW)
    alpha = np.where(v < IGNORED_BELOW, 0.0, alpha)
    lut[:, 3] = np.round(np.clip(alpha, 0.0, 1.0) * 255)
    lut[0] = 0
    return lut


PALETTES: dict[str, np.ndarray] = {
    # colorcet "rainbow" (rainbow_bgyr_35_85_c73): blue -> green -> yellow -> red
    # with even perceived steps, the ramp heatmap readers expect.
    "heat": _ramp("rainbow"),
    # CET_CBL2, safe for protanopes and deuteranopes: dark blue -> blue -> yellow.
    # Its near-black start and near-white end are cut: both vanish on a screenshot.
    "colorblind": _ramp("CET_CBL2", 0.25, 0.92),
}


def palette_lut(palette: str) -> np.ndarray:
    """The (256, 4) RGBA table, with a clear error naming the choices."""
    try:
        return PALETTES[palette]
    except KeyError:
        raise ValueError(
            f"unknown palette {palette!r}; expected one of {sorted(PALETTES)}"
        ) from None


def shade_index(n: np.ndarray) -> np.ndarray:
    """Intensity 0..1 -> uint8 LUT index, 0 for the ignored band.

    The threshold is applied on the intensity itself, not on the index, so a value
    of 0.049 is transparent and 0.05 is not, whatever the rounding of 255 steps.
    """
    n = np.nan_to_num(np.asarray(n, dtype=np.float32), nan=0.0)
    idx = np.clip(n * 255.0 + 0.5, 0.0, 255.0).astype(np.uint8)
    first = int(np.ceil(IGNORED_BELOW * 255))  # smallest index the LUT draws
    idx = np.maximum(idx, first)
    idx[n < IGNORED_BELOW] = 0
    return idx


def shade(n: np.ndarray, palette: str = "heat") -> np.ndarray:
    """Intensity 0..1 -> RGBA uint8, shape ``n.shape + (4,)``."""
    return np.take(palette_lut(palette), shade_index(n), axis=0)
