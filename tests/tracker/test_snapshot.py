"""Snapshots on demand: the snapshot code loads only when the collector asks, and sends one
picture of the view with nothing the visitor typed, no scripts and no blocked content."""

import json
from typing import Any

import pytest

from pageheat.snapshots.sanitize import to_html

pytestmark = pytest.mark.browser

TYPED = {"#name": "typed-secret", "#pass": "hunter2-secret"}
#: Past the idle callback a snapshot is taken in (at most 2 s after it is asked for).
AFTER_MS = 2500
#: The snapshot code has run (its load event, which schedules the snapshot, with it).
LOADED = "typeof window.pageheatSnapshot === 'function'"


def nodes(node: dict[str, Any]):
    """Every node of an rrweb tree, depth first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.get("childNodes", [])))


def element(dom: dict[str, Any], id_: str) -> dict[str, Any]:
    [el] = [n for n in nodes(dom) if n.get("attributes", {}).get("id") == id_]
    return el


def open_and_type(page, capture, pages) -> dict[str, Any]:
    """Open the checkout page, fill it in as a visitor would; return the layout event."""
    page.goto(f"{pages.url}/snapshot.html")
    for sel, text in TYPED.items():
        page.locator(sel).press_sequentially(text)
    page.check("#subscribe")
    page.select_option("#size", "L")
    page.locator("#editor").press_sequentially(" more-typed")
    page.locator("#note").press_sequentially("note-secret")
    [layout] = capture.wait_events("layout")
    return layout


def test_no_snapshot_code_unless_asked(page, capture, pages):
    page.clock.install()
    page.goto(f"{pages.url}/snapshot.html")
    capture.wait_events("layout")
    capture.wait_answered()  # none of the answers asks
    page.clock.run_for(AFTER_MS)
    capture.leave()
    assert capture.snapshot_code_loads == []
    assert capture.snapshots == []


def test_one_snapshot_of_the_view_when_asked(page, capture, pages):
    page.clock.install()
    capture.ask = True
    layout = open_and_type(page, capture, pages)
    [body] = capture.wait(lambda: capture.snapshots)
    capture.ask = [layout["v"]]  # asked again with every later batch: still one snapshot
    page.click("#menu")
    capture.wait_events("click")
    capture.wait_answered()
    page.clock.run_for(AFTER_MS)
    cross_image_shows = page.evaluate("""() => {
        const img = document.getElementById("cross");
        return img.complete && img.naturalWidth > 0 && !img.hasAttribute("crossorigin");
    }""")
    capture.leave()
    assert len(capture.snapshots) == 1
    assert capture.snapshot_code_loads == [f"{pages.url}/pageheat-snapshot.js"]

    snap = json.loads(body)
    [batch, *_] = capture.batches
    assert set(snap) == {"app", "visitor", "v", "h", "url", "vw", "dw", "dh", "dom"}
    assert (snap["app"], snap["visitor"]) == ("shop-app", batch["visitor"])
    assert (snap["v"], snap["h"], snap["dw"]) == (layout["v"], layout["h"], layout["dw"])
    assert snap["url"] == f"{pages.url}/snapshot.html"
    assert snap["vw"] == 1280
    dom = snap["dom"]
    assert dom["type"] == 0 and dom["childNodes"]  # an rrweb document
    assert to_html(dom).nodes > 20  # the server's sanitiser takes it

    # What the visitor typed or chose stays in the page.
    for secret in ("typed-secret", "hunter2-secret", "note-secret", "prefill-secret"):
        assert secret.encode() not in body, secret
    assert b"hidden-secret" not in body
    for id_ in ("name", "pass", "prefilled", "csrf", "note", "size"):
        assert element(dom, id_)["attributes"].get("value", "") == "", id_
    assert "checked" not in element(dom, "subscribe")["attributes"]
    assert not any("selected" in n.get("attributes", {}) for n in nodes(element(dom, "size")))
    assert b"editable-secret" not in body and b"more-typed" not in body
    assert b"Pay now" in body  # a submit button's label is the page's, not the visitor's

    # Blocked: an empty box of its size; masked: no text.
    [blocked] = [n for n in nodes(dom) if n.get("tagName") == "section"]
    assert blocked["childNodes"] == []
    assert set(blocked["attributes"]) <= {"class", "rr_width", "rr_height"}
    assert blocked["attributes"]["rr_height"].endswith("px")
    assert b"Order 4411" not in body
    assert b"Alice Liddell" not in body

    # No scripts (nor their contents), comments, favicons or head meta.
    assert not [n for n in nodes(dom) if n.get("tagName") == "script"]
    for secret in (b"script-secret-42", b"ld-secret", b"comment-secret", b"meta-secret"):
        assert secret not in body, secret
    assert not [n for n in nodes(dom) if n.get("type") == 5]  # comment nodes
    assert not [
        n for n in nodes(dom) if n.get("tagName") == "link" and "icon" in str(n["attributes"])
    ]

    # Styles inlined; the same-origin image as a data URL; the other origin's left alone,
    # and still showing in the page (rrweb's own inlining would have broken it).
    assert b"rgb(1, 2, 3)" in body
    assert element(dom, "same")["attributes"]["rr_dataURL"].startswith("data:image/")
    assert "rr_dataURL" not in element(dom, "cross")["attributes"]
    assert cross_image_shows


def test_a_view_that_changed_state_sends_no_snapshot(page, capture, pages):
    page.clock.install()
    page.goto(f"{pages.url}/layout.html")
    [layout] = capture.wait_events("layout")
    page.evaluate("document.getElementById('promo').hidden = false")  # the banner shows
    capture.ask = [layout["v"]]
    page.click("#menu")  # a batch, whose answer asks for the view's picture
    capture.wait_events("click")
    page.wait_for_function(LOADED)
    page.clock.run_for(AFTER_MS)
    capture.leave()
    assert capture.snapshots == []  # it would be filed under the state without the banner


def test_the_snapshot_code_loads_once_for_several_views(page, capture, pages):
    page.clock.install()
    capture.ask = True
    page.goto(f"{pages.url}/spa.html")
    [first] = capture.wait_events("layout")
    capture.wait(lambda: capture.snapshots)
    page.click("#to-step2")
    capture.wait(lambda: len(capture.snapshots) >= 2)
    second = capture.events("layout")[1]
    capture.wait_answered()
    page.clock.run_for(AFTER_MS)
    capture.leave()
    assert [json.loads(b)["v"] for b in capture.snapshots] == [first["v"], second["v"]]
    assert len(capture.snapshot_code_loads) == 1


def test_a_snapshot_over_5_mb_is_not_sent(page, capture, pages):
    page.clock.install()
    capture.ask = True
    page.goto(f"{pages.url}/layout.html")
    # 6 MB of text in the page (masked text keeps its length): over the limit.
    page.evaluate("document.getElementById('intro').textContent = 'x'.repeat(6000000)")
    capture.wait_events("layout", timeout=30)  # laying out 6 MB of text takes a while
    page.wait_for_function(LOADED)
    page.clock.run_for(AFTER_MS)
    capture.leave()
    assert capture.snapshots == []
