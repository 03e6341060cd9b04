"""What the tracker does not send: after opt-out, outside the sample, under DNT/GPC.

Each visitor then goes on to a tracked page (``Capture.leave``): its view arrives after
anything the untracked pages sent, so "nothing was sent" is what came before it."""

import pytest

pytestmark = pytest.mark.browser


def test_opt_out_stops_sending_now_and_later(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    [view] = capture.wait_events("view")
    page.evaluate("pageheat.optOut()")
    page.click("#menu")
    page.reload()  # the page goes: a tracker still on would send the click now
    page.click("#menu")
    assert page.evaluate("localStorage.pageheat_optout") == "1"
    assert page.evaluate("localStorage.pageheat_vid") is None
    page.evaluate("localStorage.removeItem('pageheat_optout')")  # back in, for the next page
    assert capture.leave(tracked=False) == [view]


def test_visitors_outside_the_sample_send_nothing(page, capture, pages):
    page.goto(f"{pages.url}/sampled.html")
    page.click("#go")
    assert capture.leave(tracked=False) == []  # the next page samples everyone


@pytest.mark.parametrize(
    "signal",
    [
        "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})",
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})",
    ],
    ids=["dnt", "gpc"],
)
def test_dnt_and_gpc_are_honoured_when_the_tag_asks(page, capture, pages, signal):
    page.add_init_script(signal)
    page.goto(f"{pages.url}/dnt.html")
    page.click("#go")
    assert page.evaluate("localStorage.pageheat_vid") is None  # nothing stored either
    # The next page's tag has no data-respect-dnt (the app's choice): it sends its view.
    assert capture.leave(tracked=False) == []
