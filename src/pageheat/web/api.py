"""The JSON query API under ``/api/v1`` (public keys: DESIGN.md, "Interfaces")."""

from __future__ import annotations

import contextlib
import inspect
import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi import Query as Q
from fastapi.responses import JSONResponse, Response

from pageheat import privacy, reports
from pageheat.filters import FILTERS as FILTER_REGISTRY
from pageheat.meta import Principal
from pageheat.snapshots.backgrounds import thumbnail
from pageheat.store.base import FILTER_VALUES, FILTERS, Query, parse_filters
from pageheat.web.auth import require_token, require_writer

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


class ViewRule(msgspec.Struct, forbid_unknown_fields=True):
    pattern: str
    name: str


#: What each filter parameter means, for the OpenAPI schema (`pageheat.filters`). A value
#: may be a comma-separated list (any of them matches); different filters must all match.
FILTER_HELP = {name: f.help for name, f in FILTER_REGISTRY.items()}


def plain_params(request: Request) -> dict[str, str]:
    """The query string as a plain mapping; a name given more than once (``device=mobile&
    device=tablet``) becomes one comma-separated list."""
    q = request.query_params
    return {name: ",".join(q.getlist(name)) for name in q}


def _params_with_filters(request: Request, **_: str | None) -> dict[str, str]:
    return plain_params(request)


# Declares every filter as a query parameter of the routes that depend on it (so the
# OpenAPI schema lists them), while the route reads all its parameters from one mapping.
_params_with_filters.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
    inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
    *(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                        annotation=Annotated[str | None, Q(description=text)])
      for name, text in FILTER_HELP.items()),
])  # fmt: skip

#: The caller of a route, and the dependency of routes that change apps.
Who = Annotated[Principal, Depends(require_token)]
Writer = Depends(require_writer)

#: A route parameter: the request's query string as a plain mapping, filters declared.
Params = Annotated[dict[str, str], Depends(_params_with_filters)]


@contextlib.contextmanager
def http_errors() -> Iterator[None]:
    """What the reports raise, as answers: ValueError is a bad parameter (400), LookupError
    a thing that is not there (404)."""
    try:
        yield
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None


def app_for(ph: Pageheat, key: str) -> App:
    """The app of ``key``, or 404."""
    app = ph.meta.app(key)
    if app is None:
        raise HTTPException(404, f"no app with key {key!r}")
    return app


def query_for(ph: Pageheat, key: str, view: str | None, params: Mapping[str, str]) -> Query:
    """The Query of app ``key`` and ``view`` from plain parameters: ``width`` (default
    desktop), ``from``, ``to`` and every filter of ``store.base.FILTERS``; other names
    are not read. 404 for an unknown app, 400 naming the bad parameter. Every route that
    reads events (here, the exports, the share links) builds its Query with this."""
    app_for(ph, key)
    try:
        wr = ph.width_range(params.get("width") or "desktop")
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    try:
        filters = parse_filters({n: params[n] for n in FILTERS if n in params})
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return Query(
        app=key, view=view, width=wr, start_ms=parse_time(params.get("from"), "from"),
        end_ms=parse_time(params.get("to"), "to"), filters=filters,
    )  # fmt: skip


def number(
    params: Mapping[str, str], name: str, default: float | None, lo: float | None = None,
    hi: float | None = None,
) -> float | None:  # fmt: skip
    """A finite number parameter within ``[lo, hi]``, or 400 naming it."""
    text = params.get(name) or ""
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if (
        not math.isfinite(value)
        or (lo is not None and value < lo)
        or (hi is not None and value > hi)
    ):
        span = f" from {lo:g} to {hi:g}" if lo is not None and hi is not None else ""
        raise HTTPException(400, f"{name} must be a number{span}, got {text!r}")
    return value


