"""The intervals and the test against published figures (Newcomb 1998, Table II)."""

from __future__ import annotations

import pytest

from pageheat.stats import newcomb, two_proportion_z, wilson


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
