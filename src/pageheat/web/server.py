"""Builds the ASGI application from a :class:`~pageheat.app.Pageheat`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

import pageheat
from pageheat.collect import routes as collect_routes
from pageheat.web import api, pages

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
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    app.include_router(collect_routes.router(ph))
    app.include_router(api.router(ph))
    app.include_router(pages.router(ph))
    return app
