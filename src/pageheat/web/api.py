"""The JSON query API under ``/api/v1`` (public keys: DESIGN.md, "Interfaces")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from fastapi import APIRouter, Body, Depends, HTTPException
from fastapi import Query as Q
from fastapi.responses import JSONResponse, Response

from pageheat import reports
from pageheat.snapshots.backgrounds import thumbnail
from pageheat.store.base import Query
from pageheat.web.auth import require_token

if TYPE_CHECKING:
    from pageheat.app import Pageheat
    from pageheat.meta import App


def parse_time(text: str | None, name: str) -> int | None:
    """ISO date or date-time (UTC when no zone is given) → ms since the epoch."""
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise HTTPException(400, f"{name} must be an ISO date or date-time, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


class NewApp(msgspec.Struct):
    name: str
    origins: list[str] = []


def router(ph: Pageheat) -> APIRouter:
    r = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)], tags=["query"])

    def app_or_404(key: str) -> App:
        app = ph.meta.app(key)
        if app is None:
            raise HTTPException(404, f"no app with key {key!r}")
        return app

    def app_json(app: App) -> dict[str, Any]:
        last = ph.store.last_event_ms(app.key)
        return {
            "key": app.key,
            "name": app.name,
            "origins": list(app.origins),
            "created": _iso(app.created_ms),
            "last_event": _iso(last) if last else None,
            "script_tag": ph.script_tag(app.key),
        }

    def make_query(
        key: str, view: str | None, width: str | None, start: str | None, end: str | None
    ) -> Query:
        app_or_404(key)
        try:
            wr = ph.width_range(width or "desktop")
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return Query(
            app=key, view=view, width=wr,
            start_ms=parse_time(start, "from"), end_ms=parse_time(end, "to"),
        )  # fmt: skip

    @r.get("/apps", summary="List apps")
    def list_apps() -> dict[str, Any]:
        return {"apps": [app_json(a) for a in ph.meta.list_apps()]}

    @r.post("/apps", status_code=201, summary="Create an app")
    def create_app(payload: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        try:
            new = msgspec.convert(payload, NewApp)
            app = ph.meta.create_app(new.name, new.origins)
        except (msgspec.ValidationError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from None
        return JSONResponse(app_json(app), status_code=201)

    @r.get("/apps/{key}", summary="One app")
    def get_app(key: str) -> dict[str, Any]:
        return app_json(app_or_404(key))

    @r.get("/apps/{key}/views", summary="Views of an app, most viewed first")
    def views(
        key: str, width: str | None = None,
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        query = make_query(key, None, width or "0-1000000", start, end)
        return {"views": ph.store.views(query)}

    @r.get("/apps/{key}/heatmap", summary="Heatmap of a view (JSON grid or PNG)")
    def heatmap(
        key: str, view: str, kind: str = "click", width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
        format: str = "json",
        opacity: Annotated[float, Q(ge=0, le=1)] = 0.7,
        background: str | None = None,
    ) -> Any:  # fmt: skip
        if format not in {"json", "png"}:
            raise HTTPException(400, f"format must be json or png, got {format!r}")
        query = make_query(key, view, width, start, end)
        try:
            rendered = reports.render(ph, query, kind, background=background)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None
        if format == "png":
            return Response(reports.heatmap_png(ph, rendered, opacity), media_type="image/png")
        return reports.heatmap_json(rendered)

    @r.post("/apps/{key}/background", status_code=202, summary="Capture the background again")
    def recapture(key: str, view: str, width: str = "desktop") -> dict[str, Any]:
        query = make_query(key, view, width, None, None)
        if ph.store.view_sample(query) is None:
            raise HTTPException(404, f"no page views of {view!r} at width {width} to picture")
        ph.backgrounds.request(query, ph.store.points(query).selectors, force=True)
        return {"background_status": "capturing"}

    @r.get("/apps/{key}/scroll", summary="Scroll reach of a view: share of page views per depth")
    def scroll(
        key: str, view: str, width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        depths = ph.store.depths(make_query(key, view, width, start, end))
        return reports.scroll_summary(depths)

    @r.get("/apps/{key}/insights", summary="Statistics and top actions of a view")
    def insights(
        key: str, view: str | None = None, width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
        limit: Annotated[int, Q(ge=1, le=100)] = 100,
        background: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        query = make_query(key, view, width, start, end)
        try:
            return reports.insights(ph, query, limit, background)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None

    @r.get("/apps/{key}/backgrounds", summary="Page states captured for a view and width")
    def backgrounds(
        key: str, view: str, width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        return reports.backgrounds(ph, make_query(key, view, width, start, end))

    @r.get("/backgrounds/{bg_id}.png", summary="A background picture (thumb=1: its thumbnail)")
    def background_png(bg_id: str, thumb: bool = False) -> Response:
        png = ph.store.background_png(bg_id)
        if png is None:
            raise HTTPException(404, f"no background {bg_id!r}")
        if thumb:
            png = thumbnail(png)
        return Response(png, media_type="image/png",
                        headers={"Cache-Control": "private, max-age=31536000, immutable"})  # fmt: skip

    return r


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds")
