"""The sessions behind the heat in real Chromium against a real server: on the heatmap page,
clicking the most-clicked element says how many sessions clicked it and lists exactly
those sessions; one of them opens on its timeline, which says it has no replay.

Five scripted sessions (no tracker: their batches are posted as the tracker would):
s0 clicks "Buy" twice, s1 once, s3 once and "Info" once, s2 and s4 click "Info" only.
So "Buy" is the most-clicked element (4 clicks) and its sessions are s0, s1 and s3.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.browsing import box, on_screen, sign_in

pytestmark = pytest.mark.browser

WIDTH = 1440

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sessions</title>
<style>
  html, body { margin: 0; height: 1000px; }
  body { font: 16px sans-serif; position: relative; }
  button { position: absolute; width: 240px; height: 80px; }
  #buy { left: 200px; top: 300px; }
  #info { left: 900px; top: 300px; }
</style>
</head><body>
  <button id="buy" type="button">Buy</button>
  <button id="info" type="button">Info</button>
</body></html>"""

CENTRES = {"buy": (320.0, 340.0), "info": (1020.0, 340.0)}
#: session → the buttons it clicked, in order
SESSIONS = {
    "s0": ["buy", "buy"],
    "s1": ["buy"],
    "s2": ["info"],
    "s3": ["info", "buy"],
    "s4": ["info"],
}


def _record(live_server, site, key: str, url: str) -> dict[str, list[int]]:
    """Posts the sessions; the offsets (ms from each session's start) of its Buy clicks."""
    now = int(time.time() * 1000)
    moments: dict[str, list[int]] = {}
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        for n, (session, buttons) in enumerate(SESSIONS.items()):
            t = now - 600_000 + n * 60_000
            clicks = []
            for i, b in enumerate(buttons):
                x, y = CENTRES[b]
                at = 700 * (i + 1)
                if b == "buy":
                    moments.setdefault(session, []).append(at)
                clicks.append({
                    "k": "click", "t": t + at, "v": "v", "x": x, "y": y, "vw": WIDTH,
                    "dw": WIDTH, "dh": 1000, "sel": f"#{b}", "rx": 0.5, "ry": 0.5,
                    "tag": "button", "text": b.title(), "pointer": "mouse", "interactive": True,
                })  # fmt: skip
            events = [
                {"k": "view", "t": t, "v": "v", "url": url, "path": "/sessions.html",
                 "title": "Sessions", "vw": WIDTH, "vh": 900, "dw": WIDTH, "dh": 1000},
                *clicks,
            ]  # fmt: skip
            body = {"app": key, "sdk": "test/1", "batch": f"b{n}", "visitor": f"u{n}",
                    "session": session, "events": events}  # fmt: skip
            r = c.post("/api/v1/collect", json=body, headers={"Origin": site.url})
            assert r.status_code == 202, r.text
    return moments


def test_clicking_the_most_clicked_element_lists_exactly_its_sessions(browser, live_server, site):
    key = live_server.create_app("Sessions", [site.url])
    url = site.page("sessions.html", PAGE)
    moments = _record(live_server, site, key, url)
    buyers = {s for s, b in SESSIONS.items() if "buy" in b}

    context, page, problems = sign_in(browser, live_server, width=1600, height=1000)
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fsessions.html&width=desktop")
    page.wait_for_selector("img.stage-bg", timeout=90_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('img.stage-bg'); return i && i.complete"
        " && i.naturalWidth > 0; }"
    )
    page.wait_for_function(
        "() => document.querySelector('.tile[data-stat=total-clicks] .tile-value')"
        "?.textContent === '7'"
    )
    top = page.locator("[data-testid=top-actions] .action").first
    assert "#buy" in top.inner_text()  # the most-clicked element

    # Drag an area around the element: its clicks and the sessions behind them.
    canvas = page.locator("[data-testid=heat-canvas]")
    buy = box(browser, url, WIDTH, "#buy")
    page.mouse.move(*on_screen(canvas, buy["x"] - 15, buy["y"] - 15))
    page.mouse.down()
    page.mouse.move(*on_screen(canvas, buy["x"] + buy["w"] + 15, buy["y"] + buy["h"] + 15), steps=5)
    page.mouse.up()
    area = page.locator("[data-testid=area-tip] [data-testid=sessions-link]")
    area.wait_for()
    assert (
        page.locator("[data-testid=area-tip] strong[data-count]").get_attribute("data-count") == "4"
    )
    assert area.get_attribute("data-count") == str(len(buyers))

    # Click the element on the page (which clears the area): the box says how many
    # sessions clicked it.
    cx, cy = buy["x"] + buy["w"] / 2, buy["y"] + buy["h"] / 2
    page.mouse.click(*on_screen(canvas, cx, cy))
    page.locator("[data-testid=area-tip]").wait_for(state="hidden")
    link = page.locator("[data-testid=sessions-box] [data-testid=sessions-link]")
    link.wait_for()
    assert link.get_attribute("data-count") == str(len(buyers))
    assert link.inner_text().startswith(f"{len(buyers)} sessions")

    # It opens the Sessions page narrowed the same way, listing exactly those sessions.
    link.click()
    page.wait_for_url(re.compile(rf"/apps/{key}/sessions\?.*selector=%23buy"))
    rows = page.locator("[data-testid=sessions] tbody tr")
    rows.first.wait_for()
    listed = rows.evaluate_all("rs => rs.map(r => r.dataset.session)")
    assert listed == sorted(buyers, reverse=True)  # newest first: s3, s1, s0
    assert "#buy" in page.locator("[data-testid=sessions-narrowed]").inner_text()
    assert page.locator("[data-testid=sessions-total]").inner_text().startswith("3 sessions")
    s0 = page.locator("tr[data-session=s0]")
    assert "clicked at 0:00.7, 0:01.4" in s0.locator("[data-testid=moments]").inner_text()
    assert s0.locator("[data-testid=no-replay]").count() == 1

    # One session: its timeline, from the moment it was picked for, and no replay.
    page.locator("tr[data-session=s3] [data-testid=session-link]").click()
    page.wait_for_url(re.compile(rf"/apps/{key}/sessions/s3\?.*t={moments['s3'][0]}"))
    page.locator("[data-testid=timeline]").wait_for()
    items = page.locator("[data-testid=timeline] li")
    assert items.evaluate_all("ls => ls.map(l => [l.dataset.type, +l.dataset.t])") == [
        ["view", 0], ["click", 700], ["click", 1400]]  # fmt: skip
    assert "Buy" in page.locator(".timeline-moment").inner_text()
    assert page.locator("[data-testid=no-replay]").inner_text() == "No replay of this session"

    # The action detail's latest sessions open theirs, at the click.
    page.goto(f"{live_server.url}/apps/{key}/heatmap?view=%2Fsessions.html&width=desktop"
              "&action=%23buy")  # fmt: skip
    latest = page.locator("[data-testid=action-sessions] tbody tr")
    latest.first.wait_for()
    assert latest.evaluate_all("rs => rs.map(r => r.dataset.session)") == ["s3", "s1", "s0"]
    latest.first.locator("[data-testid=action-session-link]").click()
    page.wait_for_url(re.compile(rf"/apps/{key}/sessions/s3\?t={moments['s3'][-1]}$"))
    page.locator("[data-testid=timeline] .timeline-moment").wait_for()
    assert problems == [], problems
    context.close()
