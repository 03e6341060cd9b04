import numpy as np
import pytest

from pageheat.heat import PALETTES, shade, shade_index
from pageheat.heat.shade import BANDS


@pytest.mark.parametrize("palette", sorted(PALETTES))
def test_below_five_percent_is_fully_transparent(palette):
    n = np.array([0.0, 0.01, 0.049, 0.0499, 0.05, 0.06])
    rgba = shade(n, palette)
    assert rgba.dtype == np.uint8
    assert rgba.shape == (6, 4)
    assert (rgba[:4, 3] == 0).all()
    assert (rgba[4:, 3] > 0).all()


@pytest.mark.parametrize("palette", sorted(PALETTES))
def test_alpha_rises_with_intensity(palette):
    n = np.linspace(0, 1, 1001)
    alpha = shade(n, palette)[:, 3].astype(int)
    assert (np.diff(alpha) >= 0).all()
    assert alpha[-1] == 255
    assert PALETTES[palette].shape == (256, 4)


def test_heat_runs_blue_to_red():
    low, mid, hot = shade(np.array([0.06, 0.5, 1.0]), "heat").astype(int)
    r, g, b, _ = low
    assert b > r + 100 and b > g  # blue-ish
    r, g, b, _ = mid
    assert g > b  # through green/yellow
    r, g, b, _ = hot
    assert r > 200 and r > 3 * g and r > 3 * b  # red-ish


def test_colorblind_palette_runs_dark_blue_to_yellow():
    low, hot = shade(np.array([0.06, 1.0]), "colorblind").astype(int)
    assert low[2] > low[0] and low[2] > low[1]
    assert hot[0] > hot[2] and hot[1] > hot[2]


def test_index_is_what_the_palette_png_uses():
    n = np.array([[0.0, 0.5], [1.0, np.nan]])
    idx = shade_index(n)
    assert idx.dtype == np.uint8
    np.testing.assert_array_equal(idx, [[0, 128], [255, 0]])
    np.testing.assert_array_equal(shade(n), PALETTES["heat"][idx])


def test_unknown_palette_names_the_choices():
    with pytest.raises(ValueError, match="heat"):
        shade(np.zeros(3), "jet")


def test_bands_are_an_even_wash_from_blue_to_red():
    """Scroll and attention bands cover the whole width: the page must stay readable under
    the strongest band, and the weakest must still be seen."""
    n = np.array([0.0, 0.049, 0.06, 0.5, 1.0])
    none, under, low, _, hot = shade(n, "bands").astype(int)
    assert none[3] == under[3] == 0
    assert 90 <= low[3] <= hot[3] <= 140
    assert low[2] > low[0] and hot[0] > 200 and hot[0] > 3 * hot[2]
    assert BANDS["bands"].shape == (256, 4)
