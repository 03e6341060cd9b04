"""Full-page pictures with headless Chromium, and the boxes of clicked elements.

Two sources: a live page at its URL (``capture``; the page's own pageheat tag is blocked
so a screenshot is never counted as a visit), and a visitor's snapshot rebuilt as static
HTML (``render_html``; JavaScript off, every request refused: the snapshot came from the
internet and the server's browser must neither run it nor be pointed anywhere by it).

One render gives both the picture and, for every selector seen in clicks, its box in
page pixels — ``(0, 0, 0, 0)`` when the selector finds nothing — which is what lets clicks
from other widths and states be anchored to their element.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]

# Scroll through the page so lazy-loaded content is there, then come back to the top.
_SETTLE_JS = """
async (maxHeight) => {
  const step = Math.max(200, window.innerHeight);
  for (let y = 0; y < Math.min(document.documentElement.scrollHeight, maxHeight); y += step) {
    window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, 30));
  }
  window.scrollTo(0, 0);
  await new Promise(r => setTimeout(r, 50));
  return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];
}
"""

_RECTS_JS = """
(selectors) => {
  const out = {};
  for (const sel of selectors) {
    let el = null;
    try { el = document.querySelector(sel); } catch (e) { continue; }
    if (!el) { out[sel] = [0, 0, 0, 0]; continue; }
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const hidden = style.visibility === 'hidden' || style.display === 'none';
    out[sel] = hidden ? [r.left + scrollX, r.top + scrollY, 0, 0]
                      : [r.left + scrollX, r.top + scrollY, r.width, r.height];
  }
  return out;
}
"""


@dataclass(frozen=True)
class Shot:
    png: bytes
    width: int
    height: int
    rects: dict[str, tuple[float, float, float, float]]
    #: Requests the page tried and was refused (snapshot renders refuse them all).
    refused: tuple[str, ...] = ()


class ScreenshotError(RuntimeError):
    pass


class Screenshotter:
    """Owns one Chromium; use from a single thread (Playwright's sync API is per thread)."""

    def __init__(self, chromium: str, timeout_s: float = 20.0, max_height: int = 12_000):
        self.chromium = chromium
        self.timeout_ms = timeout_s * 1000
        self.max_height = max_height
        self._pw: Any = None
        self._browser: Any = None

    def _ensure(self) -> Any:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._pw = sync_playwright().start()
            try:
                self._browser = self._pw.chromium.launch(
                    executable_path=self.chromium, args=CHROMIUM_ARGS
                )
            except Exception as exc:
                self._pw.stop()
                self._pw = None
                raise ScreenshotError(f"cannot start Chromium at {self.chromium}: {exc}") from exc
        return self._browser

    @contextlib.contextmanager
    def _page(self, width: int, **options: Any) -> Iterator[Any]:
        """A page in a context of its own at ``width``, closed afterwards whatever happens."""
        context = self._ensure().new_context(
            viewport={"width": width, "height": 900}, device_scale_factor=1,
            service_workers="block", **options,
        )  # fmt: skip
        try:
            yield context.new_page()
        finally:
            context.close()

    def capture(self, url: str, width: int, selectors: list[str]) -> Shot:
        with self._page(width) as page:
            page.route("**/*", _block_tracking)
            try:
                page.goto(url, wait_until="load", timeout=self.timeout_ms)
            except Exception as exc:
                raise ScreenshotError(f"could not load {url}: {exc}") from exc
            # a page that never goes quiet is still pictured as it is
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=min(self.timeout_ms, 5000))
            return self._shoot(page, width, selectors)

    def render_html(self, html: str, width: int, selectors: list[str]) -> Shot:
        """Picture static HTML (a sanitised snapshot) at ``width`` with nothing allowed to act."""
        refused: list[str] = []

        def refuse(route: Any) -> None:
            refused.append(route.request.url[:300])
            route.abort()

        with self._page(width, java_script_enabled=False, offline=True) as page:
            page.route("**/*", refuse)
            try:
                page.set_content(html, wait_until="load", timeout=self.timeout_ms)
            except Exception as exc:
                raise ScreenshotError(f"could not lay out the snapshot: {exc}") from exc
            # no settling scroll: nothing can lazy-load, and with the page's JavaScript off
            # its timers never fire, so an await on one would never return
            shot = self._shoot(page, width, selectors, settle=False)
            return Shot(shot.png, shot.width, shot.height, shot.rects, tuple(refused))

    def _shoot(self, page: Any, width: int, selectors: list[str], settle: bool = True) -> Shot:
        # evaluate() works with the page's own JavaScript off (snapshots)
        if settle:
            _dw, dh = page.evaluate(_SETTLE_JS, self.max_height)
        else:
            dh = page.evaluate("() => document.documentElement.scrollHeight")
        height = max(1, min(int(dh), self.max_height))
        rects = {k: tuple(v) for k, v in page.evaluate(_RECTS_JS, selectors).items()}
        png = page.screenshot(
            full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height},
            animations="disabled", caret="hide",
        )  # fmt: skip
        return Shot(png=png, width=width, height=height, rects=rects)

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._pw.stop()
            self._browser = self._pw = None


def _block_tracking(route: Any) -> None:
    url = route.request.url
    if url.split("?", 1)[0].endswith("/pageheat.js") or "/api/v1/collect" in url:
        route.abort()
    else:
        route.continue_()
