"""The sessions behind the heat: which sessions a heatmap's click, element, area, action or
frustration badge stands for, and what one of them did.

Plain code over the event store (``store/sessions.py``), the backgrounds service and the
heat engine's placement, shared by the API (``web/sessions.py``) and anything else that
asks. An area is placed exactly as the area counts place it (:func:`pageheat.reports.area`:
the raw points of the map's kind on the chosen background, element-anchored where the
element is measured, then :func:`pageheat.heat.inside`), so "N sessions" over a dragged
rectangle are the sessions of the very points the rectangle counted.

Whether a session has a replay is asked of ``ph.replays`` (the replay store) when the
process has one; without it every session says ``has_replay: false``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pageheat import heat, reports
from pageheat import kinds as registry
from pageheat.heat.placement import place
from pageheat.params import number, query
from pageheat.store.base import Query
from pageheat.store.sessions import HAS, SessionFilter

if TYPE_CHECKING:
    from pageheat.app import Pageheat

#: Sessions a page lists when the caller does not say, and at most.
LIMIT = 25
LIMIT_MAX = 100
#: Every width, for a list that does not name one (a heatmap's default is desktop).
ALL_WIDTHS = "0-1000000"


@dataclass(frozen=True)
class Narrowing:
    """Which clicks a session must have made to be listed: on ``selector``, inside the
    ``area`` ``(x, y, w, h)`` of the view's background ``background`` (page px, as the
    heatmap is drawn), of ``kind``. ``kind`` alone (no selector, no area) is "made one
    of these"; nothing at all is no narrowing."""

    kind: str | None = None
    selector: str | None = None
    area: tuple[float, float, float, float] | None = None
    background: str | None = None

    @property
    def clicks(self) -> bool:
        return self.kind is not None or self.selector is not None or self.area is not None


def parse(
    ph: Pageheat, key: str, plain: Mapping[str, str]
) -> tuple[Query, Narrowing, SessionFilter]:
    """The query, the click narrowing and the session filter of plain parameters: every
    heatmap filter, ``width`` (default every width, or desktop as the heatmap's when an
    area is asked), ``from``, ``to``, ``view``, ``selector``, ``x``/``y``/``w``/``h``
    (all four), ``kind``, ``background``, ``duration_min``/``duration_max`` (seconds),
    ``pages_min``/``pages_max``, ``has`` (some of rage, dead, error) and ``user``.
    ValueError names a bad parameter, LookupError an unknown app."""
    view = plain.get("view") or None
    coords = [plain.get(n) or "" for n in "xywh"]
    area = None
    if any(coords):
        if not all(coords):
            raise ValueError("x, y, w and h: an area needs all four")
        if view is None:
            raise ValueError("view: an area is on a view's background, name the view")
        x, y, w, h = (number(plain, n, 0.0, 0 if n in "wh" else None) for n in "xywh")
        area = (float(x or 0), float(y or 0), float(w or 0), float(h or 0))
    width = plain.get("width") or ("desktop" if area else ALL_WIDTHS)
    q = query(ph, key, view, {**plain, "width": width})
    kind = plain.get("kind") or None
    if kind is not None and kind not in registry.POINT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(registry.POINT_KINDS)}, got {kind!r}")
    selector = plain.get("selector") or None
    if (selector or area) and kind is None:
        kind = "click"
    has = frozenset(h for h in (plain.get("has") or "").split(",") if h)
    for h in has:
        if h not in HAS:
            raise ValueError(f"has must be some of {', '.join(HAS)}, got {h!r}")

    def ms(name: str) -> int | None:
        v = number(plain, name, None, 0)
        return None if v is None else round(v * 1000)

    def count(name: str) -> int | None:
        v = number(plain, name, None, 0)
        return None if v is None else int(v)

    narrow = SessionFilter(
        duration_min_ms=ms("duration_min"), duration_max_ms=ms("duration_max"),
        pages_min=count("pages_min"), pages_max=count("pages_max"), has=has,
        user=plain.get("user") or None,
    )  # fmt: skip
    return q, Narrowing(kind, selector, area, plain.get("background") or None), narrow


