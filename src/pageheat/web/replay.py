"""Session replay over HTTP: ``POST /api/v1/replay`` (a recording browser's chunks) and
``GET /api/v1/apps/{key}/sessions/{id}/replay`` (what a player reads).

The chunk endpoint makes the collector's checks with the collector's code
(``web/collect.receive``: content type, the address's rate limit, the queue, the size,
the envelope whole, the app and its origin; ``turned_away``: bots, Do-Not-Track, the
visitor sample), then replay's own: the app records sessions, the session is in its
replay sample (``replay.protocol.in_replay_sample``, the hash the collect answer's
``"replay": true`` was decided by), and the session is under its cap. Nothing is
stored before every check has passed; the 202 is sent once the replay writer has
committed the chunk, on its own thread and queue (``replay/writer.py``), so that
recording never slows event ingest.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated

import msgspec
from fastapi import APIRouter, Depends, Request
from fastapi import Query as Q
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from pageheat.collect.enrich import classify_agent
from pageheat.collect.guard import retry_after
from pageheat.collect.writer import Overloaded
from pageheat.replay.base import FULL_SNAPSHOT, Chunk
from pageheat.replay.protocol import Decoded, decode_chunk, in_replay_sample
from pageheat.web.auth import require_token
from pageheat.web.collect import _refusals, preflight, receive, refuse, turned_away
from pageheat.web.deps import ERRORS, AnswerRoute, Ph, app_for
from pageheat.web.replay_models import NoReplay, ReplayEvents, ReplayTaken

if TYPE_CHECKING:
    from pageheat.app import Pageheat

#: Where the recorder (pageheat-replay.js) posts its chunks, cross-site like collect.
REPLAY_PATH = "/api/v1/replay"

router = APIRouter()


@router.options(REPLAY_PATH, include_in_schema=False)
async def replay_preflight(request: Request) -> Response:
    return await preflight(request)


@router.post(
    REPLAY_PATH,
    status_code=202,
    tags=["collect"],
    summary="Receive a session replay chunk (rrweb events of one page view)",
    response_model=ReplayTaken,
    responses=_refusals({
        400: "malformed chunk; nothing stored",
        403: "unknown app key, origin not allowed, replay off for the app, or the session"
             " outside its replay sample",
        413: "body over the size limit as sent or once inflated, or the session over its cap",
    }),
)  # fmt: skip
async def replay_chunk(request: Request) -> Response:
    ph: Pageheat = request.app.state.pageheat
    s = ph.settings

    def decode(body: bytes) -> Awaitable[Decoded]:
        # Inflating and validating a chunk of tens of KB is a millisecond or more: on a
        # thread, so the event loop keeps taking event batches meanwhile.
        return run_in_threadpool(decode_chunk, body, s.max_replay_chunk_inflated)

    received = await receive(ph, request, s.max_replay_chunk_bytes, "replay", decode,
                             busy=lambda: ph.replay_writer.overloaded)  # fmt: skip
    if isinstance(received, Response):
        return received
    app, decoded, cors, _address = received
    chunk = decoded.chunk
    wait = ph.rate_per_app.take(app.key, 1)  # a chunk, not its events: those are rrweb's
    if wait:
        return refuse(ph, "replay", "rate_limited_app", 429,
                      "this app is sending more than the server takes; retry later",
                      {**cors, "Retry-After": retry_after(wait)})  # fmt: skip
    device = classify_agent(request.headers.get("user-agent", ""))[0]
    why = turned_away(ph, app, request, chunk.visitor, device)
    if why is not None:
        ph.metrics.collected("replay", why)
        return JSONResponse({"stored": False, "dropped": why}, status_code=202, headers=cors)
    if not app.replay:
        return refuse(ph, "replay", "replay_off", 403,
                      "session replay is off for this app (app setting `replay`)", cors)  # fmt: skip
    if not in_replay_sample(chunk.session, app.replay_sample):
        return refuse(ph, "replay", "not_sampled", 403,
                      f"session {chunk.session!r} is outside this app's replay sample"
                      f" ({app.replay_sample:g}) - at `$.session`", cors)  # fmt: skip
    latest = int(time.time() * 1000) + s.max_future_s * 1000
    for i, e in enumerate(chunk.events):
        if e.timestamp > latest:
            return refuse(ph, "replay", "bad_request", 400,
                          f"Expected a time at most {s.max_future_s} s ahead of the server"
                          f" clock, got {e.timestamp} - at `$.events[{i}].timestamp`", cors)  # fmt: skip
    used = await run_in_threadpool(ph.replays.session_bytes, app.key, chunk.session)
    if used + len(decoded.gzipped) > s.replay_session_max_bytes:
        return refuse(ph, "replay", "session_cap", 413,
                      f"this session's replay is at its cap of {s.replay_session_max_bytes}"
                      " bytes (setting replay_session_max_bytes)", cors)  # fmt: skip
    times = [e.timestamp for e in chunk.events]
    snaps = [e.timestamp for e in chunk.events if e.type == FULL_SNAPSHOT]
    kept = Chunk(
        app=app.key, session=chunk.session, view=chunk.view, seq=chunk.seq,
        visitor=chunk.visitor, first_ms=min(times), last_ms=max(times),
        received_ms=int(time.time() * 1000), events=len(times), gzipped=decoded.gzipped,
        snap_ms=max(snaps) if snaps else None,
    )  # fmt: skip
    try:
        fresh = await asyncio.wrap_future(ph.replay_writer.submit(kept))
    except Overloaded:
        return refuse(ph, "replay", "overloaded", 503, "pageheat is busy; retry later",
                      {**cors, "Retry-After": "1"})  # fmt: skip
    except Exception:
        return refuse(ph, "replay", "unavailable", 503,
                      "the replay store is unavailable; retry later",
                      {**cors, "Retry-After": "5"})  # fmt: skip
    ph.metrics.collected("replay", "accepted" if fresh else "duplicate", len(times))
    answer = {"stored": True} if fresh else {"stored": False, "duplicate": True}
    return JSONResponse(answer, status_code=202, headers=cors)


api = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], tags=["query"],
    route_class=AnswerRoute, responses=ERRORS,
)  # fmt: skip


@api.get("/apps/{key}/sessions/{session}/replay", summary="A session's replay (rrweb events)",
         response_model=ReplayEvents,
         responses={404: {"model": NoReplay, "description": "no replay, and why"}})  # fmt: skip
def session_replay(
    ph: Ph, key: str, session: str,
    start: Annotated[int | None, Q(alias="from", ge=0, description="ms since the epoch")] = None,
    end: Annotated[int | None, Q(alias="to", ge=0, description="ms since the epoch")] = None,
) -> Response:  # fmt: skip
    """The session's rrweb events in time order, across its page views. ``from`` starts
    at the full snapshot at or before it (so the player can build the page there without
    the session's beginning), ``to`` ends at events up to it; both in ms since the epoch.
    ``start``/``end`` are the replay's first and last event times, whatever the range
    (``?to=0`` asks for them alone: the player's first question). 404 when the session
    has no replay, with ``reason``: ``replay_off`` (the app records no sessions),
    ``not_sampled`` (outside its replay sample) or ``missing`` (expired, deleted, or the
    visitor left before a first chunk). Sent as it is (not through the model: a long
    session has tens of thousands of events)."""
    app = app_for(ph, key)
    bounds = ph.replays.span(key, session)
    if bounds is None:
        reason = ("replay_off" if not app.replay
                  else "not_sampled" if not in_replay_sample(session, app.replay_sample)
                  else "missing")  # fmt: skip
        days = ph.settings.replay_retention_days
        why = {"error": f"session {session!r} has no replay", "field": None,
               "reason": reason, "retention_days": days}  # fmt: skip
        return JSONResponse(why, status_code=404)
    events = ph.replays.events(key, session, start, end)
    body = {"events": events, "start": bounds[0], "end": bounds[1]}
    return Response(msgspec.json.encode(body), media_type="application/json")


router.include_router(api)
