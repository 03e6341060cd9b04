"""Builds the ASGI application from a :class:`~pageheat.app.Pageheat`: the routers, the
one error shape, and the headers every answer carries (security and CSRF, here because
they hold for every route, present and future)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

import pageheat
from pageheat.collect import routes as collect_routes
from pageheat.web import accounts, api, exports, library, ops, pages, shared

if TYPE_CHECKING:
    from pageheat.app import Pageheat


def build_app(ph: Pageheat) -> FastAPI:
    app = FastAPI(
        title="pageheat",
        version=pageheat.__version__,
        description="Self-hosted web heatmaps: collector, query API and dashboard.",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.pageheat = ph

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return collect_routes.error(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(
            {"error": f"{first.get('msg', 'invalid request')} - at `{where}`", "field": where},
            status_code=400,
        )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        refused = cross_site(request)
        if refused is not None:
            return refused
        response = await call_next(request)
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        # Pages set their own policy (the dashboard's, web/pages.py); every other answer
        # (JSON, PNG, scripts) is never a document, so it may load and run nothing.
        docs = request.url.path == app.docs_url  # Swagger UI: its scripts come from a CDN
        h.setdefault("Content-Security-Policy", "frame-ancestors 'none'" if docs else NO_CSP)
        if request.url.path.startswith("/api/v1/apps") or request.url.path == "/metrics":
            h.setdefault("Cache-Control", "no-store")  # visitors' data stays out of caches
        return response

    app.include_router(collect_routes.router(ph))
    app.include_router(api.router(ph))
    app.include_router(exports.router(ph))
    app.include_router(exports.public_router())
    app.include_router(accounts.router(ph))
    app.include_router(library.router(ph))
    app.include_router(shared.router(ph))
    app.include_router(pages.router(ph))
    app.include_router(ops.router(ph))
    return app


#: The policy of every answer that is not a page: nothing may load, run or frame it.
NO_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

#: Paths other sites post to on purpose: the tracker's, from every page it is on.
_CROSS_SITE_OK = ("/api/v1/collect", "/api/v1/snapshot")


def cross_site(request: Request) -> JSONResponse | None:
    """403 for a state-changing request sent by another site's page (CSRF).

    The login cookie is SameSite=strict, which already keeps it off cross-site requests
    in current browsers; this is the second lock, for older ones and for same-site
    subdomains: a browser names the page's origin in ``Origin`` on every POST, PUT,
    PATCH and DELETE, and it must be this server's own. Requests without ``Origin``
    (scripts, curl) and the collector's endpoints are not browsers' cross-site requests.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"} or request.url.path in _CROSS_SITE_OK:
        return None
    origin = request.headers.get("origin")
    if origin is None:
        return None
    host = request.headers.get("host", "")
    if origin == "null" or urlsplit(origin).netloc.lower() != host.lower():
        return collect_routes.error(403, f"cross-site request from {origin} refused")
    return None
