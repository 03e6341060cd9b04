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

``build_tables`` makes the rows as Arrow tables, column by column (the collector's write
path: DuckDB reads Arrow without a per-row step); ``build_rows`` is the same rows as dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pyarrow as pa

from pageheat.store.base import WIDTH_CLASSES, Envelope, WidthClasses

PAGEVIEW_COLUMNS = (
    "app", "view_id", "visitor", "session", "t", "name", "url", "path", "title", "referrer",
    "ref_source", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "env", "version", "service", "vw", "vh", "dw", "dh", "dpr", "lang", "tz", "device",
    "browser", "os", "width_class", "sdk", "country", "city", "visitor_type", "tag_keys",
    "tag_values",
)  # fmt: skip

#: The view's dimensions copied onto each interaction, scroll, error and layout: every
#: column a filter (``store.base.FILTERS``) reads, the view name, and every tag of the
#: view (``tag.KEY`` filters) as two parallel arrays: keys sorted, values in their order.
VIEW_DIMENSIONS = (
    "name", "path", "ref_source", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content", "env", "version", "service", "device", "browser", "os", "country", "city",
    "visitor_type", "tag_keys", "tag_values",
)  # fmt: skip

#: Dimensions that are lists of strings (the rest are strings).
LIST_DIMENSIONS = frozenset({"tag_keys", "tag_values"})

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

#: Custom goals a page sent (``pageheat.goal``): the goal's name is ``goal`` (``name`` is
#: the view's, as on every table), ``value`` its optional amount (NULL when not sent).
GOAL_COLUMNS = ("app", "view_id", "visitor", "session", "t", *VIEW_DIMENSIONS, "goal", "value")

#: Who a session's visitor is, as the site said (``pageheat.identify``): one row per
#: identify event, ``user_id`` the site's id, ``user_name`` its display name ("" when not
#: sent). Sessions read the latest of a session; forgetting a user finds its visitors here.
IDENTITY_COLUMNS = ("app", "view_id", "visitor", "session", "t", "user_id", "user_name")

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
    "goals": GOAL_COLUMNS,
    "identities": IDENTITY_COLUMNS,
}

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
    envelopes: Iterable[Envelope],
    lookup: Lookup,
    first_sessions: FirstSessions | None = None,
    widths: WidthClasses | None = None,
) -> dict[str, list[Row]]:
    """Rows of ``envelopes`` for each table of :data:`TABLES` (and ``visitors``), as dicts:
    :func:`build_tables` read back row by row, for a backend that inserts rows."""
    tables = build_tables(envelopes, lookup, first_sessions, widths)
    return {name: tables[name].to_pylist() if name in tables else []
            for name in (*TABLES, "visitors")}  # fmt: skip