def heatmap_answer(ph: Pageheat, key: str, params: Mapping[str, str], fmt: str = "json") -> Any:
    """The heatmap of plain API parameters (``view``, ``kind``, ``width``, ``from``, ``to``,
    filters, ``background``, ``scale``, ``peak``, ``opacity``, ``palette``): what
    ``/api/v1/apps/{key}/heatmap`` answers, and a share link from its stored ones."""
    query = query_for(ph, key, params.get("view"), params)
    with http_errors():
        rendered = reports.render(
            ph, query, params.get("kind") or "click", background=params.get("background"),
            scale=params.get("scale") or "relative", peak=number(params, "peak", None, 0),
        )  # fmt: skip
        if fmt == "png":
            png = reports.heatmap_png(ph, rendered, number(params, "opacity", 0.7, 0, 1),
                                      params.get("palette") or "heat")  # fmt: skip
            return Response(png, media_type="image/png")
    return {**reports.heatmap_json(rendered), "filters": query.filters}


def background_answer(ph: Pageheat, bg_id: str, thumb: bool, cache: str) -> Response:
    """A background's PNG (or its thumbnail), 404 when there is none."""
    png = ph.pictures.background_png(bg_id)
    if png is None:
        raise HTTPException(404, f"no background {bg_id!r}")
    return Response(thumbnail(png) if thumb else png, media_type="image/png",
                    headers={"Cache-Control": cache})  # fmt: skip


