"""Full-page pictures with headless Chromium, and the boxes of clicked elements.

Two sources: a live page at its URL (``capture``; the page's own pageheat tag is blocked
so a screenshot is never counted as a visit), and a visitor's snapshot rebuilt as static
HTML (``render_html``; JavaScript off, every request refused: the snapshot came from the
internet and the server's browser must neither run it nor be pointed anywhere by it).

A live page is the site owner's, so its own requests are fetched, but the server's
browser must not be a way into the server's network (SSRF): every request of a live
capture, the page itself, its subresources, frames and each redirect hop, passes
:class:`FetchRule` first. Hosts on an app's allowed origins (and pageheat itself) may be
anywhere; any other host must resolve to public addresses only, never loopback,
private, link-local (cloud metadata at 169.254.169.254), multicast or reserved ones.

One render gives both the picture and, for every selector seen in clicks, its box in
page pixels — ``(0, 0, 0, 0)`` when the selector finds nothing — which is what lets clicks
from other widths and states be anchored to their element.
"""

from __future__ import annotations

import contextlib
import ipaddress
import shutil
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

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


class FetchRule:
    """Which URLs the browser of a live-page capture may fetch.

    ``trusted()`` gives the origins (``scheme://host[:port]``) that may be fetched
    wherever they point: the apps' allowed origins, which their admin typed, and
    pageheat's own URL (a site on a private network or on this machine is pictured
    because someone listed it). Every other http(s) URL must name a host whose every
    address is public. ``data:`` and ``blob:`` never leave the browser. The check
    resolves the name itself, so a name that resolves differently a moment later (DNS
    rebinding) could still slip through; a deployment that fears that runs pageheat
    where its network has nothing to steal, or behind an egress proxy.
    """

    def __init__(self, trusted: Callable[[], Iterable[str]] = tuple, cache_s: float = 5.0):
        self.trusted = trusted
        self.cache_s = cache_s
        self._cached: tuple[float, frozenset[str]] = (-1e9, frozenset())

    def _trusted(self) -> frozenset[str]:
        # a page makes dozens of requests; the origins are read once in a while
        now = time.monotonic()
        if now - self._cached[0] > self.cache_s:
            self._cached = (now, frozenset(self.trusted()))
        return self._cached[1]

    def __call__(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return True
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            return False
        port = parts.port or {"http": 80, "https": 443}[parts.scheme]
        default = port == {"http": 80, "https": 443}[parts.scheme]
        origin = f"{parts.scheme}://{parts.hostname.lower()}" + ("" if default else f":{port}")
        if origin in self._trusted():
            return True
        return public_host(parts.hostname, port)


def public_host(host: str, port: int = 443) -> bool:
    """Whether every address ``host`` resolves to is a public (global unicast) one."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return False
    return bool(addresses)


class Screenshotter:
    """Owns one Chromium; use from a single thread (Playwright's sync API is per thread)."""

    def __init__(
        self,
        chromium: str,
        timeout_s: float = 20.0,
        max_height: int = 12_000,
        fetch_allowed: Callable[[str], bool] | None = None,
    ):
        self.chromium = chromium
        self.timeout_ms = timeout_s * 1000
        self.max_height = max_height
        #: The SSRF rule of live captures (public addresses only unless told more).
        self.fetch_allowed = fetch_allowed or FetchRule()
        self._pw: Any = None
        self._browser: Any = None

    def _ensure(self) -> Any:
        if self._browser is None:
            if shutil.which(self.chromium) is None:  # before paying for Playwright's driver
                raise ScreenshotError(f"cannot start Chromium at {self.chromium}: not found")
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
        refused: list[str] = []

        def guard(route: Any) -> None:
            request_url = route.request.url
            if _is_tracking(request_url):
                route.abort()
            elif not self.fetch_allowed(request_url):
                refused.append(request_url[:300])
                route.abort("blockedbyclient")
            else:
                follow(route, request_url)

        def follow(route: Any, request_url: str) -> None:
            # Chromium follows redirects without asking the route again, so each hop is
            # fetched here and its Location checked; the browser's request for the next
            # hop then comes back through guard.
            try:
                response = route.fetch(max_redirects=0, timeout=self.timeout_ms)
            except Exception:
                route.abort("failed")
                return
            location = response.headers.get("location")
            if 300 <= response.status < 400 and location:
                target = urljoin(request_url, location)
                if not self.fetch_allowed(target):
                    refused.append(target[:300])
                    route.abort("blockedbyclient")
                    return
            route.fulfill(response=response)

        def guard_socket(ws: Any) -> None:
            if self.fetch_allowed(ws.url.replace("ws", "http", 1)):
                ws.connect_to_server()
            else:
                refused.append(ws.url[:300])
                ws.close()

        if not self.fetch_allowed(url):
            raise ScreenshotError(f"{url} is not on a public address or an app's origin")
        # service workers off (in _page): their requests would not pass the route
        with self._page(width) as page:
            page.route("**/*", guard)
            page.route_web_socket("**/*", guard_socket)
            try:
                page.goto(url, wait_until="load", timeout=self.timeout_ms)
            except Exception as exc:
                raise ScreenshotError(f"could not load {url}: {exc}") from exc
            # a page that never goes quiet is still pictured as it is
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=min(self.timeout_ms, 5000))
            shot = self._shoot(page, width, selectors)
            return Shot(shot.png, shot.width, shot.height, shot.rects, tuple(refused))

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


def _is_tracking(url: str) -> bool:
    """pageheat's own tag on the pictured page: a screenshot is not a visit."""
    return url.split("?", 1)[0].endswith("/pageheat.js") or "/api/v1/collect" in url
