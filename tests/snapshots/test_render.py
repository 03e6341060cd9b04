"""The snapshot renderer on its own: even HTML that got past the sanitiser runs nothing
and fetches nothing, and the boxes of clicked selectors come back in page pixels."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from pageheat.snapshots.screenshot import Screenshotter
from tests.conftest import CHROMIUM

pytestmark = pytest.mark.browser


class Shooter:
    """The renderer on a thread of its own, as pageheat runs it: Playwright's sync API
    cannot share a thread with the tests' own browser."""

    def __init__(self):
        self.pool = ThreadPoolExecutor(1)
        self.s = Screenshotter(CHROMIUM, timeout_s=15)

    def render_html(self, *args):
        return self.pool.submit(self.s.render_html, *args).result()

    def close(self):
        self.pool.submit(self.s.close).result()
        self.pool.shutdown()


@pytest.fixture(scope="module")
def shooter():
    s = Shooter()
    yield s
    s.close()


def test_raw_script_handlers_and_urls_do_nothing(shooter, site):
    hit = f"{site.url}/pwned"
    html = f"""<!doctype html><html><head><title>t</title>
    <link rel="stylesheet" href="{hit}-css"><script src="{hit}-src"></script></head>
    <body onload="fetch('{hit}-onload')"><script>fetch('{hit}-inline');
    document.body.style.height = '5000px'</script>
    <img src="{hit}-img" onerror="fetch('{hit}-onerror')">
    <div style="height: 1500px; background: url({hit}-bg)">tall</div>
    <button id="b" style="position: absolute; left: 300px; top: 1200px; width: 100px; height: 40px">Go</button>
    </body></html>"""
    shot = shooter.render_html(html, 800, ["#b", "#missing", "p:nth-child(99)"])
    assert not [p for p in site.requests if "pwned" in p], site.requests
    assert any("pwned-img" in u for u in shot.refused)  # tried, and refused
    assert shot.height < 5000  # the inline script did not run
    assert shot.rects["#b"] == (300, 1200, 100, 40)
    assert shot.rects["#missing"] == (0, 0, 0, 0) and shot.rects["p:nth-child(99)"] == (0, 0, 0, 0)
    img = Image.open(io.BytesIO(shot.png))
    assert img.size == (800, shot.height)
