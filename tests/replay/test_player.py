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


def synthetic_page(n: int) -> dict:
    """An rrweb serialized document whose body holds button #p{n} ("Page n")."""
    button = {"type": 2, "tagName": "button", "attributes": {"id": f"p{n}"}, "id": 10,
              "childNodes": [{"type": 3, "textContent": f"Page {n}", "id": 11}]}  # fmt: skip
    body = {"type": 2, "tagName": "body", "attributes": {}, "childNodes": [button], "id": 5}
    head = {"type": 2, "tagName": "head", "attributes": {}, "childNodes": [], "id": 4}
    html = {"type": 2, "tagName": "html", "attributes": {}, "childNodes": [head, body], "id": 3}
    return {"type": 0, "childNodes": [html], "id": 1}


def test_a_long_session_opens_at_its_end_and_seeks_back_to_its_first_page(browser, server):
    """Ten minutes over three pages, opened at minute 9: it plays from the third page's
    snapshot, loads the rest behind it, and a click on the first page's mark in the
    list rebuilds the first page."""
    from pageheat.replay.sqlite import SQLiteReplays
    from tests.replay.test_store_contract import T0, chunk

    key = server.create_app("Shop", ["https://shop.example"])
    chunks = []
    for seq, start in enumerate(range(T0, T0 + 600_000, 10_000)):
        n = (start - T0) // 240_000  # pages at 0, 4 and 8 minutes
        events = []
        if (start - T0) % 240_000 == 0:
            events += [{"type": 4, "timestamp": start, "data": {
                           "href": f"https://shop.example/p{n}", "width": 1280, "height": 800}},
                       {"type": 2, "timestamp": start + 1, "data": {
                           "node": synthetic_page(n), "initialOffset": {"top": 0, "left": 0}}}]  # fmt: skip
        events += [{"type": 3, "timestamp": t, "data": {"source": 1, "positions": [
                       {"x": 10, "y": 10, "id": 10, "timeOffset": 0}]}}
                   for t in range(start + 500, start + 10_000, 1000)]  # fmt: skip
        chunks.append(chunk(events, app=key, session="long", view=f"v{n}", seq=seq))
    store = SQLiteReplays(server.data / "replays.sqlite")
    store.save(chunks)
    store.close()

    ctx, dash, problems = sign_in(browser, server)
    try:
        dash.goto(f"{server.url}/apps/{key}/sessions/long/replay?t=540000")
        dash.wait_for_selector(".replay[data-at]", timeout=20_000)
        frame = dash.frame_locator(".replayer-wrapper iframe")
        assert frame.locator("#p2").count() == 1
        assert abs(int(dash.get_attribute(".replay", "data-at")) - 540_000) <= 3000
        dash.wait_for_selector(".replay[data-loaded=all]", timeout=20_000)
        pages = dash.locator(".replay-event.mark-page")
        assert pages.count() == 3  # the earlier pages' marks came with the rest
        pages.nth(0).locator("button").click()
        frame.locator("#p0").wait_for(timeout=10_000)
        dash.wait_for_function("+document.querySelector('.replay').dataset.at < 5000",
                               timeout=5000)  # fmt: skip
        assert frame.locator("#p2").count() == 0
        pages.nth(1).locator("button").click()
        frame.locator("#p1").wait_for(timeout=10_000)
        dash.wait_for_function("(a => a >= 240000 && a < 250000)"
                               "(+document.querySelector('.replay').dataset.at)",
                               timeout=5000)  # fmt: skip
        assert not problems, problems
    finally:
        ctx.close()
