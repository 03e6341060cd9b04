"""pageheat.stats against published values and on scripted data whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from pageheat.stats import newcomb, significance, two_proportion_z, two_rate_z, wilson


def test_wilson_matches_newcombs_table():
    # Newcomb (1998), Statistics in Medicine 17, table I: 81/263 and 15/148
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=1e-4)
    low, high = wilson(0, 20)
    assert low == 0.0 and high == pytest.approx(0.1611, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def test_newcomb_hybrid_interval_matches_the_paper():
    # Newcomb (1998b), method 10, example (a): 56/70 - 48/80 = 0.2000, (0.0524, 0.3339);
    # side 2 less side 1 here, so the sides are given the other way round
    assert newcomb(48, 80, 56, 70) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    # at the edge: 10/10 - 0/20 from the Wilson bounds (0.7225, 1) and (0, 0.1611):
    # 1 - sqrt(0.2775² + 0.1611²), and never above 1
    assert newcomb(0, 20, 10, 10) == pytest.approx((0.6791, 1.0), abs=1e-4)


def test_two_proportion_z_is_the_textbook_test():
    z, p = two_proportion_z(15, 50, 35, 50)  # 0.3 -> 0.7, pooled 0.5: z = 0.4 / 0.1
    assert z == pytest.approx(4.0) and p == pytest.approx(6.334e-5, rel=1e-3)
    z, p = two_proportion_z(26, 50, 24, 50)
    assert z == pytest.approx(-0.4) and p == pytest.approx(0.6892, abs=1e-4)
    assert two_proportion_z(0, 10, 0, 10) == (0.0, 1.0)  # no variance: no evidence
    assert two_proportion_z(3, 0, 1, 10) == (0.0, 1.0)


def test_a_real_change_is_significant_and_noise_is_not():
    real = significance(15, 50, 35, 50)
    noise = significance(26, 50, 24, 50)
    assert real["significant"] and real["ci"][0] > 0 and real["diff"] == pytest.approx(0.4)
    assert not noise["significant"] and noise["ci"][0] < 0 < noise["ci"][1]


def test_noise_is_called_a_change_about_one_time_in_twenty():
    """Two sides drawn from the same share: the 95 % test flags about 5 % of them, and the
    interval of the difference covers the true difference (0) about 95 % of the time."""
    rng = np.random.default_rng(7)
    flagged = covered = 0
    runs = 4000
    for _ in range(runs):
        k1, k2 = rng.binomial(200, 0.3, size=2)
        s = significance(int(k1), 200, int(k2), 200)
        flagged += s["significant"]
        covered += s["ci"][0] <= 0 <= s["ci"][1]
    assert 0.03 < flagged / runs < 0.07
    assert 0.93 < covered / runs < 0.97


def test_rates_may_exceed_one_per_unit():
    z, p, (low, high) = two_rate_z(100, 50, 160, 50)  # 2 -> 3.2 clicks a page view
    assert z > 3 and p < 0.01 and low < 1.2 < high and low > 0
    s = significance(100, 50, 104, 50, rate=True)
    assert not s["significant"] and s["ci"][0] < 0 < s["ci"][1]
