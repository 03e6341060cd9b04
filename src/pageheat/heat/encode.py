"""Encode intensity grids as PNG: the overlay alone, or drawn over the page.

Everything is done in palette space: the small cell grid is shaded to uint8 LUT
indices, those are upscaled to page pixels, and Pillow writes a palette-mode ("P")
PNG with a transparency table. That is ~5x cheaper to compress than RGBA (≈ 50 ms
against ≈ 360 ms for 1280 x 5000) and colours come out identical.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .shade import palette_lut, shade_index

__all__ = ["composite", "png", "upscale_index"]

# Target size of one flat block in the upscaled image. Cells are bilinearly
# interpolated down to blocks of about this size, then repeated: at 5 px the heat
# reads smooth over a screenshot, while runs of equal pixels keep zlib fast. Full
# per-pixel interpolation looked no better and took 4-5x longer to compress on a
# noisy page (~130 ms against ~25 ms for 1280 x 5000 with 1 M uniform clicks).
_BLOCK_PX = 5


def upscale_index(idx: np.ndarray, cell: int, width: int, height: int) -> np.ndarray:
    """LUT indices on the cell grid -> ``(height, width)`` indices on page pixels.

    Interpolating *indices* rather than intensities is exact here because the LUT
    index is linear in intensity; at the edge of the ignored band it blends towards
    index 0, which the LUT draws transparent, giving a soft rim instead of a step.
    The grid is cropped or zero-padded to the requested size, so a background a few
    pixels taller than the grid (or shorter) still lines up at the top-left.
    """
    idx = np.asarray(idx, dtype=np.uint8)
    if idx.size == 0 or width <= 0 or height <= 0:
        return np.zeros((max(height, 0), max(width, 0)), dtype=np.uint8)
    rows, cols = idx.shape
    sub = max(1, round(cell / _BLOCK_PX))
    fine = _lerp_axis(_lerp_axis(idx.astype(np.uint16), cols * sub, 1), rows * sub, 0)
    fine = fine.astype(np.uint8)
    # Page pixel -> sub-cell; past the grid -> an extra all-zero row/column.
    fine = np.pad(fine, ((0, 1), (0, 1)))
    ry = np.minimum((np.arange(height) * sub) // cell, rows * sub)
    rx = np.minimum((np.arange(width) * sub) // cell, cols * sub)
    return fine.take(ry, axis=0).take(rx, axis=1)


def png(n: np.ndarray, cell: int, width: int, height: int, palette: str = "heat") -> bytes:
    """The overlay alone as a transparent PNG of ``width`` x ``height`` page pixels.

    Meant to be laid over the background by whoever shows it (an ``<img>`` on top of
    the screenshot, an export tool); `composite` bakes the two together instead.
    """
    lut = palette_lut(palette)
    pixels = upscale_index(shade_index(n), cell, width, height)
    im = Image.fromarray(pixels)  # "L"; putpalette turns it into "P" without a copy
    im.putpalette(lut[:, :3].tobytes())
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=1, transparency=lut[:, 3].tobytes())
    return buf.getvalue()


def composite(
    background_png: bytes,
    n: np.ndarray,
    cell: int,
    opacity: float = 0.7,
    palette: str = "heat",
) -> bytes:
    """Heat drawn over the background screenshot, same pixel size as the background.

    ``opacity`` scales the palette's own alpha so that even the hottest spot leaves
    the element under it readable: an export is for showing *what* was clicked.

    Costs ~0.4 s for a 1280 x 5000 page, almost all of it decoding and re-encoding
    the RGB screenshot: fine for exports and share links, too slow for interaction,
    where the dashboard lays `png` (or the JSON grid) over the screenshot instead.
    """
    lut = palette_lut(palette)
    bg = Image.open(io.BytesIO(background_png))
    bg.load()
    bg = bg.convert("RGB")
    width, height = bg.size
    pixels = upscale_index(shade_index(n), cell, width, height)
    colour = Image.fromarray(pixels)
    colour.putpalette(lut[:, :3].tobytes())
    alpha_lut = np.round(lut[:, 3] * float(np.clip(opacity, 0.0, 1.0))).astype(np.uint8)
    mask = Image.fromarray(np.take(alpha_lut, pixels))
    bg.paste(colour.convert("RGB"), (0, 0), mask)
    buf = io.BytesIO()
    bg.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _lerp_axis(a: np.ndarray, n_out: int, axis: int) -> np.ndarray:
    """Bilinear resample of one axis to ``n_out`` samples in 8-bit fixed point.

    Sample centres are aligned with cell centres and clamped at the ends, so the
    heat does not drift by half a cell or fade at the page border.
    """
    n = a.shape[axis]
    u = (np.arange(n_out) + 0.5) * (n / n_out) - 0.5
    i0 = np.floor(u).astype(np.intp)
    w = np.round((u - i0) * 256).astype(np.uint16)
    i1 = np.clip(i0 + 1, 0, n - 1)
    i0 = np.clip(i0, 0, n - 1)
    shape = [1, 1]
    shape[axis] = n_out
    w = w.reshape(shape)
    return (np.take(a, i0, axis=axis) * (256 - w) + np.take(a, i1, axis=axis) * w) >> 8
