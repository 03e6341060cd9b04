"""Colour intensity with a 256-entry lookup table: datashader's "shade" stage.

Colouring is one ``numpy.take`` on uint8 indices, so it costs the same for any
palette, and the same indices feed a palette-mode PNG directly (`encode.png`).
"""

from __future__ import annotations

import colorcet
import numpy as np

__all__ = [
    "BANDS",
    "DIVERGING",
    "FIRST_DRAWN",
    "IGNORED_BELOW",
    "LABELS",
    "PALETTES",
    "ZERO_INDEX",
    "diverging_index",
    "palette_lut",
    "shade",
    "shade_diverging",
    "shade_index",
]

# Reading guide: under 5 % of the peak is "ignored" and is drawn fully transparent.
IGNORED_BELOW = 0.05
#: The smallest LUT index ever drawn (the 5 % threshold): where a legend of a table starts.
FIRST_DRAWN = int(np.ceil(IGNORED_BELOW * 255))
# Alpha of the faintest visible colour: light enough not to hide the page under
# barely-clicked areas, strong enough that the 5-25 % "light" band is seen at all.
_ALPHA_FLOOR = 0.25


def _ramp(
    name: str,
    start: float = 0.0,
    stop: float = 1.0,
    alpha: tuple[float, float] = (_ALPHA_FLOOR, 1.0),
) -> np.ndarray:
    """Resample a colorcet palette's ``[start, stop]`` stretch to 256 RGBA rows.

    Alpha rises linearly from ``alpha[0]`` at the 5 % threshold to ``alpha[1]`` at 1 (by
    default from `_ALPHA_FLOOR` to opaque, so hot areas cover the page and faint ones let
    it show through); index 0, the ignored band, is transparent.
    """
    hexes = colorcet.palette[name]
    rgb = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in hexes], dtype=float)
    pos = np.linspace(start, stop, 256) * (len(rgb) - 1)
    src = np.arange(len(rgb))
    lut = np.empty((256, 4), dtype=np.uint8)
    for c in range(3):
        lut[:, c] = np.round(np.interp(pos, src, rgb[:, c]))
    v = np.arange(256) / 255.0
    lo, hi = alpha
    a = lo + (hi - lo) * (v - IGNORED_BELOW) / (1 - IGNORED_BELOW)
    a = np.where(v < IGNORED_BELOW, 0.0, a)
    lut[:, 3] = np.round(np.clip(a, 0.0, 1.0) * 255)
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


#: What a palette is called where a person picks it.
LABELS = {"heat": "Heat", "colorblind": "Colour-blind safe", "bands": "Bands",
          "diff": "Change"}  # fmt: skip

BANDS: dict[str, np.ndarray] = {
    # Scroll reach and attention: the same blue -> red ramp, red where everyone is (100 %
    # reach, the longest time), under a nearly even wash (alpha 0.37 .. 0.53): a band
    # covers the whole width, so the page under it must stay readable everywhere.
    "bands": _ramp("rainbow", alpha=(0.37, 0.53)),
}


def palette_lut(palette: str) -> np.ndarray:
    """The (256, 4) RGBA table of a point or band palette, with a clear error naming the
    point palettes (the ones a person picks)."""
    try:
        return PALETTES[palette] if palette in PALETTES else BANDS[palette]
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
    idx = np.maximum(idx, FIRST_DRAWN)
    idx[n < IGNORED_BELOW] = 0
    return idx


def shade(n: np.ndarray, palette: str = "heat") -> np.ndarray:
    """Intensity 0..1 -> RGBA uint8, shape ``n.shape + (4,)``."""
    return np.take(palette_lut(palette), shade_index(n), axis=0)


# -- diverging: a diff of two heatmaps, -1 (cooling) .. 0 .. +1 (warming) -------------

#: The LUT index of "no change": the middle of the table, drawn transparent. Indices are
#: linear in the value (1 -> -1, 128 -> 0, 255 -> +1), so upscaling them by bilinear
#: interpolation blends a warm spot towards "no change", never through the cold side.
ZERO_INDEX = 128


def _diverging(name: str, inner: float = 0.1) -> np.ndarray:
    """256 RGBA rows for values -1..1 from a colorcet diverging palette (blue .. red).

    The palette's near-white middle is skipped (a small change starts at ``inner`` from
    the centre, already tinted) because on a screenshot white reads as nothing; alpha
    is 0 within the ignored band around 0 and rises like the sequential ramps' with |v|.
    """
    hexes = colorcet.palette[name]
    rgb = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in hexes], dtype=float)
    v = np.clip((np.arange(256) - ZERO_INDEX) / 127.0, -1.0, 1.0)
    pos = (0.5 + np.sign(v) * (inner + (0.5 - inner) * np.abs(v))) * (len(rgb) - 1)
    src = np.arange(len(rgb))
    lut = np.empty((256, 4), dtype=np.uint8)
    for c in range(3):
        lut[:, c] = np.round(np.interp(pos, src, rgb[:, c]))
    a = np.abs(v)
    alpha = _ALPHA_FLOOR + (1 - _ALPHA_FLOOR) * (a - IGNORED_BELOW) / (1 - IGNORED_BELOW)
    alpha = np.where(a < IGNORED_BELOW, 0.0, alpha)
    lut[:, 3] = np.round(np.clip(alpha, 0.0, 1.0) * 255)
    return lut


DIVERGING: dict[str, np.ndarray] = {
    # colorcet coolwarm (diverging_bwr_40_95_c42): blue = cooling, red = warming; its
    # ends stay mid-bright (CET_D1A's near-black ends would hide the element under them).
    "diff": _diverging("coolwarm"),
}


def diverging_index(d: np.ndarray) -> np.ndarray:
    """Change -1..1 -> uint8 LUT index: `ZERO_INDEX` (transparent) within the ignored
    band around 0, else 1..255 linear in the value."""
    d = np.clip(np.nan_to_num(np.asarray(d, dtype=np.float32), nan=0.0), -1.0, 1.0)
    idx = np.clip(np.round(d * 127.0) + ZERO_INDEX, 1, 255).astype(np.uint8)
    idx[np.abs(d) < IGNORED_BELOW] = ZERO_INDEX
    return idx


def shade_diverging(d: np.ndarray, palette: str = "diff") -> np.ndarray:
    """Change -1..1 -> RGBA uint8, shape ``d.shape + (4,)``."""
    try:
        lut = DIVERGING[palette]
    except KeyError:
        raise ValueError(
            f"unknown diverging palette {palette!r}; expected one of {sorted(DIVERGING)}"
        ) from None
    return np.take(lut, diverging_index(d), axis=0)
