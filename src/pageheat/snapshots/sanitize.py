"""Static, inert HTML from a visitor's DOM snapshot (rrweb-snapshot's serialised tree).

A snapshot comes from the open internet: anyone can post one. What is kept is what draws
the page — elements, their attributes, text, inlined stylesheets and images — and nothing
that can act: no ``<script>``, no ``on…=`` handler, no ``javascript:`` URL, no frames,
objects or embeds, no ``<meta http-equiv>`` (a refresh acts without script), no
``<noscript>`` (its content only shows where script is off, as in the renderer, and the
visitor did not see it), no ``<base>``. Input values are dropped whatever the tracker did.
The page then gets a Content-Security-Policy that allows only inline styles and ``data:``
images and fonts, so even a gap here cannot reach the network or run code; the renderer
adds a third wall (JavaScript off, every request refused).

The walk is iterative: a hostile tree 100 000 levels deep must get a 400, not a
``RecursionError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any

#: Dropped with everything inside them.
DROP = frozenset({
    "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet",
    "base", "portal", "template", "animate", "set", "animatemotion", "animatetransform",
    "handler", "listener",
})  # fmt: skip
VOID = frozenset({
    "area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
})  # fmt: skip
#: Attributes whose value is a URL (or a list of them) that a browser may follow or load.
URL_ATTRS = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "cite",
    "data", "srcset", "ping", "longdesc", "manifest", "codebase", "lowsrc",
})  # fmt: skip
#: Input types whose value is the button's label, not something typed.
LABEL_INPUTS = frozenset({"button", "submit", "reset"})
FORM_FIELDS = frozenset({"input", "option", "select", "textarea"})
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"

_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_.:-]{0,63}$")
_PX = re.compile(r"\d{1,6}(\.\d+)?px")
_TAG = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{0,63}$")
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)\s*:?", re.IGNORECASE)

DOCUMENT, DOCTYPE, ELEMENT, TEXT, CDATA, COMMENT = range(6)


class BadSnapshot(ValueError):
    """A snapshot refused whole; the message names the node (``$.dom.childNodes[1]…``)."""


@dataclass(frozen=True)
class Page:
    html: str
    nodes: int


def to_html(dom: Any, max_nodes: int = 200_000, max_depth: int = 1_000) -> Page:
    """Inert HTML of an rrweb-snapshot tree; raises :class:`BadSnapshot` naming the node."""
    if not isinstance(dom, dict) or dom.get("type") != DOCUMENT:
        raise BadSnapshot("Expected an rrweb document node (type 0) - at `$.dom`")
    out: list[str] = []
    nodes = 0
    # The stack holds nodes to open and strings to write when a node closes.
    stack: list[tuple[Any, str, int, str | None] | str] = [
        (c, f"$.dom.childNodes[{i}]", 1, None) for i, c in reversed(_children(dom, "$.dom"))
    ]
    saw_head = False
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node, path, depth, parent = item
        nodes += 1
        if nodes > max_nodes:
            raise BadSnapshot(f"snapshot has over {max_nodes} nodes - at `{path}`")
        if depth > max_depth:
            raise BadSnapshot(f"snapshot is nested over {max_depth} levels - at `{path}`")
        if not isinstance(node, dict):
            raise BadSnapshot(f"Expected a node object - at `{path}`")
        kind = node.get("type")
        if kind == DOCTYPE:
            out.append("<!DOCTYPE html>")
        elif kind == TEXT:
            text = node.get("textContent", "")
            if not isinstance(text, str):
                raise BadSnapshot(f"Expected `str` - at `{path}.textContent`")
            if parent == "style" or node.get("isStyle"):
                out.append(_css(text))
            elif parent != "textarea":  # what was typed into a textarea is its text
                out.append(escape(text, quote=False))
        elif kind == ELEMENT:
            tag = node.get("tagName")
            if not isinstance(tag, str) or not _TAG.match(tag):
                raise BadSnapshot(f"Expected a tag name - at `{path}.tagName`")
            tag = tag.lower()
            if tag in DROP or (tag == "meta" and _has(node, "http-equiv")):
                continue
            attrs = node.get("attributes", {})
            if not isinstance(attrs, dict):
                raise BadSnapshot(f"Expected an object - at `{path}.attributes`")
            if tag == "link":  # a stylesheet rrweb inlined becomes a <style>; others go
                css = attrs.get("_cssText")
                if isinstance(css, str):
                    out.append(f"<style>{_css(css)}</style>")
                continue
            css = attrs.get("_cssText")
            out.append(f"<{tag}{_attributes(tag, attrs, path)}>")
            if tag == "head" and not saw_head:
                saw_head = True
                out.append(
                    f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CSP}">'
                )
            if tag in VOID:
                continue
            stack.append(f"</{tag}>")
            if tag == "style" and isinstance(css, str):
                stack.append(_css(css))  # rrweb keeps a <style>'s rules here, not as text
                continue
            for i, child in reversed(_children(node, path)):
                stack.append((child, f"{path}.childNodes[{i}]", depth + 1, tag))
        elif kind in (CDATA, COMMENT):
            continue
        elif kind == DOCUMENT:
            raise BadSnapshot(f"a document inside a document - at `{path}`")
        else:
            raise BadSnapshot(f"Expected a node type 1-5, got {kind!r} - at `{path}.type`")
    html = "".join(out)
    if not saw_head:  # the policy must come first whatever the tree looked like
        html = (
            f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CSP}">'
            + html
        )
    return Page(html=html, nodes=nodes)


def _children(node: dict[str, Any], path: str) -> list[tuple[int, Any]]:
    kids = node.get("childNodes", [])
    if not isinstance(kids, list):
        raise BadSnapshot(f"Expected an array - at `{path}.childNodes`")
    return list(enumerate(kids))


def _has(node: dict[str, Any], name: str) -> bool:
    attrs = node.get("attributes")
    return isinstance(attrs, dict) and any(k.lower() == name for k in attrs)


def _attributes(tag: str, attrs: dict[str, Any], path: str) -> str:
    parts = []
    input_type = str(attrs.get("type", "")).lower() if tag == "input" else ""
    for name, value in attrs.items():
        low = name.lower()
        if low.startswith("rr_") or low.startswith("_") or low.startswith("on"):
            continue
        if not _NAME.match(name) or low in {"srcdoc", "is", "nonce", "autofocus"}:
            continue
        typed = low in {"value", "checked", "selected"} and tag in FORM_FIELDS
        if typed and not (tag == "input" and input_type in LABEL_INPUTS and low == "value"):
            continue
        if value is None or value is False:
            continue
        text = "" if value is True else str(value)
        if low in URL_ATTRS and _SCRIPT_URL.match(text):
            continue
        if low == "style":
            text = _css(text)
        parts.append(
            f' {name}="{escape(text, quote=True)}"' if text or value is not True else f" {name}"
        )
    # rrweb gives blocked elements and inlined images their pixels here.
    data_url = attrs.get("rr_dataURL")
    if tag == "img" and isinstance(data_url, str) and data_url.startswith("data:image/"):
        parts = [p for p in parts if not p.startswith((" src=", " srcset="))]
        parts.append(f' src="{escape(data_url, quote=True)}"')
    w, h = attrs.get("rr_width"), attrs.get("rr_height")
    if isinstance(w, str) and isinstance(h, str) and _is_px(w) and _is_px(h):
        parts = [p for p in parts if not p.startswith(" style=")]
        parts.append(f' data-pageheat-blocked style="width:{w};height:{h};display:block"')
    return "".join(parts)


def _is_px(v: str) -> bool:
    return _PX.fullmatch(v) is not None


def _css(text: str) -> str:
    """CSS that cannot close its ``<style>`` and open markup of its own: ``<`` has no use
    in CSS outside strings, where the escape ``\\3c `` means the same character."""
    return text.replace("<", "\\3c ")
