"""Turn validated envelopes into table rows, the same way for every backend.

Clicks, moves, scrolls, errors and layouts get their page view's filter dimensions copied
on (:data:`VIEW_DIMENSIONS`: name, path, referrer source, UTM, tags, device, browser, OS,
country, city, new or returning), as wide analytics tables do, so a filtered query never
joins. The view of a click usually arrives in the same batch or one before it; ``lookup``
fetches the rest from the store.

A page view is ``returning`` when its visitor's first session (the session of the
visitor's earliest page view of the app) is another one, else ``new``; ``first_sessions``
asks the store for the first session of visitors it has seen before, which the store keeps
in a small table of its own (:data:`VISITOR_COLUMNS`, one row per visitor: a lookup costs
the batch's visitors, not a scan of every page view). ``build_rows`` returns the visitors
whose first session this batch decided (new ones, or an earlier session arriving late)
under the key ``"visitors"``, for the store to upsert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pageheat.store.base import Envelope, width_class

PAGEVIEW_COLUMNS = (
    "app", "view_id", "visitor", "session", "t", "name", "url", "path", "title", "referrer",
    "ref_source", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "env", "version", "service", "vw", "vh", "dw", "dh", "dpr", "lang", "tz", "device",
    "browser", "os", "width_class", "sdk", "country", "city", "visitor_type",
)  # fmt: skip

#: The view's dimensions copied onto each interaction, scroll, error and layout: every
#: column a filter (``store.base.FILTERS``) reads, and the view name.
VIEW_DIMENSIONS = (
    "name", "path", "ref_source", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content", "env", "version", "service", "device", "browser", "os", "country", "city",
    "visitor_type",
)  # fmt: skip

#: Dimensions that belong to the request rather than the page (User-Agent, IP): an event
#: whose view is unknown still gets its own request's.
_REQUEST_DIMENSIONS = ("device", "browser", "os", "country", "city")

INTERACTION_COLUMNS = (
    "app", "view_id", "visitor", "session", "t", "kind", *VIEW_DIMENSIONS, "x", "y", "vw",
    "dw", "dh", "sel", "rx", "ry", "tag", "text", "href", "interactive", "pointer", "fixed",
    "rage", "dead", "error", "width_class",
)  # fmt: skip

LEAVE_COLUMNS = ("app", "view_id", "visitor", "session", "t", "vis_ms", "depth", "dh")

SCROLL_COLUMNS = (
    "app", "view_id", "visitor", "session", "t", *VIEW_DIMENSIONS, "vw", "depth", "dh", "vh",
    "bands",
)  # fmt: skip

ERROR_COLUMNS = ("app", "view_id", "visitor", "session", "t", *VIEW_DIMENSIONS, "msg", "hash", "n")

LAYOUT_COLUMNS = (
    "app", "view_id", "visitor", "session", "t", *VIEW_DIMENSIONS, "vw", "width_class", "hash",
    "dw", "dh",
)  # fmt: skip

#: Each visitor's first session: (app, visitor) → the session and time of its earliest
#: page view. Upserted, not appended: not part of :data:`TABLES`.
VISITOR_COLUMNS = ("app", "visitor", "session", "t")

#: Table name → its columns, in the order every backend creates them.
TABLES = {
    "pageviews": PAGEVIEW_COLUMNS,
    "interactions": INTERACTION_COLUMNS,
    "leaves": LEAVE_COLUMNS,
    "scrolls": SCROLL_COLUMNS,
    "errors": ERROR_COLUMNS,
    "layouts": LAYOUT_COLUMNS,
}

#: Interaction columns a move point leaves at their neutral value.
_MOVE_DEFAULTS = {
    "sel": "", "rx": 0.0, "ry": 0.0, "tag": "", "text": "", "href": "", "interactive": False,
    "pointer": "mouse", "fixed": False, "rage": 0, "dead": False, "error": False,
}  # fmt: skip

Row = dict[str, Any]
Lookup = Callable[[str, list[str]], dict[str, Row]]
#: (app, visitor ids) → visitor id → (session, time) of that visitor's earliest page view.
FirstSessions = Callable[[str, list[str]], dict[str, tuple[str, int]]]


def referrer_source(referrer: str, own_host: str) -> str:
    """``direct`` for no referrer or an internal one, else the referring host."""
    if not referrer:
        return "direct"
    host = referrer.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    if not host or host == own_host:
        return "direct"
    return host.removeprefix("www.")


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()


def build_rows(
    envelopes: Iterable[Envelope], lookup: Lookup, first_sessions: FirstSessions | None = None
) -> dict[str, list[Row]]:
    """Rows of ``envelopes`` for each table of :data:`TABLES`."""
    out: dict[str, list[Row]] = {name: [] for name in TABLES}
    pageviews, interactions, leaves = out["pageviews"], out["interactions"], out["leaves"]
    views: dict[tuple[str, str], Row] = {}
    envelopes = list(envelopes)
    first, decided = _first_sessions(envelopes, first_sessions)
    out["visitors"] = [
        {"app": app, "visitor": visitor, "session": first[(app, visitor)][0],
         "t": first[(app, visitor)][1]}
        for app, visitor in sorted(decided)
    ]  # fmt: skip

    for env in envelopes:
        base = {"app": env.app, "visitor": env.visitor, "session": env.session}
        for ev in env.events:
            if ev.k != "view":
                continue
            utm, tags = ev.utm, ev.tags
            row = {
                **base, "view_id": ev.v, "t": ev.t, "name": ev.name, "url": ev.url,
                "path": ev.path, "title": ev.title, "referrer": ev.referrer,
                "ref_source": referrer_source(ev.referrer, _host(ev.url)),
                "utm_source": utm.get("source", ""), "utm_medium": utm.get("medium", ""),
                "utm_campaign": utm.get("campaign", ""), "utm_term": utm.get("term", ""),
                "utm_content": utm.get("content", ""), "env": tags.get("env", ""),
                "version": tags.get("version", ""), "service": tags.get("service", ""),
                "vw": ev.vw, "vh": ev.vh, "dw": ev.dw, "dh": ev.dh, "dpr": ev.dpr,
                "lang": ev.lang, "tz": ev.tz, "device": env.device, "browser": env.browser,
                "os": env.os, "width_class": width_class(ev.vw), "sdk": env.sdk,
                "country": env.country, "city": env.city,
                "visitor_type": (
                    "new" if first[(env.app, env.visitor)][0] == env.session else "returning"
                ),
            }  # fmt: skip
            pageviews.append(row)
            views[(env.app, ev.v)] = row

    missing: dict[str, set[str]] = {}
    for env in envelopes:
        for ev in env.events:
            if ev.k != "view" and ev.k != "leave" and (env.app, ev.v) not in views:
                missing.setdefault(env.app, set()).add(ev.v)
    for app, ids in missing.items():
        for view_id, row in lookup(app, sorted(ids)).items():
            views[(app, view_id)] = row

    for env in envelopes:
        base = {"app": env.app, "visitor": env.visitor, "session": env.session}
        for ev in env.events:
            if ev.k == "click":
                view = views.get((env.app, ev.v), {})
                interactions.append({
                    **base, "view_id": ev.v, "t": ev.t, "kind": "click", **_dims(view, env),
                    "x": ev.x, "y": ev.y, "vw": ev.vw, "dw": ev.dw, "dh": ev.dh, "sel": ev.sel,
                    "rx": ev.rx, "ry": ev.ry, "tag": ev.tag, "text": ev.text,
                    "href": ev.href or "", "interactive": ev.interactive, "pointer": ev.pointer,
                    "fixed": ev.fixed, "rage": ev.rage, "dead": ev.dead, "error": ev.error,
                    "width_class": width_class(ev.vw),
                })  # fmt: skip
            elif ev.k == "leave":
                leaves.append({
                    **base, "view_id": ev.v, "t": ev.t, "vis_ms": ev.vis, "depth": ev.depth,
                    "dh": ev.dh,
                })  # fmt: skip
            elif ev.k == "move":
                dims = _dims(views.get((env.app, ev.v), {}), env)
                common = {**base, "view_id": ev.v, "kind": "move", **dims, "vw": ev.vw,
                          "dw": ev.dw, "dh": ev.dh, "width_class": width_class(ev.vw),
                          **_MOVE_DEFAULTS}  # fmt: skip
                interactions.extend({**common, "t": ev.t + dt, "x": x, "y": y} for x, y, dt in ev.p)
            elif ev.k == "scroll":
                view = views.get((env.app, ev.v), {})
                out["scrolls"].append({
                    **base, "view_id": ev.v, "t": ev.t, **_dims(view, env),
                    "vw": view.get("vw", 0.0),
                    "depth": ev.depth, "dh": ev.dh, "vh": ev.vh, "bands": list(ev.bands),
                })  # fmt: skip
            elif ev.k == "error":
                out["errors"].append({
                    **base, "view_id": ev.v, "t": ev.t,
                    **_dims(views.get((env.app, ev.v), {}), env),
                    "msg": ev.msg, "hash": ev.hash, "n": ev.n,
                })  # fmt: skip
            elif ev.k == "layout":
                view = views.get((env.app, ev.v), {})
                vw = view.get("vw", 0.0)
                out["layouts"].append({
                    **base, "view_id": ev.v, "t": ev.t, **_dims(view, env), "vw": vw,
                    "width_class": width_class(vw), "hash": ev.h, "dw": ev.dw, "dh": ev.dh,
                })  # fmt: skip
    return out


def _dims(view: Row, env: Envelope) -> Row:
    out = {d: view.get(d, "") or "" for d in VIEW_DIMENSIONS}
    if not view:  # the view never arrived: the request still says who sent this
        out.update({d: getattr(env, d) for d in _REQUEST_DIMENSIONS})
    return out


def _first_sessions(
    envelopes: list[Envelope], known: FirstSessions | None
) -> tuple[dict[tuple[str, str], tuple[str, int]], set[tuple[str, str]]]:
    """(app, visitor) → (session, time) of the visitor's earliest page view, from the store
    and from these envelopes' views, for every visitor with a view here; and the visitors
    whose entry these envelopes set (first seen, or seen earlier than the store knew)."""
    seen: dict[str, set[str]] = {}
    for env in envelopes:
        if any(ev.k == "view" for ev in env.events):
            seen.setdefault(env.app, set()).add(env.visitor)
    first: dict[tuple[str, str], tuple[str, int]] = {}
    for app, visitors in seen.items():
        found = known(app, sorted(visitors)) if known else {}
        for visitor, (session, t) in found.items():
            first[(app, visitor)] = (session, int(t))
    decided: set[tuple[str, str]] = set()
    for env in envelopes:
        for ev in env.events:
            if ev.k == "view":
                key = (env.app, env.visitor)
                if key not in first or ev.t < first[key][1]:
                    first[key] = (env.session, ev.t)
                    decided.add(key)
    return first, decided
