"""Time conversion by action, journeys and a five-step funnel on generated traffic.

    pageheat generate --events 1e7 --data /tmp/bench
    python bench/outcomes_bench.py /tmp/bench

Each read is run once cold, then the best of five warm runs is reported (ms), on the
app's most viewed page: conversion of its top 10 actions towards the second most viewed
page, the journeys around it, and a funnel through the five most viewed pages.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pageheat.app import Pageheat
from pageheat.settings import Settings
from pageheat.store.base import Did, Query


def best(fn, runs: int = 5) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times)


def main(data: str) -> None:
    ph = Pageheat(Settings.load({"data": str(Path(data))}, environ={}))
    try:
        app = ph.meta.list_apps()[0].key
        views = [v["name"] for v in ph.store.views(Query(app=app))]
        q = Query(app=app, view=views[0])
        sels = [a["selector"] for a in ph.store.actions(q, limit=10)]
        goal = Did("view", view=views[1])
        steps = [Did("view", view=v) for v in views[:5]]
        n = ph.store.stats(Query(app=app))
        print(f"{app}: {n['page_views']:,} page views, {n['total_clicks']:,} clicks")
        print(f"conversion (10 actions): {best(lambda: ph.store.conversion(q, goal, sels)):.0f} ms")
        print(f"journeys: {best(lambda: ph.store.journeys(q)):.0f} ms")
        funnel = best(lambda: ph.store.funnel_steps(Query(app=app), steps))
        print(f"funnel (5 steps): {funnel:.0f} ms")
    finally:
        ph.close()


if __name__ == "__main__":
    main(sys.argv[1])
