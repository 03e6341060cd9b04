"""Who may read the query API: the admin token, as a bearer header or the login cookie.

Accounts and per-user API tokens come later; every route already goes through
:func:`require_token`, so they will plug in here.
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request

COOKIE = "pageheat_token"


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return request.cookies.get(COOKIE)


def require_token(request: Request) -> None:
    """FastAPI dependency: 401 unless the request carries a valid token.

    Every non-public route depends on this (tests/web/test_security.py walks the routing
    table to keep it so). Issue 7 (accounts) hooks in here: resolve the token to a
    principal (admin, or the apps it may read), keep it on ``request.state``, and have
    ``/api/v1/apps/{key}/…`` routes answer 403 for an app outside it; the skipped
    ``test_another_apps_token_is_refused`` is waiting for that.
    """
    expected = request.app.state.pageheat.admin_token
    given = token_of(request)
    if not given:
        raise HTTPException(401, "a bearer token is required (Authorization: Bearer …)")
    if not secrets.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(401, "that token is not valid")
