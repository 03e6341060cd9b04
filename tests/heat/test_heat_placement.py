import numpy as np

from pageheat.heat import Points, place

LAYOUT = 960  # a centred fixed-width layout
BUTTON = (700.0, 300.0, 100.0, 40.0)  # inside the layout: x, y, w, h


def _rect_at(dw):
    left = (dw - LAYOUT) / 2
    x, y, w, h = BUTTON
    return (left + x, y, w, h)


def _clicks_on_button(widths, per_width=50, seed=0):
    rng = np.random.default_rng(seed)
    dw = np.repeat(np.asarray(widths, dtype=float), per_width)
    rx = rng.uniform(0, 1, dw.size)
    ry = rng.uniform(0, 1, dw.size)
    rects = np.array([_rect_at(d) for d in dw])
    return Points(
        x=rects[:, 0] + rx * rects[:, 2],
        y=rects[:, 1] + ry * rects[:, 3],
        dw=dw,
        rx=rx,
        ry=ry,
        sel=np.zeros(dw.size, dtype=np.int32),
        touch=np.zeros(dw.size, dtype=bool),
        selectors=["#buy"],
    )


def _on_button(p, rect):
    x, y, w, h = rect
    return (p.x >= x) & (p.x <= x + w) & (p.y >= y) & (p.y <= y + h)


def test_anchored_clicks_from_every_width_land_on_the_button():
    pts = _clicks_on_button([1280, 1600, 1920])
    bg_rect = _rect_at(1280)
    placed = place(pts, 1280, {"#buy": bg_rect})
    assert placed.anchored.all()
    assert _on_button(placed, bg_rect).all()
    assert placed.not_visible == {}
    assert placed.selectors == ["#buy"]


def test_without_rects_a_centred_layout_spreads_positionally():
    pts = _clicks_on_button([1280, 1600, 1920])
    bg_rect = _rect_at(1280)
    placed = place(pts, 1280, None)
    assert not placed.anchored.any()
    assert placed.not_visible == {}
    on = _on_button(placed, bg_rect)
    assert on[:50].all()  # the 1280 visitors: same layout as the background
    assert not on[50:100].all()  # 1600: scaled half off the button
    assert not on[100:].any()  # 1920: scaled right off it
    w = bg_rect[2]
    assert placed.x.max() - placed.x.min() > 1.5 * w  # one button smeared wide
    np.testing.assert_allclose(placed.x[100:], pts.x[100:] * 1280 / 1920)
    np.testing.assert_array_equal(placed.y, pts.y)


def test_missing_or_hidden_elements_are_counted_not_visible():
    rng = np.random.default_rng(2)
    n = 60
    sel = np.repeat(np.array([0, 1, 2, -1], dtype=np.int32), [10, 20, 25, 5])
    pts = Points(
        x=rng.uniform(0, 1600, n),
        y=rng.uniform(0, 900, n),
        dw=np.full(n, 1600.0),
        rx=np.full(n, 0.5),
        ry=np.full(n, 0.5),
        sel=sel,
        touch=np.zeros(n, dtype=bool),
        selectors=["#shown", "#menu-item", "#gone"],
    )
    rects = {"#shown": (10.0, 20.0, 30.0, 40.0), "#menu-item": (0.0, 0.0, 0.0, 0.0)}
    placed = place(pts, 1280, rects)
    assert placed.not_visible == {"#gone": 25, "#menu-item": 20}
    assert placed.anchored.sum() == 10
    np.testing.assert_allclose(placed.x[:10], 25.0)
    np.testing.assert_allclose(placed.y[:10], 40.0)
    rest = ~placed.anchored
    np.testing.assert_allclose(placed.x[rest], pts.x[rest] * 0.8)  # positional fallback


def test_no_rects_means_nothing_is_reported_missing():
    pts = _clicks_on_button([1600])
    assert place(pts, 1280, None).not_visible == {}
    assert place(pts, 1280, {}).not_visible == {"#buy": 50}


def test_empty_points():
    placed = place(Points.empty(), 1280, {"#a": (0.0, 0.0, 1.0, 1.0)})
    assert len(placed) == 0
    assert placed.not_visible == {}
