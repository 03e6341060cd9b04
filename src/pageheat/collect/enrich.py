"""What the collector adds to a batch before storing it: device, browser, OS, view names.

Only facts derived from the request are added; the IP address is used for nothing stored.
"""

from __future__ import annotations

import re
from functools import lru_cache

import msgspec
from ua_parser import parse as parse_ua

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


def name_views(events: list) -> list:
    """Give every view event its name: the explicit one, or its folded path."""
    out = []
    for ev in events:
        if ev.k == "view" and not ev.name:
            ev = msgspec.structs.replace(ev, name=fold_path(ev.path))
        out.append(ev)
    return out
