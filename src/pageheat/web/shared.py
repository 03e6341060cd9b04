"""What a share link opens, without login: one heatmap, read-only.

Every answer is built from the link's stored parameters only: the request's own query
string is ignored, so a link's holder cannot widen it to another view, range, filter or
app. A revoked or expired link answers 410 saying which; an unknown one 404.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from pageheat import reports
from pageheat.app import Pageheat
from pageheat.params import iso
from pageheat.web import models, scope
from pageheat.web.api import background_answer, heatmap_answer
from pageheat.web.deps import CSV, ERRORS, PNG, PNG_ONLY, AnswerRoute, Ph, http_errors, query_for
from pageheat.web.exports import export_response

if TYPE_CHECKING:
    from pageheat.meta.library import Share


router = APIRouter(
    prefix="/api/v1/share/{token}", tags=["share"], route_class=AnswerRoute,
    responses={**ERRORS, 410: {"model": models.Error, "description": "Revoked or expired"}},
)  # fmt: skip


def opened(ph: Pageheat, token: str) -> tuple[Share, dict[str, str]]:
    link = ph.meta.library.shared(token)
    if link is None or ph.meta.app(link.app) is None:
        raise HTTPException(404, "no such share link")
    why = link.refusal(int(time.time() * 1000))
    if why is not None:
        raise HTTPException(410, why)
    return link, scope.api_params(link.params)


def local(url: str, token: str) -> str:
    # background pictures are read through the link, not the signed-in API
    return url.replace("/api/v1/backgrounds/", f"/api/v1/share/{token}/backgrounds/", 1)


@router.get("", summary="What a share link shows", response_model=models.ShareInfo)
def shared(ph: Ph, token: str) -> dict[str, Any]:
    link, _ = opened(ph, token)
    app = ph.meta.app(link.app)
    return {
        "name": link.name, "app": {"name": app.name if app else link.app},
        "params": link.params, "range": scope.describe(link.params),
        "created": iso(link.created_ms), "expires": iso(link.expires_ms),
    }  # fmt: skip


@router.get("/heatmap", summary="The shared heatmap (JSON, or format=png)",
            response_model=models.Heatmap, responses=PNG)  # fmt: skip
def heatmap(ph: Ph, token: str, format: str = "json") -> Any:
    if format not in {"json", "png"}:
        raise HTTPException(400, f"format must be json or png, got {format!r}")
    link, params = opened(ph, token)
    out = heatmap_answer(ph, link.app, params, format)
    if format == "json" and out.get("background"):
        bg = out["background"]
        bg.update(url=local(bg["url"], token), thumbnail=local(bg["thumbnail"], token))
    return out


@router.get("/insights", summary="The shared heatmap's statistics and top actions",
            response_model=models.Insights)  # fmt: skip
def insights(ph: Ph, token: str) -> dict[str, Any]:
    link, params = opened(ph, token)
    query = query_for(ph, link.app, params.get("view"), params)
    with http_errors():
        found = reports.insights(ph, query, 100, params.get("background"))
    return {**found, "filters": query.filters}


@router.get("/backgrounds/{bg_id}.png", summary="A background picture of the shared view",
            response_class=Response, responses=PNG_ONLY)  # fmt: skip
def background_png(ph: Ph, token: str, bg_id: str, thumb: bool = False) -> Response:
    link, params = opened(ph, token)
    query = query_for(ph, link.app, params.get("view"), params)
    if bg_id not in {b.id for b in ph.backgrounds.available(query)}:
        raise HTTPException(404, f"no background {bg_id!r} of this shared heatmap")
    return background_answer(ph, bg_id, thumb, "private, max-age=300")


def export(ph: Pageheat, what: str, token: str, palette: str | None) -> Response:
    link, params = opened(ph, token)
    # the preset's name ("last 7 days") is written on the picture, not only its dates
    named = {**params, "range": link.params.get("range", "")}
    return export_response(ph, what, link.app, {**named, **({"palette": palette}
                                                             if palette else {})})  # fmt: skip


@router.get("/export.png", summary="The shared heatmap as a PNG with its legend and filters",
            response_class=Response, responses=PNG_ONLY)  # fmt: skip
def export_png(ph: Ph, token: str, palette: str | None = None) -> Response:
    return export(ph, "png", token, palette)


@router.get("/export/actions.csv", summary="The shared heatmap's top actions as CSV",
            response_class=Response, responses=CSV)  # fmt: skip
def export_actions(ph: Ph, token: str) -> Response:
    return export(ph, "actions.csv", token, None)


@router.get("/export/grid.csv", summary="The shared heatmap's grid as CSV",
            response_class=Response, responses=CSV)  # fmt: skip
def export_grid(ph: Ph, token: str) -> Response:
    return export(ph, "grid.csv", token, None)
