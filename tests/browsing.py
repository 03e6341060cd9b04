"""Driving visitors in real Chromium, shared by the end-to-end and dashboard tests."""

from __future__ import annotations


def visit(browser, url: str, width: int, clicks: list[str], touch: bool = False) -> None:
    """One visitor: load the page with the tracker, click or tap, leave (the tracker flushes)."""
    context = browser.new_context(
        viewport={"width": width, "height": 800}, has_touch=touch, is_mobile=touch
    )
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_function("window.pageheat !== undefined")
    for sel in clicks:
        page.locator(sel).scroll_into_view_if_needed()
        page.tap(sel) if touch else page.click(sel)
    page.close(run_before_unload=True)  # pagehide: the tracker sends what it holds
    context.close()


def box(browser, url: str, width: int, sel: str) -> dict[str, float]:
    """The element's page box at ``width``, measured with the tracker blocked."""
    context = browser.new_context(viewport={"width": width, "height": 800})
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
