"""Every heatmap kind pageheat draws, declared once as data.

A kind is one entry of :data:`KINDS`: what the store reads for it (a point kind's SQL
condition over ``interactions`` rows and over ``heat_rollup`` rows; a band kind's depth
statistic), the setting naming its minimum sessions, its palette family, and every word
a person reads about it (the dashboard's button and legend, the export's header, the
CLI's help). The store, the reports, the exports, the CLI and the dashboard (through
``GET /api/v1/kinds``) all read this table, so adding a kind is one entry here plus its
tests. This module imports nothing of pageheat: the store sits above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BAND_KINDS",
    "KINDS",
    "POINT_KINDS",
    "Kind",
    "kind",
    "point_conditions",
    "rollup_conditions",
]

Mode = Literal["points", "bands"]


@dataclass(frozen=True, kw_only=True)
class Kind:
    """One heatmap kind.

    Point kinds are positions drawn as blobs, read with ``where`` (a condition over the
    ``interactions`` table's columns, the same SQL on every backend) or, when the heat
    rollup covers a query, with ``rollup`` (over ``heat_rollup``'s columns). Band kinds
    vary with depth only and are drawn from each page view's depths by ``band``
    (``scroll``: the share of page views that reached each depth; ``attention``: mean
    seconds each 5 % band was in view).
    """

    #: Public name: ``?kind=``, ``--kind``, saved heatmaps and share links.
    name: str
    #: The dashboard's button.
    label: str
    #: The map as a sentence names it: "rage-click map" (an export's header).
    title: str
    mode: Mode
    #: What one counted thing is, singular and plural ("rage click", "rage clicks").
    one: str
    many: str
    #: What the legend says is counted.
    counted: str
    #: The unit of the colour scale, as a legend writes it.
    unit: str
    #: The empty state when there is nothing of this kind: it says why.
    empty: str
    #: One line saying what it shows (served by ``GET /api/v1/kinds``).
    help: str
    #: The palette family it is drawn with: ``points`` (the palette a person picks) or
    #: ``bands`` (one table, an even wash that leaves the page readable).
    palette: Literal["points", "bands"]
    #: The setting (``settings.py``) holding the sessions under which a map of this kind
    #: carries a warning; None: never (one rage click is worth seeing).
    min_sessions: str | None = None
    #: Point kinds: the SQL condition over ``interactions`` rows and over ``heat_rollup``
    #: rows (None: the rollup cannot tell these points apart, the map reads the raw rows).
    #: Band kinds: which depth statistic draws them.
    where: str | None = None
    rollup: str | None = None
    band: Literal["scroll", "attention"] | None = None
    #: A frustration signal (rage, dead, error clicks): a map of none, over page views,
    #: is good news rather than a gap, so the dashboard says so instead of "try another
    #: width".
    frustration: bool = False
    #: Drawn towards a goal (``goal=ID``), which it needs: each spot coloured by the
    #: conversion rate of the sessions that clicked there (``outcomes.conversion_map``).
    goal: bool = False


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            name="click", label="Click", title="click map", mode="points",
            one="click", many="clicks", counted="clicks", unit="clicks",
            empty="No clicks in this width class yet.",
            help="Clicks and taps where they landed.",
            palette="points", min_sessions="min_sessions_click",
            where="kind = 'click'", rollup="kind = 'click'",
        ),
        Kind(
            name="move", label="Move", title="move map", mode="points",
            one="cursor position", many="cursor positions", counted="cursor positions",
            unit="cursor positions",
            empty="No cursor moves recorded at this width (moves are desktop-only).",
            help="Cursor positions, sampled up to 10 times a second (desktop only).",
            palette="points", min_sessions="min_sessions_move",
            where="kind = 'move'", rollup="kind = 'move'",
        ),
        Kind(
            name="scroll", label="Scroll", title="scroll map", mode="bands",
            one="page view", many="page views",
            counted="the share of page views that reached each depth",
            unit="share of page views",
            empty="No scroll depths recorded at this width yet.",
            help="The share of page views whose deepest scroll reached each depth.",
            palette="bands", min_sessions="min_sessions_scroll", band="scroll",
        ),
        Kind(
            name="attention", label="Attention", title="attention map", mode="bands",
            one="second", many="seconds",
            counted="mean seconds each part of the page was in view, per page view",
            unit="seconds", empty="No time in view recorded at this width yet.",
            help="Mean seconds each 5 % band of the page was in view, per page view.",
            palette="bands", min_sessions="min_sessions_scroll", band="attention",
        ),
        Kind(
            name="rage", label="Rage", title="rage-click map", mode="points",
            one="rage click", many="rage clicks", counted="rage clicks (one per burst)",
            unit="rage clicks", empty="No rage clicks in this period — good news.",
            help="Rage clicks: one per burst of clicks in one place, at its first click.",
            palette="points", frustration=True,
            where="kind = 'click' AND rage > 0", rollup="kind = 'click' AND is_rage = 1",
        ),
        Kind(
            name="dead", label="Dead", title="dead-click map", mode="points",
            one="dead click", many="dead clicks", counted="dead clicks", unit="dead clicks",
            empty="No dead clicks in this period — good news.",
            help="Dead clicks: nothing on the page changed after them.",
            palette="points", frustration=True,
            where="kind = 'click' AND dead", rollup="kind = 'click' AND is_dead = 1",
        ),
        Kind(
            name="error", label="Error", title="error-click map", mode="points",
            one="error click", many="error clicks", counted="error clicks",
            unit="error clicks", empty="No error clicks in this period — good news.",
            help="Error clicks: a JavaScript error followed them.",
            palette="points", frustration=True,
            where="kind = 'click' AND error", rollup="kind = 'click' AND is_error = 1",
        ),
        Kind(
            name="inert", label="Not clickable", title="map of clicks on what is not clickable",
            mode="points", one="click on a non-interactive element",
            many="clicks on non-interactive elements",
            counted="clicks on elements that are not links, buttons or controls",
            unit="clicks", frustration=True,
            empty="No clicks on non-interactive elements in this period — good news.",
            help="Clicks on elements that are not links, buttons or form controls: what"
                 " visitors expected to respond.",
            palette="points", min_sessions="min_sessions_click",
            # the rollup keeps no interactive flag: this map always reads the clicks
            where="kind = 'click' AND NOT interactive",
        ),
        Kind(
            name="conversion", label="Conversion", title="conversion map", mode="points",
            one="click", many="clicks",
            counted="the share of the sessions clicking each spot that reached the goal",
            unit="share of sessions converted", empty="No clicks in this width class yet.",
            help="Clicks coloured by the conversion rate, towards goal=ID, of the sessions"
            " that made them.",
            palette="points", min_sessions="min_sessions_conversion", goal=True,
            where="kind = 'click'", rollup="kind = 'click'",
        ),
    )
}  # fmt: skip

#: Names of the kinds drawn from points, and of those drawn as depth bands.
POINT_KINDS = tuple(n for n, k in KINDS.items() if k.mode == "points")
BAND_KINDS = tuple(n for n, k in KINDS.items() if k.mode == "bands")


def kind(name: str) -> Kind:
    """The kind called ``name``; ValueError naming the kinds otherwise."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {name!r}") from None


def point_conditions() -> dict[str, str]:
    """Point kind → its condition over ``interactions`` rows (``store.base.POINT_KINDS``)."""
    return {n: k.where for n, k in KINDS.items() if k.where is not None}


def rollup_conditions() -> dict[str, str]:
    """Point kind → its condition over ``heat_rollup`` rows (``store.rollup.KINDS``)."""
    return {n: k.rollup for n, k in KINDS.items() if k.rollup is not None}


def _check() -> None:
    """A kind of each mode carries what its mode needs: a wrong entry fails at import."""
    for k in KINDS.values():
        points = k.mode == "points"
        if (
            points != (k.where is not None)
            or points == bool(k.band)
            or (k.rollup is not None and not points)
        ):
            raise ValueError(f"kind {k.name!r}: a point kind has where (and maybe rollup),"
                             " a band kind a band statistic")  # fmt: skip


_check()
