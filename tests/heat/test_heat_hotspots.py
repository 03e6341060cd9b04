import numpy as np
import pytest

from pageheat.heat import Points, heatmap, hotspots
from pageheat.heat.hotspots import local_maxima

# Buttons no wider than a hotspot's square (2 * radius + 1 cells = 50 px), so that
# "clicks within the radius of the peak" is every click on the button.
A = (100.0, 100.0, 30.0, 20.0)
B = (600.0, 400.0, 30.0, 20.0)


def _clicks(n_a=70, n_b=30, seed=0):
    rng = np.random.default_rng(seed)
    n = n_a + n_b
    sel = np.repeat(np.array([0, 1], dtype=np.int32), [n_a, n_b])
    rects = np.array([A, B])[sel]
    rx = rng.uniform(0, 1, n)
    ry = rng.uniform(0, 1, n)
    return Points(
        x=rects[:, 0] + rx * rects[:, 2],
        y=rects[:, 1] + ry * rects[:, 3],
        dw=np.full(n, 1280.0),
        rx=rx,
        ry=ry,
        sel=sel,
        touch=np.zeros(n, dtype=bool),
        selectors=["#a", "#b"],
    )


def _inside(spot, rect):
    x, y, w, h = rect
    return x <= spot["x"] <= x + w and y <= spot["y"] <= y + h


def test_hottest_button_first_with_its_share_and_selector():
    h = heatmap(_clicks(), 1280, 800, rects={"#a": A, "#b": B})
    first, second = h.hotspots[:2]
    assert _inside(first, A)
    assert first["selector"] == "#a"
    assert first["count"] == 70
    assert first["share"] == pytest.approx(0.7)
    assert _inside(second, B)
    assert second["selector"] == "#b"
    assert second["share"] == pytest.approx(0.3)
    assert sum(s["share"] for s in h.hotspots) <= 1.0


def test_hotspots_without_placed_points_have_no_selector():
    h = heatmap(_clicks(), 1280, 800)
    spots = hotspots(h.density, h.counts, 10, 5)
    assert [s["selector"] for s in spots] == [None] * len(spots)
    assert spots[0]["count"] == 70


def test_nearby_peaks_are_suppressed_and_n_is_a_cap():
    d = np.zeros((20, 20))
    d[5, 5], d[5, 8], d[15, 15] = 3.0, 2.0, 1.0  # (5, 8) is within 2 * 2 cells of (5, 5)
    counts = np.zeros((20, 20))
    counts[5, 5], counts[7, 3], counts[5, 8], counts[15, 15] = 4, 2, 9, 5
    spots = hotspots(d, counts, 10, 10)
    assert [(s["x"], s["y"]) for s in spots] == [(55.0, 55.0), (155.0, 155.0)]
    # Raw counts within 2 cells of the peak; (5, 8) is 3 cells away so not included.
    assert [s["count"] for s in spots] == [6, 5]
    assert [s["share"] for s in spots] == [0.3, 0.25]
    assert len(hotspots(d, d, 10, 1)) == 1
    assert hotspots(np.zeros((3, 3)), np.zeros((3, 3)), 10, 5) == []


def test_plateau_gives_one_peak():
    d = np.zeros((6, 6))
    d[2:4, 2:4] = 1.0
    assert len(local_maxima(d)[0]) == 4
    assert len(hotspots(d, d, 10, 5)) == 1
