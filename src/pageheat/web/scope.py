"""A heatmap page's parameters (as saved heatmaps and share links keep them) turned into
the query API's, at the moment of each read.

The dashboard writes time as ``range=7d`` (ending now) or ``from``/``to`` whole UTC days,
inclusive (dashboard/src/filters.ts, ``rangeMs``); the API takes instants with the end
exclusive. Doing it here, at read time, keeps a saved "last 7 days" moving with the clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

#: The dashboard's preset ranges, ending now (filters.ts, RANGES).
RANGES = {"24h": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30),
          "90d": timedelta(days=90)}  # fmt: skip
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="milliseconds")


def api_params(page: Mapping[str, str], now: datetime | None = None) -> dict[str, str]:
    """The API parameters of a page's: ``range`` and day ``from``/``to`` become instants,
    ``bg`` becomes ``background``; the rest (view, width, kind, filters, …) pass as they
    are, and the API checks them."""
    now = now or datetime.now(UTC)
    out = {k: v for k, v in page.items() if k not in {"range", "from", "to", "bg"}}
    if page.get("bg"):
        out["background"] = page["bg"]
    span = RANGES.get(page.get("range", ""))
    if span is not None:
        out["from"] = _iso(now - span)
        return out
    for name, shift in (("from", 0), ("to", 1)):
        value = page.get(name, "")
        if _DAY.match(value):
            day = datetime.fromisoformat(value).replace(tzinfo=UTC)
            out[name] = _iso(day + timedelta(days=shift))  # "to" is the day after, exclusive
        elif value:
            out[name] = value
    return out


def describe(page: Mapping[str, str]) -> str:
    """The time range in words, as the dashboard's range picker names it."""
    rng = page.get("range", "")
    if rng in RANGES:
        return {"24h": "Last 24 hours"}.get(rng, f"Last {RANGES[rng].days} days")
    start, end = page.get("from", ""), page.get("to", "")
    if start and end:
        return start if start == end else f"{start} – {end}"  # noqa: RUF001
    if start:
        return f"since {start}"
    if end:
        return f"until {end}"
    return "All time"
