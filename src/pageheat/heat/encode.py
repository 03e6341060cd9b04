"""Encode intensity grids as PNG: the overlay alone, or drawn over the page.

Everything is done in palette space: the small cell grid is shaded to uint8 LUT
indices, those are upscaled to page pixels (`raster.upscale_index`), and written as a
palette PNG with a transparency table (`raster.palette_png`). That is ~5x cheaper to
compress than RGBA (≈ 50 ms against ≈ 360 ms for 1280 x 5000 through Pillow) and
colours come out identical.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .raster import palette_png, upscale_index
from .shade import (
    DIVERGING,
    FIRST_DRAWN,
    ZERO_INDEX,
    diverging_index,
    palette_lut,
    shade_index,
)

__all__ = [
    "Legend",
    "composite",
    "diff_composite",
    "diff_png",
    "framed",
    "mark_lines",
    "png",
    "upscale_index",
]


def png(n: np.ndarray, cell: int, width: int, height: int, palette: str = "heat") -> bytes:
    """The overlay alone as a transparent PNG of ``width`` x ``height`` page pixels.

    Meant to be laid over the background by whoever shows it (an ``<img>`` on top of
    the screenshot, an export tool); `composite` bakes the two together instead.
    """
    return palette_png(upscale_index(shade_index(n), cell, width, height), palette_lut(palette))


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
    pixels = upscale_index(diverging_index(d), cell, width, height, ZERO_INDEX)
    return palette_png(pixels, DIVERGING[palette])


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
    font = _font(16)
    for y, label in lines:
        y = round(min(max(y, 0), im.height - 1))
        draw.line([(0, y), (im.width, y)], fill=(20, 20, 20, 255), width=2)
        box = draw.textbbox((8, y + 4), label, font=font)
        draw.rectangle((box[0] - 4, box[1] - 3, box[2] + 4, box[3] + 3), fill=(20, 20, 20, 220))
        draw.text((8, y + 4), label, fill=(255, 255, 255, 255), font=font)
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


#: DejaVu Sans (Debian's fonts-dejavu-core, which `make` installs with Chromium) writes
#: the Greek, Cyrillic and other letters a view name or filter value may hold; Pillow's own
#: font has Latin ones only.
_DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans{}.ttf"


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when installed, else Pillow's own scalable font (no system font
    needed), else its fixed bitmap font when Pillow was built without FreeType."""
    with contextlib.suppress(ImportError, OSError):
        return ImageFont.truetype(_DEJAVU.format("-Bold" if bold else ""), size)
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):
        return ImageFont.load_default()


@dataclass(frozen=True)
class Legend:
    """A colour scale as a reader of an exported picture needs it.

    ``ticks`` are (intensity 0..1, label) pairs placed under the gradient where that
    intensity is drawn; ``caption`` says what the numbers count and what is left out.
    """

    palette: str
    ticks: list[tuple[float, str]]
    caption: str


#: Band layout, in pixels: margin, title and text sizes, the legend's gradient.
_MARGIN = 16
_TITLE_PX, _TEXT_PX, _SMALL_PX = 22, 15, 13
_STRIP_W, _STRIP_H = 400, 14
_INK, _GREY, _RULE = (30, 30, 30), (95, 95, 95), (205, 205, 205)


def framed(png_bytes: bytes, title: str, lines: list[str], legend: Legend) -> bytes:
    """The picture under a band that says what it shows: a title, text lines (wrapped to
    the picture's width) and the legend of its colour scale.

    An exported heatmap leaves the dashboard, so everything the dashboard shows around
    the map (filters, range, counts, the scale) must travel on the picture itself. A
    transparent picture (a map without a background) is laid on white. The gradient is
    the palette's own colours, opaque, from the faintest colour drawn (`FIRST_DRAWN`) to
    the hottest, so a reader can match a colour on the page to the scale.

    Costs about what the composite did again (one more decode and encode of the page:
    ≈ 0.9 s for a 1440 x 5000 page-like screenshot on a busy 2-core machine), which an
    export, asked for once, can afford.
    """
    pic = Image.open(io.BytesIO(png_bytes))
    pic.load()
    width = pic.width
    fonts = {
        "title": _font(_TITLE_PX, bold=True),
        "text": _font(_TEXT_PX),
        "small": _font(_SMALL_PX),
    }
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    room = max(width - 2 * _MARGIN, 40)

    def height(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> int:
        box = scratch.textbbox((0, 0), "Hgjy", font=font)
        return box[3] + 5

    text: list[tuple[str, str]] = [
        (t, "title") for t in _wrap(scratch, title, fonts["title"], room)
    ]
    for line in lines:
        text += [(t, "text") for t in _wrap(scratch, line, fonts["text"], room)]
    caption = _wrap(scratch, legend.caption, fonts["small"], room)
    strip_w = min(_STRIP_W, room)
    band_h = (
        _MARGIN + sum(height(fonts[f]) for _, f in text) + 8 + _STRIP_H + 6
        + height(fonts["small"]) * (1 + len(caption)) + _MARGIN
    )  # fmt: skip
    out = Image.new("RGB", (width, band_h + pic.height), "white")
    draw = ImageDraw.Draw(out)
    y = _MARGIN
    for t, f in text:
        draw.text((_MARGIN, y), t, fill=_INK if f == "title" else _GREY, font=fonts[f])
        y += height(fonts[f])
    y += 8
    lut = palette_lut(legend.palette)
    span = 255 - FIRST_DRAWN
    idx = FIRST_DRAWN + np.round(np.arange(strip_w) / max(strip_w - 1, 1) * span).astype(int)
    strip = np.repeat(lut[idx, :3][None, :, :], _STRIP_H, axis=0)
    out.paste(Image.fromarray(np.ascontiguousarray(strip), "RGB"), (_MARGIN, y))
    y += _STRIP_H
    for value, label in legend.ticks:
        i = int(shade_index(np.array([value]))[0]) or FIRST_DRAWN
        x = _MARGIN + round((i - FIRST_DRAWN) / span * (strip_w - 1))
        draw.line([(x, y), (x, y + 4)], fill=_INK, width=1)
        w = draw.textlength(label, font=fonts["small"])
        left = min(max(x - w / 2, _MARGIN), _MARGIN + strip_w - w)
        draw.text((left, y + 6), label, fill=_INK, font=fonts["small"])
    y += 6 + height(fonts["small"])
    for t in caption:
        draw.text((_MARGIN, y), t, fill=_GREY, font=fonts["small"])
        y += height(fonts["small"])
    draw.line([(0, band_h - 1), (width, band_h - 1)], fill=_RULE, width=1)
    if pic.mode == "RGB":  # a composite: pasted as it is, no alpha to honour
        out.paste(pic, (0, band_h))
    else:
        rgba = pic.convert("RGBA")
        out.paste(rgba, (0, band_h), rgba)
    buf = io.BytesIO()
    out.save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def _wrap(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    room: float,
) -> list[str]:  # fmt: skip
    """``text`` in lines no wider than ``room`` px, broken between words (inside a word
    only when the word alone is wider: a long view name or filter value)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        trial = f"{line} {word}" if line else word
        if draw.textlength(trial, font=font) <= room:
            line = trial
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if line and draw.textlength(line + ch, font=font) > room:
                lines.append(line)
                line = ""
            line += ch
    if line or not lines:
        lines.append(line)
    return lines
