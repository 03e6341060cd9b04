"""What the tracker does not send: after opt-out, outside the sample, under DNT/GPC."""

import pytest

pytestmark = pytest.mark.browser


def test_opt_out_stops_sending_now_and_later(page, capture, pages):
    page.goto(f"{pages.url}/shop.html")
    capture.wait_events("view")
    page.evaluate("pageheat.optOut()")
    page.click("#menu")
    page.reload()
    page.click("#menu")
    capture.settle(800)
    assert len(capture.events()) == 1
    assert page.evaluate("localStorage.pageheat_optout") == "1"
    assert page.evaluate("localStorage.pageheat_vid") is None


def test_visitors_outside_the_sample_send_nothing(page, capture, pages):
    page.goto(f"{pages.url}/sampled.html")
    page.click("#go")
    capture.settle(800)
    assert capture.bodies == []


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
    capture.settle(800)
    assert capture.bodies == []
    assert page.evaluate("localStorage.pageheat_vid") is None  # nothing stored either
    page.goto(f"{pages.url}/shop.html")  # no data-respect-dnt: the app's choice
    capture.wait_events("view")
