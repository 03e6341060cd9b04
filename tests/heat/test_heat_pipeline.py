import json

import numpy as np
import pytest

from pageheat.heat import Points, heatmap, png, to_json


def _synthetic(n=20_000, seed=5):
    rng = np.random.default_rng(seed)
    # A signup button most people hit, a nav bar, and scattered noise; 30 % on phones.
    k = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    x = np.where(k == 0, rng.normal(640, 20, n), np.where(k == 1, rng.uniform(0, 1280, n), 0))
    y = np.where(k == 0, rng.normal(900, 10, n), np.where(k == 1, rng.normal(30, 5, n), 0))
    noise = k == 2
    x[noise] = rng.uniform(0, 1280, noise.sum())
    y[noise] = rng.uniform(0, 3000, noise.sum())
    sel = np.where(k == 0, 0, np.where(k == 1, 1, -1)).astype(np.int32)
    return Points(
        x=x,
        y=y,
        dw=np.full(n, 1280.0),
        rx=np.full(n, 0.5),
        ry=np.full(n, 0.5),
        sel=sel,
        touch=rng.random(n) < 0.3,
        selectors=["#signup", "nav"],
    )


def test_end_to_end_on_synthetic_points():
    pts = _synthetic()
    h = heatmap(pts, 1280, 3000)
    assert h.counts.shape == h.density.shape == h.intensity.shape == (300, 128)
    assert h.intensity.dtype == np.float32
    assert h.intensity.min() >= 0 and h.intensity.max() == 1.0
    assert h.total == pytest.approx(h.counts.sum())
    assert h.total <= len(pts)
    assert h.density.sum() == pytest.approx(h.counts.sum())
    assert h.max > 0
    first = h.hotspots[0]
    assert abs(first["x"] - 640) <= 20 and abs(first["y"] - 900) <= 20
    values = [h.density[int(s["y"] // 10), int(s["x"] // 10)] for s in h.hotspots]
    assert values == sorted(values, reverse=True)
    assert len(h.hotspots) <= 20
    # The overlay for it encodes.
    assert png(h.intensity, h.cell, h.width, h.height)[:8] == b"\x89PNG\r\n\x1a\n"


def test_touch_gets_the_wider_kernel():
    pts = _synthetic(2_000)
    mouse = Points(**{**pts.__dict__, "touch": np.zeros(len(pts), dtype=bool)})
    touch = Points(**{**pts.__dict__, "touch": np.ones(len(pts), dtype=bool)})
    hm, ht = heatmap(mouse, 1280, 3000), heatmap(touch, 1280, 3000)
    np.testing.assert_array_equal(hm.counts, ht.counts)
    assert ht.density.max() < hm.density.max()


def test_shared_peak_makes_two_periods_comparable():
    pts = _synthetic()
    a = heatmap(pts, 1280, 3000)
    b = heatmap(pts, 1280, 3000, peak=a.max * 2)
    assert b.max == a.max * 2
    below = (a.intensity > 0) & (a.intensity < 1)  # cells under the clip in both
    np.testing.assert_allclose(b.intensity[below], a.intensity[below] / 2, rtol=1e-5)


def test_to_json_round_trips_and_is_shaped_for_a_canvas():
    pts = _synthetic(5_000)
    rects = {"#signup": (600.0, 880.0, 80.0, 40.0)}
    h = heatmap(pts, 1280, 3000, rects=rects, how="log")
    doc = to_json(h)
    back = json.loads(json.dumps(doc))
    assert back == doc
    assert doc["cols"] == 128 and doc["rows"] == 300
    assert len(doc["grid"]) == doc["rows"] * doc["cols"]
    flat = np.array(doc["grid"]).reshape(doc["rows"], doc["cols"])
    np.testing.assert_allclose(flat, h.intensity, atol=5e-4)
    assert all(v == round(v, 3) for v in doc["grid"][:2000])
    assert doc["placed"]["anchored"] + doc["placed"]["positional"] == len(pts)
    assert doc["placed"]["anchored"] == int((pts.sel == 0).sum())
    assert doc["not_visible"] == [{"selector": "nav", "count": int((pts.sel == 1).sum())}]
    assert set(doc["hotspots"][0]) == {"x", "y", "count", "share", "selector"}
    assert doc["hotspots"][0]["selector"] == "#signup"


def test_no_points_is_an_empty_map_not_an_error():
    h = heatmap(Points.empty(), 800, 600)
    assert h.total == 0 and h.max == 0 and h.hotspots == []
    assert not h.intensity.any()
    doc = to_json(h)
    assert json.loads(json.dumps(doc)) == doc
    assert doc["placed"] == {"anchored": 0, "positional": 0}
