"""Encode intensity grids as PNG: the overlay alone, or drawn over the page.

Everything is done in palette space: the small cell grid is shaded to uint8 LUT
indices, those are upscaled to page pixels, and Pillow writes a palette-mode ("P")
PNG with a transparency table. That is ~5x cheaper to compress than RGBA (≈ 50 ms
against ≈ 360 ms for 1280 x 5000) and colours come out identical.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .shade import DIVERGING, ZERO_INDEX, diverging_index, palette_lut, shade_index

__all__ = ["composite", "diff_composite", "diff_png", "mark_lines", "png", "upscale_index"]


def upscale_index(idx: np.ndarray, cell: int, width: int, height: int, fill: int = 0) -> np.ndarray:
    """LUT indices on the cell grid -> ``(height, width)`` indices on page pixels.

    Bilinear resampling to page pixels, then a box blur of about half a cell, both in
    Pillow's C code: the 10 px grid no longer shows as blocks or diamonds, and the
    dashboard's canvas (which softens the same way) and the PNG look alike. On a real
    page (sparse heat) this costs ≈ 40 ms for 1440 x 1700 with the encode; on pure
    noise the PNG compresses worse (≈ 200 ms for 1280 x 5000).

    Interpolating *indices* rather than intensities is exact because the LUT index is
    linear in intensity; at the edge of the ignored band it blends towards index 0,
    which the LUT draws transparent, giving a soft rim instead of a step. The grid is
    cropped or zero-padded to the requested size, so a background a few pixels taller
    or shorter than the grid still lines up at the top-left. ``fill`` is the index of
    the padding (a diverging table's transparent index is its middle, not 0).
    """
    idx = np.asarray(idx, dtype=np.uint8)
    if idx.size == 0 or width <= 0 or height <= 0:
        return np.full((max(height, 0), max(width, 0)), fill, dtype=np.uint8)
    rows, cols = idx.shape
    im = Image.fromarray(idx).resize((cols * cell, rows * cell), Image.BILINEAR)
    if cell >= 4:
        im = im.filter(ImageFilter.BoxBlur(cell // 2 - 1))
    out = np.full((height, width), fill, dtype=np.uint8)
    fine = np.asarray(im)[:height, :width]
    out[: fine.shape[0], : fine.shape[1]] = fine
    return out


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
    return _over(background_png, shade_index(n), cell, palette_lut(palette), opacity)


def _over(
    background_png: bytes, idx: np.ndarray, cell: int, lut: np.ndarray, opacity: float,
    fill: int = 0,
) -> bytes:  # fmt: skip
    """LUT indices on the cell grid drawn over the background, at the background's size."""
    bg = Image.open(io.BytesIO(background_png))
    bg.load()
    bg = bg.convert("RGB")
    width, height = bg.size
    pixels = upscale_index(idx, cell, width, height, fill)
    colour = Image.fromarray(pixels)
    colour.putpalette(lut[:, :3].tobytes())
    alpha_lut = np.round(lut[:, 3] * float(np.clip(opacity, 0.0, 1.0))).astype(np.uint8)
    mask = Image.fromarray(np.take(alpha_lut, pixels))
    bg.paste(colour.convert("RGB"), (0, 0), mask)
    buf = io.BytesIO()
    bg.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def diff_png(d: np.ndarray, cell: int, width: int, height: int, palette: str = "diff") -> bytes:
    """A diff (-1..1 per cell, b - a) alone as a transparent PNG: red where clicks
    warmed, blue where they cooled, nothing where they stayed the same."""
    lut = DIVERGING[palette]
    pixels = upscale_index(diverging_index(d), cell, width, height, ZERO_INDEX)
    im = Image.fromarray(pixels)
    im.putpalette(lut[:, :3].tobytes())
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=1, transparency=lut[:, 3].tobytes())
    return buf.getvalue()


def diff_composite(
    background_png: bytes, d: np.ndarray, cell: int, opacity: float = 0.7,
    palette: str = "diff",
) -> bytes:  # fmt: skip
    """A diff drawn over the background screenshot, same pixel size as the background."""
    return _over(background_png, diverging_index(d), cell, DIVERGING[palette], opacity,
                 ZERO_INDEX)  # fmt: skip


def mark_lines(png_bytes: bytes, lines: list[tuple[float, str]]) -> bytes:
    """Horizontal lines across the page at ``y`` (page px), each with its label.

    The scroll map's 75/50/25 % and fold marks: a reader of an exported PNG should see
    where the drop-offs are without the dashboard's hover.
    """
    im = Image.open(io.BytesIO(png_bytes)).convert("RGBA")
    draw = ImageDraw.Draw(im)
    try:
        font = ImageFont.load_default(size=16)  # scalable when Pillow has FreeType
    except (TypeError, ImportError, OSError):
        font = ImageFont.load_default()
    for y, label in lines:
        y = round(min(max(y, 0), im.height - 1))
        draw.line([(0, y), (im.width, y)], fill=(20, 20, 20, 255), width=2)
        box = draw.textbbox((8, y + 4), label, font=font)
        draw.rectangle((box[0] - 4, box[1] - 3, box[2] + 4, box[3] + 3), fill=(20, 20, 20, 220))
        draw.text((8, y + 4), label, fill=(255, 255, 255, 255), font=font)
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=1)
    return buf.getvalue()
