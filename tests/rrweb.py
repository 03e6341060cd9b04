"""Building the trees rrweb-snapshot serialises, for tests that post or sanitise one."""

from __future__ import annotations

import itertools
from typing import Any

_ids = itertools.count(1)


def el(tag: str, attrs: dict[str, Any] | None = None, *children: dict, svg: bool = False) -> dict:
    """An element node (type 2)."""
    node = {"type": 2, "tagName": tag, "attributes": attrs or {}, "childNodes": list(children),
            "id": next(_ids)}  # fmt: skip
    if svg:
        node["isSVG"] = True
    return node


def text(t: str, **kw: Any) -> dict:
    """A text node (type 3); ``isStyle=True`` for a <style>'s text."""
    return {"type": 3, "textContent": t, "id": next(_ids), **kw}


def doc(*body: dict, head: tuple | list = ()) -> dict:
    """A document (type 0): doctype, then <html> with ``head`` and ``body`` children."""
    return {"type": 0, "id": next(_ids), "childNodes": [
        {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": next(_ids)},
        el("html", {}, el("head", {}, *head), el("body", {}, *body)),
    ]}  # fmt: skip
