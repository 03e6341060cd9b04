"""The collector's two endpoints: ``POST /api/v1/collect`` and ``POST /api/v1/snapshot``.

Thin on purpose (no query code here): a batch's answer is 202 only once the writer has
committed it, so an acknowledged event survives a ``kill -9`` of the server. The answer
also asks for a snapshot of page states pageheat has no picture of; the snapshot endpoint
takes it, keeps it as inert HTML and has a background rendered from it.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from pageheat.collect.enrich import classify_agent, client_address, name_views
from pageheat.collect.protocol import BadBatch
from pageheat.snapshots.sanitize import BadSnapshot, to_html
from pageheat.store.base import Envelope, PageState, Snapshot

if TYPE_CHECKING:
    from pageheat.app import Pageheat
    from pageheat.meta import App

_FIELD = re.compile(r"at `(\$[^`]*)`")


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one error shape of the API: ``{"error": message, "field": path-or-null}``."""
    match = _FIELD.search(message)
    body = {"error": message, "field": match.group(1) if match else None}
    return JSONResponse(body, status_code=status, headers=headers)


def cors_headers(origin: str | None) -> dict[str, str]:
    if not origin:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


class Asks:
    """Which page states a visitor was asked to snapshot lately, so that a thousand
    visitors arriving together upload one snapshot, not a thousand. In memory: with
    several collector processes a state may be asked once per process, and the store
    keeps the first snapshot that arrives."""

    def __init__(self, every_s: float, max_states: int):
        self.every_s = every_s
        self.max_states = max_states
        self._asked: dict[tuple[str, str, str, str], float] = {}
        self._lock = threading.Lock()

    def pick(self, app: str, states: list[PageState]) -> list[str]:
        now = time.monotonic()
        out = []
        with self._lock:
            if len(self._asked) > 10_000:  # forget the old asks rather than grow
                self._asked = {k: t for k, t in self._asked.items() if now - t < self.every_s}
            for st in states:
                key = (app, st.view, st.width_class, st.layout_hash)
                if st.known >= self.max_states or now - self._asked.get(key, -1e9) < self.every_s:
                    continue
                self._asked[key] = now
                out.append(st.view_id)
        return out


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


def router(ph: Pageheat) -> APIRouter:
    r = APIRouter()
    s = ph.settings
    limit = s.max_batch_bytes
    asks = Asks(s.snapshot_ask_s, s.snapshot_states_max)

    @r.options("/api/v1/collect", include_in_schema=False)
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

    async def receive(
        request: Request, max_bytes: int, what: str, decode: Callable[[bytes], Any]
    ) -> tuple[App, Any, dict[str, str]] | Response:
        """Read, decode and authorise a sender's body: (app, decoded, CORS headers) or the
        refusal to send (413 size, 400 naming the field, 403 app or origin)."""
        origin = request.headers.get("origin")
        cors = cors_headers(origin)
        body = await read_body(request, max_bytes, what, cors)
        if isinstance(body, Response):
            return body
        try:
            decoded = decode(body)
        except BadBatch as exc:
            return error(400, str(exc), cors)
        app = ph.meta.app(decoded.app)
        if app is None:
            return error(403, f"unknown app key {decoded.app!r}", cors)
        if origin is not None and not app.allows(origin):
            return error(403, f"origin {origin} is not allowed for this app", cors)
        return app, decoded, cors

    @r.post(
        "/api/v1/collect",
        status_code=202,
        tags=["collect"],
        summary="Receive a batch of events (wire protocol v1)",
        responses={400: {"description": "malformed batch; nothing stored"},
                   403: {"description": "unknown app key or origin not allowed"},
                   413: {"description": "body over the size limit"}},
    )  # fmt: skip
    async def collect(request: Request) -> Response:
        received = await receive(request, limit, "batch", ph.protocol.decode)
        if isinstance(received, Response):
            return received
        app, batch, cors = received
        device, browser, os_family = classify_agent(request.headers.get("user-agent", ""))
        address = client_address(
            request.client.host if request.client else None,
            request.headers.get("x-forwarded-for"),
            s.trust_proxy,
        )
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
        except Exception:
            return error(503, "the event store is unavailable; retry later",
                         {**cors, "Retry-After": "5"})  # fmt: skip
        need: list[str] = []
        layouts = [e.v for e in batch.events if e.k == "layout"]
        if fresh and layouts:
            states = await run_in_threadpool(ph.store.states_without_snapshot, app.key, layouts)
            need = asks.pick(app.key, states)
        body_out: dict = {"accepted": len(batch.events), "need_snapshot": need}
        if not fresh:
            body_out["duplicate"] = True
        return JSONResponse(body_out, status_code=202, headers=cors)

    @r.options("/api/v1/snapshot", include_in_schema=False)
    async def snapshot_preflight(request: Request) -> Response:
        return await preflight(request)

    @r.post(
        "/api/v1/snapshot",
        status_code=201,
        tags=["collect"],
        summary="Receive a DOM snapshot of one page state (rrweb-snapshot)",
        responses={200: {"description": "this page state already has a snapshot"},
                   400: {"description": "malformed snapshot, or no such page state"},
                   403: {"description": "unknown app key or origin not allowed"},
                   413: {"description": "body over the snapshot size limit"}},
    )  # fmt: skip
    async def snapshot(request: Request) -> Response:
        received = await receive(
            request, s.max_snapshot_bytes, "snapshot", ph.protocol.decode_snapshot
        )
        if isinstance(received, Response):
            return received
        app, snap, cors = received
        state = await run_in_threadpool(ph.store.page_state, app.key, snap.v, snap.h)
        if state is None:
            return error(400, f"page view {snap.v!r} sent no layout {snap.h!r} - at `$.v`", cors)
        try:
            page = await run_in_threadpool(to_html, snap.dom)
        except BadSnapshot as exc:
            return error(400, str(exc), cors)
        kept = Snapshot(
            id=secrets.token_hex(8), app=app.key, view=state.view,
            width_class=state.width_class, layout_hash=snap.h, url=snap.url, vw=snap.vw,
            dw=snap.dw, dh=snap.dh, captured_ms=int(time.time() * 1000), html=page.html,
        )  # fmt: skip
        if not await run_in_threadpool(ph.store.save_snapshot, kept):
            return JSONResponse({"stored": False, "duplicate": True}, headers=cors)
        ph.backgrounds.from_snapshot(app.key, state.view, kept.id)
        return JSONResponse({"stored": True, "id": kept.id}, status_code=201, headers=cors)

    return r
