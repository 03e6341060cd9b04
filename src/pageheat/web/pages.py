"""The dashboard's pages, the login, and the files the browser loads from pageheat itself.

The dashboard is a single page: every dashboard path answers ``index.html`` and the
script routes on the path. Nothing comes from a CDN.
"""

from __future__ import annotations

import json
import secrets
from functools import cache
from importlib import resources

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from pageheat.collect.guard import retry_after
from pageheat.settings import Settings
from pageheat.web.auth import COOKIE, CSRF_COOKIE, check_csrf, principal_of
from pageheat.web.deps import Ph
from pageheat.web.requests import Login

#: Strict enough that captured or injected HTML cannot run script in the dashboard.
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

#: The replay page's policy, the dashboard's plus what rrweb's Replayer needs: it
#: rebuilds the recorded page in an ``about:blank`` iframe, which takes its parent's
#: policy, so the recorded page's own CSS (rebuilt as ``<style>`` elements and ``style``
#: attributes) needs 'unsafe-inline' for styles, and its images and web fonts, which stay
#: on the recorded site, need https:. Scripts stay 'self' only: the rebuilt page has no
#: script (rrweb turns each into an inert element) and the iframe is sandboxed without
#: allow-scripts. Only this page has it (the dashboard reloads to reach it).
REPLAY_CSP = DASHBOARD_CSP.replace(
    "style-src 'self';", "style-src 'self' 'unsafe-inline';"
).replace(
    "img-src 'self' data: blob:;",
    "img-src 'self' data: blob: https:; font-src 'self' data: https:;",
)


def _template(name: str) -> str:
    return resources.files("pageheat.web").joinpath(f"templates/{name}").read_text()


def _static(name: str) -> bytes:
    return resources.files("pageheat.web").joinpath(f"static/{name}").read_bytes()


def _html(name: str, csp: str = DASHBOARD_CSP) -> HTMLResponse:
    return HTMLResponse(_template(name), headers={"Content-Security-Policy": csp})


@cache
def _tracker_js(config: str) -> bytes:
    return f"self.pageheatConfig={config};\n".encode() + _static("pageheat.js")


def tracker_js(s: Settings) -> bytes:
    """The tracker with its browser-side thresholds, which are settings too: written in
    front of the bundle, where tracker/src/frustration.ts reads them (short keys keep it
    small)."""
    config = json.dumps({
        "w": s.frustration_window_ms, "p": s.rage_radius_px, "n": s.rage_min_clicks,
        "m": s.move_interval_ms, "d": s.move_min_px, "i": s.session_idle_min,
        "r": s.replay_chunk_s,
    }, separators=(",", ":"))  # fmt: skip
    return _tracker_js(config)


router = APIRouter(include_in_schema=False)


@router.get("/pageheat.js")
def tracker(ph: Ph) -> Response:
    # Loaded cross-origin by script tags on the sites being measured.
    return Response(
        tracker_js(ph.settings),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


@router.get("/pageheat-snapshot.js")
def snapshot_code() -> Response:
    # The tracker loads this only when the collector asks it for a snapshot.
    return Response(
        _static("pageheat-snapshot.js"),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
    )


@router.get("/pageheat-replay.js")
def replay_code() -> Response:
    # The tracker loads this only for sessions the collector's answer says are recorded.
    return Response(
        _static("pageheat-replay.js"),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
    )


#: What /static/ serves, and nothing else: the dashboard's script, its style sheets (one
#: for what every page shares, one for the heatmap and shared heatmap pages, one for the
#: forms, settings and dialogs, one for goals, funnels and journeys; the templates link
#: them in that order, which the cascade relies on), the tracker, and the replay player
#: the replay page loads on demand.
STATIC_FILES = frozenset({
    "dashboard.js", "dashboard-base.css", "dashboard-heatmap.css", "dashboard-forms.css",
    "dashboard-outcomes.css", "pageheat.js", "pageheat-player.js", "pageheat-player.css",
})  # fmt: skip


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in STATIC_FILES:
        raise HTTPException(404, "not found")
    kind = "text/css" if name.endswith(".css") else "text/javascript"
    return Response(_static(name), media_type=kind, headers={"Cache-Control": "no-cache"})


@router.get("/")
@router.get("/account")
@router.get("/apps/{key}")
@router.get("/apps/{key}/heatmap")
@router.get("/apps/{key}/settings")
@router.get("/apps/{key}/outcomes")
@router.get("/apps/{key}/funnels/{funnel}")
@router.get("/apps/{key}/sessions")
@router.get("/apps/{key}/sessions/{session}")
def dashboard() -> HTMLResponse:
    return _html("index.html")


@router.get("/apps/{key}/sessions/{session}/replay")
def replay_page() -> HTMLResponse:
    # The dashboard with the replay player's policy (REPLAY_CSP).
    return _html("index.html", REPLAY_CSP)


@router.get("/share/{token}")
def shared_heatmap() -> HTMLResponse:
    # The page is the same for every token; its script asks /api/v1/share/<token>,
    # which says whether the link still opens. No login, no referrer leaves it.
    return _html("share.html")


@router.get("/login")
def login_page() -> HTMLResponse:
    return _html("login.html")


@router.post("/login")
def login(ph: Ph, request: Request, payload: Login) -> Response:
    """``{"user", "password"}`` of an account made with ``pageheat user create``, or
    ``{"token"}``, the admin token; 204 with the session and CSRF cookies."""
    address = request.client.host if request.client else ""
    wait = ph.wrong_logins.wait(address)
    if wait:
        raise HTTPException(429, "too many wrong sign-in attempts; wait a little",
                            headers={"Retry-After": retry_after(wait)})  # fmt: skip
    accounts = ph.meta.accounts
    if payload.token is not None:
        token = payload.token
        if not secrets.compare_digest(token.encode(), ph.admin_token.encode()):
            ph.wrong_logins.take(address)
            raise HTTPException(401, "that admin token is not valid")
        secret, csrf = accounts.open_session("admin", True)
    else:
        user = accounts.authenticate(payload.user, payload.password)
        if user is None:
            ph.wrong_logins.take(address)
            raise HTTPException(401, "wrong user name or password")
        secret, csrf = accounts.open_session(user.name, user.admin)
    resp = Response(status_code=204)
    secure = request.url.scheme == "https"
    age = accounts.session_ms // 1000
    resp.set_cookie(COOKIE, secret, httponly=True, samesite="strict", secure=secure,
                    max_age=age)  # fmt: skip
    resp.set_cookie(CSRF_COOKIE, csrf, httponly=False, samesite="strict", secure=secure,
                    max_age=age)  # fmt: skip
    return resp


@router.post("/logout")
def logout(ph: Ph, request: Request) -> Response:
    """Ends the session on the server too, so a copied cookie stops working."""
    who = principal_of(request)
    if who is not None and who.session is not None:
        check_csrf(request, who)
        ph.meta.accounts.close_session(who.session)
    resp = Response(status_code=204)
    resp.delete_cookie(COOKIE)
    resp.delete_cookie(CSRF_COOKIE)
    return resp


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
