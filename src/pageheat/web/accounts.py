"""The signed-in person: who they are (``/api/v1/me``) and their API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from pageheat.params import iso
from pageheat.web import models
from pageheat.web.auth import require_token
from pageheat.web.deps import ERRORS, AnswerRoute, Ph, Who
from pageheat.web.requests import NewToken

if TYPE_CHECKING:
    from pageheat.meta.accounts import ApiToken


def token_json(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "apps": None if t.apps is None else list(t.apps),
            "created": iso(t.created_ms), "last_used": iso(t.last_used_ms)}  # fmt: skip


router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], tags=["account"],
    route_class=AnswerRoute, responses=ERRORS,
)  # fmt: skip


@router.get("/me", summary="Who is signed in, and the session's CSRF token",
            response_model=models.Me)  # fmt: skip
def me(who: Who) -> dict[str, Any]:
    return {
        "user": {"name": who.name, "admin": who.admin},
        "via": who.via,
        "apps": None if who.apps is None else sorted(who.apps),
        "csrf": who.csrf,
    }


@router.get("/tokens", summary="The caller's API tokens", response_model=models.ApiTokens)
def tokens(ph: Ph, who: Who) -> dict[str, Any]:
    return {"tokens": [token_json(t) for t in ph.meta.accounts.tokens(who.name)]}


@router.post("/tokens", status_code=201, summary="Make an API token (shown once)",
             response_model=models.ApiToken)  # fmt: skip
def create_token(ph: Ph, who: Who, new: NewToken) -> dict[str, Any]:
    """``{"name": "CI", "apps": ["key", …] | null}``; null reads every app the caller
    may. The answer's ``token`` is the only time it is shown."""
    if who.via == "api-token":
        raise HTTPException(403, "an API token may not make API tokens; sign in")
    unknown = [a for a in new.apps or () if ph.meta.app(a) is None]
    if unknown:
        raise HTTPException(400, f"apps: no app with key {unknown[0]!r}")
    try:
        token, secret = ph.meta.accounts.create_token(who.name, new.name, new.apps)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return {**token_json(token), "token": secret}


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke an API token")
def revoke_token(ph: Ph, who: Who, token_id: str) -> Response:
    if not ph.meta.accounts.revoke_token(who.name, token_id):
        raise HTTPException(404, f"no API token {token_id!r} of {who.name}")
    return Response(status_code=204)
