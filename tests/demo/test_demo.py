"""`pageheat demo` (what `make run` starts): the shop carries the tag, the seeded visits
come through the real tracker's shape, and the dashboard has a heatmap to show."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import TOKEN, free_port

pytestmark = pytest.mark.browser


def test_demo_serves_the_shop_and_seeds_a_heatmap(tmp_path):
    port, site_port = free_port(), free_port()
    env = {**os.environ, "PAGEHEAT_ADMIN_TOKEN": TOKEN}
    with (tmp_path / "demo.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pageheat", "demo", "--data", str(tmp_path / "data"),
             "--port", str(port), "--site-port", str(site_port), "--visits", "120"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    try:
        deadline = time.monotonic() + 120
        while "Recorded" not in (tmp_path / "demo.log").read_text():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.5)
        log = (tmp_path / "demo.log").read_text()
        views = api.get("/api/v1/apps/demo/views").json()["views"]
        assert f"http://127.0.0.1:{site_port}/" in log
        assert "Recorded 120 demo visits" in log, log
        assert [v["name"] for v in views] == ["/", "/pricing.html"]

        shop = httpx.get(f"http://127.0.0.1:{site_port}/").text
        assert f'<script src="{base}/pageheat.js" data-app="demo" defer></script>' in shop

        def heat() -> dict:
            return api.get("/api/v1/apps/demo/heatmap",
                           params={"view": "/", "width": "desktop"}).json()  # fmt: skip

        h = heat()
        while h["background_status"] != "ready" and time.monotonic() < deadline:
            time.sleep(1)
            h = heat()
        assert h["background_status"] == "ready", h["background_error"]
        # the most attractive target of the demo visitors is the hottest spot
        assert h["hotspots"][0]["selector"] == "#add-to-cart"
        assert h["placed"]["positional"] == 0
    finally:
        api.close()
        proc.terminate()
        proc.wait(timeout=20)
