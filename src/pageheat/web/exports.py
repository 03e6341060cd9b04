"""The export routes (``…/export.png``, ``…/export/actions.csv``, ``…/export/grid.csv``);
the palettes they draw with are served by `pageheat.web.registry`.

Every export is answered by `export_response` from the heatmap route's plain query
parameters, so a share link, which keeps those parameters, answers the very same bytes
by calling it with its stored ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Query as Q
from fastapi.responses import Response

from pageheat import exports
from pageheat.app import Pageheat
from pageheat.params import number
from pageheat.web.auth import require_token
from pageheat.web.deps import (
    CSV,
    ERRORS,
    PNG_ONLY,
    AnswerRoute,
    From,
    Params,
    Ph,
    To,
    app_for,
    http_errors,
    query_for,
)  # fmt: skip

#: What `export_response` makes: media type and what the file name ends with.
EXPORTS = {"png": "image/png", "actions.csv": "text/csv; charset=utf-8",
           "grid.csv": "text/csv; charset=utf-8"}  # fmt: skip


def export_response(ph: Pageheat, what: str, key: str, params: Mapping[str, str]) -> Response:
    """The export ``what`` (``png``, ``actions.csv`` or ``grid.csv``) of app ``key`` for
    the heatmap route's plain parameters: ``view`` (optional for ``actions.csv``),
    ``kind``, ``width``, ``from``, ``to``, the filters, ``background``, ``opacity``,
    ``scale``, ``peak``, ``palette``, ``goal`` (``range`` only names a preset in the PNG's header;
    ``from``/``to`` must hold its times). Other names are not read.

    A download (``Content-Disposition: attachment``); 400 naming a bad parameter, 404 for
    an unknown app or background.
    """
    if what not in EXPORTS:
        raise HTTPException(404, f"no export {what!r}; exports are {', '.join(EXPORTS)}")
    app = app_for(ph, key)
    view = params.get("view") or None
    if view is None and what != "actions.csv":
        raise HTTPException(400, "view is required: the heatmap of which view?")
    query = query_for(ph, key, view, params)
    kind = params.get("kind") or "click"
    background = params.get("background") or None
    with http_errors():
        if what == "png":
            body: bytes | str = exports.export_png(
                ph, query, kind, app_name=app.name, params=params,
                opacity=number(params, "opacity", 0.7, 0.0, 1.0), background=background,
                scale=params.get("scale") or "relative", peak=number(params, "peak", None),
                palette=params.get("palette") or "heat", goal=params.get("goal") or None,
            )  # fmt: skip
            name = exports.filename(view, f"{kind}.png")
        elif what == "actions.csv":
            body = exports.actions_csv(ph, query, background)
            name = exports.filename(view, "actions.csv")
        else:
            body = exports.grid_csv(ph, query, kind, background, goal=params.get("goal") or None)
            name = exports.filename(view, f"{kind}-grid.csv")
    return Response(body, media_type=EXPORTS[what],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


Opacity = Annotated[str | None, Q(description="0 to 1: how strongly the heat covers the page")]
Palette = Annotated[str | None, Q(description="heat (default) or colorblind (CET_CBL2)")]
Scale = Annotated[str | None, Q(description="relative (default) or absolute (per 1 000 page"
                                " views, up to `peak`)")]  # fmt: skip
Peak = Annotated[str | None, Q(description="scale=absolute: points per 1 000 page views drawn"
                               " at full heat")]  # fmt: skip


router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], tags=["query"],
    route_class=AnswerRoute, responses=ERRORS,
)  # fmt: skip


# The parameters below are declared for the API's description and read again, as plain
# strings, by export_response: the way a share link's stored parameters are read.
@router.get("/apps/{key}/export.png", summary="Heatmap PNG with its legend, range and filters",
            response_class=Response, responses=PNG_ONLY)  # fmt: skip
def export_png(
    ph: Ph, key: str, view: str, params: Params, kind: str = "click", width: str = "desktop",
    start: From = None, end: To = None, background: str | None = None,
    opacity: Opacity = None, scale: Scale = None, peak: Peak = None,
    palette: Palette = None,
) -> Response:  # fmt: skip
    """The heatmap composited on its background, under a band with the app, view,
    kind, width, range, filters, counts and the legend of its colour scale."""
    return export_response(ph, "png", key, params)


@router.get("/apps/{key}/export/actions.csv", summary="Top actions as CSV",
            response_class=Response, responses=CSV)  # fmt: skip
def export_actions(
    ph: Ph, key: str, params: Params, view: str | None = None, width: str = "desktop",
    start: From = None, end: To = None, background: str | None = None,
) -> Response:  # fmt: skip
    """``rank,action,selector,clicks,share_pct,visitors,rage,dead,error``, as the
    insights count them; cells a spreadsheet would run as formulas start with '."""
    return export_response(ph, "actions.csv", key, params)


@router.get("/apps/{key}/export/grid.csv", summary="Heat grid as CSV",
            response_class=Response, responses=CSV)  # fmt: skip
def export_grid(
    ph: Ph, key: str, view: str, params: Params, kind: str = "click", width: str = "desktop",
    start: From = None, end: To = None, background: str | None = None,
) -> Response:  # fmt: skip
    """``x,y,width,height,value`` in page pixels, one row per non-empty cell: its
    raw count (scroll: share of page views that reached it; attention: seconds)."""
    return export_response(ph, "grid.csv", key, params)
