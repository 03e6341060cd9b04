"""``POST /api/v1/collect``: decode, validate, enrich, hand to the writer, answer.

Thin on purpose (no query code here): the answer is 202 only once the writer has
committed the batch, so an acknowledged event survives a ``kill -9`` of the server.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from pageheat.collect.enrich import classify_agent, name_views
from pageheat.collect.protocol import BadBatch
from pageheat.store.base import Envelope

if TYPE_CHECKING:
    from pageheat.app import Pageheat

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


def router(ph: Pageheat) -> APIRouter:
    r = APIRouter()
    limit = ph.settings.max_batch_bytes

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
        origin = request.headers.get("origin")
        cors = cors_headers(origin)
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            return error(413, f"batch is over {limit} bytes", cors)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                return error(413, f"batch is over {limit} bytes", cors)
        try:
            batch = ph.protocol.decode(bytes(body))
        except BadBatch as exc:
            return error(400, str(exc), cors)
        app = ph.meta.app(batch.app)
        if app is None:
            return error(403, f"unknown app key {batch.app!r}", cors)
        if origin is not None and not app.allows(origin):
            return error(403, f"origin {origin} is not allowed for this app", cors)
        device, browser, os_family = classify_agent(request.headers.get("user-agent", ""))
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
            events=name_views(batch.events),
        )
        try:
            fresh = await asyncio.wrap_future(ph.writer.submit(envelope))
        except Exception:
            return error(503, "the event store is unavailable; retry later",
                         {**cors, "Retry-After": "5"})  # fmt: skip
        body_out = {"accepted": len(batch.events), "need_snapshot": []}
        if not fresh:
            body_out["duplicate"] = True
        return JSONResponse(body_out, status_code=202, headers=cors)

    return r
