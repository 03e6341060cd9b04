"""What a caller asks for, read from plain strings: times, numbers, width classes,
filters and whole queries.

The query API, share links (their stored parameters), exports and the CLI all read their
parameters here, so a parameter means the same everywhere and is refused with the same
words. Nothing here knows HTTP: a bad parameter is a :class:`ValueError` naming it, an
unknown app a :class:`LookupError`; the web turns those into 400 and 404
(``web/deps.py``), the CLI into its usage errors.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pageheat import outcomes
from pageheat.filters import is_filter
from pageheat.store.base import FILTERS, Query, parse_filters

if TYPE_CHECKING:
    from pageheat.app import Pageheat
    from pageheat.meta import App

#: What one side of a comparison may set for itself (``a.from``, ``b.device``,
#: ``b.cohort``, …).
SIDE_PARAMS = frozenset({"width", "from", "to", "cohort", *FILTERS})


def parse_time(text: str | None, name: str) -> int | None:
    """ISO date or date-time (UTC when no zone is given) → ms since the epoch."""
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be an ISO date or date-time, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def iso(ms: int | None) -> str | None:
    """ms since the epoch as pageheat writes times (UTC, to the second); None stays None."""
    return (
        None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds")
    )


def number(
    params: Mapping[str, str], name: str, default: float | None, lo: float | None = None,
    hi: float | None = None,
) -> float | None:  # fmt: skip
    """A finite number parameter within ``[lo, hi]`` (``default`` when absent or empty)."""
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
        raise ValueError(f"{name} must be a number{span}, got {text!r}")
    return value


def choice(value: str, name: str, allowed: tuple[str, ...]) -> str:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"{name} must be {' or '.join(allowed)}, got {value!r}")
    return value


def app_of(ph: Pageheat, key: str) -> App:
    """The app of ``key``; LookupError when there is none."""
    app = ph.meta.app(key)
    if app is None:
        raise LookupError(f"no app with key {key!r}")
    return app


def query(ph: Pageheat, key: str, view: str | None, params: Mapping[str, str]) -> Query:
    """The Query of app ``key`` and ``view`` from plain parameters: ``width`` (default
    desktop), ``from``, ``to``, every filter of ``store.base.FILTERS``, every ``tag.KEY``
    and ``cohort`` (``outcomes.cohort``: resolved here, once per request); other names are
    not read. Every reader of events (the API, the exports, share links) builds its Query
    here."""
    app_of(ph, key)
    wr = ph.width_range(params.get("width") or "desktop")
    filters = parse_filters({n: v for n, v in params.items() if is_filter(n)})
    q = Query(
        app=key, view=view, width=wr, start_ms=parse_time(params.get("from"), "from"),
        end_ms=parse_time(params.get("to"), "to"), filters=filters,
    )  # fmt: skip
    text = (params.get("cohort") or "").strip()
    return replace(q, cohort=outcomes.cohort(ph, q, text)) if text else q


def side_queries(
    ph: Pageheat, key: str, view: str, params: Mapping[str, str]
) -> tuple[Query, Query, Query]:
    """Side a, side b and the shared query (the view at the shared width, whose default
    background both sides are drawn on) from ``a.*``, ``b.*`` and unprefixed parameters;
    a prefixed name overrides the unprefixed one for its side."""
    shared: dict[str, str] = {}
    sides: dict[str, dict[str, str]] = {"a": {}, "b": {}}
    for name, value in params.items():
        side, dot, rest = name.partition(".")
        if dot and side in sides:
            if rest not in SIDE_PARAMS and not is_filter(rest):
                raise ValueError(f"{name}: a side takes width, from, to, cohort or a filter"
                                 f" ({', '.join(FILTERS)}, tag.KEY), not {rest!r}")  # fmt: skip
            sides[side][rest] = value
        else:
            shared[name] = value
    app_of(ph, key)
    out = []
    for side in ("a", "b"):
        try:
            out.append(query(ph, key, view, {**shared, **sides[side]}))
        except ValueError as exc:
            raise ValueError(f"side {side} ({side}.*): {exc}") from None
    return out[0], out[1], query(ph, key, view, {"width": shared.get("width", "")})