def encode_cursor(after: tuple[int, str]) -> str:
    raw = json.dumps([int(after[0]), str(after[1])], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str | None) -> tuple[int, str] | None:
    """A page's ``next``, as :func:`encode_cursor` wrote it; ValueError names ``cursor``."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        start, sid = json.loads(raw)
        if not isinstance(start, int) or not isinstance(sid, str):
            raise TypeError
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValueError("cursor: not a cursor this API gave (take `next` as it is)") from None
    return start, sid


def matched_clicks(
    ph: Pageheat, q: Query, narrowing: Narrowing, capture: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """``(session, t)`` of each click the narrowing picks: on the selector, of the kind,
    inside the area as the area counts place it on the view's chosen background."""
    kind = narrowing.kind or "click"
    clicks = ph.store.session_clicks(q, kind, narrowing.selector)
    if narrowing.area is None or not len(clicks):
        return clicks.session, clicks.t
    pts = clicks.points
    if capture:
        bg = ph.backgrounds.ensure(q, pts.selectors, narrowing.background)
    else:
        bg = ph.backgrounds.choose(q, narrowing.background)
    if bg is not None:
        width, height, rects = bg.width, bg.height, bg.rects
    else:
        # no picture yet: the page size the area counts use too
        (width, height), rects = reports._page_size(ph, q, pts), None
    placed = place(pts, float(width), rects)
    x, y, w, h = narrowing.area
    mask = heat.inside(placed, x, y, w, h, width, height)
    return clicks.session[mask], clicks.t[mask]


def session_list(
    ph: Pageheat, key: str, plain: Mapping[str, str], limit: int = LIMIT,
    cursor: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """``{"sessions", "next", "total"}`` for plain parameters (:func:`parse`)."""
    if not 1 <= int(limit) <= LIMIT_MAX:
        raise ValueError(f"limit must be from 1 to {LIMIT_MAX}, got {limit}")
    q, narrowing, narrow = parse(ph, key, plain)
    after = decode_cursor(cursor)
    within, clicked = None, None
    moments: dict[str, list[int]] = {}
    if narrowing.clicks:
        sess, t = matched_clicks(ph, q, narrowing)
        for s_id, at in zip(sess.tolist(), t.tolist(), strict=True):
            moments.setdefault(str(s_id), []).append(int(at))
        if narrowing.area is not None:
            within = list(moments)  # placed here: the sessions are these
        else:
            # the same clicks, found again by the database (no list of ids to send)
            clicked = (narrowing.kind or "click", narrowing.selector)
    page = ph.store.session_list(q, within, narrow, limit, after, clicked)
    replayed = with_replay(ph, key, [x["id"] for x in page.sessions])
    out = []
    for x in page.sessions:
        at = sorted(moments.get(x["id"], ()))
        out.append({**x, "has_replay": x["id"] in replayed,
                    "moments": [t - x["start"] for t in at]})  # fmt: skip
    return {
        "sessions": out, "next": encode_cursor(page.next) if page.next else None,
        "total": page.total,
    }  # fmt: skip


def session_detail(ph: Pageheat, key: str, session: str) -> dict[str, Any]:
    """One session with its timeline; LookupError when the app has no such session."""
    query(ph, key, None, {})  # the app must exist
    found = ph.store.session_timeline(key, session)
    if found is None:
        raise LookupError(f"no session {session!r} in app {key!r}")
    return {**found, "has_replay": session in with_replay(ph, key, [session])}


def with_replay(ph: Pageheat, app: str, sessions: list[str]) -> set[str]:
    """Which of ``sessions`` the replay store holds a replay of (none without one)."""
    replays = getattr(ph, "replays", None)
    if replays is None or not sessions:
        return set()
    return set(replays.with_replay(app, sessions))
