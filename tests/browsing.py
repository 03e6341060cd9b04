"""Driving visitors in real Chromium, shared by the end-to-end and dashboard tests."""

from __future__ import annotations

import time

#: The pixel of the heat canvas with the highest alpha (alpha rises with intensity).
HOTTEST_PIXEL = """canvas => {
  const ctx = canvas.getContext("2d");
  const {data} = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let best = -1, at = -1;
  for (let i = 3; i < data.length; i += 4) if (data[i] > best) { best = data[i]; at = (i - 3) / 4; }
  return {x: at % canvas.width, y: Math.floor(at / canvas.width), alpha: best,
          width: canvas.width, height: canvas.height};
}"""


#: Screen px per page px of the heat canvas as the dashboard draws it (it fits a page
#: wider than its area to the area's width unless zoom=100).
ZOOM = "c => c.getBoundingClientRect().width / c.width"


def on_screen(canvas, x: float, y: float) -> tuple[float, float]:
    """Where page pixel (x, y) of the heat canvas (a locator) is on the screen now."""
    b = canvas.bounding_box()
    s = canvas.evaluate(ZOOM)
    return b["x"] + x * s, b["y"] + y * s


def visit(
    browser, url: str, width: int, clicks: list[str], touch: bool = False,
    cookie: str | None = None, typed: dict[str, str] | None = None, snapshot: bool = False,
) -> bytes | None:  # fmt: skip
    """One visitor: load the page with the tracker, type, click or tap, leave (the tracker
    flushes). ``cookie`` ("name=value") signs the visitor in; with ``snapshot`` the visitor
    stays until the tracker has uploaded a snapshot, whose request body is returned."""
    context = browser.new_context(
        viewport={"width": width, "height": 800}, has_touch=touch, is_mobile=touch
    )
    if cookie:
        name, _, value = cookie.partition("=")
        context.add_cookies([{"name": name, "value": value, "url": url}])
    page = context.new_page()
    uploads: list = []
    page.on("response", lambda r: uploads.append(r) if "/api/v1/snapshot" in r.url else None)
    body = None
    page.goto(url, wait_until="load")
    page.wait_for_function("window.pageheat !== undefined")
    for sel, text in (typed or {}).items():
        page.fill(sel, text)
    for sel in clicks:
        page.locator(sel).scroll_into_view_if_needed()
        page.tap(sel) if touch else page.click(sel)
    if snapshot:
        for _ in range(200):
            if uploads:
                break
            page.wait_for_timeout(100)
        assert uploads, "the tracker uploaded no snapshot within 20 s"
        assert uploads[0].status == 201, uploads[0].text()
        body = uploads[0].request.post_data_buffer
    page.close(run_before_unload=True)  # pagehide: the tracker sends what it holds
    context.close()
    return body


def box(browser, url: str, width: int, sel: str, cookie: str | None = None) -> dict[str, float]:
    """The element's page box at ``width``, measured with the tracker blocked."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    if cookie:
        name, _, value = cookie.partition("=")
        context.add_cookies([{"name": name, "value": value, "url": url}])
    page = context.new_page()
    page.route("**/pageheat.js", lambda route: route.abort())
    page.goto(url)
    rect = page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}; }",
        sel,
    )
    context.close()
    return rect


def watch_problems(page) -> list[str]:
    """Collect the page's uncaught errors and Content-Security-Policy violations."""
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return problems


def until(fn, timeout: float = 60.0, every: float = 0.3):
    """Poll ``fn`` until it returns something truthy (returned) or ``timeout`` s pass
    (its last value is returned): what a person refreshing the dashboard would do."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def sign_in(
    browser, server, width: int = 1600, height: int = 1000,
    user: str | None = None, password: str | None = None,
):  # fmt: skip
    """A dashboard session in a fresh context: (context, page, problems seen on it).

    Through the login form as a person would: with ``user`` and ``password`` (an account
    made by ``pageheat user create``), else with the server's admin token behind the
    form's "admin token instead" switch."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems = watch_problems(page)
    page.goto(f"{server.url}/login")
    if user is not None:
        page.fill("#user", user)
        page.fill("#password", password or "")
    else:
        page.click("#login-switch")
        page.fill("#token", server.token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    return context, page, problems
