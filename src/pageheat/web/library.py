"""Saved heatmaps and share links, as the dashboard makes and lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response

from pageheat.app import Pageheat
from pageheat.params import iso
from pageheat.web import models
from pageheat.web.auth import require_token
from pageheat.web.deps import ERRORS, AnswerRoute, Ph, Who, app_for
from pageheat.web.requests import NewSaved, NewShare, SavedChange

if TYPE_CHECKING:
    from pageheat.meta.library import Saved, Share


def page_url(app: str, params: dict[str, str], saved: str | None = None) -> str:
    """The dashboard's heatmap page of ``params`` (and the saved heatmap it came from)."""
    q = dict(params)
    if saved:
        q["saved"] = saved
    return f"/apps/{quote(app, safe='')}/heatmap?{urlencode(q)}"


router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], tags=["library"],
    route_class=AnswerRoute, responses=ERRORS,
)  # fmt: skip


def saved_json(ph: Pageheat, s: Saved, names: dict[str, str] | None = None) -> dict[str, Any]:
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


@router.get("/saved", summary="Saved heatmaps of every app the caller may read",
            response_model=models.SavedList)  # fmt: skip
def all_saved(ph: Ph, who: Who) -> dict[str, Any]:
    names = {a.key: a.name for a in ph.meta.list_apps()}
    kept = [s for s in ph.meta.library.saved(who.apps) if s.app in names]
    return {"saved": [saved_json(ph, s, names) for s in kept]}


@router.get("/apps/{key}/saved", summary="Saved heatmaps of an app",
            response_model=models.SavedList)  # fmt: skip
def app_saved(ph: Ph, key: str) -> dict[str, Any]:
    app_for(ph, key)
    return {"saved": [saved_json(ph, s) for s in ph.meta.library.saved(app=key)]}


@router.post("/apps/{key}/saved", status_code=201, summary="Save a heatmap under a name",
             response_model=models.Saved)  # fmt: skip
def save(ph: Ph, who: Who, key: str, new: NewSaved) -> dict[str, Any]:
    """``{"name": "Pricing, mobile", "params": {"view": "/pricing", "width": "mobile",
    "range": "30d", "device": "mobile", …}}``: the heatmap page's parameters."""
    app_for(ph, key)
    try:
        saved = ph.meta.library.save(key, new.name, new.params, who.name)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return saved_json(ph, saved)


@router.patch("/apps/{key}/saved/{saved_id}", summary="Rename a saved heatmap or change it",
              response_model=models.Saved)  # fmt: skip
def update_saved(ph: Ph, key: str, saved_id: str, change: SavedChange) -> dict[str, Any]:
    app_for(ph, key)
    try:
        changed = ph.meta.library.update_saved(key, saved_id, change.name, change.params)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    return saved_json(ph, changed)


@router.delete("/apps/{key}/saved/{saved_id}", status_code=204, summary="Delete a saved heatmap")
def delete_saved(ph: Ph, key: str, saved_id: str) -> Response:
    if not ph.meta.library.delete_saved(key, saved_id):
        raise HTTPException(404, f"no saved heatmap {saved_id!r} in app {key!r}")
    return Response(status_code=204)


@router.get("/apps/{key}/shares", summary="Share links of an app", response_model=models.Shares)
def shares(ph: Ph, key: str) -> dict[str, Any]:
    app_for(ph, key)
    return {"shares": [share_json(s) for s in ph.meta.library.shares(key)]}


@router.post("/apps/{key}/shares", status_code=201, summary="Make a read-only share link",
             response_model=models.Share)  # fmt: skip
def share(ph: Ph, who: Who, key: str, new: NewShare) -> dict[str, Any]:
    """``{"params": {…the heatmap page's…}, "name": optional, "expires_days": 7 |
    null}``. Anyone with the link sees that one heatmap, read-only, until it expires or
    is revoked."""
    app_for(ph, key)
    try:
        link = ph.meta.library.share(key, new.params, who.name, new.name, new.expires_days)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return share_json(link)


@router.delete("/apps/{key}/shares/{share_id}", status_code=204, summary="Revoke a share link")
def revoke(ph: Ph, key: str, share_id: str) -> Response:
    if not ph.meta.library.revoke(key, share_id):
        raise HTTPException(404, f"no open share link {share_id!r} in app {key!r}")
    return Response(status_code=204)
