"""Goals and funnels of an app, kept in the metadata database.

A goal is what "converted" means for an app: a session reached a view
(``{"name", "view"}``), clicked an element on a view (``{"name", "view", "selector"}``)
or sent a custom goal event (``{"name", "event"}``, ``pageheat.goal(name)``). A funnel
is an ordered list of 2 to 10 steps, each a view, an action on a view (a selector
clicked) or a goal (``{"goal": ID}``). Both are definitions only: the event store is
asked at each read (``pageheat.outcomes``), so a goal defined today counts the sessions
that reached it last month too.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, Table, select
from sqlalchemy.engine import Engine

from pageheat.meta.library import clean_name
from pageheat.meta.tables import metadata

#: Longest view name, selector and goal event name a definition may hold (the wire
#: protocol's limits for the same things).
MAX_VIEW, MAX_SELECTOR, MAX_EVENT = 256, 1024, 128
#: Steps a funnel has.
MIN_STEPS, MAX_STEPS = 2, 10

goals = Table(
    "goals",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("app", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    #: Exactly one of: view; view and selector; event.
    Column("view", String(MAX_VIEW), nullable=True),
    Column("selector", String(MAX_SELECTOR), nullable=True),
    Column("event", String(MAX_EVENT), nullable=True),
    Column("created_ms", BigInteger, nullable=False),
)

funnels = Table(
    "funnels",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("app", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    #: The ordered steps, each {"view"}, {"view", "selector"} or {"goal"} (and a "name").
    Column("steps", JSON, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class Goal:
    id: str
    app: str
    name: str
    view: str | None
    selector: str | None
    event: str | None
    created_ms: int

    @property
    def kind(self) -> str:
        """``view``, ``click`` or ``event``."""
        return "event" if self.event is not None else "click" if self.selector else "view"

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind}
        for key in ("view", "selector", "event"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class Funnel:
    id: str
    app: str
    name: str
    steps: tuple[dict[str, str], ...]
    created_ms: int

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "steps": [dict(s) for s in self.steps]}


def _text(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ValueError(f"{field} must be a string of 1 to {limit} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError(f"{field} must not hold control characters")
    return value


def clean_goal(body: Any) -> tuple[str, str | None, str | None, str | None]:
    """(name, view, selector, event) of a goal's JSON, or ValueError naming the field."""
    if not isinstance(body, dict):
        raise ValueError('a goal is {"name", "view"}, {"name", "view", "selector"} or'
                         ' {"name", "event"}')  # fmt: skip
    unknown = sorted(set(body) - {"name", "view", "selector", "event"})
    if unknown:
        raise ValueError(f"{unknown[0]}: not a goal field; a goal has name and view,"
                         " view and selector, or event")  # fmt: skip
    name = clean_name(body.get("name"))
    if "event" in body:
        if "view" in body or "selector" in body:
            raise ValueError("event: a custom-event goal has no view or selector")
        return name, None, None, _text(body["event"], "event", MAX_EVENT)
    if "view" not in body:
        raise ValueError("view: a goal needs a view (and a selector), or an event")
    view = _text(body["view"], "view", MAX_VIEW)
    selector = body.get("selector")
    if selector is not None:
        selector = _text(selector, "selector", MAX_SELECTOR)
    return name, view, selector, None


def clean_steps(steps: Any, goal_ids: set[str]) -> tuple[dict[str, str], ...]:
    """A funnel's steps as kept, or ValueError naming the bad one (``steps[1].view``)."""
    if not isinstance(steps, list) or not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise ValueError(f"steps must be a list of {MIN_STEPS} to {MAX_STEPS} steps")
    out = []
    for i, step in enumerate(steps):
        at = f"steps[{i}]"
        if not isinstance(step, dict):
            raise ValueError(f'{at}: a step is {{"view"}}, {{"view", "selector"}} or {{"goal"}}')
        unknown = sorted(set(step) - {"view", "selector", "goal", "name"})
        if unknown:
            raise ValueError(f"{at}.{unknown[0]}: not a step field (view, selector, goal, name)")
        kept: dict[str, str] = {}
        if "name" in step:
            kept["name"] = clean_name(step["name"])
        if "goal" in step:
            if "view" in step or "selector" in step:
                raise ValueError(f"{at}.goal: a goal step has no view or selector")
            if step["goal"] not in goal_ids:
                raise ValueError(f"{at}.goal: no goal {step['goal']!r} in this app")
            kept["goal"] = step["goal"]
        elif "view" in step:
            kept["view"] = _text(step["view"], f"{at}.view", MAX_VIEW)
            if step.get("selector") is not None:
                kept["selector"] = _text(step["selector"], f"{at}.selector", MAX_SELECTOR)
        else:
            raise ValueError(f"{at}: a step needs a view (and a selector) or a goal")
        out.append(kept)
    return tuple(out)


