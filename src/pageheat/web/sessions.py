"""The sessions behind the heat, over HTTP: ``GET /api/v1/apps/{key}/sessions`` and
``…/sessions/{id}`` (``pageheat/sessions.py`` answers; keys public as the query API's).

Signed-in callers only, like every app route: share links open a heatmap and never these
(``web/shared.py`` has no session route, and the route walk of tests/web/test_security.py
holds every route here to the token check).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Query as Q

from pageheat import sessions
from pageheat.web.auth import require_token
from pageheat.web.deps import ERRORS, AnswerRoute, From, Params, Ph, To, http_errors
from pageheat.web.session_models import SessionDetail, SessionList

router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], tags=["sessions"],
    route_class=AnswerRoute, responses=ERRORS,
)  # fmt: skip


@router.get("/apps/{key}/sessions", summary="Sessions of an app, newest first",
            response_model=SessionList)  # fmt: skip
def session_list(
    ph: Ph, key: str, params: Params, view: str | None = None,
    width: Annotated[str | None, Q(description="a width class or MIN-MAX px; default every"
                                   " width (desktop with an area, as the heatmap)")] = None,
    start: From = None, end: To = None,
    selector: Annotated[str | None, Q(description="only sessions that clicked it")] = None,
    x: Annotated[float | None, Q(description="an area (x, y, w, h: page px of the view's"
                                 " background) the sessions clicked in")] = None,
    y: float | None = None, w: Annotated[float | None, Q(ge=0)] = None,
    h: Annotated[float | None, Q(ge=0)] = None,
    kind: Annotated[str | None, Q(description="the clicks' kind (click, rage, dead,"
                                  " error, …); alone: sessions with one")] = None,
    background: Annotated[str | None, Q(description="the background the area is on"
                                        " (default the view's, as the heatmap's)")] = None,
    user: Annotated[str | None, Q(description="the user the site identified")] = None,
    duration_min: Annotated[float | None, Q(ge=0, description="seconds")] = None,
    duration_max: Annotated[float | None, Q(ge=0, description="seconds")] = None,
    pages_min: Annotated[int | None, Q(ge=0)] = None,
    pages_max: Annotated[int | None, Q(ge=0)] = None,
    has: Annotated[str | None, Q(description="comma-separated: rage, dead, error; each"
                                 " must be in the session")] = None,
    limit: Annotated[int, Q(ge=1, le=sessions.LIMIT_MAX)] = sessions.LIMIT,
    cursor: Annotated[str | None, Q(description="`next` of the previous page")] = None,
) -> dict[str, Any]:  # fmt: skip
    """Sessions with a page view in the range, view, width and filters, newest start
    first, ``limit`` a page (``next`` is the following page's ``cursor``). With
    ``selector``, an area or ``kind``: only the sessions whose clicks did that, with
    ``moments``, ms from each session's start of those clicks; the area is placed as
    the heatmap places points on the chosen background. What a session says of itself
    (length, pages, clicks, entry, exit) covers all of it, whatever narrowed the list."""
    with http_errors():
        return sessions.session_list(ph, key, params, limit, cursor)


@router.get("/apps/{key}/sessions/{session}", summary="One session with its timeline",
            response_model=SessionDetail)  # fmt: skip
def session_detail(ph: Ph, key: str, session: str) -> dict[str, Any]:
    """The session's summary and what happened in it, ms from its start: page views,
    clicks (selector, text, position, rage/dead/error) and page errors."""
    with http_errors():
        return sessions.session_detail(ph, key, session)
