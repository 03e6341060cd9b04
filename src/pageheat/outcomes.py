"""From where to why: goals, conversion by action, cohorts, funnels and journeys.

The metadata database holds what an app calls a goal or a funnel (meta/outcomes.py);
the event store finds what sessions did (store/outcomes.py). This module puts the two
together for the API and the CLI: it turns a goal, a funnel step or a ``cohort=``
parameter into the store's :class:`~pageheat.store.base.Did` and
:class:`~pageheat.store.base.Cohort`, and turns the store's counts into answers with
their intervals (``stats.py``).

Definitions (docs/design.md, "Goals and conversion"):

- a goal counts once per session, in the query's time range;
- an action's conversion compares the sessions that clicked it on the view with the
  sessions that viewed the view and did not click it: ``lift`` is the difference of
  their rates, ``ci`` Newcomb's interval for it, ``rate_ci`` Wilson's for the rate;
- a funnel follows each session through its steps in order (a step counts at the first
  time it happened at or after the step before);
- a cohort keeps the sessions that did something within the range, on every table a
  read narrows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from pageheat.meta.outcomes import Funnel, Goal
from pageheat.stats import newcomb, wilson
from pageheat.store.base import Cohort, Did, Query

if TYPE_CHECKING:
    from pageheat.app import Pageheat
    from pageheat.heat.placement import Points
    from pageheat.reports import Rendered

#: What ``cohort=`` takes (docs/api): ``converted:GOAL``, ``not_converted:GOAL``,
#: ``clicked:SELECTOR`` (on the view), ``rage``, ``dead``, ``error`` and
#: ``funnel:ID:STEP:reached|dropped``.
COHORTS = ("converted", "not_converted", "clicked", "rage", "dead", "error", "funnel")


def goal_of(ph: Pageheat, app: str, goal_id: str) -> Goal:
    """The app's goal ``goal_id``; LookupError when there is none."""
    goal = ph.meta.outcomes.goal(app, goal_id)
    if goal is None:
        raise LookupError(f"no goal {goal_id!r} in app {app!r}")
    return goal


def funnel_of(ph: Pageheat, app: str, funnel_id: str) -> Funnel:
    funnel = ph.meta.outcomes.funnel(app, funnel_id)
    if funnel is None:
        raise LookupError(f"no funnel {funnel_id!r} in app {app!r}")
    return funnel


def goal_did(goal: Goal) -> Did:
    """What a session does to reach ``goal``."""
    if goal.event is not None:
        return Did("event", event=goal.event)
    if goal.selector:
        return Did("click", view=goal.view, selector=goal.selector)
    return Did("view", view=goal.view)


def step_did(ph: Pageheat, app: str, step: dict[str, str]) -> Did:
    """What a session does to reach a funnel step (a goal step: its goal's, read now)."""
    if "goal" in step:
        goal = ph.meta.outcomes.goal(app, step["goal"])
        if goal is None:
            raise ValueError(f"a step's goal {step['goal']!r} was deleted: define the funnel"
                             " again")  # fmt: skip
        return goal_did(goal)
    if step.get("selector"):
        return Did("click", view=step["view"], selector=step["selector"])
    return Did("view", view=step["view"])


def step_name(ph: Pageheat, app: str, step: dict[str, str]) -> str:
    if step.get("name"):
        return step["name"]
    if "goal" in step:
        goal = ph.meta.outcomes.goal(app, step["goal"])
        return goal.name if goal else step["goal"]
    return f"{step['selector']} on {step['view']}" if step.get("selector") else step["view"]


# -- cohorts -------------------------------------------------------------------------------