class Outcomes:
    """Goals and funnels in the metadata database."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # -- goals -------------------------------------------------------------------------

    def create_goal(self, app: str, body: Any) -> Goal:
        name, view, selector, event = clean_goal(body)
        goal = Goal(secrets.token_hex(6), app, name, view, selector, event, _now_ms())
        with self.engine.begin() as con:
            con.execute(goals.insert().values(
                id=goal.id, app=app, name=name, view=view, selector=selector, event=event,
                created_ms=goal.created_ms,
            ))  # fmt: skip
        return goal

    def goals(self, app: str) -> list[Goal]:
        """The app's goals, oldest first (the order they were defined in)."""
        with self.engine.connect() as con:
            rows = con.execute(
                select(goals).where(goals.c.app == app).order_by(goals.c.created_ms, goals.c.id)
            ).all()
        return [_goal(r) for r in rows]

    def goal(self, app: str, goal_id: str) -> Goal | None:
        with self.engine.connect() as con:
            row = con.execute(
                select(goals).where(goals.c.app == app, goals.c.id == goal_id)
            ).first()
        return None if row is None else _goal(row)

    def delete_goal(self, app: str, goal_id: str) -> bool:
        """False when there is no such goal. A funnel step naming it then reads as
        "no goal" (400) until the funnel is defined again."""
        with self.engine.begin() as con:
            return bool(
                con.execute(goals.delete().where(goals.c.app == app, goals.c.id == goal_id))
                .rowcount
            )  # fmt: skip

    # -- funnels -----------------------------------------------------------------------

    def create_funnel(self, app: str, body: Any) -> Funnel:
        if not isinstance(body, dict):
            raise ValueError('a funnel is {"name", "steps": [...]}')
        unknown = sorted(set(body) - {"name", "steps"})
        if unknown:
            raise ValueError(f"{unknown[0]}: not a funnel field (name, steps)")
        name = clean_name(body.get("name"))
        steps = clean_steps(body.get("steps"), {g.id for g in self.goals(app)})
        funnel = Funnel(secrets.token_hex(6), app, name, steps, _now_ms())
        with self.engine.begin() as con:
            con.execute(funnels.insert().values(
                id=funnel.id, app=app, name=name, steps=[dict(s) for s in steps],
                created_ms=funnel.created_ms,
            ))  # fmt: skip
        return funnel

    def funnels(self, app: str) -> list[Funnel]:
        with self.engine.connect() as con:
            rows = con.execute(
                select(funnels).where(funnels.c.app == app)
                .order_by(funnels.c.created_ms, funnels.c.id)
            ).all()  # fmt: skip
        return [_funnel(r) for r in rows]

    def funnel(self, app: str, funnel_id: str) -> Funnel | None:
        with self.engine.connect() as con:
            row = con.execute(
                select(funnels).where(funnels.c.app == app, funnels.c.id == funnel_id)
            ).first()
        return None if row is None else _funnel(row)

    def delete_funnel(self, app: str, funnel_id: str) -> bool:
        with self.engine.begin() as con:
            return bool(con.execute(
                funnels.delete().where(funnels.c.app == app, funnels.c.id == funnel_id)
            ).rowcount)  # fmt: skip

    def forget_app(self, app: str) -> None:
        """A deleted app's goals and funnels go with it."""
        with self.engine.begin() as con:
            con.execute(goals.delete().where(goals.c.app == app))
            con.execute(funnels.delete().where(funnels.c.app == app))


def _now_ms() -> int:
    return int(time.time() * 1000)


def _goal(r: Any) -> Goal:
    return Goal(r.id, r.app, r.name, r.view, r.selector, r.event, r.created_ms)


def _funnel(r: Any) -> Funnel:
    return Funnel(r.id, r.app, r.name, tuple(dict(s) for s in r.steps), r.created_ms)
