"""The live-page screenshot cannot be pointed into the server's network (SSRF).

A site's page is pictured by pageheat's own Chromium, on the server. The page is the site
owner's, but anyone can send pageheat a page view naming a URL, and the page itself can
name any URL in an <img>, an <iframe>, a fetch() or a redirect. Real Chromium, real
servers on loopback: one stands for the measured site (an app's origin), one for an
internal service that must never see a request.
"""

from __future__ import annotations

import concurrent.futures
import http.server
import threading
from collections.abc import Iterator

import pytest

from pageheat.snapshots.screenshot import FetchRule, ScreenshotError, Screenshotter, public_host
from tests.conftest import CHROMIUM, SiteServer

pytestmark = pytest.mark.browser


class _Redirect(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.target)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def internal(tmp_path) -> Iterator[SiteServer]:
    """A service on the server's network (an admin panel, a metadata endpoint)."""
    root = tmp_path / "internal"
    root.mkdir()
    s = SiteServer(root)
    s.page("secret.png", "not an image")
    yield s
    s.close()


@pytest.fixture
def redirector(internal) -> Iterator[str]:
    """An origin the admin trusts that redirects into the internal network."""
    handler = type("R", (_Redirect,), {"target": f"{internal.url}/secret.png?via=redirect"})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def on_own_thread(fn):
    """Run ``fn`` on a thread of its own, as pageheat runs its Screenshotter (Backgrounds'
    worker): Playwright's sync API refuses a thread where another test's browser runs."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(fn).result()


def test_public_host_refuses_private_loopback_and_metadata_addresses():
    for host in ("127.0.0.1", "localhost", "10.0.0.8", "192.168.1.1", "169.254.169.254",
                 "::1", "fe80::1", "0.0.0.0", "224.0.0.1", "::ffff:127.0.0.1"):  # fmt: skip
        assert not public_host(host), host
    assert public_host("93.184.216.34")  # a literal public address needs no DNS
    assert not public_host("no-such-host.invalid")


def test_live_capture_fetches_the_site_and_nothing_inside_the_network(site, internal, redirector):
    site.page("logo.png", "")
    url = site.page("page.html", f"""<!doctype html><html><body style="height:1200px">
        <h1 id="title">Shop</h1>
        <img src="/logo.png">
        <img src="{internal.url}/secret.png?via=img">
        <img src="http://169.254.169.254/latest/meta-data/?via=metadata">
        <iframe src="{internal.url}/secret.png?via=iframe"></iframe>
        <div style="background:url({internal.url}/secret.png?via=css)">x</div>
        <img src="{redirector}/go">
        <script>fetch("{internal.url}/secret.png?via=fetch").catch(() => 0);
          new WebSocket("{internal.url.replace('http', 'ws')}/?via=websocket");</script>
        </body></html>""")  # fmt: skip
    rule = FetchRule(lambda: {site.url, redirector})

    def capture():
        shooter = Screenshotter(CHROMIUM, timeout_s=20, fetch_allowed=rule)
        try:
            return shooter.capture(url, 800, ["#title"])
        finally:
            shooter.close()

    shot = on_own_thread(capture)

    assert internal.requests == []
    assert "/logo.png" in site.requests  # the site itself is pictured, with its images
    assert shot.rects["#title"][2] > 0
    refused = " ".join(shot.refused)
    for via in ("img", "metadata", "iframe", "css", "fetch", "redirect", "websocket"):
        assert f"via={via}" in refused, via


def test_a_page_view_cannot_point_the_capture_at_the_network(internal):
    def capture():
        shooter = Screenshotter(CHROMIUM, timeout_s=5, fetch_allowed=FetchRule())
        try:
            shooter.capture(f"{internal.url}/secret.png", 800, [])
        finally:
            shooter.close()

    with pytest.raises(ScreenshotError, match="not on a public address"):
        on_own_thread(capture)
    assert internal.requests == []