def cohort(ph: Pageheat, query: Query, text: str) -> Cohort:
    """The :class:`Cohort` a ``cohort=`` parameter names for ``query`` (its app, view,
    range and filters); ValueError naming what is wrong, LookupError for an unknown goal
    or funnel. A funnel cohort is computed here, once: its sessions are the funnel's
    over the query's range and filters."""
    kind, _, rest = text.partition(":")
    if kind not in COHORTS:
        raise ValueError(f"cohort must be one of converted:GOAL, not_converted:GOAL,"
                         f" clicked:SELECTOR, rage, dead, error or funnel:ID:STEP:reached|"
                         f"dropped, got {text!r}")  # fmt: skip
    if kind in ("rage", "dead", "error"):
        if rest:
            raise ValueError(f"cohort {kind} takes no argument, got {text!r}")
        return Cohort(text, Did(kind))
    if not rest:
        raise ValueError(f"cohort {kind} needs an argument ({kind}:…), got {text!r}")
    if kind in ("converted", "not_converted"):
        goal = goal_of(ph, query.app, rest)
        return Cohort(text, goal_did(goal), negate=kind == "not_converted")
    if kind == "clicked":
        return Cohort(text, Did("click", view=query.view, selector=rest))
    # funnel:ID:STEP:reached|dropped
    parts = rest.split(":")
    if len(parts) != 3 or parts[2] not in ("reached", "dropped") or not parts[1].isdigit():
        raise ValueError(f"cohort funnel is funnel:ID:STEP:reached or dropped (STEP from 1),"
                         f" got {text!r}")  # fmt: skip
    funnel = funnel_of(ph, query.app, parts[0])
    step = int(parts[1])
    if not 1 <= step <= len(funnel.steps) or (parts[2] == "dropped" and step == len(funnel.steps)):
        last = len(funnel.steps) - (parts[2] == "dropped")
        raise ValueError(f"cohort {text!r}: step must be 1 to {last} for this funnel")
    reached = _funnel_reached(ph, funnel, query)
    sessions = reached[step - 1].sessions
    if parts[2] == "dropped":
        sessions = sessions[~np.isin(sessions, reached[step].sessions)]
    return Cohort(text, sessions=tuple(sessions.tolist()))


def _funnel_reached(ph: Pageheat, funnel: Funnel, query: Query) -> list[Any]:
    steps = [step_did(ph, funnel.app, s) for s in funnel.steps]
    return ph.store.funnel_steps(replace(query, view=None, width=None), steps)


# -- conversion ----------------------------------------------------------------------------


def rate(k: int, n: int) -> float:
    return round(k / n, 4) if n else 0.0


def conversion_json(sessions: int, converted: int, others: int, others_converted: int,
                    minimum: int) -> dict[str, Any]:  # fmt: skip
    """One action's conversion against the sessions that did not click it."""
    low, high = newcomb(converted, sessions, others_converted, others)
    r_low, r_high = wilson(converted, sessions)
    few = min(sessions, others)
    out: dict[str, Any] = {
        "sessions": sessions, "converted": converted, "rate": rate(converted, sessions),
        "others_sessions": others, "others_converted": others_converted,
        "others_rate": rate(others_converted, others),
        "lift": round((converted / sessions if sessions else 0.0)
                      - (others_converted / others if others else 0.0), 4),
        "ci": [round(low, 4), round(high, 4)], "rate_ci": [round(r_low, 4), round(r_high, 4)],
    }  # fmt: skip
    if few < minimum:
        side = "clicked it" if sessions < others else "did not click it"
        out["warning"] = (f"Only {few} session{'s' if few != 1 else ''} {side}: a conversion"
                          f" rate needs about {minimum} a side to be reliable.")  # fmt: skip
    return out


def add_conversion(ph: Pageheat, query: Query, goal_id: str, answer: dict[str, Any]) -> None:
    """Give every top action and top element of an insights ``answer`` its
    ``conversion`` towards the goal, and the answer a ``goal`` summary (the view's
    sessions and how many of them converted)."""
    if query.view is None:
        raise ValueError("goal: conversion by action needs a view")
    goal = goal_of(ph, query.app, goal_id)
    selectors = [a["selector"] for a in answer["top_actions"]]
    counts = ph.store.conversion(query, goal_did(goal), selectors)
    minimum = int(ph.settings.min_sessions_conversion)
    by_selector = {
        sel: conversion_json(c["sessions"], c["converted"], c["others_sessions"],
                             c["others_converted"], minimum)
        for sel, c in counts["actions"].items()
    }  # fmt: skip
    for row in (*answer["top_actions"], *answer["top_elements"]):
        row["conversion"] = by_selector[row["selector"]]
    n, k = counts["viewers"], counts["viewers_converted"]
    low, high = wilson(k, n)
    answer["goal"] = {
        **goal.json(), "sessions": n, "converted": k, "rate": rate(k, n),
        "rate_ci": [round(low, 4), round(high, 4)],
    }  # fmt: skip