def build_tables(
    envelopes: Iterable[Envelope],
    lookup: Lookup,
    first_sessions: FirstSessions | None = None,
    widths: WidthClasses | None = None,
) -> dict[str, pa.Table]:
    """Arrow tables of ``envelopes`` for each table of :data:`TABLES`, and ``visitors``
    (the first sessions these envelopes decided); an empty table is left out. Each page
    view, interaction and layout gets its width class under ``widths`` (the store's).

    Columnar on purpose (docs/performance.md, ingest): no dict per event. Each event is gathered once
    with the index of its envelope and of its view's dimensions; every column is then one
    pass over the gathered events, and what repeats (the envelope's ids, the view's
    dimensions, the width class) is a dictionary-encoded column whose indices are shared,
    so a batch of 50 events costs a few list passes, not 50 dicts of 36 entries.
    """
    envelopes = list(envelopes)
    widths = widths or WidthClasses()
    first, decided = _first_sessions(envelopes, first_sessions)
    out: dict[str, pa.Table] = {}
    if decided:
        keys = sorted(decided)
        out["visitors"] = pa.table({
            "app": [a for a, _ in keys], "visitor": [v for _, v in keys],
            "session": [first[k][0] for k in keys],
            "t": pa.array([first[k][1] for k in keys], pa.int64()),
        })  # fmt: skip

    # The page views of these envelopes, and each view's dimensions (by index into
    # ``dims``, with its viewport width in ``dims_vw``) for the events that follow it.
    dims: list[tuple[Any, ...]] = []
    dims_vw: list[float] = []
    view_dims: dict[tuple[str, str], int] = {}
    pv = [(e_i, env, ev) for e_i, env in enumerate(envelopes) for ev in env.events
          if ev.k == "view"]  # fmt: skip
    if pv:
        pv_env = np.fromiter((e_i for e_i, _, _ in pv), np.int32, len(pv))
        evs = [ev for _, _, ev in pv]
        envs = [env for _, env, _ in pv]
        utm = [ev.utm for ev in evs]
        tags = [ev.tags for ev in evs]
        vw = np.fromiter((ev.vw for ev in evs), np.float64, len(pv))
        cols: dict[str, Any] = {
            "app": [env.app for env in envs], "view_id": [ev.v for ev in evs],
            "visitor": [env.visitor for env in envs], "session": [env.session for env in envs],
            "t": pa.array([ev.t for ev in evs], pa.int64()), "name": [ev.name for ev in evs],
            "url": [ev.url for ev in evs], "path": [ev.path for ev in evs],
            "title": [ev.title for ev in evs], "referrer": [ev.referrer for ev in evs],
            "ref_source": [referrer_source(ev.referrer, _host(ev.url)) for ev in evs],
            **{f"utm_{k}": [u.get(k, "") for u in utm] for k in _UTM},
            **{k: [t.get(k, "") for t in tags] for k in _TAGS},
            "tag_keys": pa.array([sorted(t) for t in tags], _STRINGS),
            "tag_values": pa.array([[t[k] for k in sorted(t)] for t in tags], _STRINGS),
            "vw": vw, **{c: [getattr(ev, c) for ev in evs] for c in ("vh", "dw", "dh", "dpr")},
            "lang": [ev.lang for ev in evs], "tz": [ev.tz for ev in evs],
            "width_class": _width_classes(widths, vw), "visitor_type": [
                "new" if first[(env.app, env.visitor)][0] == env.session else "returning"
                for env in envs
            ],
        }  # fmt: skip
        env_idx = pa.array(pv_env)
        for c in (*_REQUEST_DIMENSIONS, "sdk"):
            cols[c] = _coded(env_idx, [getattr(e, c) for e in envelopes])
        table = _table(PAGEVIEW_COLUMNS, cols)
        out["pageviews"] = table
        request = {d: [getattr(env, d) for env in envs] for d in _REQUEST_DIMENSIONS}
        rows = zip(*(request[d] if d in request else cols[d] for d in VIEW_DIMENSIONS),
                   strict=True)  # fmt: skip
        rows = (tuple(v.as_py() if isinstance(v, pa.Scalar) else v for v in row) for row in rows)
        for env, ev, row, w in zip(envs, evs, rows, vw.tolist(), strict=True):
            view_dims[(env.app, ev.v)] = len(dims)
            dims.append(row)
            dims_vw.append(w)

    missing: dict[str, set[str]] = {}
    for env in envelopes:
        for ev in env.events:
            if ev.k not in _UNDIMENSIONED and (env.app, ev.v) not in view_dims:
                missing.setdefault(env.app, set()).add(ev.v)
    for app, ids in missing.items():
        for view_id, found in lookup(app, sorted(ids)).items():
            view_dims[(app, view_id)] = len(dims)
            dims.append(_dims(found, None))
            dims_vw.append(found.get("vw") or 0.0)

    # Events of a view that never arrived get their request's dimensions (who sent this).
    by_env: dict[int, int] = {}
    gathered: dict[str, _Gathered] = {k: _Gathered() for k in _KIND_TABLE}
    for e_i, env in enumerate(envelopes):
        app = env.app
        for ev in env.events:
            k = ev.k
            if k == "view":
                continue
            into = gathered[k]
            into.env.append(e_i)
            into.ev.append(ev)
            if k == "leave" or k == "identify":
                continue
            d_i = view_dims.get((app, ev.v))
            if d_i is None:
                d_i = by_env.get(e_i)
                if d_i is None:
                    d_i = by_env[e_i] = len(dims)
                    dims.append(_dims({}, env))
                    dims_vw.append(0.0)
            into.dim.append(d_i)
    dim_columns = list(zip(*dims, strict=True)) if dims else []

    apps = [e.app for e in envelopes]
    visitors = [e.visitor for e in envelopes]
    sessions = [e.session for e in envelopes]

    def ids(env_idx: np.ndarray) -> dict[str, pa.Array]:
        idx = pa.array(env_idx, pa.int32())
        return {
            "app": _coded(idx, apps), "visitor": _coded(idx, visitors),
            "session": _coded(idx, sessions),
        }  # fmt: skip

    def dimensions(dim_idx: np.ndarray) -> dict[str, pa.Array]:
        idx = pa.array(dim_idx, pa.int32())
        return {
            d: pa.array(dim_columns[j], _STRINGS).take(idx) if d in LIST_DIMENSIONS
            else _coded(idx, list(dim_columns[j]))
            for j, d in enumerate(VIEW_DIMENSIONS)
        }  # fmt: skip

    clicks, moves = gathered["click"], gathered["move"]
    if clicks.ev or moves.ev:
        # a click is one row, a move event one row per point; rows keep the events' order
        # within each kind (clicks first)
        c_ev, m_ev = clicks.ev, moves.ev
        per_move = np.fromiter((len(ev.p) for ev in m_ev), np.int64, len(m_ev))
        points = [p for ev in m_ev for p in ev.p]
        m_t = np.repeat(np.fromiter((ev.t for ev in m_ev), np.int64, len(m_ev)), per_move)
        n_c, n_m = len(c_ev), len(points)

        def both(click_values: list[Any], move_value: Any) -> list[Any]:
            return click_values + [move_value] * n_m

        def num(name: str) -> np.ndarray:
            return np.concatenate([
                np.fromiter((getattr(ev, name) for ev in c_ev), np.float64, n_c),
                np.repeat(np.fromiter((getattr(ev, name) for ev in m_ev), np.float64,
                                      len(m_ev)), per_move),
            ])  # fmt: skip

        env_idx = np.concatenate(
            [np.asarray(clicks.env, np.int64), np.repeat(np.asarray(moves.env, np.int64), per_move)]
        )
        dim_idx = np.concatenate(
            [np.asarray(clicks.dim, np.int64), np.repeat(np.asarray(moves.dim, np.int64), per_move)]
        )
        vw = num("vw")
        cols: dict[str, Any] = {
            **ids(env_idx),
            "view_id": [ev.v for ev in c_ev]
            + [ev.v for ev, n in zip(m_ev, per_move, strict=True) for _ in range(n)],
            "t": np.concatenate([np.fromiter((ev.t for ev in c_ev), np.int64, n_c),
                                 m_t + np.fromiter((p[2] for p in points), np.int64, n_m)]),
            "kind": _coded(pa.array(np.repeat(np.array([0, 1], np.int32), [n_c, n_m])),
                           ["click", "move"]),
            **dimensions(dim_idx),
            "x": np.concatenate([np.fromiter((ev.x for ev in c_ev), np.float64, n_c),
                                 np.fromiter((p[0] for p in points), np.float64, n_m)]),
            "y": np.concatenate([np.fromiter((ev.y for ev in c_ev), np.float64, n_c),
                                 np.fromiter((p[1] for p in points), np.float64, n_m)]),
            "vw": vw, "dw": num("dw"), "dh": num("dh"),
            "sel": both([ev.sel for ev in c_ev], ""),
            "rx": both([ev.rx for ev in c_ev], 0.0), "ry": both([ev.ry for ev in c_ev], 0.0),
            "tag": both([ev.tag for ev in c_ev], ""), "text": both([ev.text for ev in c_ev], ""),
            "href": both([ev.href or "" for ev in c_ev], ""),
            "interactive": both([ev.interactive for ev in c_ev], False),
            "pointer": both([ev.pointer for ev in c_ev], "mouse"),
            "fixed": both([ev.fixed for ev in c_ev], False),
            "rage": pa.array(both([ev.rage for ev in c_ev], 0), pa.int32()),
            "dead": both([ev.dead for ev in c_ev], False),
            "error": both([ev.error for ev in c_ev], False),
            "width_class": _width_classes(widths, vw),
        }  # fmt: skip
        out["interactions"] = _table(INTERACTION_COLUMNS, cols)

    leaves = gathered["leave"]
    if leaves.ev:
        lv = leaves.ev
        out["leaves"] = _table(LEAVE_COLUMNS, {
            **ids(np.asarray(leaves.env)), "view_id": [ev.v for ev in lv],
            "t": pa.array([ev.t for ev in lv], pa.int64()),
            "vis_ms": pa.array([ev.vis for ev in lv], pa.int64()),
            "depth": [float(ev.depth) for ev in lv], "dh": [float(ev.dh) for ev in lv],
        })  # fmt: skip

    def common(g: _Gathered) -> dict[str, Any]:
        return {
            **ids(np.asarray(g.env)), "view_id": [ev.v for ev in g.ev],
            "t": pa.array([ev.t for ev in g.ev], pa.int64()), **dimensions(np.asarray(g.dim)),
        }  # fmt: skip

    vw_of_dims = np.asarray(dims_vw, np.float64)

    def view_vw(g: _Gathered) -> np.ndarray:
        return vw_of_dims[np.asarray(g.dim, np.int64)]

    scrolls = gathered["scroll"]
    if scrolls.ev:
        sc = scrolls.ev
        out["scrolls"] = _table(SCROLL_COLUMNS, {
            **common(scrolls), "vw": view_vw(scrolls), "depth": [float(ev.depth) for ev in sc],
            "dh": [float(ev.dh) for ev in sc], "vh": [float(ev.vh) for ev in sc],
            "bands": pa.array([list(ev.bands) for ev in sc], pa.list_(pa.float64())),
        })  # fmt: skip
    errors = gathered["error"]
    if errors.ev:
        er = errors.ev
        out["errors"] = _table(ERROR_COLUMNS, {
            **common(errors), "msg": [ev.msg for ev in er], "hash": [ev.hash for ev in er],
            "n": pa.array([ev.n for ev in er], pa.int32()),
        })  # fmt: skip
    layouts = gathered["layout"]
    if layouts.ev:
        la = layouts.ev
        vw = view_vw(layouts)
        out["layouts"] = _table(LAYOUT_COLUMNS, {
            **common(layouts), "vw": vw, "width_class": _width_classes(widths, vw),
            "hash": [ev.h for ev in la], "dw": [float(ev.dw) for ev in la],
            "dh": [float(ev.dh) for ev in la],
        })  # fmt: skip
    goals = gathered["goal"]
    if goals.ev:
        out["goals"] = _table(GOAL_COLUMNS, {
            **common(goals), "goal": [ev.name for ev in goals.ev],
            "value": pa.array([ev.value for ev in goals.ev], pa.float64()),
        })  # fmt: skip
    identities = gathered["identify"]
    if identities.ev:
        ident = identities.ev
        out["identities"] = _table(IDENTITY_COLUMNS, {
            **ids(np.asarray(identities.env)), "view_id": [ev.v for ev in ident],
            "t": pa.array([ev.t for ev in ident], pa.int64()),
            "user_id": [ev.user for ev in ident], "user_name": [ev.name or "" for ev in ident],
        })  # fmt: skip
    return out


