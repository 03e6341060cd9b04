"""``GET /api/v1/apps/{key}/tags``: the tag keys an app's page views carry, for the
dashboard's filter picker (each key is a ``tag.KEY`` filter, whose values
``…/filters/tag.KEY`` lists like any filter's)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Query as Q

from pageheat.web.auth import require_token
from pageheat.web.deps import ERRORS, AnswerRoute, From, Params, Ph, To, query_for
from pageheat.web.tag_models import TagKeys

router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], tags=["query"],
    route_class=AnswerRoute, responses=ERRORS,
)  # fmt: skip


@router.get("/apps/{key}/tags", summary="Tag keys the page views carry, with page views",
            response_model=TagKeys)  # fmt: skip
def tag_keys(
    ph: Ph, key: str, params: Params, view: str | None = None, width: str = "desktop",
    limit: Annotated[int, Q(ge=1, le=500)] = 100, start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    """Every ``pageheat.tag`` key of the page views of the view (all views when none is
    given), range, width and filters, most page views first; a tag filter on a key
    narrows the list like any other filter."""
    query = query_for(ph, key, view, params)
    return {
        "tags": [{"key": k, "page_views": n} for k, n in ph.store.tag_keys(query, limit)],
        "filters": query.filters,
    }
