"""The answers of the outcome routes (goals, funnels, journeys) and the conversion parts of
insights, as pydantic models (web/models.py says why every answer has one)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Goal(_Answer):
    """A goal: a view reached (``view``), an element clicked on a view (``view`` and
    ``selector``) or a custom event (``event``, sent by ``pageheat.goal(name)``)."""

    id: str
    name: str
    kind: Literal["view", "click", "event"]
    view: str = Field(None, description="kind view or click: the view")
    selector: str = Field(None, description="kind click: the element's selector")
    event: str = Field(None, description="kind event: the name pageheat.goal() sends")


class Goals(_Answer):
    goals: list[Goal]


class Conversion(_Answer):
    """Sessions that clicked the action on the view against those that viewed the view
    and did not; ``lift`` is ``rate - others_rate`` and ``ci`` its 95 % Newcomb interval;
    ``rate_ci`` the rate's Wilson interval."""

    sessions: int
    converted: int
    rate: float
    others_sessions: int
    others_converted: int
    others_rate: float
    lift: float
    ci: list[float]
    rate_ci: list[float]
    warning: str = Field(None, description="Fewer sessions on a side than the setting"
                         " min_sessions_conversion")  # fmt: skip


class GoalSummary(Goal):
    """The goal insights were asked about, with the view's sessions and how many of them
    reached it."""

    sessions: int
    converted: int
    rate: float
    rate_ci: list[float]


class FunnelStepDefinition(_Answer):
    view: str = Field(None, description="A view reached, or the view of a click")
    selector: str = Field(None, description="An element clicked on the view")
    goal: str = Field(None, description="A goal's id")
    name: str = Field(None, description="The step's label")


class Funnel(_Answer):
    id: str
    name: str
    steps: list[FunnelStepDefinition]


class Funnels(_Answer):
    funnels: list[Funnel]


class FunnelStep(_Answer):
    step: int = Field(description="1 for the first step")
    name: str
    view: str = Field(None, description="A view reached, or the view of a click")
    selector: str = Field(None, description="An element clicked on the view")
    goal: str = Field(None, description="A goal's id")
    sessions: int = Field(description="Sessions that reached this step after the ones before")
    conversion: float = Field(description="Share of the step before's sessions (1 for the first)")
    overall: float = Field(description="Share of the first step's sessions")
    dropped: int | None = Field(description="Reached this step, not the next (null: last step)")
    median_ms: int | None = Field(description="Median time from the step before (ms)")


class FunnelReport(_Answer):
    id: str
    name: str
    steps: list[FunnelStep]
    sessions: int
    converted: int
    filters: dict[str, str]


class JourneyPage(_Answer):
    view: str
    sessions: int


class Journeys(_Answer):
    """Pages right before and right after the view in the same sessions."""

    view: str
    previous: list[JourneyPage]
    next: list[JourneyPage]
    entries: int = Field(description="Sessions whose first page view (in the range) is the view")
    exits: int = Field(description="Sessions whose last page view (in the range) is the view")
    sessions: int
    page_views: int
    filters: dict[str, str]