# -- funnels and journeys ------------------------------------------------------------------


def funnel_report(ph: Pageheat, funnel: Funnel, query: Query) -> dict[str, Any]:
    """Sessions per step of ``funnel`` over the query's range and filters: conversion
    from the step before, the sessions that reached the step and not the next one
    (``dropped``; none for the last step) and the median time from the step before."""
    reached = _funnel_reached(ph, funnel, query)
    steps = []
    first = len(reached[0]) if reached else 0
    for i, (step, r) in enumerate(zip(funnel.steps, reached, strict=True)):
        n = len(r)
        prev = reached[i - 1] if i else None
        row: dict[str, Any] = {
            "step": i + 1, "name": step_name(ph, funnel.app, step), **dict(step),
            "sessions": n,
            "conversion": rate(n, len(prev)) if prev is not None else (1.0 if n else 0.0),
            "overall": rate(n, first),
            "dropped": n - len(reached[i + 1]) if i + 1 < len(reached) else None,
            "median_ms": None,
        }  # fmt: skip
        if prev is not None and n:
            at = np.searchsorted(prev.codes, r.codes)
            row["median_ms"] = int(np.median(r.t - prev.t[at]))
        steps.append(row)
    return {**funnel.json(), "steps": steps, "sessions": first,
            "converted": len(reached[-1]) if reached else 0,
            "filters": query.filters}  # fmt: skip


# -- the conversion map --------------------------------------------------------------------

#: Cells whose click density is under this share of the map's peak are left undrawn on a
#: conversion map: a rate of one stray click says nothing.
CONVERSION_FLOOR = 0.05


def conversion_map(
    ph: Pageheat, query: Query, kind: str, goal_id: str | None, capture: bool = True,
    background: str | None = None,
) -> Rendered:  # fmt: skip
    """The clicks of ``query`` coloured by the conversion rate of the sessions that made
    them: each cell's intensity is the smoothed density of converting sessions' clicks
    over the smoothed density of all clicks (0 to 1, a rate, not a share of the peak),
    where the clicks are dense enough (:data:`CONVERSION_FLOOR`), 0 elsewhere. Placed
    and smoothed as a click map is, on the same background."""
    from pageheat import heat, reports

    if not goal_id:
        raise ValueError(f"kind {kind} needs goal=ID: the goal whose conversion it colours by")
    goal = goal_of(ph, query.app, goal_id)
    counting = ph.render_pool.submit(ph.store.sessions, query)
    points, won = ph.store.conversion_points(query, goal_did(goal))
    bg = reports._background(ph, query, points.selectors, capture, background)
    if bg is not None:
        width, height, rects = bg.width, bg.height, bg.rects
    else:
        (width, height), rects = reports._page_size(ph, query, points), None
    s = ph.settings

    def draw(p: Points) -> heat.Heatmap:
        return heat.heatmap(
            p, width, height, cell=s.cell_px, radius_mouse=s.radius_mouse_px,
            radius_touch=s.radius_touch_px, rects=rects, clip_percentile=s.clip_percentile,
            n_hotspots=s.hotspots,
        )  # fmt: skip

    clicks = draw(points)
    converted = draw(replace(points, n=won.astype(np.int64)))
    dense = clicks.density >= CONVERSION_FLOOR * clicks.max if clicks.max > 0 else None
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(dense, converted.density / clicks.density, 0.0) if dense is not None \
            else np.zeros_like(clicks.density)  # fmt: skip
    h = replace(clicks, intensity=np.clip(rate, 0, 1).astype(clicks.intensity.dtype), max=1.0)
    sessions = counting.result()
    needed = reports.minimum_sessions(ph, kind)
    warning = None
    if sessions < needed:
        warning = (f"Only {sessions} session{'s' if sessions != 1 else ''} in this heatmap: a"
                   f" conversion map needs about {needed} to show a reliable pattern.")  # fmt: skip
    status, error = reports._status(ph, query, bg)
    return reports.Rendered(kind, h, bg, status, error, sessions, warning)
