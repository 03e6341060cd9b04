"""Scale modes, the diff of two heatmaps, its diverging colours and the area count."""

import io

import numpy as np
import pytest
from PIL import Image

from pageheat.heat import (
    Points,
    compare,
    comparison_json,
    count_in,
    diff,
    diff_composite,
    diff_png,
    heatmap,
    per_page_views,
    place,
    shade_diverging,
    to_json,
)
from pageheat.heat.shade import ZERO_INDEX, diverging_index

A = (100.0, 100.0, 30.0, 20.0)  # two buttons, as rects (x, y, w, h)
B = (600.0, 400.0, 30.0, 20.0)


def clicks(n_a: int, n_b: int, seed: int = 0) -> Points:
    rng = np.random.default_rng(seed)
    n = n_a + n_b
    sel = np.repeat(np.array([0, 1], dtype=np.int32), [n_a, n_b])
    rects = np.array([A, B])[sel] if n else np.empty((0, 4))
    rx, ry = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    return Points(
        x=rects[:, 0] + rx * rects[:, 2], y=rects[:, 1] + ry * rects[:, 3],
        dw=np.full(n, 1280.0), rx=rx, ry=ry, sel=sel, touch=np.zeros(n, dtype=bool),
        selectors=["#a", "#b"],
    )  # fmt: skip


def absolute(pts: Points, page_views: int, **kw):
    return heatmap(pts, 1280, 1000, scale="absolute", page_views=page_views, **kw)


