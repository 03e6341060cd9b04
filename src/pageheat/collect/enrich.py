"""What the collector adds to a batch before storing it: device, browser, OS, country and
city, view names.

Only facts derived from the request are added; the IP address is looked up in the GeoIP
database (when one is configured) and then forgotten.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from functools import lru_cache

import msgspec
from ua_parser import parse as parse_ua

log = logging.getLogger(__name__)

_ID_SEGMENT = re.compile(
    r"""^(?:
        \d+                                   # 123
      | [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}   # uuid
      | [0-9a-f]{12,}                         # long hex: hashes, object ids
      | (?=[a-z0-9_-]*\d)(?=[a-z0-9_-]*[a-z])[a-z0-9_-]{16,}   # long tokens with digits
    )$""",
    re.VERBOSE | re.IGNORECASE,
)


def fold_path(path: str) -> str:
    """A view name from a URL path: id-like segments become ``?`` (``/users/123`` → ``/users/?``).

    Pages that differ only by an id are one page to a product team, and one heatmap.
    """
    path = path.split("?", 1)[0].split("#", 1)[0] or "/"
    segments = [("?" if _ID_SEGMENT.match(s) else s) for s in path.split("/")]
    folded = "/".join(segments)
    if len(folded) > 1:
        folded = folded.rstrip("/") or "/"
    return folded if folded.startswith("/") else "/" + folded


@lru_cache(maxsize=4096)
def classify_agent(user_agent: str) -> tuple[str, str, str]:
    """(device class, browser family, OS family) of a User-Agent string.

    Device class is ``desktop``, ``mobile``, ``tablet`` or ``bot``; width classes come from
    the viewport, this from the device, and the two disagree for a narrow desktop window.
    """
    if not user_agent:
        return "desktop", "Other", "Other"
    result = parse_ua(user_agent[:1024])
    browser = result.user_agent.family if result.user_agent else "Other"
    os_family = result.os.family if result.os else "Other"
    device = result.device
    fam = (device.family if device else "") or ""
    brand = (device.brand if device else "") or ""
    if fam == "Spider" or "bot" in user_agent.lower().split("/", 1)[0]:
        kind = "bot"
    elif "Tablet" in brand or fam in {"iPad", "Kindle"} or "Tablet" in fam:
        kind = "tablet"
    elif os_family in {"iOS", "Android"} or "Mobile" in user_agent:
        kind = "tablet" if os_family == "Android" and "Mobile" not in user_agent else "mobile"
    else:
        kind = "desktop"
    return kind, browser, os_family


#: An app's view-name rules: (pattern, name) pairs, tried in order.
Rules = tuple[tuple[str, str], ...]


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A view-name rule's pattern as a regular expression over the whole URL path.

    ``*`` is any run of characters inside one path segment, ``**`` any run across
    segments, ``?`` one character other than ``/``; everything else is literal and
    case-sensitive. ``/product/*`` matches ``/product/42`` but not ``/product/42/reviews``
    (``/product/**`` matches both); the query string and fragment are not part of the path.
    """
    out = []
    for part in re.split(r"(\*\*|\*|\?)", pattern):
        out.append({"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part) or re.escape(part))
    return re.compile("".join(out))


@lru_cache(maxsize=1024)
def _compiled(rules: Rules) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((glob_regex(p), name) for p, name in rules)


def view_name(path: str, rules: Rules = ()) -> str:
    """The name of a view without an explicit one: the first rule whose pattern matches the
    path, else the path with its ids folded."""
    clean = path.split("?", 1)[0].split("#", 1)[0] or "/"
    for regex, name in _compiled(tuple(rules)):
        if regex.fullmatch(clean):
            return name
    return fold_path(path)


def name_views(events: list, rules: Rules = ()) -> list:
    """Give every view event its name: the explicit one (``pageheat.startView(name)`` or
    ``data-view``), else the app's first matching rule, else its folded path."""
    out = []
    for ev in events:
        if ev.k == "view" and not ev.name:
            ev = msgspec.structs.replace(ev, name=view_name(ev.path, rules))
        out.append(ev)
    return out


@lru_cache(maxsize=4096)
def client_address(peer: str | None) -> str | None:
    """The visitor's IP address as the request's client (``request.client.host``), or
    None when that is not an address. Behind a proxy listed in ``trusted_proxies`` the
    web app has already put the client's address from ``X-Forwarded-For`` there
    (web/server.py), and nowhere else is that header believed. Cached: a visitor sends
    many batches, and parsing the address cost each a few per cent of the collector's
    time (docs/performance.md)."""
    text = peer or ""
    for form in (text, text.strip("[]"), text.rsplit(":", 1)[0].strip("[]")):
        try:
            return str(ipaddress.ip_address(form))
        except ValueError:
            continue
    return None


class Geo:
    """Country (ISO code) and city name of an IP address from a MaxMind database.

    Optional: without a database, or with one that cannot be read (a warning is logged
    once, here), every address is nowhere and the collector goes on.
    """

    def __init__(self, path: str = ""):
        self.path = path
        self._reader = None
        self._city = False
        if not path:
            return
        try:
            import geoip2.database

            reader = geoip2.database.Reader(path)
            kind = reader.metadata().database_type
        except Exception as exc:  # missing, unreadable, not an .mmdb file
            log.warning("GeoIP database %s cannot be read (%s): country and city stay empty",
                        path, exc)  # fmt: skip
            return
        if "City" in kind or "Enterprise" in kind:
            self._city = True
        elif "Country" not in kind:
            log.warning("GeoIP database %s is a %s database, not City or Country: country and"
                        " city stay empty", path, kind)  # fmt: skip
            reader.close()
            return
        self._reader = reader

    @property
    def enabled(self) -> bool:
        return self._reader is not None

    def locate(self, address: str | None) -> tuple[str, str]:
        """(country ISO code, English city name), empty strings where unknown."""
        if self._reader is None or not address:
            return "", ""
        try:
            found = self._reader.city(address) if self._city else self._reader.country(address)
        except Exception:  # not in the database, not an address, a damaged record
            return "", ""
        country = found.country.iso_code or ""
        city = (found.city.name or "") if self._city else ""
        return country, city

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
