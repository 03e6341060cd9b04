"""The JSON query API under ``/api/v1`` (its keys are public: docs/design.md, "What is public")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Query as Q
from fastapi.responses import Response

from pageheat import actions, outcomes, privacy, reports
from pageheat.app import Pageheat
from pageheat.filters import tag_key
from pageheat.meta import App
from pageheat.params import iso, number, side_queries
from pageheat.snapshots.backgrounds import thumbnail
from pageheat.store.base import FILTER_VALUES, FILTERS
from pageheat.web import models
from pageheat.web.auth import require_token
from pageheat.web.deps import (
    ERRORS,
    PNG,
    PNG_ONLY,
    AnswerRoute,
    From,
    Params,
    Ph,
    To,
    Who,
    Writer,
    app_for,
    http_errors,
    query_for,
)  # fmt: skip
from pageheat.web.requests import AppChange, NewApp, ViewRules
from pageheat.web.session_models import ForgottenUser


def heatmap_answer(ph: Pageheat, key: str, plain: Mapping[str, str], fmt: str = "json") -> Any:
    """The heatmap of plain API parameters (``view``, ``kind``, ``width``, ``from``, ``to``,
    filters, ``background``, ``scale``, ``peak``, ``opacity``, ``palette``): what
    ``/api/v1/apps/{key}/heatmap`` answers, and a share link from its stored ones."""
    query = query_for(ph, key, plain.get("view"), plain)
    with http_errors():
        rendered = reports.render(
            ph, query, plain.get("kind") or "click", background=plain.get("background"),
            scale=plain.get("scale") or "relative", peak=number(plain, "peak", None, 0),
            goal=plain.get("goal") or None,
        )  # fmt: skip
        if fmt == "png":
            png = reports.heatmap_png(ph, rendered, number(plain, "opacity", 0.7, 0, 1),
                                      plain.get("palette") or "heat")  # fmt: skip
            return Response(png, media_type="image/png")
    return {**reports.heatmap_json(rendered), "filters": query.filters}


def background_answer(ph: Pageheat, bg_id: str, thumb: bool, cache: str) -> Response:
    """A background's PNG (or its thumbnail), 404 when there is none."""
    png = ph.pictures.background_png(bg_id)
    if png is None:
        raise HTTPException(404, f"no background {bg_id!r}")
    return Response(thumbnail(png) if thumb else png, media_type="image/png",
                    headers={"Cache-Control": cache})  # fmt: skip


def app_json(ph: Pageheat, app: App) -> dict[str, Any]:
    last = ph.store.last_event_ms(app.key)
    return {
        "key": app.key,
        "name": app.name,
        "origins": list(app.origins),
        "created": iso(app.created_ms),
        "last_event": iso(last) if last else None,
        "script_tag": ph.script_tag(app.key, app.sample_rate, app.respect_dnt),
        "sample_rate": app.sample_rate,
        "respect_dnt": app.respect_dnt,
        "retention_days": app.retention_days,
        "default_retention_days": ph.settings.retention_days,
        "keep_bots": app.keep_bots,
        "default_keep_bots": ph.settings.keep_bots,
        "replay": app.replay,
        "replay_sample": app.replay_sample,
    }


def rules_json(app: App) -> dict[str, Any]:
    return {"rules": [{"pattern": p, "name": n} for p, n in app.view_rules]}


router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_token)], tags=["query"],
    route_class=AnswerRoute, responses=ERRORS,
)  # fmt: skip


@router.get("/apps", summary="List apps", response_model=models.AppList)
def list_apps(ph: Ph, who: Who) -> dict[str, Any]:
    return {"apps": [app_json(ph, a) for a in ph.meta.list_apps() if who.may_read(a.key)]}


@router.post("/apps", status_code=201, summary="Create an app", dependencies=[Writer],
             response_model=models.App)  # fmt: skip
def create_app(ph: Ph, new: NewApp) -> dict[str, Any]:
    with http_errors():
        app = ph.meta.create_app(new.name, new.origins)
    return app_json(ph, app)


