"""Cell grid -> page pixels -> PNG bytes: the two steps of a map that touch every pixel.

Everything before this works on the small cell grid (a 1280 x 3000 page is 38 400
cells); here the work is per page pixel (3.8 M), so this is where a 1 M-point map spent
most of its time (docs/performance.md, "Heat engine"). Both steps are written for that:

*Upscale*: Pillow's bilinear resize to page pixels followed by a box blur of about half
a cell is, per axis, one fixed filter of three source cells with ``cell`` phases. It is
applied as such: along the rows on the small grid, then down the page one phase at a
time, so each output row is written once, contiguously (≈ 4x cheaper than the resize and
the box blur, whose two passes each go over the whole page).

*PNG*: a palette PNG written here, its rows under PNG's "Sub" filter and compressed by
ISA-L's deflate (``isal``) where it is installed. LUT indices rise and fall smoothly
along a row, so "Sub" leaves mostly zeros and small numbers: the file is ~45 % smaller
than Pillow's unfiltered palette PNG, and ISA-L compresses it ~8x faster than zlib at
level 1.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

import numpy as np

try:  # ISA-L's deflate: same zlib stream, several times faster at its levels 0-3
    from isal import isal_zlib as _deflate

    _LEVEL = 1
except ImportError:  # pragma: no cover - a platform without its wheel
    _deflate = zlib  # type: ignore[assignment]
    _LEVEL = 1

__all__ = ["palette_png", "phase_weights", "upscale_index"]


@lru_cache(maxsize=16)
def phase_weights(cell: int) -> np.ndarray:
    """``(cell, 3)`` weights of source cells ``c-1, c, c+1`` for each page pixel ``p`` of
    cell ``c`` (its ``c * cell + p``): Pillow's bilinear upscale by ``cell`` followed by
    its box blur of radius ``cell // 2 - 1`` (none below 4 px cells), as one filter.

    Bilinear puts a page pixel centred at ``u`` (in cells) between the two nearest cell
    centres, ``max(0, 1 - |u - centre|)`` each; the box blur averages ``2r + 1`` such
    pixels. Both reach less than 1.5 cells, so three source cells are always enough.
    """
    r = cell // 2 - 1 if cell >= 4 else 0
    w = np.zeros((cell, 3))
    for p in range(cell):
        for k in range(p - r, p + r + 1):
            u = (k + 0.5) / cell  # the blurred pixel's centre, in cells from cell c's start
            for t in range(3):  # cells c-1, c, c+1, centred at -0.5, 0.5, 1.5
                w[p, t] += max(0.0, 1.0 - abs(u - (t - 0.5)))
    return (w / w.sum(axis=1, keepdims=True)).astype(np.float32)


def upscale_index(idx: np.ndarray, cell: int, width: int, height: int, fill: int = 0) -> np.ndarray:
    """LUT indices on the cell grid -> ``(height, width)`` indices on page pixels.

    Bilinear resampling to page pixels, then a box blur of about half a cell (as one
    filter, `phase_weights`): the 10 px grid no longer shows as blocks or diamonds,
    and the dashboard's canvas (which softens the same way) and the PNG look alike.
    The grid's border cells are repeated outwards, as Pillow's resize and blur do.

    Interpolating *indices* rather than intensities is exact because the LUT index is
    linear in intensity; at the edge of the ignored band it blends towards index 0,
    which the LUT draws transparent, giving a soft rim instead of a step. The grid is
    cropped or padded with ``fill`` to the requested size, so a background a few pixels
    taller or shorter than the grid still lines up at the top-left (a diverging table's
    transparent index is its middle, not 0).
    """
    idx = np.asarray(idx, dtype=np.uint8)
    if idx.size == 0 or width <= 0 or height <= 0:
        return np.full((max(height, 0), max(width, 0)), fill, dtype=np.uint8)
    cell = int(cell)
    rows = min(idx.shape[0], -(-height // cell))  # cell rows that reach the page
    w = phase_weights(cell)
    # Along the row, on the small grid: cell rows r-1 .. r+1 of every page row r (border
    # cells repeated outwards), each spread to ``cols * cell`` page columns.
    near = idx[np.clip(np.arange(-1, rows + 1), 0, idx.shape[0] - 1)]
    src = np.pad(near, ((0, 0), (1, 1)), mode="edge").astype(np.float32)
    taps = np.stack([src[:, :-2], src[:, 1:-1], src[:, 2:]], axis=-1)
    across = (taps @ w.T).reshape(src.shape[0], -1)
    # Down the page, one phase at a time: three shifted views of those small rows.
    up, mid, down = across[:rows], across[1 : rows + 1], across[2 : rows + 2]
    fine = np.empty((rows, cell, across.shape[1]), dtype=np.uint8)
    acc = np.empty_like(mid)
    tmp = np.empty_like(mid)
    for p in range(cell):
        np.multiply(up, w[p, 0], out=acc)
        np.multiply(mid, w[p, 1], out=tmp)
        acc += tmp
        np.multiply(down, w[p, 2], out=tmp)
        acc += tmp
        acc += 0.5  # round, not truncate, in the cast below
        np.copyto(fine[:, p, :], acc, casting="unsafe")
    fine = fine.reshape(rows * cell, -1)
    if fine.shape == (height, width):
        return fine
    out = np.full((height, width), fill, dtype=np.uint8)
    h, wd = min(height, fine.shape[0]), min(width, fine.shape[1])
    out[:h, :wd] = fine[:h, :wd]
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))
    )


def palette_png(pixels: np.ndarray, lut: np.ndarray) -> bytes:
    """``(height, width)`` uint8 LUT indices -> palette PNG with the LUT's alpha as its
    transparency table (what Pillow's ``"P"`` image with ``transparency=`` writes)."""
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = pixels.shape
    raw = np.empty((height, width + 1), dtype=np.uint8)
    raw[:, 0] = 1  # filter type "Sub": each byte minus the one to its left
    if width:
        raw[:, 1] = pixels[:, 0]
        np.subtract(pixels[:, 1:], pixels[:, :-1], out=raw[:, 2:])
    lut = np.asarray(lut, dtype=np.uint8)
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # 8-bit palette
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", header),
        _chunk(b"PLTE", lut[:, :3].tobytes()),
        _chunk(b"tRNS", lut[:, 3].tobytes()),
        _chunk(b"IDAT", _deflate.compress(raw.data, _LEVEL)),
        _chunk(b"IEND", b""),
    ))  # fmt: skip
