"""Proportions and their intervals: what "converted more" and "changed" mean.

Pure functions over counts (no numpy, no store), shared by conversion by action
(outcomes) and by compare's significance marks. The normal quantile comes from the
standard library (``statistics.NormalDist``), so no statistics package is needed for
three closed formulas.

- :func:`wilson` is the score interval of one proportion: unlike the textbook
  ``p ± z·sqrt(p(1-p)/n)`` it stays inside [0, 1] and is honest at 0 of 5 or 5 of 5,
  which is what small buttons on quiet pages give.
- :func:`newcomb` is Newcomb's hybrid score interval (method 10 of Newcomb 1998) for the
  difference of two independent proportions, built from the two Wilson intervals: good
  coverage at small counts, where the Wald difference interval is far too narrow.
- :func:`two_proportion_z` is the pooled two-proportion z test: its two-sided p-value
  says whether two shares differ by more than noise.
- :func:`two_rate_z` does the same for rates rather than proportions (points of an area
  per page view, where one page view may click twice), with Poisson counts.
- :func:`significance` is what compare answers for each change it reports.
"""

from __future__ import annotations

import math
from statistics import NormalDist

__all__ = ["newcomb", "significance", "two_proportion_z", "two_rate_z", "wilson", "z_of"]


def z_of(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (0.95 → 1.96)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of the proportion ``k / n``; (0, 1) when ``n`` is 0 (nothing
    is known). Raises ValueError unless ``0 <= k <= n``."""
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return 0.0, 1.0
    z = z_of(confidence)
    p = k / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    # at k = 0 or k = n the interval touches the bound exactly; rounding must not cross it
    return max(0.0, centre - half) if k else 0.0, min(1.0, centre + half) if k < n else 1.0


def newcomb(k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    """Newcomb's hybrid score interval for ``k1/n1 - k2/n2`` (independent samples),
    within [-1, 1]. With a side of no trials its proportion is unknown: the interval is
    the widest the known side allows."""
    p1 = k1 / n1 if n1 else 0.0
    p2 = k2 / n2 if n2 else 0.0
    l1, u1 = wilson(k1, n1, confidence)
    l2, u2 = wilson(k2, n2, confidence)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, low), min(1.0, high)


def two_proportion_z(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """The pooled z test of ``k1/n1`` against ``k2/n2``: (z, two-sided p-value).

    z > 0 when the first proportion is the larger. With no trials on a side, or no
    variance at all (both 0 % or both 100 %), there is no evidence of a difference:
    (0.0, 1.0)."""
    for k, n in ((k1, n1), (k2, n2)):
        if not 0 <= k <= n:
            raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if not n1 or not n2:
        return 0.0, 1.0
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (k1 / n1 - k2 / n2) / se
    return z, 2 * (1 - NormalDist().cdf(abs(z)))


def two_rate_z(
    k1: int, n1: int, k2: int, n2: int, confidence: float = 0.95
) -> tuple[float, float, tuple[float, float]]:
    """``(z, p, (low, high))`` for two Poisson rates ``k1/n1`` and ``k2/n2`` (events per
    unit of exposure, e.g. clicks in an area per page view, which may exceed 1): the
    z test under a pooled rate, and the Wald interval of ``k2/n2 - k1/n1``."""
    if n1 <= 0 or n2 <= 0:
        return 0.0, 1.0, (-math.inf, math.inf)
    z = z_of(confidence)
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
        # side 2 less side 1: the first proportion of these two is side 2's
        z, p = two_proportion_z(k2, n2, k1, n1)
        low, high = newcomb(k2, n2, k1, n1)
        diff = (k2 / n2 if n2 else 0.0) - (k1 / n1 if n1 else 0.0)
    finite = math.isfinite(low) and math.isfinite(high)
    return {
        "diff": round(diff, 6),
        "ci": [round(low, 6), round(high, 6)] if finite else [-1.0, 1.0],
        "z": round(z, 3),
        "p": round(p, 6),
        "significant": bool(p < 0.05 and n1 > 0 and n2 > 0),
    }
