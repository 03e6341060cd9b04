"""Small-sample statistics for telling a change from noise: pure functions, no pageheat.

A heatmap comparison always shows *some* difference between two sides; with a few
hundred clicks most of it is chance. These say how much: an interval for one proportion
(:func:`wilson`), for the difference of two (:func:`newcomb`), and a test that two are
equal (:func:`two_proportion_z`); for counts that are rates rather than proportions
(points of an area per page view, where one page view may click twice),
:func:`two_rate_z` does the same with Poisson counts. Every function takes counts, never
shares, so the caller cannot round before the test. 95 % (z = 1.96) by default.
"""

from __future__ import annotations

import math

__all__ = ["Z95", "newcomb", "significance", "two_proportion_z", "two_rate_z", "wilson"]

#: The two-sided 95 % normal quantile.
Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for the proportion ``k / n``: unlike ``p ± z·se`` (Wald)
    it stays inside [0, 1] and keeps its coverage near 0 and 1 and for small ``n``,
    which is where click shares live. ``(0, 1)`` when there is nothing (``n == 0``)."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcomb(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> tuple[float, float]:
    """Newcomb's hybrid score interval (his method 10) for ``k2/n2 - k1/n1``, side 2
    less side 1: each side's Wilson interval combined, which keeps the interval's
    coverage where Wald's fails (small counts, shares near 0)."""
    p1 = k1 / n1 if n1 else 0.0
    p2 = k2 / n2 if n2 else 0.0
    l1, u1 = wilson(k1, n1, z)
    l2, u2 = wilson(k2, n2, z)
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return max(-1.0, low), min(1.0, high)


def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """``(z, p)`` of the pooled two-proportion z test that ``k1/n1`` and ``k2/n2`` are
    equal; ``z > 0`` when side 2's proportion is the higher, ``p`` two-sided. No data or
    no variance (both 0 % or both 100 %) is no evidence: ``(0, 1)``."""
    if n1 <= 0 or n2 <= 0:
        return 0.0, 1.0
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se <= 0:
        return 0.0, 1.0
    z = (k2 / n2 - k1 / n1) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def two_rate_z(
    k1: int, n1: int, k2: int, n2: int, z: float = Z95
) -> tuple[float, float, tuple[float, float]]:
    """``(z, p, (low, high))`` for two Poisson rates ``k1/n1`` and ``k2/n2`` (events per
    unit of exposure, e.g. clicks in an area per page view, which may exceed 1): the
    z test under a pooled rate, and the Wald interval of ``k2/n2 - k1/n1``."""
    if n1 <= 0 or n2 <= 0:
        return 0.0, 1.0, (-math.inf, math.inf)
    r1, r2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 / n1 + 1 / n2))
    zz = (r2 - r1) / se0 if se0 > 0 else 0.0
    se = math.sqrt(k1 / n1**2 + k2 / n2**2)
    return (
        zz,
        math.erfc(abs(zz) / math.sqrt(2)) if se0 > 0 else 1.0,
        (
            r2 - r1 - z * se,
            r2 - r1 + z * se,
        ),
    )


def significance(k1: int, n1: int, k2: int, n2: int, *, rate: bool = False) -> dict[str, object]:
    """The answer's ``significance`` of a change from side 1 to side 2: ``diff`` (side 2
    less side 1), its 95 % ``ci``, ``z``, two-sided ``p`` and ``significant`` (p < 0.05).
    ``rate``: the counts are rates (:func:`two_rate_z`), else proportions
    (:func:`two_proportion_z` with :func:`newcomb`'s interval)."""
    if rate:
        z, p, (low, high) = two_rate_z(k1, n1, k2, n2)
        diff = (k2 / n2 if n2 else 0.0) - (k1 / n1 if n1 else 0.0)
    else:
        z, p = two_proportion_z(k1, n1, k2, n2)
        low, high = newcomb(k1, n1, k2, n2)
        diff = (k2 / n2 if n2 else 0.0) - (k1 / n1 if n1 else 0.0)
    finite = math.isfinite(low) and math.isfinite(high)
    return {
        "diff": round(diff, 6),
        "ci": [round(low, 6), round(high, 6)] if finite else [-1.0, 1.0],
        "z": round(z, 3),
        "p": round(p, 6),
        "significant": bool(p < 0.05 and n1 > 0 and n2 > 0),
    }
