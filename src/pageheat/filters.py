"""Every filter a heatmap, an insight or a view list can be narrowed by, declared once.

A filter is one entry of :data:`FILTERS`: its public name (query parameter, ``--filter
NAME=VALUE``, saved heatmaps), the column holding it in every table a read narrows (the
collector copies each page view's dimensions onto its events), its label and help text,
its fixed set of values if it has one, and how a value is written before it is compared.
The store, the web API, the CLI and the dashboard (through ``GET /api/v1/kinds``) read
this table, so adding a filter is one entry here (and its column in the store's schema)
plus its tests. This module imports nothing of pageheat: the store sits above it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["FILTERS", "TAG_PREFIX", "Filter", "is_filter", "parse_filters", "tag_key"]

#: ``tag.KEY=VALUE`` narrows by any ``pageheat.tag(KEY, VALUE)`` a page view carried. Tags
#: are the site's own names, so they are not entries of :data:`FILTERS`: every table a
#: read narrows keeps them as two parallel arrays (``tag_keys``, ``tag_values``).
TAG_PREFIX = "tag."
#: A tag key as the collector accepts it (collect/protocol.py ``KEY_PATTERN``): a letter,
#: then letters, digits, ``_``, ``.`` or ``-``.
_TAG_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, kw_only=True)
class Filter:
    """One filter: ``name=value`` keeps the events whose ``column`` is ``value`` (a comma
    list of values: any of them)."""

    #: Public name: query parameters, ``--filter``, saved heatmaps, share links.
    name: str
    #: The column holding it in ``pageviews``, ``interactions`` and every table a read
    #: narrows (``store/rows.py`` copies it from the page view).
    column: str
    #: The dashboard's picker.
    label: str
    #: One line for the API reference.
    help: str
    #: The only values it takes, when they are a fixed set (the picker offers them all).
    values: tuple[str, ...] = ()
    #: How a value is written before it is compared, as the collector stores it.
    case: Literal["exact", "lower", "upper"] = "exact"
    #: ``view``: a property of the page view, copied onto every table, narrowing every
    #: read. ``click``: a property of each click (``column`` is then SQL over the
    #: ``interactions`` columns), narrowing the clicks only, so page views, and the maps'
    #: "per 1 000 page views", still count every page view.
    on: Literal["view", "click"] = "view"

    def normalise(self, value: str) -> str:
        if self.case == "lower":
            return value.lower()
        if self.case == "upper":
            return value.upper()
        return value


FILTERS: dict[str, Filter] = {
    f.name: f
    for f in (
        Filter(name="device", column="device", label="Device",
               help="Device class: desktop, mobile, tablet or bot.",
               values=("desktop", "mobile", "tablet", "bot"), case="lower"),
        Filter(name="browser", column="browser", label="Browser",
               help="Browser family, e.g. Chrome, Firefox, Safari, Mobile Safari."),
        Filter(name="os", column="os", label="OS",
               help="Operating system family, e.g. Windows, Mac OS X, Linux, Android, iOS."),
        Filter(name="country", column="country", label="Country",
               help="Country, ISO 3166 code (needs the geoip_db setting), e.g. DE.",
               case="upper"),
        Filter(name="city", column="city", label="City",
               help="City name in English (needs the geoip_db setting)."),
        Filter(name="referrer", column="ref_source", label="Referrer",
               help="Traffic source: direct, or the referring host without www."),
        Filter(name="utm_source", column="utm_source", label="UTM source",
               help="utm_source of the page's URL."),
        Filter(name="utm_medium", column="utm_medium", label="UTM medium",
               help="utm_medium of the page's URL."),
        Filter(name="utm_campaign", column="utm_campaign", label="UTM campaign",
               help="utm_campaign of the page's URL."),
        Filter(name="utm_term", column="utm_term", label="UTM term",
               help="utm_term of the page's URL."),
        Filter(name="utm_content", column="utm_content", label="UTM content",
               help="utm_content of the page's URL."),
        Filter(name="visitor", column="visitor_type", label="New or returning",
               help="new (the visitor's first session) or returning.",
               values=("new", "returning"), case="lower"),
        Filter(name="interactive", on="click",
               column="CASE WHEN interactive THEN 'true' ELSE 'false' END",
               label="Clicked element",
               help="false: clicks on elements that are not links, buttons, form fields or"
                    " other controls (what visitors expected to respond); true: the rest."
                    " Narrows clicks only.",
               values=("true", "false"), case="lower"),
        Filter(name="env", column="env", label="Env",
               help="The env tag (pageheat.tag('env', ...))."),
        Filter(name="version", column="version", label="Version", help="The version tag."),
        Filter(name="service", column="service", label="Service", help="The service tag."),
    )
}  # fmt: skip


def tag_key(name: str) -> str | None:
    """The tag key of a ``tag.KEY`` filter name (None for any other name); ValueError for
    a key no page view can carry."""
    if not name.startswith(TAG_PREFIX):
        return None
    key = name[len(TAG_PREFIX) :]
    if not _TAG_KEY.match(key) or key in ("constructor", "prototype"):
        raise ValueError(f"{name}: a tag key starts with a letter, then letters, digits, _, . or -")
    return key


def is_filter(name: str) -> bool:
    """Whether a parameter name is a filter: a :data:`FILTERS` entry or ``tag.KEY``."""
    return name in FILTERS or name.startswith(TAG_PREFIX)


def parse_filters(raw: Mapping[str, str]) -> dict[str, str]:
    """Filters as a ``Query`` holds them: known names, each value a comma-separated
    list of alternatives (OR), empty values dropped, each written as the filter's
    ``case`` says (device and visitor lower-cased, country upper-cased, as the collector
    stores them). Raises ValueError naming the bad one."""
    out: dict[str, str] = {}
    for name, text in raw.items():
        if tag_key(name) is not None:
            tags = [v.strip() for v in str(text or "").split(",") if v.strip()]
            if tags:
                out[name] = ",".join(dict.fromkeys(tags))
            continue
        f = FILTERS.get(name)
        if f is None:
            raise ValueError(
                f"unknown filter {name!r}; filters are {', '.join(FILTERS)} and tag.KEY"
            )
        values = [f.normalise(v.strip()) for v in str(text or "").split(",") if v.strip()]
        bad = [v for v in values if f.values and v not in f.values]
        if bad:
            allowed = f.values
            raise ValueError(
                f"{name} must be {', '.join(allowed[:-1])} or {allowed[-1]} (or a comma list"
                f" of them), got {bad[0]!r}"
            )
        if values:
            out[name] = ",".join(dict.fromkeys(values))
    return out
