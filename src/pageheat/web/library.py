"""Saved heatmaps and share links, as the dashboard makes and lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Body, Depends, HTTPException
from fastapi.responses import JSONResponse, Response

from pageheat.meta import Principal
from pageheat.web.api import app_for, iso
from pageheat.web.auth import require_token

if TYPE_CHECKING:
    from pageheat.app import Pageheat
    from pageheat.meta.library import Saved, Share

Who = Annotated[Principal, Depends(require_token)]


def page_url(app: str, params: dict[str, str], saved: str | None = None) -> str:
    """The dashboard's heatmap page of ``params`` (and the saved heatmap it came from)."""
    q = dict(params)
    if saved:
        q["saved"] = saved
    return f"/apps/{quote(app, safe='')}/heatmap?{urlencode(q)}"


def router(ph: Pageheat) -> APIRouter:
    r = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)], tags=["library"])
    lib = ph.meta.library

    def saved_json(s: Saved, names: dict[str, str] | None = None) -> dict[str, Any]:
        app_name = (names or {}).get(s.app) or getattr(ph.meta.app(s.app), "name", s.app)
        return {
            "id": s.id, "app": s.app, "app_name": app_name, "name": s.name,
            "params": s.params, "created": iso(s.created_ms), "updated": iso(s.updated_ms),
            "created_by": s.created_by, "url": page_url(s.app, s.params, s.id),
        }  # fmt: skip

    def share_json(s: Share) -> dict[str, Any]:
        return {
            "id": s.id, "name": s.name, "params": s.params, "url": f"/share/{s.token}",
            "created": iso(s.created_ms), "created_by": s.created_by,
            "expires": iso(s.expires_ms), "revoked": s.revoked_ms is not None,
            "revoked_at": iso(s.revoked_ms),
        }  # fmt: skip

    def bad(exc: ValueError) -> HTTPException:
        return HTTPException(400, str(exc))

    @r.get("/saved", summary="Saved heatmaps of every app the caller may read")
    def all_saved(who: Who) -> dict[str, Any]:
        names = {a.key: a.name for a in ph.meta.list_apps()}
        kept = [s for s in lib.saved(who.apps) if s.app in names]
        return {"saved": [saved_json(s, names) for s in kept]}

    @r.get("/apps/{key}/saved", summary="Saved heatmaps of an app")
    def app_saved(key: str) -> dict[str, Any]:
        app_for(ph, key)
        return {"saved": [saved_json(s) for s in lib.saved(app=key)]}

    @r.post("/apps/{key}/saved", status_code=201, summary="Save a heatmap under a name")
    def save(who: Who, key: str, payload: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        """``{"name": "Pricing, mobile", "params": {"view": "/pricing", "width": "mobile",
        "range": "30d", "device": "mobile", …}}``: the heatmap page's parameters."""
        app_for(ph, key)
        try:
            saved = lib.save(key, payload.get("name"), payload.get("params"), who.name)
        except ValueError as exc:
            raise bad(exc) from None
        return JSONResponse(saved_json(saved), status_code=201)

    @r.patch("/apps/{key}/saved/{saved_id}", summary="Rename a saved heatmap or change it")
    def update_saved(
        key: str, saved_id: str, payload: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        app_for(ph, key)
        try:
            return saved_json(lib.update_saved(key, saved_id, payload.get("name"),
                                               payload.get("params")))  # fmt: skip
        except ValueError as exc:
            raise bad(exc) from None
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None

    @r.delete("/apps/{key}/saved/{saved_id}", status_code=204, summary="Delete a saved heatmap")
    def delete_saved(key: str, saved_id: str) -> Response:
        if not lib.delete_saved(key, saved_id):
            raise HTTPException(404, f"no saved heatmap {saved_id!r} in app {key!r}")
        return Response(status_code=204)

    @r.get("/apps/{key}/shares", summary="Share links of an app")
    def shares(key: str) -> dict[str, Any]:
        app_for(ph, key)
        return {"shares": [share_json(s) for s in lib.shares(key)]}

    @r.post("/apps/{key}/shares", status_code=201, summary="Make a read-only share link")
    def share(who: Who, key: str, payload: Annotated[dict[str, Any], Body()]) -> JSONResponse:
        """``{"params": {…the heatmap page's…}, "name": optional, "expires_days": 7 |
        null}``. Anyone with the link sees that one heatmap, read-only, until it expires or
        is revoked."""
        app_for(ph, key)
        try:
            link = lib.share(key, payload.get("params"), who.name, payload.get("name"),
                             payload.get("expires_days"))  # fmt: skip
        except ValueError as exc:
            raise bad(exc) from None
        return JSONResponse(share_json(link), status_code=201)

    @r.delete("/apps/{key}/shares/{share_id}", status_code=204, summary="Revoke a share link")
    def revoke(key: str, share_id: str) -> Response:
        if not lib.revoke(key, share_id):
            raise HTTPException(404, f"no open share link {share_id!r} in app {key!r}")
        return Response(status_code=204)

    return r
