"""The session split: a visitor's session id is renewed after ``session_idle_min`` idle
minutes, the server's setting, which reaches the tracker in front of the script it
serves (``pageheatConfig.i``, web/pages.py). Playwright's clock stands in for the wait."""

import pytest

from pageheat.web.server import build_app

pytestmark = pytest.mark.browser


def session_after_idle(page, capture, pages, idle: str) -> tuple[str, str]:
    """The session of a first page view, and of one after ``idle`` (mm:ss) without
    activity."""
    page.clock.install()
    page.goto(f"{pages.url}/shop.html")
    capture.wait_events("view")
    page.clock.fast_forward(idle)
    page.goto(f"{pages.url}/next.html")
    capture.wait_events("view", 2)
    first, *_, last = capture.batches
    return first["session"], last["session"]


def test_the_servers_idle_minutes_split_sessions(page, capture, pages):
    page.add_init_script("self.pageheatConfig = {i: 1}")  # session_idle_min = 1
    before, after = session_after_idle(page, capture, pages, "01:30")
    assert before != after
    assert page.evaluate("localStorage.pageheat_sid").split(":")[0] == after


def test_without_the_setting_a_session_lasts_thirty_idle_minutes(page, capture, pages):
    before, after = session_after_idle(page, capture, pages, "29:00")
    assert before == after


def test_the_default_splits_after_thirty_idle_minutes(page, capture, pages):
    before, after = session_after_idle(page, capture, pages, "31:00")
    assert before != after


def test_the_served_script_carries_the_setting(tmp_path):
    from fastapi.testclient import TestClient

    from pageheat.app import Pageheat
    from tests.conftest import make_settings

    ph = Pageheat(make_settings(tmp_path / "data", session_idle_min=7))
    try:
        with TestClient(build_app(ph)) as c:
            head = c.get("/pageheat.js").text.split("\n", 1)[0]
    finally:
        ph.close()
    assert '"i":7' in head
