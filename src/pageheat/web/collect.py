"""The collector's two endpoints: ``POST /api/v1/collect`` and ``POST /api/v1/snapshot``.

The HTTP side of ingestion: body limits, content types, CORS and the answers. Decoding,
validation, enrichment, the rate limits and the bot filter, the writer and the snapshot
asks are plain code in ``collect/``, held by the Pageheat (``ph.rate_per_ip``,
``ph.snapshot_asks``, …). Thin on purpose (no query code here): a batch's answer is 202
only once the writer has committed it, so an acknowledged event survives a ``kill -9``
of the server. The answer also asks for a snapshot of page states pageheat has no
picture of; the snapshot endpoint takes it, keeps it as inert HTML and has a background
rendered from it.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from pageheat.collect.enrich import classify_agent, client_address, name_views
from pageheat.collect.guard import declined, is_automated, retry_after
from pageheat.collect.protocol import CONTENT_TYPES, BadBatch
from pageheat.collect.writer import Overloaded
from pageheat.errors import error_body
from pageheat.pictures.base import Snapshot, states_without_snapshot
from pageheat.replay.protocol import ChunkTooLarge, in_replay_sample
from pageheat.snapshots.sanitize import BadSnapshot, to_html
from pageheat.store.base import Envelope
from pageheat.web.models import Collected, Error, SnapshotTaken

if TYPE_CHECKING:
    from pageheat.app import Pageheat
    from pageheat.meta import App


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A refusal in the API's one error shape (:func:`pageheat.errors.error_body`)."""
    return JSONResponse(error_body(message), status_code=status, headers=headers)


def cors_headers(origin: str | None) -> dict[str, str]:
    if not origin:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def unsupported(request: Request, cors: dict[str, str]) -> Response | None:
    """A 415 for a body pageheat does not read, else None.

    Batches are JSON sent as ``text/plain`` (no CORS preflight) or ``application/json``;
    a sender that sets no type at all is read as JSON. Compressed bodies are refused
    rather than inflated: the size limit is on what arrives, and a gzip bomb of 256 KB
    would inflate to gigabytes.
    """
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in {"", "identity"}:
        return error(415, f"content encoding {encoding!r} is not accepted; send the JSON as it is",
                     cors)  # fmt: skip
    ctype = request.headers.get("content-type")
    if ctype is not None:
        mime, _, params = ctype.partition(";")
        charset = re.search(r"charset=\"?([^\";\s]+)", params, re.IGNORECASE)
        if mime.strip().lower() not in CONTENT_TYPES:
            return error(415, f"content type {mime.strip()!r} is not accepted; send text/plain"
                         " or application/json", cors)  # fmt: skip
        if charset and charset.group(1).lower() not in {"utf-8", "utf8"}:
            return error(415, f"charset {charset.group(1)!r} is not accepted; send UTF-8", cors)
    return None


