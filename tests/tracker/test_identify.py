"""``pageheat.identify(id, {name})``: sent only when the site calls it, as a valid
``identify`` event (every captured batch is checked against the wire schema and decoded
by the collector's own decoder, tests/tracker/conftest.py), and never kept in the
browser."""

import pytest

pytestmark = pytest.mark.browser


def _storage(page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries(Object.entries(localStorage))")


def test_identify_sends_the_user_of_this_session(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    [view] = capture.wait_events("view")
    page.evaluate("""() => {
        pageheat.identify("user-42", {name: "Ada Lovelace"});
        pageheat.identify("user-43");
        pageheat.identify("user-44", {name: ""});
        pageheat.identify("");
        pageheat.identify("u".repeat(300), {name: "n".repeat(300)});
    }""")
    events = capture.leave()
    sent = [e for e in events if e["k"] == "identify"]
    assert [(e["user"], e.get("name")) for e in sent] == [
        ("user-42", "Ada Lovelace"), ("user-43", None), ("user-44", None),
        ("u" * 128, "n" * 128),
    ]  # fmt: skip
    assert {e["v"] for e in sent} == {view["v"]}
    # sent in the session of the view: the collector ties the user to that session
    sessions = {b["session"] for b in capture.batches for e in b["events"]
                if e["k"] in ("identify", "view") and e["v"] == view["v"]}  # fmt: skip
    assert len(sessions) == 1
    # nothing of who the visitor is stays in the browser
    assert not any("user-42" in v or "Ada" in v for v in _storage(page).values())


def test_nothing_identifies_a_visitor_without_the_call(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    capture.wait_events("view")
    page.click("#menu")
    events = capture.leave()
    assert events and not [e for e in events if e["k"] == "identify"]
    assert not [k for b in capture.batches for e in b["events"] for k in e
                if k in ("user",)]  # fmt: skip
