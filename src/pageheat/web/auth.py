"""Who a request is, and whether it may do what it asks.

Three ways in, all resolved to one :class:`~pageheat.meta.Principal`:

- ``Authorization: Bearer <admin token>``: the instance's admin token (scripts, the CLI);
- ``Authorization: Bearer phk_…``: a user's API token, possibly scoped to some apps;
- the ``pageheat_session`` cookie of a dashboard login, which must send its CSRF token in
  ``X-CSRF-Token`` on every state-changing request. Bearer requests need none: a browser
  never adds an ``Authorization`` header to another site's request by itself.
"""

from __future__ import annotations

import secrets

from fastapi import HTTPException, Request

from pageheat.meta import Principal

#: The login session cookie (HttpOnly).
COOKIE = "pageheat_session"
#: The CSRF token's cookie: readable by the dashboard's script, which echoes it in
#: ``X-CSRF-Token``; another site can neither read it nor set the header.
CSRF_COOKIE = "pageheat_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_of(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def principal_of(request: Request) -> Principal | None:
    """Who the request is, or None; caches it on ``request.state``."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    ph = request.app.state.pageheat
    found = None
    bearer = bearer_of(request)
    if bearer is not None:
        if secrets.compare_digest(bearer.encode(), ph.admin_token.encode()):
            found = Principal("admin", True, "admin-token")
        else:
            found = ph.meta.accounts.token_principal(bearer)
    elif secret := request.cookies.get(COOKIE):
        found = ph.meta.accounts.session(secret)
    request.state.principal = found
    return found


def check_csrf(request: Request, who: Principal) -> None:
    """403 for a state-changing request of a cookie session without its CSRF token."""
    if who.via != "session" or request.method in SAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER, "")
    if not given or not secrets.compare_digest(given.encode(), (who.csrf or "").encode()):
        raise HTTPException(
            403, "missing or wrong CSRF token: send the pageheat_csrf cookie's value in the"
            " X-CSRF-Token header (the dashboard does)",
        )  # fmt: skip


def require_token(request: Request) -> Principal:
    """FastAPI dependency of every non-public route: 401 unless signed in, 403 for a
    session's request without its CSRF token, and 403 for an app the caller may not read
    (any route with a ``{key}`` path parameter). tests/web/test_security.py walks the
    routing table to keep every route behind it."""
    who = principal_of(request)
    if who is None:
        if bearer_of(request) is not None:
            raise HTTPException(401, "that token is not valid")
        if COOKIE in request.cookies:
            raise HTTPException(401, "your session has ended; sign in again")
        raise HTTPException(401, "sign in, or send a bearer token (Authorization: Bearer …)")
    check_csrf(request, who)
    key = request.path_params.get("key")
    if key is not None and not who.may_read(key):
        raise HTTPException(403, f"this token may not read app {key!r}")
    return who


def require_writer(request: Request) -> Principal:
    """Like :func:`require_token`, for routes that change apps: users who are not admins
    and app-scoped tokens may read, not change, an instance's apps."""
    who = require_token(request)
    if not who.admin:
        raise HTTPException(403, f"{who.name} may read apps but not change them")
    if who.apps is not None and request.path_params.get("key") is None:
        raise HTTPException(403, "a token scoped to some apps may not create apps")
    return who