async def read_body(
    request: Request, limit: int, what: str, cors: dict[str, str]
) -> bytes | Response:
    """The body, or a 413 as soon as it is over ``limit`` (declared or streamed)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return error(413, f"{what} is over {limit} bytes", cors)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return error(413, f"{what} is over {limit} bytes", cors)
    return bytes(body)


#: Where the tracker posts its batches and its snapshots (other sites post here on purpose).
COLLECT_PATH = "/api/v1/collect"
SNAPSHOT_PATH = "/api/v1/snapshot"


class FastCollect:
    """ASGI middleware: ``POST /api/v1/collect`` goes straight to the collect handler.

    The route stays in the router (for the OpenAPI schema, and for any other method),
    but a batch skips FastAPI's routing, its exit stacks and its dependency solving,
    which cost a batch more than its own checks (docs/performance.md: a third of the
    server's time). Everything the handler checks and answers is the same; it sits inside
    the security headers' middleware, which still adds its headers to every answer.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == COLLECT_PATH and scope["method"] == "POST":
            response = await collect(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


router = APIRouter()


def _refusals(own: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """The collector's refusals for the schema: ``own`` and those both endpoints share.
    (Its answers are sent as they are, so FastCollect's fast path validates nothing.)"""
    shared = {
        403: "unknown app key or origin not allowed",
        415: "content type or encoding not accepted",
        429: "rate limit of the address or the app; see Retry-After",
        503: "overloaded or store unavailable; see Retry-After",
    }
    return {code: {"model": Error, "description": text}
            for code, text in sorted({**shared, **own}.items())}  # fmt: skip


@router.options(COLLECT_PATH, include_in_schema=False)
async def preflight(request: Request) -> Response:
    # Only senders that choose a JSON content type preflight; the real request is
    # checked against the app's origins, which the preflight cannot know yet.
    headers = {
        **cors_headers(request.headers.get("origin")),
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "86400",
    }
    return Response(status_code=204, headers=headers)


def refuse(
    ph: Pageheat, endpoint: str, outcome: str, status: int, message: str,
    headers: dict[str, str], events: int | None = None,
) -> Response:  # fmt: skip
    ph.metrics.collected(endpoint, outcome, events)
    return error(status, message, headers)


async def receive(
    ph: Pageheat, request: Request, max_bytes: int, what: str, decode: Callable[[bytes], Any],
    busy: Callable[[], bool] | None = None,
) -> tuple[App, Any, dict[str, str], str | None] | Response:  # fmt: skip
    """Read, decode and authorise a sender's body: (app, decoded, CORS headers, client
    address) or the refusal to send, cheapest checks first (415 type, 429 address, 503
    overload, 413 size, 400 naming the field, 403 app or origin). Nothing is stored
    before every check has passed. ``decode`` may return an awaitable (a thread's
    work, for bodies too large to decode on the event loop). ``busy`` says whether the queue this body goes to is
    full (the event writer's unless given: replay chunks have their own); ``decode``
    raises :class:`BadBatch` (400) or :class:`ChunkTooLarge` (413)."""
    origin = request.headers.get("origin")
    cors = cors_headers(origin)
    endpoint = what if what in {"snapshot", "replay"} else "collect"
    refused = unsupported(request, cors)
    if refused is not None:
        ph.metrics.collected(endpoint, "unsupported")
        return refused
    address = client_address(request.client.host if request.client else None)
    if address is not None:
        wait = ph.rate_per_ip.take(address)
        if wait:
            return refuse(ph, endpoint, "rate_limited_ip", 429,
                          "too many requests from this address; retry later",
                          {**cors, "Retry-After": retry_after(wait)})  # fmt: skip
    if busy() if busy is not None else ph.writer.overloaded:
        return refuse(ph, endpoint, "overloaded", 503, "pageheat is busy; retry later",
                      {**cors, "Retry-After": "1"})  # fmt: skip
    body = await read_body(request, max_bytes, what, cors)
    if isinstance(body, Response):
        ph.metrics.collected(endpoint, "too_large")
        return body
    try:
        decoded = decode(body)
        if inspect.isawaitable(decoded):  # a large body is decoded off the event loop
            decoded = await decoded
    except BadBatch as exc:
        return refuse(ph, endpoint, "bad_request", 400, str(exc), cors)
    except ChunkTooLarge as exc:
        return refuse(ph, endpoint, "too_large", 413, str(exc), cors)
    app = ph.meta.app(decoded.app)
    if app is None:
        return refuse(ph, endpoint, "forbidden", 403, f"unknown app key {decoded.app!r}", cors)
    if origin is not None and not app.allows(origin):
        return refuse(ph, endpoint, "forbidden", 403,
                      f"origin {origin} is not allowed for this app", cors)  # fmt: skip
    return app, decoded, cors, address


def turned_away(ph: Pageheat, app: App, request: Request, visitor: str, device: str) -> str | None:
    """Why a sender's body is answered as taken but not kept, or None: a bot, crawler or
    scripted browser (unless the app, or the instance, keeps them), or a visitor the
    app's policy leaves out (Do-Not-Track, outside the visitor sample). Shared by every
    endpoint that stores what visitors do (collect, replay)."""
    agent = request.headers.get("user-agent", "")
    keep_bots = app.keep_bots if app.keep_bots is not None else ph.settings.keep_bots
    if not keep_bots and (device == "bot" or is_automated(agent)):
        return "bot"
    return declined(app.sample_rate, app.respect_dnt, request.headers, visitor)


@router.post(
    COLLECT_PATH,
    status_code=202,
    tags=["collect"],
    summary="Receive a batch of events (wire protocol v1)",
    response_model=Collected,
    responses=_refusals({400: "malformed batch; nothing stored",
                         413: "body over the size limit"}),
)  # fmt: skip
async def collect(request: Request) -> Response:
    """A batch of events: 202 once the writer has committed it (FastCollect calls this
    straight, so it reads the Pageheat from the request's app, not from a dependency)."""
    ph: Pageheat = request.app.state.pageheat
    s = ph.settings
    received = await receive(ph, request, s.max_batch_bytes, "batch", ph.protocol.decode)
    if isinstance(received, Response):
        return received
    app, batch, cors, address = received
    n = len(batch.events)
    wait = ph.rate_per_app.take(app.key, n)
    if wait:
        return refuse(ph, "collect", "rate_limited_app", 429,
                      "this app is sending more events than the server takes; retry later",
                      {**cors, "Retry-After": retry_after(wait)}, n)  # fmt: skip
    agent = request.headers.get("user-agent", "")
    device, browser, os_family = classify_agent(agent)
    why = turned_away(ph, app, request, batch.visitor, device)
    if why is not None:
        # Answered as a success so that the sender does not retry; nothing is kept.
        ph.metrics.collected("collect", why, n)
        return JSONResponse({"accepted": 0, "need_snapshot": [], "dropped": why},
                            status_code=202, headers=cors)  # fmt: skip
    country, city = ph.geo.locate(address)  # the address goes no further
    envelope = Envelope(
        app=app.key,
        batch_id=batch.batch,
        visitor=batch.visitor,
        session=batch.session,
        received_ms=int(time.time() * 1000),
        sdk=batch.sdk,
        device=device,
        browser=browser,
        os=os_family,
        events=name_views(batch.events, app.view_rules),
        country=country,
        city=city,
    )
    try:
        fresh = await asyncio.wrap_future(ph.writer.submit(envelope))
    except Overloaded:
        return refuse(ph, "collect", "overloaded", 503, "pageheat is busy; retry later",
                      {**cors, "Retry-After": "1"}, n)  # fmt: skip
    except Exception:
        return refuse(ph, "collect", "unavailable", 503,
                      "the event store is unavailable; retry later",
                      {**cors, "Retry-After": "5"}, n)  # fmt: skip
    ph.metrics.collected("collect", "accepted" if fresh else "duplicate", n)
    need: list[str] = []
    layouts = [e.v for e in batch.events if e.k == "layout"]
    if fresh and layouts:
        states = await run_in_threadpool(
            states_without_snapshot, ph.store, ph.pictures, app.key, layouts
        )
        need = ph.snapshot_asks.pick(app.key, states)
    body_out: dict = {"accepted": len(batch.events), "need_snapshot": need}
    if not fresh:
        body_out["duplicate"] = True
    if app.replay and in_replay_sample(batch.session, app.replay_sample):
        body_out["replay"] = True
    return JSONResponse(body_out, status_code=202, headers=cors)


@router.options(SNAPSHOT_PATH, include_in_schema=False)
async def snapshot_preflight(request: Request) -> Response:
    return await preflight(request)


@router.post(
    SNAPSHOT_PATH,
    status_code=201,
    tags=["collect"],
    summary="Receive a DOM snapshot of one page state (rrweb-snapshot)",
    response_model=SnapshotTaken,
    responses={
        200: {"model": SnapshotTaken, "description": "this page state already has a snapshot"},
        **_refusals({400: "malformed snapshot, or no such page state",
                     413: "body over the snapshot size limit"}),
    },
)  # fmt: skip
async def snapshot(request: Request) -> Response:
    ph: Pageheat = request.app.state.pageheat
    received = await receive(
        ph, request, ph.settings.max_snapshot_bytes, "snapshot", ph.protocol.decode_snapshot
    )
    if isinstance(received, Response):
        return received
    app, snap, cors, _address = received
    state = await run_in_threadpool(ph.store.page_state, app.key, snap.v, snap.h)
    if state is None:
        return refuse(ph, "snapshot", "bad_request", 400,
                      f"page view {snap.v!r} sent no layout {snap.h!r} - at `$.v`", cors)  # fmt: skip
    try:
        page = await run_in_threadpool(to_html, snap.dom)
    except BadSnapshot as exc:
        return refuse(ph, "snapshot", "bad_request", 400, str(exc), cors)
    kept = Snapshot(
        id=secrets.token_hex(8), app=app.key, view=state.view,
        width_class=state.width_class, layout_hash=snap.h, url=snap.url, vw=snap.vw,
        dw=snap.dw, dh=snap.dh, captured_ms=int(time.time() * 1000), html=page.html,
    )  # fmt: skip
    if not await run_in_threadpool(ph.pictures.save_snapshot, kept):
        ph.metrics.collected("snapshot", "duplicate")
        return JSONResponse({"stored": False, "duplicate": True}, headers=cors)
    ph.metrics.collected("snapshot", "accepted")
    ph.backgrounds.from_snapshot(app.key, state.view, kept.id)
    return JSONResponse({"stored": True, "id": kept.id}, status_code=201, headers=cors)