#: Kinds whose rows carry no view dimensions (so their view is never looked up).
_UNDIMENSIONED = frozenset({"view", "leave", "identify"})
_UTM = ("source", "medium", "campaign", "term", "content")
_STRINGS = pa.list_(pa.string())
_TAGS = ("env", "version", "service")

#: Which table each event kind but ``view`` goes to.
_KIND_TABLE = {"click": "interactions", "move": "interactions", "leave": "leaves",
               "scroll": "scrolls", "error": "errors", "layout": "layouts",
               "goal": "goals", "identify": "identities"}  # fmt: skip


class _Gathered:
    """The events of one kind: each with its envelope's index and its dimensions'."""

    __slots__ = ("dim", "env", "ev")

    def __init__(self) -> None:
        self.env: list[int] = []
        self.dim: list[int] = []
        self.ev: list[Any] = []


def _coded(indices: pa.Array, values: list[str]) -> pa.DictionaryArray:
    """A string column as indices into ``values`` (which may repeat: only reads map it)."""
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, pa.string()))


_WIDTH_CLASS_NAMES = pa.array(WIDTH_CLASSES, pa.string())


def _width_classes(widths: WidthClasses, vw: np.ndarray) -> pa.DictionaryArray:
    """The width class of each viewport width, in one numpy pass."""
    return pa.DictionaryArray.from_arrays(pa.array(widths.codes(vw)), _WIDTH_CLASS_NAMES)


def _table(columns: tuple[str, ...], cols: dict[str, Any]) -> pa.Table:
    return pa.table({c: cols[c] for c in columns})


def _dims(view: Row, env: Envelope | None) -> tuple[Any, ...]:
    """The view's filter dimensions (:data:`VIEW_DIMENSIONS`), in order; for a view that
    never arrived, the request's own (who sent this) and empty for the rest."""
    if not view and env is not None:
        return tuple(
            getattr(env, d) if d in _REQUEST_DIMENSIONS else [] if d in LIST_DIMENSIONS else ""
            for d in VIEW_DIMENSIONS
        )
    return tuple(
        list(view.get(d) or ()) if d in LIST_DIMENSIONS else view.get(d, "") or ""
        for d in VIEW_DIMENSIONS
    )


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