@router.get("/apps/{key}", summary="One app", response_model=models.App)
def get_app(ph: Ph, key: str) -> dict[str, Any]:
    return app_json(ph, app_for(ph, key))


@router.patch("/apps/{key}", summary="Change an app's name, origins, sampling or privacy",
              dependencies=[Writer], response_model=models.App)  # fmt: skip
def change_app(ph: Ph, key: str, change: AppChange) -> dict[str, Any]:
    """Any of ``name``, ``origins`` (list), ``sample_rate`` (0..1), ``respect_dnt``,
    ``retention_days`` (0 forever, null the instance's), ``keep_bots`` (null the
    instance's), ``replay`` (record sessions) and ``replay_sample`` (0..1, the share of
    sessions recorded); the others stay. A bad field is a 400 naming it, and nothing
    changes."""
    app_for(ph, key)
    with http_errors():
        return app_json(ph, ph.meta.change_app(key, **change.given()))


@router.delete("/apps/{key}", status_code=204, summary="Delete an app and all its data",
               dependencies=[Writer])  # fmt: skip
def remove_app(ph: Ph, key: str) -> Response:
    with http_errors():
        privacy.delete_app(ph, key)
    return Response(status_code=204)


@router.delete("/apps/{key}/visitors/{visitor}", summary="Forget one visitor's data",
               dependencies=[Writer], response_model=models.Forgotten)  # fmt: skip
def forget_visitor(ph: Ph, key: str, visitor: str) -> dict[str, Any]:
    """Deletes every event, page view and snapshot of the visitor id in this app
    (the id is in the visitor's browser: ``pageheat.visitor()``); the answer counts
    the rows deleted per table."""
    app_for(ph, key)
    return {"deleted": privacy.forget_visitor(ph, visitor, key)}


@router.delete("/apps/{key}/users/{user}", summary="Forget one identified user's data",
               dependencies=[Writer], response_model=ForgottenUser)  # fmt: skip
def forget_user(ph: Ph, key: str, user: str) -> dict[str, Any]:
    """Deletes the data of every visitor id the site identified as this user id
    (``pageheat.identify``) in this app, as forgetting each visitor does; the answer
    lists those visitor ids and counts the rows deleted per table."""
    app_for(ph, key)
    found, deleted = privacy.forget_user(ph, user, key)
    return {"visitors": found, "deleted": deleted}


@router.get("/apps/{key}/rules", summary="View-name rules of an app (URL path glob → name)",
            response_model=models.Rules)  # fmt: skip
def get_rules(ph: Ph, key: str) -> dict[str, Any]:
    return rules_json(app_for(ph, key))


@router.put(
    "/apps/{key}/rules",
    summary="Replace the view-name rules of an app",
    response_model=models.Rules,
    description="A JSON list of {pattern, name}, tried in order at ingest; the first"
    " pattern that matches a page's URL path names its view (`*` within one path segment,"
    " `**` across segments, `?` one character). `pageheat.startView(name)` wins over"
    " rules; paths no rule matches keep their folded path (`/users/?`). Page views"
    " already stored keep their names.",
)
def put_rules(ph: Ph, key: str, rules: ViewRules) -> dict[str, Any]:
    app_for(ph, key)
    with http_errors():
        app = ph.meta.set_view_rules(key, [(x.pattern, x.name) for x in rules])
    return rules_json(app)


@router.get("/apps/{key}/views", summary="Views of an app, most viewed first",
            response_model=models.Views)  # fmt: skip
