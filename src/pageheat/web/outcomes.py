"""Goals, funnels and journeys under ``/api/v1/apps/{key}`` (``pageheat.outcomes``).

Goals and funnels are an app's definitions: reading them is a reader's right, defining
or deleting them a writer's (as the app's other settings). Their reports take the
query API's usual parameters (range, width, filters, ``cohort``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Query as Q
from fastapi.responses import Response

from pageheat import outcomes
from pageheat.web import outcome_models as models
from pageheat.web.auth import require_token
from pageheat.web.deps import (
    ERRORS,
    AnswerRoute,
    From,
    Params,
    Ph,
    To,
    Writer,
    app_for,
    http_errors,
    query_for,
)
from pageheat.web.requests import NewFunnel, NewGoal

router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], tags=["outcomes"],
    route_class=AnswerRoute, responses=ERRORS,
)  # fmt: skip

#: Width of reports that are about sessions rather than one screen: every width, unless
#: the caller narrows it.
ALL_WIDTHS = "0-1000000"


# -- goals -------------------------------------------------------------------------------


@router.get("/apps/{key}/goals", summary="Goals of an app", response_model=models.Goals)
def list_goals(ph: Ph, key: str) -> dict[str, Any]:
    app_for(ph, key)
    return {"goals": [g.json() for g in ph.meta.outcomes.goals(key)]}


@router.post(
    "/apps/{key}/goals", status_code=201, summary="Define a goal", dependencies=[Writer],
    response_model=models.Goal,
    description='`{"name", "view"}`: a view reached; `{"name", "view", "selector"}`: an'
    ' element clicked on a view; `{"name", "event"}`: a custom event sent by'
    " `pageheat.goal(event)`. A goal counts once per session.",
)  # fmt: skip
def create_goal(ph: Ph, key: str, goal: NewGoal) -> dict[str, Any]:
    app_for(ph, key)
    with http_errors():
        return ph.meta.outcomes.create_goal(key, goal.given()).json()


@router.get("/apps/{key}/goals/{goal_id}", summary="One goal", response_model=models.Goal)
def get_goal(ph: Ph, key: str, goal_id: str) -> dict[str, Any]:
    app_for(ph, key)
    with http_errors():
        return outcomes.goal_of(ph, key, goal_id).json()


@router.delete("/apps/{key}/goals/{goal_id}", status_code=204, summary="Delete a goal",
               dependencies=[Writer])  # fmt: skip
def delete_goal(ph: Ph, key: str, goal_id: str) -> Response:
    app_for(ph, key)
    if not ph.meta.outcomes.delete_goal(key, goal_id):
        raise HTTPException(404, f"no goal {goal_id!r} in app {key!r}")
    return Response(status_code=204)


# -- funnels -----------------------------------------------------------------------------


@router.get("/apps/{key}/funnels", summary="Funnels of an app", response_model=models.Funnels)
def list_funnels(ph: Ph, key: str) -> dict[str, Any]:
    app_for(ph, key)
    return {"funnels": [f.json() for f in ph.meta.outcomes.funnels(key)]}


@router.post(
    "/apps/{key}/funnels", status_code=201, summary="Define a funnel", dependencies=[Writer],
    response_model=models.Funnel,
    description='`{"name", "steps": [...]}` with 2 to 10 steps in order, each `{"view"}`'
    ' (reached a view), `{"view", "selector"}` (clicked an element on a view) or'
    ' `{"goal": ID}`, with an optional `"name"`.',
)  # fmt: skip
def create_funnel(ph: Ph, key: str, funnel: NewFunnel) -> dict[str, Any]:
    app_for(ph, key)
    with http_errors():
        return ph.meta.outcomes.create_funnel(key, funnel.given()).json()


@router.get("/apps/{key}/funnels/{funnel_id}", summary="One funnel", response_model=models.Funnel)
def get_funnel(ph: Ph, key: str, funnel_id: str) -> dict[str, Any]:
    app_for(ph, key)
    with http_errors():
        return outcomes.funnel_of(ph, key, funnel_id).json()


@router.delete("/apps/{key}/funnels/{funnel_id}", status_code=204, summary="Delete a funnel",
               dependencies=[Writer])  # fmt: skip
def delete_funnel(ph: Ph, key: str, funnel_id: str) -> Response:
    app_for(ph, key)
    if not ph.meta.outcomes.delete_funnel(key, funnel_id):
        raise HTTPException(404, f"no funnel {funnel_id!r} in app {key!r}")
    return Response(status_code=204)


@router.get("/apps/{key}/funnels/{funnel_id}/report", summary="Sessions through a funnel",
            response_model=models.FunnelReport)  # fmt: skip
def funnel_report(
    ph: Ph, key: str, funnel_id: str, params: Params, width: str | None = None,
    start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    """Per step: the sessions that reached it after the steps before (in order, within
    the range), the share of the step before's, the sessions that went no further
    (``dropped``: the cohort ``funnel:ID:STEP:dropped``) and the median time from the
    step before. The filters and cohort choose the sessions (those with a page view
    they keep); every width unless ``width`` is given."""
    query = query_for(ph, key, None, {**params, "width": width or ALL_WIDTHS})
    with http_errors():
        return outcomes.funnel_report(ph, outcomes.funnel_of(ph, key, funnel_id), query)


# -- journeys ----------------------------------------------------------------------------


@router.get("/apps/{key}/journeys", summary="Pages before and after a view",
            response_model=models.Journeys)  # fmt: skip
def journeys(
    ph: Ph, key: str, view: str, params: Params, width: str | None = None,
    start: From = None, end: To = None,
    limit: Annotated[int, Q(ge=1, le=100)] = 10,
) -> dict[str, Any]:  # fmt: skip
    """The views visited right before (``previous``) and right after (``next``) the view
    in the same session, with the sessions that went each way, most first; ``entries``
    and ``exits``: the sessions that began or ended on it. The filters and cohort choose
    the sessions (those whose page view of the view they keep); the pages around it are
    counted whatever the filters. Every width unless ``width`` is given."""
    query = query_for(ph, key, view, {**params, "width": width or ALL_WIDTHS})
    return {"view": view, **ph.store.journeys(query, limit), "filters": query.filters}
