"""Time conversion by action, journeys and a five-step funnel on generated traffic.

    pageheat generate --events 1e7 --data /tmp/bench
    python bench/outcomes_bench.py /tmp/bench

Each read is run once cold, then the best of five warm runs is reported (ms), on the
app's most viewed page: conversion of its top 10 actions towards the second most viewed
page, the journeys around it, and a funnel through the five most viewed pages.

Before and after in one run (on a shared machine, the ratio is what holds):

    git show main:src/pageheat/store/outcomes.py > /tmp/outcomes_main.py
    python bench/outcomes_bench.py /tmp/bench --against /tmp/outcomes_main.py

runs that file's ``OutcomeReads`` and this tree's on the same store, interleaved, checks
that they give the same answers, and prints both and their ratio.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pageheat.app import Pageheat
from pageheat.settings import Settings
from pageheat.store.base import Did, Query
from pageheat.store.outcomes import OutcomeReads


def best(fn, runs: int = 5) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times)


def same(name: str, a: Any, b: Any) -> None:
    if name.startswith("funnel"):  # StepTimes: compare what they say, not their numbering
        a = [(x.sessions.tolist(), x.t.tolist()) for x in a]
        b = [(x.sessions.tolist(), x.t.tolist()) for x in b]
    if a != b:
        raise SystemExit(f"{name}: the two versions answer differently")


def main(data: str, against: str | None = None, runs: int = 5) -> None:
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

        def reads(cls: type) -> dict[str, Callable[[], Any]]:
            def m(name: str) -> Any:
                return types.MethodType(getattr(cls, name), ph.store)

            return {
                "conversion (10 actions)": lambda: m("conversion")(q, goal, sels),
                "journeys": lambda: m("journeys")(q),
                "funnel (5 steps)": lambda: m("funnel_steps")(Query(app=app), steps),
            }

        if against is None:
            for name, fn in reads(OutcomeReads).items():
                print(f"{name}: {best(fn, runs):.0f} ms")
            return
        spec = importlib.util.spec_from_file_location("outcomes_before", against)
        assert spec is not None and spec.loader is not None
        before_module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(before_module)
        before, after = reads(before_module.OutcomeReads), reads(OutcomeReads)
        for name in after:
            same(name, before[name](), after[name]())
            tb, ta = [], []
            for _ in range(runs):  # interleaved, so both see the same load
                for fn, ts in ((before[name], tb), (after[name], ta)):
                    t = time.perf_counter()
                    fn()
                    ts.append((time.perf_counter() - t) * 1000)
            print(f"{name}: before {min(tb):.0f} ms, after {min(ta):.0f} ms,"
                  f" {min(tb) / min(ta):.1f}x")  # fmt: skip
    finally:
        ph.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    against = None
    if "--against" in args:
        i = args.index("--against")
        against = args[i + 1]
        del args[i : i + 2]
    main(args[0], against)
