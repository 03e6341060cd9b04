import numpy as np

from pageheat.heat import grid


def test_five_by_five_by_hand():
    # 50 x 50 px page, 10 px cells: a 5 x 5 grid, row = y.
    x = np.array([5.0, 15.0, 19.9, 49.9, 0.0, 25.0])
    y = np.array([5.0, 5.0, 9.9, 49.9, 0.0, 31.0])
    expected = np.zeros((5, 5))
    expected[0, 0] = 2  # (5, 5) and (0, 0)
    expected[0, 1] = 2  # (15, 5) and (19.9, 9.9)
    expected[4, 4] = 1
    expected[3, 2] = 1
    g = grid(x, y, 50, 50, 10)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g, expected)


def test_partial_last_cell_counts_and_shape_rounds_up():
    g = grid(np.array([1279.0]), np.array([2995.0]), 1283, 2995.5, 10)
    assert g.shape == (300, 129)
    assert g[299, 127] == 1


def test_points_off_the_page_are_dropped_not_clamped():
    x = np.array([-0.1, 50.0, 5.0, 5.0, np.nan, 5.0])
    y = np.array([5.0, 5.0, -3.0, 50.0, 5.0, 5.0])
    g = grid(x, y, 50, 50, 10)
    assert g.sum() == 1
    assert g[0, 0] == 1  # only the last point; nothing piled on the border cells


def test_bincount_matches_a_naive_loop():
    rng = np.random.default_rng(7)
    width, height, cell = 1283, 777, 10
    x = rng.uniform(-50, width + 50, 5000)
    y = rng.uniform(-50, height + 50, 5000)
    w = rng.uniform(0, 3, 5000)
    rows, cols = -(-height // cell), -(-width // cell)
    naive = np.zeros((rows, cols))
    naive_w = np.zeros((rows, cols))
    for xi, yi, wi in zip(x, y, w, strict=True):
        if 0 <= xi < width and 0 <= yi < height:
            naive[int(yi // cell), int(xi // cell)] += 1
            naive_w[int(yi // cell), int(xi // cell)] += wi
    np.testing.assert_array_equal(grid(x, y, width, height, cell), naive)
    np.testing.assert_allclose(grid(x, y, width, height, cell, weights=w), naive_w)


def test_no_points_gives_an_empty_grid_of_the_page_shape():
    g = grid(np.empty(0), np.empty(0), 100, 30, 10)
    assert g.shape == (3, 10)
    assert g.sum() == 0
