"""Identified users on the dashboard, in real Chromium against a real server: the
Sessions page names each session's user (the site's name, else its id; an anonymous
session its visitor id), its user box lists exactly one user's sessions, and the session
page says whose it is.

Three sessions posted as the tracker would: s0 identified as alice ("Ada"), s1 as bob
(no name), s2 never identified.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.browsing import sign_in

pytestmark = pytest.mark.browser

WHO = {"s0": ("alice", "Ada"), "s1": ("bob", None), "s2": None}


def _record(live_server, site, key: str) -> None:
    now = int(time.time() * 1000)
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        for n, (session, who) in enumerate(WHO.items()):
            t = now - 600_000 + n * 60_000
            events: list[dict] = [
                {"k": "view", "t": t, "v": "v", "url": f"{site.url}/p.html", "path": "/p.html",
                 "title": "P", "vw": 1440, "vh": 900, "dw": 1440, "dh": 1000},
            ]  # fmt: skip
            if who:
                user, name = who
                events.append({"k": "identify", "t": t + 10, "v": "v", "user": user,
                               **({"name": name} if name else {})})  # fmt: skip
            body = {"app": key, "sdk": "test/1", "batch": f"b{n}", "visitor": f"visitor{n}",
                    "session": session, "events": events}  # fmt: skip
            r = c.post("/api/v1/collect", json=body, headers={"Origin": site.url})
            assert r.status_code == 202, r.text


def test_sessions_show_their_user_and_filter_by_it(browser, live_server, site):
    key = live_server.create_app("Identify", [site.url])
    _record(live_server, site, key)
    context, page, problems = sign_in(browser, live_server)
    page.goto(f"{live_server.url}/apps/{key}/sessions")
    rows = page.locator("[data-testid=sessions] tbody tr")
    rows.first.wait_for()
    shown = rows.evaluate_all(
        "rs => rs.map(r => [r.dataset.session,"
        " r.querySelector('[data-testid=session-user]').textContent])"
    )
    assert shown == [["s2", "visitor2"], ["s1", "bob"], ["s0", "Ada"]]

    # the user box: exactly that user's sessions, kept in the URL
    box = page.locator("[data-testid=sessions-user]")
    box.fill("alice")
    box.press("Enter")
    page.wait_for_url(re.compile(rf"/apps/{key}/sessions\?.*user=alice"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=sessions] tbody tr')]"
        ".map(r => r.dataset.session).join() === 's0'"
    )
    assert page.locator("[data-testid=sessions-total]").inner_text().startswith("1 session")
    box.fill("carol")
    box.press("Enter")
    page.locator("[data-testid=sessions-empty]").wait_for()

    # a user's name links to that user's sessions; the session page says whose it is
    page.goto(f"{live_server.url}/apps/{key}/sessions")
    page.locator("tr[data-session=s1] [data-user=bob]").click()
    page.wait_for_url(re.compile(rf"/apps/{key}/sessions\?.*user=bob"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=sessions] tbody tr')]"
        ".map(r => r.dataset.session).join() === 's1'"
    )
    assert page.locator("[data-testid=sessions-user]").input_value() == "bob"
    page.goto(f"{live_server.url}/apps/{key}/sessions/s0")
    page.locator("[data-testid=session]").wait_for()
    assert page.locator("[data-testid=session] h1").inner_text() == "Session of Ada"
    assert page.locator("[data-testid=session] [data-testid=session-user]").inner_text() == (
        "user alice"
    )
    assert problems == [], problems
    context.close()
