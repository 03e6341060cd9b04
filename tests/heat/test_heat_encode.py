import io

import numpy as np
from PIL import Image

from pageheat.heat import composite, png
from pageheat.heat.encode import upscale_index


def _blob(rows=15, cols=20):
    n = np.zeros((rows, cols), dtype=np.float32)
    n[4:9, 3:8] = 0.5
    n[5:8, 4:7] = 1.0  # a saturated 3 x 3 core, as the 99.5 % clip produces
    return n


def test_png_decodes_to_the_page_size_with_transparency():
    data = png(_blob(), cell=10, width=200, height=150)
    im = Image.open(io.BytesIO(data))
    assert im.format == "PNG"
    assert im.size == (200, 150)
    assert im.mode == "P"
    rgba = np.asarray(im.convert("RGBA"))
    assert rgba[0, 0, 3] == 0  # nothing clicked: see-through
    r, _, b, a = rgba[65, 55].astype(int)  # centre of the hottest cell
    assert a == 255 and r > 200 and r > 3 * b


def test_png_crops_or_pads_a_grid_that_does_not_match_the_page():
    n = _blob()
    for w, h in [(195, 143), (260, 400)]:
        im = Image.open(io.BytesIO(png(n, 10, w, h)))
        assert im.size == (w, h)


def test_upscale_keeps_cells_in_place():
    idx = np.zeros((3, 4), dtype=np.uint8)
    idx[1, 2] = 200
    up = upscale_index(idx, 10, 40, 30)
    assert up.shape == (30, 40)
    assert np.unravel_index(up.argmax(), up.shape)[0] in range(10, 20)
    assert np.unravel_index(up.argmax(), up.shape)[1] in range(20, 30)
    # softened by about a cell around the cell's centre (25, 15), never drifting
    assert up[:, :10].max() == 0
    ys, xs = np.indices(up.shape)
    w = up.astype(float)
    assert abs((w * xs).sum() / w.sum() - 25) < 1.5
    assert abs((w * ys).sum() / w.sum() - 15) < 1.5


def test_empty_heatmap_is_a_fully_transparent_png():
    im = Image.open(io.BytesIO(png(np.zeros((3, 3)), 10, 30, 30)))
    assert np.asarray(im.convert("RGBA"))[..., 3].max() == 0


def test_composite_keeps_the_background_size_and_shows_heat_on_it():
    bg = Image.new("RGB", (210, 140), (255, 255, 255))
    buf = io.BytesIO()
    bg.save(buf, "PNG")
    out = Image.open(io.BytesIO(composite(buf.getvalue(), _blob(), cell=10)))
    assert out.size == (210, 140)
    px = np.asarray(out.convert("RGB")).astype(int)
    assert tuple(px[2, 2]) == (255, 255, 255)  # untouched where nobody clicked
    r, g, b = px[65, 55]
    assert r > 200 and g < 150 and b < 150  # red over white, softened by opacity
