"""The dashboard's replay player in real Chromium: a session recorded by the real tracker,
opened at ``?t=`` of its click, starts playing there with that click marked, and the
rebuilt page holds the clicked element; a session without a replay says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browsing import sign_in, until
from tests.conftest import LiveServer
from tests.replay.test_recording import FORM, stored_chunks, watch

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path):
    s = LiveServer(tmp_path / "live", env={"PAGEHEAT_REPLAY_CHUNK_S": "1"}).start()
    yield s
    s.stop()


def test_the_player_starts_at_the_click_with_it_marked_and_the_page_rebuilt(browser, server, site):
    key = server.create_app("Shop", [site.url])
    url = site.page("form.html", FORM.format(server=server.url, key=key))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _urls, batches = watch(page)
    with page.expect_request("**/pageheat-replay.js", timeout=20_000):
        page.goto(url, wait_until="load")
    page.wait_for_function("typeof window.pageheatReplay === 'function'")
    page.wait_for_timeout(1500)  # the click comes a moment into the session
    page.click("#buy")
    page.wait_for_function("document.getElementById('buy').textContent === 'Bought'")
    page.wait_for_timeout(1500)  # and the session goes on after it
    page.close(run_before_unload=True)
    context.close()
    (session,) = {b["session"] for b in batches}
    with server.api() as api:

        def clicked() -> list[dict]:
            r = api.get(f"/api/v1/apps/{key}/sessions/{session}/replay")
            if r.status_code != 200:
                return []
            ev = r.json()["events"]
            return [e for e in ev if e["type"] == 3 and e["data"].get("source") == 2
                    and e["data"].get("type") == 2]  # fmt: skip

        assert until(clicked, timeout=30), stored_chunks(server.data)
        answer = api.get(f"/api/v1/apps/{key}/sessions/{session}/replay").json()
        click_t = clicked()[-1]["timestamp"] - answer["start"]
        none = api.get(f"/api/v1/apps/{key}/sessions/nobody/replay")
        assert none.status_code == 404 and none.json()["reason"] == "missing"
    assert click_t > 500

    ctx, dash, problems = sign_in(browser, server)
    try:
        dash.goto(f"{server.url}/apps/{key}/sessions/{session}/replay?t={click_t}")
        dash.wait_for_selector(".replay[data-at]", timeout=20_000)
        started = int(dash.get_attribute(".replay", "data-start-ms"))
        assert abs(started - click_t) <= 1000
        at = int(dash.get_attribute(".replay", "data-at"))
        assert click_t - 1000 <= at <= click_t + 3000, (at, click_t)
        frame = dash.frame_locator(".replayer-wrapper iframe")
        assert frame.locator("#buy").count() == 1
        # the click is in the list, marked as the moment the player was opened at
        here = dash.locator(".replay-event.is-here")
        assert here.count() == 1 and "Click" in here.inner_text()
        assert abs(int(here.get_attribute("data-t")) - click_t) <= 5
        assert dash.locator(".replay-bar .replay-mark.mark-click").count() >= 1
        # the recorded page's <style> rebuilt in the player's frame: no CSP violation
        assert frame.locator("style").count() >= 1
        assert not problems, problems
        # reached by a link from another dashboard page, the player loads with its CSP
        dash.goto(f"{server.url}/apps/{key}/settings")
        dash.wait_for_selector("main.page")
        replay_url = f"/apps/{key}/sessions/{session}/replay?t={click_t}"
        dash.evaluate("u => { const a = document.createElement('a'); a.id = 'to-replay';"
                      " a.href = u; a.textContent = 'replay'; document.querySelector('main')"
                      ".append(a); }", replay_url)  # fmt: skip
        dash.click("#to-replay")
        dash.wait_for_selector(".replay[data-at]", timeout=20_000)
        assert dash.frame_locator(".replayer-wrapper iframe").locator("#buy").count() == 1
        assert not problems, problems
        # the empty state of a session without a replay
        dash.goto(f"{server.url}/apps/{key}/sessions/nobody/replay")
        dash.wait_for_selector(".replay-empty[data-reason=missing]", timeout=10_000)
        assert "No replay for this session" in dash.inner_text(".replay-empty")
    finally:
        ctx.close()
