"""Clicks and taps as the tracker reports them: where, on what, how."""

import re

import pytest

pytestmark = pytest.mark.browser

GENERATED = re.compile(r"css-|sc-|_a1b2|_q9w8")

CENTRE = """el => {
    const r = el.getBoundingClientRect();
    return [r.left + scrollX + r.width / 2, r.top + scrollY + r.height / 2];
}"""


def resolves_to(page, sel: str, target: str) -> bool:
    """Whether ``sel`` selects exactly the element that ``target`` (Playwright) names."""
    return page.locator(target).evaluate(
        "(el, sel) => document.querySelectorAll(sel).length === 1"
        " && document.querySelector(sel) === el",
        sel,
    )


def open_shop(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    capture.wait_events("view")


def test_click_on_a_button(page, capture, pages):
    open_shop(page, capture, pages)
    target = "button:has-text('Add to wishlist')"
    page.click(target)
    [click] = capture.wait_events("click")
    assert resolves_to(page, click["sel"], target)
    assert not GENERATED.search(click["sel"])
    assert click["tag"] == "button"
    assert click["text"] == "Add to wishlist"
    assert click["interactive"] is True
    assert click["pointer"] == "mouse"
    assert click["fixed"] is False
    assert click["rx"] == pytest.approx(0.5, abs=0.02)
    assert click["ry"] == pytest.approx(0.5, abs=0.02)
    cx, cy = page.locator(target).evaluate(CENTRE)
    assert click["x"] == pytest.approx(cx, abs=1.5)
    assert click["y"] == pytest.approx(cy, abs=1.5)
    assert (click["vw"], click["dw"]) == (1280, 1280)
    assert click["dh"] > 3000
    assert "href" not in click


def test_click_inside_a_button_counts_for_the_button(page, capture, pages):
    open_shop(page, capture, pages)
    span = page.locator("button.big span")
    box = span.bounding_box()
    button = page.locator("button.big").first.bounding_box()
    span.click(position={"x": 2, "y": 2})
    [click] = capture.wait_events("click")
    assert resolves_to(page, click["sel"], "button.big >> nth=0")
    assert not GENERATED.search(click["sel"])
    assert click["tag"] == "button"
    assert click["text"] == "Add to cart"  # whitespace collapsed
    assert click["interactive"] is True
    assert click["rx"] == pytest.approx((box["x"] + 2 - button["x"]) / button["width"], abs=0.02)
    assert click["ry"] == pytest.approx((box["y"] + 2 - button["y"]) / button["height"], abs=0.02)


def test_click_on_prose_is_not_interactive(page, capture, pages):
    open_shop(page, capture, pages)
    page.click("text=Some descriptive prose")
    [click] = capture.wait_events("click")
    assert resolves_to(page, click["sel"], "p._q9w8")
    assert not GENERATED.search(click["sel"])
    assert click["tag"] == "p"
    assert click["interactive"] is False
    assert click["text"] == "Some descriptive prose about the mug."


def test_a_selector_found_before_a_dom_change_is_found_again(page, capture, pages):
    """The tracker keeps each element's selector while the DOM is unchanged; a copy of the
    element put in its place makes the old selector name the copy (or both), so the next
    click on the element must send a selector that is unique to it again."""
    open_shop(page, capture, pages)
    page.click("button.big >> nth=0")
    [first] = capture.wait_events("click")
    button = page.evaluate_handle("sel => document.querySelector(sel)", first["sel"])
    page.evaluate("b => b.before(b.cloneNode(true))", button)
    assert not page.evaluate(
        "([sel, b]) => document.querySelectorAll(sel).length === 1"
        " && document.querySelector(sel) === b",
        [first["sel"], button],
    )  # the first selector no longer names the button alone
    button.as_element().click()
    second = capture.wait_events("click", 2)[1]
    assert second["sel"] != first["sel"]
    assert page.evaluate(
        "([sel, b]) => document.querySelectorAll(sel).length === 1"
        " && document.querySelector(sel) === b",
        [second["sel"], button],
    )


def test_test_ids_make_the_selector(page, capture, pages):
    open_shop(page, capture, pages)
    page.click("[data-testid=bottom-cta]")
    [click] = capture.wait_events("click")
    assert click["sel"] == '[data-testid="bottom-cta"]'
    assert click["y"] > 3000


def test_input_values_never_leave_the_browser(page, capture, pages):
    open_shop(page, capture, pages)
    page.click("#email")
    page.keyboard.type("alice.secret@example.com")
    page.click("#note")
    page.keyboard.type("my secret note")
    page.click("#email")
    page.click("label[for=email]")
    capture.wait_events("click", 4)
    # one each: not twice for the label's forwarded click
    clicks = [e for e in capture.leave() if e["k"] == "click"]
    for body in capture.bodies:
        assert b"secret" not in body
    assert [c["tag"] for c in clicks] == ["input", "textarea", "input", "label"]
    assert [c["text"] for c in clicks] == ["", "", "", "Email"]
    assert clicks[0]["sel"] == "#email"
    assert all(c["interactive"] for c in clicks)


def test_masked_and_blocked_parts_send_no_text(page, capture, pages):
    open_shop(page, capture, pages)
    page.click("#account")
    page.click("#blocked")
    account, blocked = capture.wait_events("click", 2)
    assert (account["sel"], account["text"], account["interactive"]) == ("#account", "", True)
    assert (blocked["sel"], blocked["text"], blocked["tag"]) == ("#blocked", "", "p")
    assert not any(b"Alice" in body for body in capture.bodies)


def test_link_click_carries_its_href_even_as_the_page_goes(page, capture, pages):
    open_shop(page, capture, pages)
    page.click("#next span")  # navigates away: the click leaves by beacon
    page.wait_for_url("**/next.html*")
    [click] = capture.wait(lambda: [c for c in capture.events("click")])
    assert click["href"] == f"{pages.url}/next.html?from=shop#top"
    assert (click["tag"], click["sel"], click["text"]) == ("a", "#next", "Next page")


def test_click_in_a_sticky_header_is_fixed(page, capture, pages):
    open_shop(page, capture, pages)
    page.mouse.wheel(0, 1000)
    page.wait_for_function("scrollY >= 1000")
    page.click("#menu")
    [click] = capture.wait_events("click")
    assert click["sel"] == "#menu"
    assert click["fixed"] is True
    assert click["y"] >= 1000


def test_keyboard_activation_is_placed_at_the_centre(page, capture, pages):
    open_shop(page, capture, pages)
    page.focus("#menu")
    page.keyboard.press("Enter")
    [click] = capture.wait_events("click")
    assert click["sel"] == "#menu"
    assert (click["rx"], click["ry"]) == (0.5, 0.5)
    assert click["x"] > 0 and click["y"] > 0


@pytest.mark.parametrize(
    "context_options",
    [{"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
      "device_scale_factor": 3}],
)  # fmt: skip
def test_tap_in_a_touch_context(page, capture, pages):
    open_shop(page, capture, pages)
    page.tap("button:has-text('Add to wishlist')")
    [tap] = capture.wait_events("click")
    assert tap["pointer"] == "touch"
    assert tap["vw"] == 390
    assert tap["text"] == "Add to wishlist"
    [view] = capture.events("view")
    assert view["dpr"] == 3


# The box of a clicked element is read once the next frame is drawn, not in the click
# handler (click.ts: reading it there makes the browser update style at once). What a
# page's own click handler does to the element before then decides what is recorded.


def test_an_element_relabelled_by_its_click_keeps_the_offset_clicked(page, capture, pages):
    page.goto(f"{pages.url}/moving.html")
    capture.wait_events("view")
    box = page.locator("#stay").bounding_box()
    page.mouse.click(box["x"] + 50, box["y"] + 10)  # its text changes, its box does not
    [click] = capture.wait_events("click")
    assert (click["sel"], click["text"]) == ("#stay", "Add to cart")  # read at click time
    assert click["rx"] == pytest.approx(50 / box["width"], abs=0.01)
    assert click["ry"] == pytest.approx(10 / box["height"], abs=0.03)  # whole-pixel events


def test_an_element_removed_by_its_click_is_counted_at_its_middle(page, capture, pages):
    page.goto(f"{pages.url}/moving.html")
    capture.wait_events("view")
    box = page.locator("#close").bounding_box()
    page.mouse.click(box["x"] + 20, box["y"] + 10)
    [click] = capture.wait_events("click")
    assert (click["sel"], click["text"], click["tag"]) == ("#close", "Close banner", "button")
    # where the pointer was is known; where inside a box that is gone, not
    assert click["x"] == pytest.approx(box["x"] + 20, abs=1.5)
    assert click["y"] == pytest.approx(box["y"] + 10, abs=1.5)
    assert (click["rx"], click["ry"]) == (0.5, 0.5)
    assert click["fixed"] is False


def test_an_element_moved_by_its_click_is_measured_where_it_is_drawn(page, capture, pages):
    page.goto(f"{pages.url}/moving.html")
    capture.wait_events("view")
    box = page.locator("#jump").bounding_box()
    page.mouse.click(box["x"] + 50, box["y"] + 20)
    [click] = capture.wait_events("click")
    assert click["sel"] == "#jump"
    # 400 px to the right of the pointer after the click: left of its box, clamped
    assert click["rx"] == 0
    assert click["ry"] == pytest.approx(20 / box["height"], abs=0.03)


def test_a_link_that_scrolls_the_page_keeps_the_offset_clicked(page, capture, pages):
    page.goto(f"{pages.url}/moving.html")
    capture.wait_events("view")
    box = page.locator("#down").bounding_box()
    page.mouse.click(box["x"] + 150, box["y"] + 20)  # jumps 3000 px down, at once
    page.wait_for_function("scrollY > 2000")
    [click] = capture.wait_events("click")
    assert click["sel"] == "#down"
    assert click["rx"] == pytest.approx(150 / box["width"], abs=0.01)
    assert click["ry"] == pytest.approx(20 / box["height"], abs=0.03)
    assert click["y"] == pytest.approx(box["y"] + 20, abs=1.5)


def test_a_click_right_before_the_page_goes_arrives_complete(page, capture, pages):
    page.goto(f"{pages.url}/moving.html")
    capture.wait_events("view")
    box = page.locator("#stay").bounding_box()
    page.mouse.click(box["x"] + 150, box["y"] + 30)
    page.goto(f"{pages.url}/next.html")  # at once: the click leaves by beacon
    [click] = capture.wait(lambda: capture.events("click"))
    assert click["sel"] == "#stay"
    assert click["rx"] == pytest.approx(150 / box["width"], abs=0.01)
    assert click["ry"] == pytest.approx(30 / box["height"], abs=0.03)
    assert (click["vw"], click["dw"]) == (1280, 1280)
    assert click["dead"] is False
