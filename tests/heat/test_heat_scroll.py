"""Scroll reach and attention bands, checked against what a reader of the map expects."""

import numpy as np
import pytest

from pageheat.heat.scroll import attention_map, depth_at, reach, scroll_map


def test_half_the_visitors_at_the_bottom_means_fifty_percent_reach_below_the_fold():
    depth = np.array([1.0] * 5 + [0.2] * 5)  # 5 read to the end, 5 stayed on the first screen
    r = reach(depth)
    assert r[0] == 1.0 and r[20] == 1.0
    assert r[21] == 0.5 and r[75] == 0.5 and r[100] == 0.5
    assert depth_at(r, 0.75) == 20 and depth_at(r, 0.5) == 100 and depth_at(r, 0.25) == 100


def test_reach_never_grows_with_depth():
    r = reach(np.random.default_rng(1).random(1000))
    assert (np.diff(r) <= 1e-12).all() and r[0] == 1.0


def test_scroll_map_bands_are_coloured_by_reach():
    m = scroll_map(np.array([1.0, 0.5]), width=100, height=1000, cell=10)
    assert m.intensity.shape == (100, 10)
    assert m.intensity[0].tolist() == [1.0] * 10  # everyone saw the top
    assert m.intensity[-1, 0] == pytest.approx(0.5)  # half saw the bottom
    assert m.page_views == 2


def test_attention_map_is_hottest_where_people_lingered():
    bands = np.zeros((3, 20))
    bands[:, 5:10] = 3.0  # 3 s on the second quarter of the page
    bands[:, 0:5] = 0.5
    m = attention_map(bands, width=100, height=2000, cell=10)
    hottest_row = int(np.argmax(m.intensity[:, 0]))
    assert 500 <= hottest_row * 10 < 1000
    assert m.max == pytest.approx(3.0)


def test_no_data_is_empty_not_nan():
    assert reach(np.array([])).sum() == 0
    m = attention_map(np.zeros((0, 20)), 100, 100)
    assert not np.isnan(m.intensity).any() and m.max == 0
