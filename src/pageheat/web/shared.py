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
from pageheat.web import scope
from pageheat.web.api import background_answer, heatmap_answer, http_errors, iso, query_for
from pageheat.web.exports import export_response

if TYPE_CHECKING:
    from pageheat.app import Pageheat
    from pageheat.meta.library import Share


def router(ph: Pageheat) -> APIRouter:
    r = APIRouter(prefix="/api/v1/share/{token}", tags=["share"])

    def opened(token: str) -> tuple[Share, dict[str, str]]:
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

    @r.get("", summary="What a share link shows")
    def shared(token: str) -> dict[str, Any]:
        link, _ = opened(token)
        app = ph.meta.app(link.app)
        return {
            "name": link.name, "app": {"name": app.name if app else link.app},
            "params": link.params, "range": scope.describe(link.params),
            "created": iso(link.created_ms), "expires": iso(link.expires_ms),
        }  # fmt: skip

    @r.get("/heatmap", summary="The shared heatmap (JSON, or format=png)")
    def heatmap(token: str, format: str = "json") -> Any:
        if format not in {"json", "png"}:
            raise HTTPException(400, f"format must be json or png, got {format!r}")
        link, params = opened(token)
        out = heatmap_answer(ph, link.app, params, format)
        if format == "json" and out.get("background"):
            bg = out["background"]
            bg.update(url=local(bg["url"], token), thumbnail=local(bg["thumbnail"], token))
        return out

    @r.get("/insights", summary="The shared heatmap's statistics and top actions")
    def insights(token: str) -> dict[str, Any]:
        link, params = opened(token)
        query = query_for(ph, link.app, params.get("view"), params)
        with http_errors():
            found = reports.insights(ph, query, 100, params.get("background"))
        return {**found, "filters": query.filters}

    @r.get("/backgrounds/{bg_id}.png", summary="A background picture of the shared view")
    def background_png(token: str, bg_id: str, thumb: bool = False) -> Response:
        link, params = opened(token)
        query = query_for(ph, link.app, params.get("view"), params)
        if bg_id not in {b.id for b in ph.backgrounds.available(query)}:
            raise HTTPException(404, f"no background {bg_id!r} of this shared heatmap")
        return background_answer(ph, bg_id, thumb, "private, max-age=300")

    def export(what: str, token: str, palette: str | None) -> Response:
        link, params = opened(token)
        # the preset's name ("last 7 days") is written on the picture, not only its dates
        named = {**params, "range": link.params.get("range", "")}
        return export_response(ph, what, link.app, {**named, **({"palette": palette}
                                                                 if palette else {})})  # fmt: skip

    @r.get("/export.png", summary="The shared heatmap as a PNG with its legend and filters")
    def export_png(token: str, palette: str | None = None) -> Response:
        return export("png", token, palette)

    @r.get("/export/actions.csv", summary="The shared heatmap's top actions as CSV")
    def export_actions(token: str) -> Response:
        return export("actions.csv", token, None)

    @r.get("/export/grid.csv", summary="The shared heatmap's grid as CSV")
    def export_grid(token: str) -> Response:
        return export("grid.csv", token, None)

    return r
