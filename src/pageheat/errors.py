"""The one shape of a refusal, whoever answers it: ``{"error": message, "field":
path-or-null}``.

``field`` is the JSON path a message names (the protocol's "… at `$.events[3].x`"), so a
sender's code can point at the bad field without parsing the words.
"""

from __future__ import annotations

import re

_FIELD = re.compile(r"(?:at|in) `(\$[^`]*)`")


def error_body(message: str, field: str | None = None) -> dict[str, str | None]:
    """The error object of ``message``; ``field`` when given, else the path it names."""
    if field is None:
        match = _FIELD.search(message)
        field = match.group(1) if match else None
    return {"error": message, "field": field}