def views(
    ph: Ph, key: str, params: Params, width: str | None = None,
    start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    query = query_for(ph, key, None, {**params, "width": width or "0-1000000"})
    return {"views": ph.store.views(query), "filters": query.filters}


@router.get("/apps/{key}/heatmap", summary="Heatmap of a view (JSON grid or PNG)",
            response_model=models.Heatmap, responses=PNG)  # fmt: skip
def heatmap(
    ph: Ph, key: str, view: str, params: Params, kind: str = "click", width: str = "desktop",
    start: From = None, end: To = None,
    format: str = "json",
    opacity: Annotated[float, Q(ge=0, le=1)] = 0.7,
    background: str | None = None,
    scale: Annotated[str, Q(description="relative (to the map's own peak) or absolute"
                            " (per 1 000 page views, up to `peak`)")] = "relative",
    peak: Annotated[float | None, Q(gt=0, description="scale=absolute: points per"
                                    " 1 000 page views drawn at full heat")] = None,
    palette: Annotated[str, Q(description="format=png: heat or colorblind")] = "heat",
    goal: Annotated[str | None, Q(description="kind=conversion: the goal's id")] = None,
) -> Any:  # fmt: skip
    if format not in {"json", "png"}:
        raise HTTPException(400, f"format must be json or png, got {format!r}")
    return heatmap_answer(ph, key, params, format)


@router.post("/apps/{key}/background", status_code=202, summary="Capture the background again",
             response_model=models.Recapture)  # fmt: skip
def recapture(
    ph: Ph, key: str, view: str, params: Params, width: str = "desktop"
) -> dict[str, Any]:
    query = query_for(ph, key, view, {**params, "from": "", "to": ""})
    if ph.store.view_sample(query) is None:
        raise HTTPException(404, f"no page views of {view!r} at width {width} to picture")
    ph.backgrounds.request(query, ph.store.points(query).selectors, force=True)
    return {"background_status": "capturing"}


@router.get("/apps/{key}/scroll", summary="Scroll reach of a view: share of page views per depth",
            response_model=models.Scroll)  # fmt: skip
def scroll(
    ph: Ph, key: str, view: str, params: Params, width: str = "desktop",
    start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    query = query_for(ph, key, view, params)
    return {**reports.scroll_summary(ph.store.depths(query)), "filters": query.filters}


@router.get("/apps/{key}/insights", summary="Statistics and top actions of a view",
            response_model=models.Insights)  # fmt: skip
def insights(
    ph: Ph, key: str, params: Params, view: str | None = None, width: str = "desktop",
    start: From = None, end: To = None,
    limit: Annotated[int, Q(ge=1, le=100)] = 100,
    background: str | None = None,
    goal: Annotated[str | None, Q(description="A goal's id: each action's conversion"
                                  " towards it")] = None,
) -> dict[str, Any]:  # fmt: skip
    query = query_for(ph, key, view, params)
    with http_errors():
        answer = reports.insights(ph, query, limit, background)
        if goal:
            outcomes.add_conversion(ph, query, goal, answer)
        return {**answer, "filters": query.filters}


@router.get("/apps/{key}/backgrounds", summary="Page states captured for a view and width",
            response_model=models.Backgrounds)  # fmt: skip
def backgrounds(
    ph: Ph, key: str, view: str, params: Params, width: str = "desktop",
    start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    return reports.backgrounds(ph, query_for(ph, key, view, params))


@router.get("/backgrounds/{bg_id}.png", summary="A background picture (thumb=1: its thumbnail)",
            response_class=Response, responses=PNG_ONLY)  # fmt: skip
def background_png(ph: Ph, who: Who, bg_id: str, thumb: bool = False) -> Response:
    if who.apps is not None:
        bg = ph.pictures.background(bg_id)
        if bg is not None and not who.may_read(bg.app):
            raise HTTPException(403, f"this token may not read background {bg_id!r}")
    return background_answer(ph, bg_id, thumb, "private, max-age=31536000, immutable")


@router.get("/apps/{key}/filters/{name}", summary="Values a filter takes, with page views",
            response_model=models.FilterValues)  # fmt: skip
def filter_values(
    ph: Ph, key: str, name: str, params: Params, view: str | None = None, width: str = "desktop",
    limit: Annotated[int, Q(ge=1, le=500)] = 50,
    start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    """What a filter picker offers: the values ``name`` takes in the page views of the
    view (all views when none is given), range and width, most page views first. The
    other filters narrow the list; the filter's own value does not (so every
    alternative stays pickable) and comes back as ``selected``. ``tag.KEY`` lists the
    values of that tag (``…/tags`` lists the keys)."""
    with http_errors():
        if name not in FILTERS and tag_key(name) is None:
            raise LookupError(f"no filter {name!r}; filters are {', '.join(FILTERS)}, tag.KEY")
    query = query_for(ph, key, view, params)
    rows = ph.store.filter_values(query, name, limit)
    selected = query.filters.get(name, "")
    return {
        "name": name,
        "values": [{"value": v, "page_views": n} for v, n in rows],
        "selected": selected.split(",") if selected else [],
        "fixed": list(FILTER_VALUES.get(name, ())),
    }


# -- compare, area, action detail ---------------------------------------------------


@router.get(
    "/apps/{key}/compare",
    summary="Diff of two periods or segments of a view (JSON or PNG)",
    response_model=models.Comparison,
    responses=PNG,
)
def compare(
    ph: Ph, key: str, view: str, params: Params, kind: str = "click", width: str = "desktop",
    format: str = "json", opacity: Annotated[float, Q(ge=0, le=1)] = 0.7,
    background: str | None = None, peak: Annotated[float | None, Q(gt=0)] = None,
    limit: Annotated[int, Q(ge=1, le=100)] = 100,
    start: From = None, end: To = None,
    a_from: Annotated[str | None, Q(alias="a.from", description="Side a from")] = None,
    a_to: Annotated[str | None, Q(alias="a.to", description="Side a to")] = None,
    b_from: Annotated[str | None, Q(alias="b.from", description="Side b from")] = None,
    b_to: Annotated[str | None, Q(alias="b.to", description="Side b to")] = None,
) -> Any:  # fmt: skip
    """Side ``b`` against side ``a`` of one view: ``a.from``, ``a.to``, ``a.width`` and
    ``a.<filter>`` (``a.device=mobile``), the same with ``b.``; unprefixed ``width``,
    ``from``, ``to`` and filters apply to both. Both are drawn on one background (the
    view's default at the unprefixed width, or ``background``) and counted per 1 000
    of their own page views; ``grid`` is ``b - a`` on a scale of -1..1 (``max``: the
    change per 1 000 page views drawn at ±1, or ``peak``), PNG red warming, blue
    cooling. ``actions``: each top action's share of clicks on both sides."""
    if format not in {"json", "png"}:
        raise HTTPException(400, f"format must be json or png, got {format!r}")
    with http_errors():
        qa, qb, shared = side_queries(ph, key, view, params)
        c = reports.compare(ph, qa, qb, shared, kind, background, peak, limit)
    if format == "png":
        return Response(reports.compare_png(ph, c, opacity), media_type="image/png")
    return reports.compare_json(c, qa, qb)


@router.get("/apps/{key}/heatmap/area", summary="Points inside a rectangle of the heatmap",
            response_model=models.AreaCount)  # fmt: skip
def heatmap_area(
    ph: Ph, key: str, view: str, x: float, y: float, w: Annotated[float, Q(ge=0)],
    h: Annotated[float, Q(ge=0)], params: Params, kind: str = "click",
    width: str = "desktop", background: str | None = None,
    start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    """``count`` of the map's points placed inside ``[x, x+w] x [y, y+h]`` (page px of
    the background, placed as the heatmap places them: element-anchored where the
    element is in it) and their ``share`` of the map's ``total``."""
    query = query_for(ph, key, view, params)
    with http_errors():
        return reports.area(ph, query, x, y, w, h, kind, background)


@router.get("/apps/{key}/actions/detail", summary="One action: time series and latest sessions",
            response_model=models.ActionDetail)  # fmt: skip
def action_detail(
    ph: Ph, key: str, view: str, selector: str, params: Params, width: str = "desktop",
    start: From = None, end: To = None,
) -> dict[str, Any]:  # fmt: skip
    """Clicks on ``selector`` in the range: counts, a series bucketed by hour (range up
    to 2 days), day (up to 90) or week with empty buckets 0, and the latest 10
    sessions that clicked it. An open range runs from its first click to now."""
    return actions.action_detail(ph, query_for(ph, key, view, params), selector)
