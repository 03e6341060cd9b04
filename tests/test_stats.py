"""The intervals and the test against published figures (Newcomb 1998, Table II)."""

from __future__ import annotations

import numpy as np
import pytest

from pageheat.stats import newcomb, significance, two_proportion_z, two_rate_z, wilson


def test_wilson_matches_published_values():
    # Newcomb (1998) examples: 81/263 → 0.2553-0.3662; 15/148 → 0.0624-0.1605
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson(15, 148) == pytest.approx((0.0624, 0.1605), abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_newcomb_matches_published_values():
    # Newcomb (1998), method 10: 56/70 - 48/80 → 0.0524 to 0.3339; 9/10 - 3/10 → 0.1705 to 0.8090
    assert newcomb(56, 70, 48, 80) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert newcomb(9, 10, 3, 10) == pytest.approx((0.1705, 0.8090), abs=1e-4)
    low, high = newcomb(5, 5, 0, 3)
    assert -1 <= low < high <= 1


def test_two_proportion_z():
    z, p = two_proportion_z(60, 100, 40, 100)
    assert z == pytest.approx(2.8284, abs=1e-4) and p == pytest.approx(0.004678, abs=1e-5)
    assert two_proportion_z(5, 10, 5, 10) == (0.0, 1.0)
    assert two_proportion_z(0, 10, 0, 10) == (0.0, 1.0)
    assert two_proportion_z(0, 0, 3, 5) == (0.0, 1.0)


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