def router(ph: Pageheat) -> APIRouter:
    r = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)], tags=["query"])

    def app_or_404(key: str) -> App:
        return app_for(ph, key)

    def app_json(app: App) -> dict[str, Any]:
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
        }

    def query_from(key: str, view: str | None, params: Mapping[str, str]) -> Query:
        return query_for(ph, key, view, params)

    @r.get("/apps", summary="List apps")
    def list_apps(who: Who) -> dict[str, Any]:
        return {"apps": [app_json(a) for a in ph.meta.list_apps() if who.may_read(a.key)]}

    @r.post("/apps", status_code=201, summary="Create an app", dependencies=[Writer])
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

    @r.patch("/apps/{key}", summary="Change an app's name, origins, sampling or privacy",
             dependencies=[Writer])  # fmt: skip
    def change_app(key: str, payload: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """Any of ``name``, ``origins`` (list), ``sample_rate`` (0..1), ``respect_dnt``,
        ``retention_days`` (0 forever, null the instance's) and ``keep_bots`` (null the
        instance's); the others stay. A bad field is a 400 naming it, and nothing
        changes."""
        app_or_404(key)
        unknown = sorted(set(payload) - APP_FIELDS)
        if unknown:
            raise HTTPException(400, f"{unknown[0]}: not an app setting; expected some of"
                                f" {', '.join(sorted(APP_FIELDS))}")  # fmt: skip
        try:
            return app_json(ph.meta.change_app(key, **payload))
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None

    @r.delete("/apps/{key}", status_code=204, summary="Delete an app and all its data",
              dependencies=[Writer])  # fmt: skip
    def remove_app(key: str) -> Response:
        with http_errors():
            privacy.delete_app(ph, key)
        return Response(status_code=204)

    @r.delete("/apps/{key}/visitors/{visitor}", summary="Forget one visitor's data",
              dependencies=[Writer])  # fmt: skip
    def forget_visitor(key: str, visitor: str) -> dict[str, Any]:
        """Deletes every event, page view and snapshot of the visitor id in this app
        (the id is in the visitor's browser: ``pageheat.visitor()``); the answer counts
        the rows deleted per table."""
        app_or_404(key)
        return {"deleted": privacy.forget_visitor(ph, visitor, key)}

    def rules_json(app: App) -> dict[str, Any]:
        return {"rules": [{"pattern": p, "name": n} for p, n in app.view_rules]}

    @r.get("/apps/{key}/rules", summary="View-name rules of an app (URL path glob → name)")
    def get_rules(key: str) -> dict[str, Any]:
        return rules_json(app_or_404(key))

    @r.put(
        "/apps/{key}/rules",
        summary="Replace the view-name rules of an app",
        description="A JSON list of {pattern, name}, tried in order at ingest; the first"
        " pattern that matches a page's URL path names its view (`*` within one path segment,"
        " `**` across segments, `?` one character). `pageheat.startView(name)` wins over"
        " rules; paths no rule matches keep their folded path (`/users/?`). Page views"
        " already stored keep their names.",
    )
    def put_rules(key: str, payload: Annotated[list[dict[str, Any]], Body()]) -> dict[str, Any]:
        app_or_404(key)
        try:
            rules = msgspec.convert(payload, list[ViewRule])
            app = ph.meta.set_view_rules(key, [(x.pattern, x.name) for x in rules])
        except (msgspec.ValidationError, ValueError) as exc:
            raise HTTPException(400, str(exc)) from None
        return rules_json(app)

    @r.get("/apps/{key}/views", summary="Views of an app, most viewed first")
    def views(
        key: str, params: Params, width: str | None = None,
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        query = query_from(key, None, {**params, "width": width or "0-1000000"})
        return {"views": ph.store.views(query), "filters": query.filters}

    @r.get("/apps/{key}/heatmap", summary="Heatmap of a view (JSON grid or PNG)")
    def heatmap(
        key: str, view: str, params: Params, kind: str = "click", width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
        format: str = "json",
        opacity: Annotated[float, Q(ge=0, le=1)] = 0.7,
        background: str | None = None,
        scale: Annotated[str, Q(description="relative (to the map's own peak) or absolute"
                                " (per 1 000 page views, up to `peak`)")] = "relative",
        peak: Annotated[float | None, Q(gt=0, description="scale=absolute: points per"
                                        " 1 000 page views drawn at full heat")] = None,
        palette: Annotated[str, Q(description="format=png: heat or colorblind")] = "heat",
    ) -> Any:  # fmt: skip
        if format not in {"json", "png"}:
            raise HTTPException(400, f"format must be json or png, got {format!r}")
        return heatmap_answer(ph, key, params, format)

    @r.post("/apps/{key}/background", status_code=202, summary="Capture the background again")
    def recapture(key: str, view: str, params: Params, width: str = "desktop") -> dict[str, Any]:
        query = query_from(key, view, {**params, "from": "", "to": ""})
        if ph.store.view_sample(query) is None:
            raise HTTPException(404, f"no page views of {view!r} at width {width} to picture")
        ph.backgrounds.request(query, ph.store.points(query).selectors, force=True)
        return {"background_status": "capturing"}

    @r.get("/apps/{key}/scroll", summary="Scroll reach of a view: share of page views per depth")
    def scroll(
        key: str, view: str, params: Params, width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        query = query_from(key, view, params)
        return {**reports.scroll_summary(ph.store.depths(query)), "filters": query.filters}

    @r.get("/apps/{key}/insights", summary="Statistics and top actions of a view")
    def insights(
        key: str, params: Params, view: str | None = None, width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
        limit: Annotated[int, Q(ge=1, le=100)] = 100,
        background: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        query = query_from(key, view, params)
        with http_errors():
            return {**reports.insights(ph, query, limit, background), "filters": query.filters}

    @r.get("/apps/{key}/backgrounds", summary="Page states captured for a view and width")
    def backgrounds(
        key: str, view: str, params: Params, width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        return reports.backgrounds(ph, query_from(key, view, params))

    @r.get("/backgrounds/{bg_id}.png", summary="A background picture (thumb=1: its thumbnail)")
    def background_png(who: Who, bg_id: str, thumb: bool = False) -> Response:
        if who.apps is not None:
            bg = ph.pictures.background(bg_id)
            if bg is not None and not who.may_read(bg.app):
                raise HTTPException(403, f"this token may not read background {bg_id!r}")
        return background_answer(ph, bg_id, thumb, "private, max-age=31536000, immutable")

    @r.get("/apps/{key}/filters/{name}", summary="Values a filter takes, with page views")
    def filter_values(
        key: str, name: str, params: Params, view: str | None = None, width: str = "desktop",
        limit: Annotated[int, Q(ge=1, le=500)] = 50,
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """What a filter picker offers: the values ``name`` takes in the page views of the
        view (all views when none is given), range and width, most page views first. The
        other filters narrow the list; the filter's own value does not (so every
        alternative stays pickable) and comes back as ``selected``."""
        if name not in FILTERS:
            raise HTTPException(404, f"no filter {name!r}; filters are {', '.join(FILTERS)}")
        query = query_from(key, view, params)
        rows = ph.store.filter_values(query, name, limit)
        selected = query.filters.get(name, "")
        return {
            "name": name,
            "values": [{"value": v, "page_views": n} for v, n in rows],
            "selected": selected.split(",") if selected else [],
            "fixed": list(FILTER_VALUES.get(name, ())),
        }

    # -- compare, area, action detail ---------------------------------------------------

    def side_queries(key: str, view: str, params: Mapping[str, str]) -> tuple[Query, Query, Query]:
        """Side a, side b and the shared query (the view at the shared width, whose default
        background both sides are drawn on) from ``a.*``, ``b.*`` and unprefixed params;
        a prefixed name overrides the unprefixed one for its side."""
        shared: dict[str, str] = {}
        sides: dict[str, dict[str, str]] = {"a": {}, "b": {}}
        for name, value in params.items():
            side, dot, rest = name.partition(".")
            if dot and side in sides:
                if rest not in SIDE_PARAMS:
                    raise HTTPException(400, f"{name}: a side takes width, from, to or a filter"
                                        f" ({', '.join(FILTERS)}), not {rest!r}")  # fmt: skip
                sides[side][rest] = value
            else:
                shared[name] = value
        out = []
        for side in ("a", "b"):
            try:
                out.append(query_from(key, view, {**shared, **sides[side]}))
            except HTTPException as exc:
                if exc.status_code != 400:
                    raise
                raise HTTPException(400, f"side {side} ({side}.*): {exc.detail}") from None
        return out[0], out[1], query_from(key, view, {"width": shared.get("width", "")})

    @r.get("/apps/{key}/compare", summary="Diff of two periods or segments of a view (JSON or PNG)")
    def compare(
        key: str, view: str, params: Params, kind: str = "click", width: str = "desktop",
        format: str = "json", opacity: Annotated[float, Q(ge=0, le=1)] = 0.7,
        background: str | None = None, peak: Annotated[float | None, Q(gt=0)] = None,
        limit: Annotated[int, Q(ge=1, le=100)] = 100,
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
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
        qa, qb, shared = side_queries(key, view, params)
        with http_errors():
            c = reports.compare(ph, qa, qb, shared, kind, background, peak, limit)
        if format == "png":
            return Response(reports.compare_png(ph, c, opacity), media_type="image/png")
        return reports.compare_json(c, qa, qb)

    @r.get("/apps/{key}/heatmap/area", summary="Points inside a rectangle of the heatmap")
    def heatmap_area(
        key: str, view: str, x: float, y: float, w: Annotated[float, Q(ge=0)],
        h: Annotated[float, Q(ge=0)], params: Params, kind: str = "click",
        width: str = "desktop", background: str | None = None,
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """``count`` of the map's points placed inside ``[x, x+w] x [y, y+h]`` (page px of
        the background, placed as the heatmap places them: element-anchored where the
        element is in it) and their ``share`` of the map's ``total``."""
        query = query_from(key, view, params)
        with http_errors():
            return reports.area(ph, query, x, y, w, h, kind, background)

    @r.get("/apps/{key}/actions/detail", summary="One action: time series and latest sessions")
    def action_detail(
        key: str, view: str, selector: str, params: Params, width: str = "desktop",
        start: Annotated[str | None, Q(alias="from")] = None,
        end: Annotated[str | None, Q(alias="to")] = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Clicks on ``selector`` in the range: counts, a series bucketed by hour (range up
        to 2 days), day (up to 90) or week with empty buckets 0, and the latest 10
        sessions that clicked it. An open range runs from its first click to now."""
        return reports.action_detail(ph, query_from(key, view, params), selector)

    return r


#: What ``PATCH /apps/{key}`` may change.
APP_FIELDS = frozenset({"name", "origins", "sample_rate", "respect_dnt", "retention_days",
                        "keep_bots"})  # fmt: skip

#: What one side of a comparison may set for itself.
SIDE_PARAMS = frozenset({"width", "from", "to", *FILTERS})


def iso(ms: int | None) -> str | None:
    """ms since the epoch as the API writes times (UTC, to the second); None stays None."""
    return (
        None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds")
    )
