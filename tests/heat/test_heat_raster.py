"""The page-pixel steps: the one-filter upscale draws what Pillow's resize and box blur
drew (the look the dashboard's canvas copies), and the hand-written PNG decodes to the
very indices, colours and transparency it was given."""

import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from pageheat.heat.raster import palette_png, phase_weights, upscale_index
from pageheat.heat.shade import palette_lut


def _pillow(idx: np.ndarray, cell: int, width: int, height: int) -> np.ndarray:
    """What the engine drew before: Pillow's bilinear resize, then its box blur."""
    rows, cols = idx.shape
    im = Image.fromarray(idx).resize((cols * cell, rows * cell), Image.BILINEAR)
    if cell >= 4:
        im = im.filter(ImageFilter.BoxBlur(cell // 2 - 1))
    out = np.zeros((height, width), dtype=np.uint8)
    fine = np.asarray(im)[:height, :width]
    out[: fine.shape[0], : fine.shape[1]] = fine
    return out


@pytest.mark.parametrize(
    ("rows", "cols", "cell", "width", "height"),
    [(15, 20, 10, 200, 150), (15, 20, 10, 195, 143), (15, 20, 10, 260, 400),
     (7, 9, 3, 27, 21), (5, 6, 5, 30, 25), (30, 40, 8, 300, 200), (1, 1, 10, 10, 10)],
)  # fmt: skip
def test_upscale_draws_what_pillows_resize_and_blur_drew(rows, cols, cell, width, height):
    rng = np.random.default_rng(rows * cols + cell)
    idx = (rng.random((rows, cols)) ** 3 * 255).astype(np.uint8)
    got = upscale_index(idx, cell, width, height).astype(int)
    want = _pillow(idx, cell, width, height).astype(int)
    assert got.shape == want.shape == (height, width)
    assert np.abs(got - want).max() <= 1  # rounding only: Pillow rounds twice, we once


def test_phase_weights_sum_to_one_and_mirror():
    w = phase_weights(10)
    assert w.shape == (10, 3)
    assert np.allclose(w.sum(axis=1), 1.0)
    assert np.allclose(w, w[::-1, ::-1])  # pixel p of a cell mirrors pixel 9 - p


def test_palette_png_decodes_to_its_indices_colours_and_transparency():
    lut = palette_lut("heat")
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (37, 53), dtype=np.uint8)
    im = Image.open(io.BytesIO(palette_png(pixels, lut)))
    assert (im.format, im.mode, im.size) == ("PNG", "P", (53, 37))
    assert np.array_equal(np.asarray(im), pixels)
    rgba = np.asarray(im.convert("RGBA"))
    assert np.array_equal(rgba, np.take(lut, pixels, axis=0))
