"""One action of a page (the clicks on one selector): its counts, its clicks over time and
the latest sessions that did it, what the action detail beside a heatmap shows."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from pageheat.reports import action_name
from pageheat.store.base import Query

if TYPE_CHECKING:
    from pageheat.app import Pageheat


HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
WEEK_MS = 7 * DAY_MS
#: Weeks start on Monday (1970-01-05), hours and days at the epoch's UTC midnight.
_BUCKETS = {"hour": (HOUR_MS, 0), "day": (DAY_MS, 0), "week": (WEEK_MS, 4 * DAY_MS)}


def bucket_for(span_ms: int) -> str:
    """The time-series bucket of a range: hours up to 2 days, days up to 90, else weeks."""
    if span_ms <= 2 * DAY_MS:
        return "hour"
    if span_ms <= 90 * DAY_MS:
        return "day"
    return "week"


def action_detail(
    ph: Pageheat, query: Query, selector: str, now_ms: int | None = None, sessions: int = 10
) -> dict[str, Any]:
    """One action (the clicks on ``selector``): its counts, a time series of its clicks
    with empty buckets as 0, and the latest ``sessions`` sessions that did it.

    The series covers the query's range; an open start begins at the action's first
    click, an open end at now.
    """
    info = ph.store.action(query, selector)
    now = int(time.time() * 1000) if now_ms is None else now_ms
    first, last = (info["first"], info["last"]) if info else (None, 0)
    start = query.start_ms if query.start_ms is not None else first
    end = query.end_ms if query.end_ms is not None else max(now, last + 1)
    series: list[dict[str, int]] = []
    bucket = "hour"
    if start is not None and end > start:
        bucket = bucket_for(end - start)
        size, origin = _BUCKETS[bucket]
        counts = dict(ph.store.action_series(query, selector, size, origin))
        first = (start - origin) // size
        last = (end - 1 - origin) // size
        series = [
            {"t": int(i * size + origin), "clicks": int(counts.get(i * size + origin, 0))}
            for i in range(first, last + 1)
        ]
    latest = ph.store.action_sessions(query, selector, limit=sessions)
    return {
        "selector": selector,
        "name": action_name(info["tag"], info["text"]) if info else None,
        "count": int(info["count"]) if info else 0,
        "visitors": int(info["visitors"]) if info else 0,
        "rage": int(info["rage"]) if info else 0,
        "dead": int(info["dead"]) if info else 0,
        "error": int(info["error"]) if info else 0,
        "bucket": bucket,
        "series": series,
        "sessions": [_session_json(x) for x in latest],
    }


def _session_json(x: dict[str, Any]) -> dict[str, Any]:
    return {
        "t": x["start"], "duration_s": round((x["end"] - x["start"]) / 1000, 1),
        "visitor": x["visitor"], "browser": x["browser"], "device": x["device"],
        "session": x["session"], "clicks": x["clicks"], "last_click": x["last_click"],
    }  # fmt: skip
