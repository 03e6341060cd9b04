"""Builds the ASGI application from a :class:`~pageheat.app.Pageheat`: the routers, the
one error shape, the headers every answer carries (security and CSRF, here because
they hold for every route, present and future), and who may say where a request came
from (``trusted_proxies``)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import pageheat
from pageheat.app import Pageheat
from pageheat.errors import error_body
from pageheat.settings import SettingsError
from pageheat.web import (
    accounts,
    api,
    collect,
    exports,
    library,
    ops,
    outcomes,
    pages,
    registry,
    shared,
    tags,
)
from pageheat.web import replay as replay_web
from pageheat.web import sessions as session_routes


def build_app(ph: Pageheat) -> FastAPI:
    """The ASGI app serving ``ph``: every route reads it from ``request.app.state``."""
    app = _routes()
    app.state.pageheat = ph
    proxies = trusted_proxies(ph.settings.trusted_proxies)
    if proxies:
        # added last, so it runs first: every route, limit and cookie sees the client's
        # address and scheme, and sees them the same way
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)
    return app


def openapi_schema() -> dict[str, Any]:
    """The API's description, as ``/openapi.json`` serves it (no Pageheat needed: the
    routes are the same for every instance)."""
    return _routes().openapi()


def _routes() -> FastAPI:
    app = FastAPI(
        title="pageheat",
        version=pageheat.__version__,
        description="Self-hosted web heatmaps: collector, query API and dashboard.",
        docs_url="/api/docs",
        redoc_url=None,
        # FastAPI's OpenTelemetry hooks look up the global providers on every request,
        # a few per cent of a batch (docs/performance.md); pageheat's own metrics are
        # Prometheus (/metrics). Older FastAPI keeps the argument as an extra, unused.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        # A field with a default may be absent from an answer (web/models.py): the schema
        # says so, rather than the output schema's "always there".
        separate_input_output_schemas=False,
    )

    # Starlette's, of which FastAPI's is a kind: the router's 404 and 405 and FastAPI's
    # "error parsing the body" are Starlette's, and answer in the same shape.
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return collect.error(exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        route = request.scope.get("route")
        body = getattr(getattr(route, "body_field", None), "field_info", None)
        fields = getattr(getattr(body, "annotation", None), "model_fields", {})
        return JSONResponse(error_body(*invalid(exc.errors(), fields)), status_code=400)

    # added first, so it runs inside SecurityHeaders: batches get the same headers
    app.add_middleware(collect.FastCollect)
    app.add_middleware(SecurityHeaders, docs_path=app.docs_url or "")

    routers = (
        collect, replay_web, api, session_routes, outcomes, tags, exports, registry, accounts, library, shared, pages,
    )  # fmt: skip
    for module in (*routers, ops):
        app.include_router(module.router)
    app.openapi = lambda: _without_422(app)  # type: ignore[method-assign]
    return app


def invalid(errors: Sequence[Any], fields: Iterable[str] = ()) -> tuple[str, str | None]:
    """The message and field of FastAPI's validation errors (its 422, never sent): the
    first error, as the collector words its own (``… - at `$.events[3].x```). A body's
    field is named by its JSON path (``$.sample_rate``, ``$[2].pattern``, ``$`` for the
    body itself), a query or path parameter by where it is (``query.limit``). An unknown
    key of the body lists ``fields``, the ones it may have."""
    first = errors[0] if errors else {}
    loc = [str(p) if isinstance(p, str) else p for p in first.get("loc", ())]
    if loc[:1] == ["body"]:
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
    else:
        where = ".".join(str(p) for p in loc) or None
    message = first.get("msg", "invalid request")
    if first.get("type") == "extra_forbidden":
        known = sorted(fields) if len(loc) == 2 else []
        message = "unknown field" + (f"; expected some of {', '.join(known)}" if known else "")
    elif first.get("type") == "json_invalid":  # its loc ends in a character offset
        message, where = "the body is not valid JSON", "$"
    return (f"{message} - at `{where}`" if where else message), where


def trusted_proxies(text: str) -> list[str]:
    """The ``trusted_proxies`` setting as a list for uvicorn's ``ProxyHeadersMiddleware``.

    Only a request whose connection comes from one of these (an address or a network)
    has its ``X-Forwarded-Proto`` taken as its scheme and its ``X-Forwarded-For`` read,
    from the right, for the nearest address that is not itself a trusted proxy (so an
    entry the client wrote before the proxy appended the real one is never believed).
    The middleware would take a typo for a host name that never matches; here it is an
    error at start instead. ``*`` trusts every peer: only where nothing but the proxy
    can reach pageheat.
    """
    entries = [e.strip() for e in text.split(",") if e.strip()]
    if entries == ["*"]:
        return entries
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                f"PAGEHEAT_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return entries


def _without_422(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema without the 422 answers it documents for every route: pageheat
    answers a bad parameter with 400 in its one error shape (``bad_request`` above)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description,
            routes=app.routes, separate_input_output_schemas=False,
        )  # fmt: skip
        for item in schema["paths"].values():
            for op in item.values():
                op.get("responses", {}).pop("422", None)
        found = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            found.pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema


class SecurityHeaders:
    """Refuses cross-site changes (:func:`cross_site`) and adds the security headers to
    every answer. A plain ASGI middleware rather than ``@app.middleware("http")``: that
    one runs each request through a task group and memory streams, which the ingest
    profile showed costing more than the collector's own checks (docs/performance.md)."""

    def __init__(self, app: ASGIApp, docs_path: str = ""):
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        # the check itself, for the requests it may refuse (not a batch: building a
        # Request and its URL cost a batch a few per cent)
        if scope["method"] not in _SAFE_METHODS and path not in _CROSS_SITE_OK:
            refused = cross_site(Request(scope))
            if refused is not None:
                await refused(scope, receive, send)
                return
        # Pages set their own policy (the dashboard's, web/pages.py); every other answer
        # (JSON, PNG, scripts) is never a document, so it may load and run nothing.
        # Swagger UI's scripts come from a CDN, so its page only forbids framing.
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy",
             b"frame-ancestors 'none'" if path == self.docs_path else NO_CSP.encode()),
        ]  # fmt: skip
        if path.startswith("/api/v1/apps") or path == "/metrics":
            extra.append((b"cache-control", b"no-store"))  # visitors' data stays out of caches

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in extra if n not in present]  # the route's win
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: The policy of every answer that is not a page: nothing may load, run or frame it.
NO_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

#: Paths other sites post to on purpose: the tracker's, from every page it is on.
_CROSS_SITE_OK = (collect.COLLECT_PATH, collect.SNAPSHOT_PATH, replay_web.REPLAY_PATH)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cross_site(request: Request) -> JSONResponse | None:
    """403 for a state-changing request sent by another site's page (CSRF).

    The login cookie is SameSite=strict, which already keeps it off cross-site requests
    in current browsers; this is the second lock, for older ones and for same-site
    subdomains: a browser names the page's origin in ``Origin`` on every POST, PUT,
    PATCH and DELETE, and it must be this server's own. Requests without ``Origin``
    (scripts, curl) and the collector's endpoints are not browsers' cross-site requests.
    """
    if request.method in _SAFE_METHODS or request.url.path in _CROSS_SITE_OK:
        return None
    origin = request.headers.get("origin")
    if origin is None:
        return None
    host = request.headers.get("host", "")
    if origin == "null" or urlsplit(origin).netloc.lower() != host.lower():
        return collect.error(403, f"cross-site request from {origin} refused")
    return None
