"""What every route module shares: the Pageheat of the app (``request.app.state``), the
caller, the query string as one plain mapping with the filters declared, and the
translation of the plain modules' errors into answers.

Routes are module-level functions; what they act on comes from the request's app, so a
router is built once and any number of apps (tests make many) can include it.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator, Mapping
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi import Query as Q
from fastapi.routing import APIRoute

from pageheat import params
from pageheat.app import Pageheat
from pageheat.filters import FILTERS as FILTER_REGISTRY
from pageheat.meta import App, Principal
from pageheat.store.base import Query
from pageheat.web.auth import require_token, require_writer
from pageheat.web.models import Error


class AnswerRoute(APIRoute):
    """A route whose JSON answer is checked against its model and sent with the keys the
    answer has: a key the model declares with a default and the answer lacks stays out,
    rather than coming back as null (web/models.py)."""

    def __init__(self, *args, **kwargs):
        kwargs["response_model_exclude_unset"] = True
        super().__init__(*args, **kwargs)


#: The refusals every API route may answer, in the one error shape.
ERRORS: dict[int | str, dict] = {
    400: {"model": Error, "description": "A bad parameter or body, named in `error`"},
    401: {"model": Error, "description": "Not signed in, or a token that is not valid"},
    403: {"model": Error, "description": "Not allowed for this caller (or no CSRF token)"},
    404: {"model": Error, "description": "No such app, view, background or link"},
}


#: A route that answers JSON (its model) or, with ``format=png``, a picture.
PNG: dict[int | str, dict] = {200: {"content": {"image/png": {}}}}
#: A route that answers a CSV file.
CSV: dict[int | str, dict] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The CSV"},
}
#: A route that answers only a picture.
PNG_ONLY: dict[int | str, dict] = {
    200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
          "description": "The PNG"},
}  # fmt: skip


def pageheat_of(request: Request) -> Pageheat:
    """The Pageheat the app was built from (``web/server.py`` puts it there)."""
    return request.app.state.pageheat


#: A route parameter: the app's Pageheat.
Ph = Annotated[Pageheat, Depends(pageheat_of)]
#: The caller of a route, and the dependency of routes that change apps.
Who = Annotated[Principal, Depends(require_token)]
Writer = Depends(require_writer)


@contextlib.contextmanager
def http_errors() -> Iterator[None]:
    """What the plain modules raise, as answers: ValueError is a bad parameter (400),
    LookupError a thing that is not there (404)."""
    try:
        yield
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None


def app_for(ph: Pageheat, key: str) -> App:
    """The app of ``key``, or 404."""
    with http_errors():
        return params.app_of(ph, key)


def query_for(ph: Pageheat, key: str, view: str | None, plain: Mapping[str, str]) -> Query:
    """:func:`pageheat.params.query`, or 404 for an unknown app and 400 naming the bad
    parameter."""
    with http_errors():
        return params.query(ph, key, view, plain)


#: What each filter parameter means, for the OpenAPI schema (`pageheat.filters`). A value
#: may be a comma-separated list (any of them matches); different filters must all match.
FILTER_HELP = {name: f.help for name, f in FILTER_REGISTRY.items()}
#: The behaviour cohort every read takes beside the filters (``pageheat.outcomes``).
COHORT_HELP = (
    "Only the sessions of a behaviour cohort, within the range: converted:GOAL,"
    " not_converted:GOAL, clicked:SELECTOR (on the view), rage, dead, error (sessions that"
    " had one), funnel:ID:STEP:reached or funnel:ID:STEP:dropped (reached STEP, not the next)."
)


def plain_params(request: Request) -> dict[str, str]:
    """The query string as a plain mapping; a name given more than once (``device=mobile&
    device=tablet``) becomes one comma-separated list."""
    q = request.query_params
    return {name: ",".join(q.getlist(name)) for name in q}


def _params_with_filters(request: Request, **_: str | None) -> dict[str, str]:
    return plain_params(request)


# Declares every filter as a query parameter of the routes that depend on it (so the
# OpenAPI schema lists them), while the route reads all its parameters from one mapping.
_params_with_filters.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
    inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
    *(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                        annotation=Annotated[str | None, Q(description=text)])
      for name, text in {**FILTER_HELP, "cohort": COHORT_HELP}.items()),
])  # fmt: skip

#: A route parameter: the request's query string as a plain mapping, filters declared.
Params = Annotated[dict[str, str], Depends(_params_with_filters)]
#: ``from`` and ``to``, declared for the schema (routes read them from ``Params``).
From = Annotated[str | None, Q(alias="from")]
To = Annotated[str | None, Q(alias="to")]
