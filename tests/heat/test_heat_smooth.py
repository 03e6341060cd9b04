import numpy as np
import pytest

from pageheat.heat import smooth
from pageheat.heat.smooth import gaussian_kernel


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.5, 7.0])
def test_every_click_stays_on_the_page(sigma):
    rng = np.random.default_rng(1)
    g = rng.poisson(3, (40, 13)).astype(float)
    g[0, 0] = g[-1, -1] = 500  # corners: where a zero-padded blur would leak most
    s = smooth(g, sigma)
    assert s.shape == g.shape
    assert s.sum() == pytest.approx(g.sum(), rel=1e-12)
    assert (s >= 0).all()


def test_mass_preserved_when_kernel_is_wider_than_the_grid():
    g = np.zeros((5, 5))
    g[1, 3] = 10
    assert smooth(g, 4.0).sum() == pytest.approx(10)


def test_peak_stays_at_the_click():
    g = np.zeros((30, 40))
    g[12, 27] = 1
    for sigma in (0.5, 1, 3):
        s = smooth(g, sigma)
        assert np.unravel_index(s.argmax(), s.shape) == (12, 27)
        # symmetric around it
        assert s[12, 26] == pytest.approx(s[12, 28])
        assert s[11, 27] == pytest.approx(s[13, 27])


def test_sigma_zero_is_an_identity_copy():
    g = np.arange(12.0).reshape(3, 4)
    s = smooth(g, 0)
    np.testing.assert_array_equal(s, g)
    s[0, 0] = 99
    assert g[0, 0] == 0


def test_touch_kernel_spreads_wider_than_mouse():
    # Defaults: mouse radius 10 px, touch 20 px, sigma = radius / 2, 10 px cells.
    g = np.zeros((21, 21))
    g[10, 10] = 100
    mouse = smooth(g, 10 / 2 / 10)
    touch = smooth(g, 20 / 2 / 10)
    assert touch.max() < mouse.max()
    assert (touch > 1).sum() > (mouse > 1).sum()
    assert touch[10, 12] > mouse[10, 12]


def test_kernel_is_normalised_and_truncated_at_three_sigma():
    k = gaussian_kernel(2.0)
    assert k.sum() == pytest.approx(1)
    assert len(k) == 2 * 6 + 1
    np.testing.assert_allclose(k, k[::-1])
