"""What an operator's tools ask a pageheat process: is it ready, what are its numbers,
and logs a machine can read.

``/healthz`` (in :mod:`pageheat.web.pages`) answers while the process is up: a
supervisor restarts it when that fails. ``/readyz`` answers 200 only while events can be
taken: the event store reads, the writer thread runs, its last commit did not fail and
its queue is under the backpressure bound; a balancer sends traffic elsewhere while it
answers 503. ``/metrics`` is Prometheus' text format; it needs the admin token unless
``metrics_public`` is set (counts of traffic are not secrets, but they are the
operator's, and most scrapers can send a bearer token).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from pageheat.metrics import CONTENT_TYPE
from pageheat.web.auth import require_token
from pageheat.web.deps import Ph

router = APIRouter(include_in_schema=False)


@router.get("/readyz")
async def readyz(ph: Ph) -> JSONResponse:
    problems: list[str] = []
    writer = ph.writer
    if not writer.alive:
        problems.append("the writer thread is not running")
    if writer.last_error is not None:
        problems.append(f"the last commit failed: {writer.last_error}")
    if writer.overloaded:
        problems.append(f"{writer.pending} events are waiting to be written")
    try:
        await run_in_threadpool(ph.store.last_event_ms, "")
    except Exception as exc:
        problems.append(f"the event store cannot be read: {exc}")
    try:
        await run_in_threadpool(ph.meta.app, "")
    except Exception as exc:
        problems.append(f"the metadata store cannot be read: {exc}")
    body: dict[str, Any] = {
        "status": "unready" if problems else "ready",
        "problems": problems,
        "queue_events": writer.pending,
        "commits": writer.commits,
    }
    return JSONResponse(
        body, status_code=503 if problems else 200, headers={"Cache-Control": "no-store"}
    )


@router.get("/metrics")
def prometheus(ph: Ph, request: Request) -> Response:
    if not ph.settings.metrics_public:
        require_token(request)
    return Response(ph.metrics.exposition(), media_type=CONTENT_TYPE)


class JsonLines(logging.Formatter):
    """One JSON object a line: ``ts`` (ISO 8601, UTC), ``level``, ``logger``, ``msg`` and
    ``exc`` when there is a traceback, which log shippers read without a grok pattern."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(json_lines: bool, level: int = logging.INFO) -> None:
    """Send pageheat's logs to stderr, as text or as JSON lines. (uvicorn configures its
    own loggers when it starts; pageheat runs it with access logs off.)"""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonLines()
        if json_lines
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logger = logging.getLogger("pageheat")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