def at(g: np.ndarray, rect) -> float:
    """The value at the centre of a rect."""
    x, y, w, h = rect
    return float(g[int((y + h / 2) // 10), int((x + w / 2) // 10)])


# -- scale ------------------------------------------------------------------------------


def test_per_page_views_is_per_thousand_and_zero_without_views():
    g = np.array([[0.0, 3.0], [6.0, 0.0]])
    assert per_page_views(g, 3).tolist() == [[0, 1000], [2000, 0]]
    assert per_page_views(g, 0).tolist() == [[0, 0], [0, 0]]


def test_absolute_scale_counts_per_page_view_so_traffic_does_not_heat_the_map():
    pts = clicks(40, 10)
    small = absolute(pts, page_views=10)
    big = absolute(clicks(80, 20), page_views=20)  # twice the traffic, same behaviour
    assert small.scale == "absolute" and small.max == pytest.approx(big.max, rel=0.05)
    # relative maxima differ by the traffic
    assert heatmap(clicks(80, 20), 1280, 1000).max == pytest.approx(
        2 * heatmap(pts, 1280, 1000).max, rel=0.05
    )
    # the absolute max is the relative one per 1 000 page views
    assert small.max == pytest.approx(heatmap(pts, 1280, 1000).max * 100)
    # drawn up to a shared peak twice as high, every unsaturated cell halves
    shared = absolute(pts, page_views=10, peak=2 * small.max)
    under = (small.intensity > 0) & (small.intensity < 1)
    assert under.sum() > 10
    assert shared.intensity[under] == pytest.approx(small.intensity[under] / 2, abs=1e-6)
    assert shared.max == 2 * small.max


def test_json_reports_the_scale_and_the_absolute_peak():
    rel = to_json(heatmap(clicks(5, 5), 1280, 1000))
    assert rel["scale"] == "relative" and "peak" not in rel
    ab = to_json(absolute(clicks(5, 5), page_views=4))
    assert (ab["scale"], ab["page_views"], ab["unit"]) == (
        "absolute", 4, "points per 1 000 page views")  # fmt: skip
    assert ab["peak"] == round(ab["max"], 4) and ab["peak"] > 0


def test_scale_arguments_are_checked():
    with pytest.raises(ValueError, match="scale"):
        heatmap(clicks(1, 1), 100, 100, scale="log")
    with pytest.raises(ValueError, match="page views"):
        heatmap(clicks(1, 1), 100, 100, scale="absolute")
    with pytest.raises(ValueError, match="peak"):
        heatmap(clicks(1, 1), 100, 100, peak=-1)


# -- diff -------------------------------------------------------------------------------


def test_diff_is_b_minus_a_on_a_symmetric_clipped_scale():
    a = np.zeros((10, 10))
    b = np.zeros((10, 10))
    a[2, 2] = 4.0
    b[7, 7] = 2.0
    b[5, 5] = 1.0
    delta, scaled, top = diff(a, b, clip_percentile=100)
    assert delta[2, 2] == -4 and delta[7, 7] == 2 and top == 4
    assert scaled[2, 2] == -1 and scaled[7, 7] == 0.5 and scaled[5, 5] == 0.25
    assert scaled.dtype == np.float32
    # a given peak sets the scale and saturates beyond it
    _, scaled, top = diff(a, b, peak=2)
    assert top == 2 and scaled[2, 2] == -1 and scaled[7, 7] == 1 and scaled[5, 5] == 0.5
    # the clip works on |diff|: one huge change does not blank the others
    big = a.copy()
    big[0, 0] = -1000.0
    rng = np.random.default_rng(1)
    b2 = np.zeros((10, 10))
    b2.flat[rng.choice(np.arange(20, 100), 40, replace=False)] = rng.uniform(1, 2, 40)
    _, scaled, _ = diff(big, b2, clip_percentile=95)
    assert scaled[0, 0] == 1.0  # a lost 1 000 there: b - a = +1 000, saturated
    assert (scaled[b2 > 0] > 0.3).all()


def test_equal_sides_are_no_change_even_with_float_noise():
    a = np.random.default_rng(2).uniform(0, 1, (20, 20))
    delta, scaled, top = diff(a, a * (1 + 1e-15))
    assert top == 0 and not scaled.any() and not delta.any()
    with pytest.raises(ValueError, match="shape"):
        diff(a, a[:5])


def test_compare_shows_the_move_from_a_to_b_per_page_view():
    # Period a: 10 page views, 40 clicks on A and 10 on B. Period b: 20 page views,
    # 20 on A and 80 on B: per page view A went 4 -> 1 and B 1 -> 4.
    ha = absolute(clicks(40, 10, seed=1), page_views=10)
    hb = absolute(clicks(20, 80, seed=2), page_views=20)
    c = compare(ha, hb)
    assert at(c.scaled, A) < -0.9 and at(c.scaled, B) > 0.9
    assert c.scaled.min() >= -1 and c.scaled.max() <= 1
    # mass is kept: 5 clicks a page view on both sides, so the changes cancel out
    assert c.delta.sum() == pytest.approx(100 * 1000 / 20 - 50 * 1000 / 10, abs=1e-6)
    (warm,) = c.warming
    (cool,) = c.cooling
    assert (warm["selector"], warm["a"], warm["b"], warm["change"]) == ("#b", 10, 80, 3000.0)
    assert (cool["selector"], cool["a"], cool["b"], cool["change"]) == ("#a", 40, 20, -3000.0)
    assert B[0] - 10 <= warm["x"] <= B[0] + B[2] + 10 and A[1] - 10 <= cool["y"] <= A[1] + A[3] + 10
    j = comparison_json(c)
    assert len(j["grid"]) == j["rows"] * j["cols"] and j["scale"] == "absolute"
    assert (j["a"]["total"], j["a"]["page_views"], j["b"]["per_1000"]) == (50, 10, 5000.0)
    assert j["peak"] == round(max(ha.max, hb.max), 4)
    assert j["hotspots"] == {"warming": c.warming, "cooling": c.cooling}


def twice(p: Points) -> Points:
    cat = np.concatenate
    return Points(x=cat([p.x, p.x]), y=cat([p.y, p.y]), dw=cat([p.dw, p.dw]),
                  rx=cat([p.rx, p.rx]), ry=cat([p.ry, p.ry]), sel=cat([p.sel, p.sel]),
                  touch=cat([p.touch, p.touch]), selectors=p.selectors)  # fmt: skip


def test_compare_with_the_same_behaviour_and_more_traffic_is_blank():
    pts = clicks(30, 10)
    # the same clicks twice over twice the page views: equal densities per page view
    c = compare(absolute(pts, 10), absolute(twice(pts), 20))
    assert not c.scaled.any() and c.warming == [] and c.cooling == []


def test_compare_needs_one_background():
    with pytest.raises(ValueError, match="one background"):
        compare(absolute(clicks(1, 1), 1), heatmap(clicks(1, 1), 640, 1000, scale="absolute",
                                                  page_views=1))  # fmt: skip


# -- diverging colours --------------------------------------------------------------------


def test_diverging_index_is_linear_with_a_transparent_middle():
    idx = diverging_index(np.array([-1.0, -0.5, -0.04, 0.0, 0.04, 0.5, 1.0, np.nan, 3.0]))
    assert idx.tolist() == [1, 64, ZERO_INDEX, ZERO_INDEX, ZERO_INDEX, 192, 255, ZERO_INDEX, 255]
    rgba = shade_diverging(np.array([-1.0, 0.0, 0.3, 1.0])).astype(int)
    cold, none, warm, hot = rgba
    assert none[3] == 0  # no change: see-through
    assert cold[2] > cold[0] + 100 and hot[0] > hot[2] + 100  # blue cools, red warms
    assert 0 < warm[3] < hot[3] == 255 and warm[0] > warm[2]


def test_diff_png_pads_with_no_change_and_composites_over_the_page():
    d = np.zeros((10, 10), dtype=np.float32)
    d[1:4, 1:4] = -1.0  # saturated 3 x 3 blocks, as the clip produces
    d[6:9, 6:9] = 1.0
    im = np.asarray(Image.open(io.BytesIO(diff_png(d, 10, 150, 120))).convert("RGBA")).astype(int)
    assert im.shape == (120, 150, 4)
    assert im[25, 25, 2] > im[25, 25, 0] + 100 and im[25, 25, 3] > 200
    assert im[75, 75, 0] > im[75, 75, 2] + 100
    assert im[5, 50, 3] == 0 and im[110, 140, 3] == 0  # unchanged and padded: clear
    buf = io.BytesIO()
    Image.new("RGB", (150, 120), (255, 255, 255)).save(buf, "PNG")
    out = np.asarray(Image.open(io.BytesIO(diff_composite(buf.getvalue(), d, 10)))).astype(int)
    assert out.shape == (120, 150, 3)
    assert out[110, 140].tolist() == [255, 255, 255] and out[5, 50].tolist() == [255, 255, 255]
    assert out[75, 75, 0] > out[75, 75, 2] + 60 and out[25, 25, 2] > out[25, 25, 0] + 60


# -- area -------------------------------------------------------------------------------


def test_count_in_a_closed_rectangle_of_placed_points():
    pts = clicks(7, 3)
    placed = place(pts, 1280, {"#a": A, "#b": B})
    assert count_in(placed, *A, 1280, 1000) == (7, 10)
    assert count_in(placed, *B, 1280, 1000) == (3, 10)
    assert count_in(placed, 0, 0, 1280, 1000, 1280, 1000) == (10, 10)
    # on the edge counts; off the page does not count in the total
    edge = Points(x=np.array([50.0, 60.0, 2000.0]), y=np.array([50.0, 50.0, 50.0]),
                  dw=np.full(3, 1280.0), rx=np.zeros(3), ry=np.zeros(3),
                  sel=np.full(3, -1, dtype=np.int32), touch=np.zeros(3, dtype=bool),
                  selectors=[])  # fmt: skip
    assert count_in(place(edge, 1280, None), 50, 50, 10, 0, 1280, 1000) == (2, 2)
    assert count_in(place(edge, 1280, None), 50.5, 50, 9, 0, 1280, 1000) == (0, 2)
