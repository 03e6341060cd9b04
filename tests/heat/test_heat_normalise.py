import numpy as np
import pytest

from pageheat.heat import HOW, normalise
from pageheat.heat.normalise import clip_value


def test_one_giant_outlier_does_not_blank_the_rest():
    rng = np.random.default_rng(3)
    g = np.zeros((50, 50))
    cells = rng.choice(g.size - 1, 100, replace=False) + 1
    g.flat[cells] = rng.uniform(8, 12, 100)
    g.flat[0] = 10_000
    n = normalise(g)
    assert n.flat[0] == 1.0
    assert (n.flat[cells] > 0.05).all()  # visible, not in the ignored band
    assert n.flat[cells].min() > 0.5
    assert n.max() <= 1.0
    # Without the clip the same cells would vanish: the reason the clip exists.
    raw = normalise(g, clip_percentile=100)
    assert (raw.flat[cells] < 0.05).all()


def test_clip_is_taken_over_lit_cells_only():
    g = np.zeros((1000, 100))  # a long page, mostly never clicked
    g[:5, :] = np.linspace(1, 100, 500).reshape(5, 100)
    top = clip_value(g, 99.5)
    assert 95 < top <= 100
    n = normalise(g)
    assert n.dtype == np.float32
    assert n.max() == 1.0
    assert n[0, 0] == pytest.approx(1 / top, rel=1e-6)


def test_log_lifts_the_long_tail():
    g = np.array([[0.0, 1.0, 10.0, 100.0]])
    lin = normalise(g, "linear", clip_percentile=100)
    log = normalise(g, "log", clip_percentile=100)
    assert lin[0, 0] == log[0, 0] == 0
    assert lin[0, -1] == log[0, -1] == 1
    assert log[0, 1] > lin[0, 1]
    assert log[0, 2] > lin[0, 2]
    np.testing.assert_allclose(log[0, 1], np.log(2) / np.log(101), rtol=1e-6)
    assert set(HOW) >= {"linear", "log"}


def test_absolute_peak_puts_two_heatmaps_on_one_scale():
    a = np.array([[0.0, 5.0, 10.0]])
    b = a * 2
    na = normalise(a, peak=20)
    nb = normalise(b, peak=20)
    np.testing.assert_allclose(nb, na * 2)
    np.testing.assert_allclose(nb, [[0, 0.5, 1]])
    # Above the shared peak: saturates instead of exceeding 1.
    assert normalise(b, peak=10).max() == 1.0


def test_zeros_stay_zeros_without_nan_or_warnings():
    # pytest runs with -W error, so a divide-by-zero warning would fail here.
    for how in HOW:
        n = normalise(np.zeros((4, 6)), how)
        assert n.dtype == np.float32
        assert not n.any()
        assert not np.isnan(n).any()
    assert not normalise(np.ones((2, 2)), peak=0).any()
    assert normalise(np.zeros((0, 0))).shape == (0, 0)


def test_unknown_strategy_names_the_choices():
    with pytest.raises(ValueError, match="linear"):
        normalise(np.ones((2, 2)), "eq_hist")
