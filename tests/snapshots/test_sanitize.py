"""The sanitiser keeps what draws a page and drops everything that can act or leak."""

from __future__ import annotations

import pytest

from pageheat.snapshots.sanitize import CSP, BadSnapshot, to_html
from tests.rrweb import doc, el, text


def test_markup_text_and_inlined_styles_are_kept():
    page = to_html(doc(
        el("h1", {"class": "title"}, text("Spring sale <50 %>")),
        el("img", {"src": "https://x.test/a.png", "rr_dataURL": "data:image/png;base64,AAAA"}),
        head=[el("link", {"rel": "stylesheet", "href": "https://x.test/s.css",
                          "_cssText": "h1 { color: red; }"}),
              el("style", {}, text("p { margin: 0 }", isStyle=True))],
    ))  # fmt: skip
    html = page.html
    assert html.startswith("<!DOCTYPE html><html><head><meta charset")
    assert f'content="{CSP}"' in html
    assert '<h1 class="title">Spring sale &lt;50 %&gt;</h1>' in html
    assert "<style>h1 { color: red; }</style>" in html and "<style>p { margin: 0 }</style>" in html
    assert '<img src="data:image/png;base64,AAAA">' in html  # the inlined pixels, not the URL
    assert "x.test/s.css" not in html


def test_nothing_that_can_run_survives():
    page = to_html(doc(
        el("script", {}, text("alert(1)")),
        el("img", {"src": "x", "onerror": "alert(2)", "OnLoad": "alert(3)"}),
        el("a", {"href": "javascript:alert(4)"}, text("link")),
        el("a", {"href": " JaVaScRiPt:alert(5)"}),
        el("iframe", {"srcdoc": "<script>alert(6)</script>"}),
        el("object", {"data": "evil.swf"}), el("embed", {"src": "evil"}),
        el("noscript", {}, el("p", {}, text("only without script"))),
        el("svg", {}, el("script", {}, text("alert(7)"), svg=True),
           el("a", {"xlink:href": "javascript:alert(8)"}, svg=True),
           el("set", {"attributeName": "href", "to": "javascript:alert(9)"}, svg=True), svg=True),
        el("form", {"action": "javascript:alert(10)"}, el("button", {"formaction": "vbscript:x"})),
        el("style", {}, text("</style><script>alert(11)</script>", isStyle=True)),
        head=[el("meta", {"http-equiv": "refresh", "content": "0;url=https://evil.test"}),
              el("base", {"href": "https://evil.test/"})],
    ))  # fmt: skip
    html = page.html.lower()
    for bad in ("<script", "alert(1)", "onerror", "onload", "javascript:", "vbscript:",
                "<iframe", "srcdoc", "<object", "<embed", "<noscript", "only without",
                "<set", "refresh", "<base", "evil.test"):  # fmt: skip
        assert bad not in html, bad
    assert "\\3c /style>\\3c script>" in html  # the CSS cannot close its element


def test_input_values_are_dropped_but_button_labels_stay():
    page = to_html(doc(el("form", {},
        el("input", {"type": "text", "value": "secret typed text"}),
        el("input", {"type": "password", "value": "hunter2"}),
        el("input", {"type": "checkbox", "checked": True}),
        el("textarea", {"value": "typed note"}, text("typed note")),
        el("select", {"value": "b"}, el("option", {"value": "b", "selected": True}, text("B"))),
        el("input", {"type": "submit", "value": "Sign in"}),
    )))  # fmt: skip
    html = page.html
    for secret in ("secret typed text", "hunter2", "typed note", "checked", "selected"):
        assert secret not in html
    assert 'value="Sign in"' in html


def test_blocked_elements_keep_their_size():
    page = to_html(doc(el("div", {"class": "card", "style": "color:red",
                                  "rr_width": "300px", "rr_height": "120px"})))  # fmt: skip
    assert (
        '<div class="card" data-pageheat-blocked style="width:300px;height:120px;display:block">'
        in page.html
    )


@pytest.mark.parametrize(
    ("dom", "where"),
    [
        ({"type": 2}, "$.dom"),
        ({"type": 0, "childNodes": "x"}, "$.dom.childNodes"),
        ({"type": 0, "childNodes": [{"type": 9}]}, "$.dom.childNodes[0].type"),
        ({"type": 0, "childNodes": [{"type": 2, "tagName": "a b"}]}, "$.dom.childNodes[0].tagName"),
        ({"type": 0, "childNodes": [{"type": 2, "tagName": "p", "attributes": []}]},
         "$.dom.childNodes[0].attributes"),
        ({"type": 0, "childNodes": [{"type": 3, "textContent": 5}]},
         "$.dom.childNodes[0].textContent"),
        ({"type": 0, "childNodes": [7]}, "$.dom.childNodes[0]"),
    ],
)  # fmt: skip
def test_a_malformed_tree_is_refused_naming_the_node(dom, where):
    with pytest.raises(BadSnapshot) as exc:
        to_html(dom)
    assert str(exc.value).endswith(f"at `{where}`")


def test_hostile_depth_and_size_are_refused_not_crashed():
    deep = leaf = el("div")
    for _ in range(100_000):
        leaf["childNodes"] = [el("div")]
        leaf = leaf["childNodes"][0]
    with pytest.raises(BadSnapshot, match="nested over 1000 levels"):
        to_html(doc(deep))
    wide = doc(*[el("p") for _ in range(2_000)])
    with pytest.raises(BadSnapshot, match="over 1000 nodes"):
        to_html(wide, max_nodes=1000)
