"""The `pageheat` command, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from io import BytesIO

from PIL import Image

from tests.store.test_contract import click, env, view


def run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "-m", "pageheat", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "PAGEHEAT_CHROMIUM": "/nonexistent/chromium", **(env_extra or {})},
    )  # fmt: skip


def test_app_create_prints_the_app_as_json(tmp_path):
    r = run("app", "create", "My shop", "--origin", "https://shop.example", "--data", str(tmp_path))
    assert r.returncode == 0, r.stderr
    app = json.loads(r.stdout)
    assert app["name"] == "My shop" and app["origins"] == ["https://shop.example"]
    assert f'data-app="{app["key"]}"' in app["script_tag"]
    listed = run("app", "list", "--data", str(tmp_path))
    assert json.loads(listed.stdout.splitlines()[0])["key"] == app["key"]


def test_app_create_refuses_a_bad_origin(tmp_path):
    r = run("app", "create", "Shop", "--origin", "shop.example", "--data", str(tmp_path))
    assert r.returncode != 0 and "https://example.com" in r.stderr


def test_render_json_and_png_from_a_data_directory(tmp_path):
    from pageheat.store.duckdb import DuckDBStore

    data = tmp_path / "data"
    key = json.loads(run("app", "create", "Shop", "--data", str(data)).stdout)["key"]
    store = DuckDBStore(data / "events.duckdb")
    store.write([env(app=key, events=[view("v1"), *[click("v1", x=300, y=400) for _ in range(6)],
                                      click("v1", "#b", x=900, y=100)])])  # fmt: skip
    store.close()

    out = tmp_path / "heat.json"
    r = run("render", "--data", str(data), "--app", key, "--view", "/", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "no background" in r.stderr  # no Chromium here: drawn without a picture
    h = json.loads(out.read_text())
    assert h["total"] == 7
    top = h["hotspots"][0]
    assert (top["x"] // 10, top["y"] // 10) == (30, 40) and top["count"] == 6

    png = tmp_path / "heat.png"
    r = run("render", "--data", str(data), "--app", key, "--view", "/", "--out", str(png))
    assert r.returncode == 0, r.stderr
    img = Image.open(BytesIO(png.read_bytes())).convert("RGBA")
    assert img.size == (h["width"], h["height"])
    assert img.getpixel((305, 405))[3] > 200  # opaque heat on the hot spot
    assert img.getpixel((700, 900))[3] == 0  # nothing where nobody clicked


def test_render_a_scroll_map(tmp_path):
    from pageheat.store.duckdb import DuckDBStore
    from tests.store.test_contract import scroll

    data = tmp_path / "data"
    key = json.loads(run("app", "create", "Shop", "--data", str(data)).stdout)["key"]
    store = DuckDBStore(data / "events.duckdb")
    store.write([env(app=key, events=[view("v1"), scroll("v1", 3000), view("v2")])])
    store.close()
    out = tmp_path / "scroll.json"
    r = run("render", "--data", str(data), "--app", key, "--view", "/", "--kind", "scroll",
            "--out", str(out))  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "scroll map of 2 page views" in r.stdout
    s = json.loads(out.read_text())["scroll"]
    assert s["reach"][0] == 1.0 and s["reach"][100] == 0.5


def test_settings_lists_every_variable():
    r = run("settings")
    assert r.returncode == 0
    assert "PAGEHEAT_MAX_BATCH_EVENTS=500" in r.stdout


def test_app_rules_add_list_and_remove(tmp_path):
    data = str(tmp_path / "data")
    key = json.loads(run("app", "create", "Shop", "--data", data).stdout)["key"]
    r = run("app", "rules", key, "--add", "/product/*", "Product page", "--add", "/blog/**",
            "Blog", "--data", data)  # fmt: skip
    assert r.returncode == 0, r.stderr
    rules = [{"pattern": "/product/*", "name": "Product page"},
             {"pattern": "/blog/**", "name": "Blog"}]  # fmt: skip
    assert json.loads(r.stdout) == {"key": key, "rules": rules}
    assert json.loads(run("app", "rules", key, "--data", data).stdout)["rules"] == rules
    r = run("app", "rules", key, "--remove", "/blog/**", "--data", data)
    assert json.loads(r.stdout)["rules"] == rules[:1]
    bad = run("app", "rules", key, "--add", "product", "P", "--data", data)
    assert bad.returncode != 0 and "must be a URL path glob" in bad.stderr
    assert run("app", "rules", "nope", "--data", data).returncode != 0


def test_render_takes_filters(tmp_path):
    from pageheat.store.duckdb import DuckDBStore

    data = tmp_path / "data"
    key = json.loads(run("app", "create", "Shop", "--data", str(data)).stdout)["key"]
    store = DuckDBStore(data / "events.duckdb")
    store.write([
        env(app=key, batch="1", visitor="u1", events=[view("v1"), click("v1"), click("v1")]),
        env(app=key, batch="2", visitor="u2", device="mobile", events=[view("v2"), click("v2")]),
    ])  # fmt: skip
    store.close()
    out = tmp_path / "heat.json"
    args = ("render", "--data", str(data), "--app", key, "--view", "/", "--out", str(out))
    r = run(*args, "--filter", "device=mobile")
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["total"] == 1
    assert json.loads(out.read_text())["filters"] == {"device": "mobile"}
    r = run(*args, "--filter", "device=mobile", "--filter", "device=desktop")
    assert json.loads(out.read_text())["total"] == 3
    bad = run(*args, "--filter", "colour=red")
    assert bad.returncode != 0 and "unknown filter 'colour'" in bad.stderr
