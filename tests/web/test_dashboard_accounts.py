"""Issue 7's bar, in real Chromium against a real ``pageheat serve``: an account made
with the real CLI signs in with its password, creates an app in the UI, pastes the tag
the UI shows into a page, and reads, saves, shares and exports the heatmap of its
clicks; the share link opens without login, read-only, until revoked; a state-changing
request without the CSRF token is refused; an API token made on the account page reads
its app only, until revoked; signing out ends the session.

With ``PAGEHEAT_SCREENSHOTS=1`` the test also retakes the README's screenshots
(docs/img/); without it nothing in the repository is written.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.browsing import HOTTEST_PIXEL, box, on_screen, sign_in, visit, watch_problems
from tests.conftest import ROOT, TEST_SETTINGS, TOKEN, LiveServer, SiteServer, _env

pytestmark = pytest.mark.browser

USER, PASSWORD = "ana", "a long passphrase for ana"
WIDTH = 1366
SHOTS = os.environ.get("PAGEHEAT_SCREENSHOTS") == "1"
IMG = ROOT / "docs" / "img"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Shop</title>
<meta name="viewport" content="width=device-width">
<style>
  body {{ margin: 0; font: 18px sans-serif; background: #fafafa; }}
  header {{ height: 90px; background: #1f2937; color: #fff; padding: 30px 40px; box-sizing: border-box; }}
  main {{ padding: 40px; height: 900px; }}
  button {{ font-size: 20px; padding: 18px 36px; }}
  #a {{ background: #16a34a; color: #fff; border: 0; border-radius: 8px; }}
  #b {{ margin-left: 420px; }}
</style>
{tag}
</head><body><header>Shop</header><main>
  <h1>The good kettle</h1>
  <button id="a" type="button">Add to cart</button>
  <button id="b" type="button">Details</button>
</main></body></html>"""


#: Heatmap answers take 1.5 s (the network, slowed in the page), as a big view's would.
SLOW_HEATMAPS = """() => {
  window.fetchBeforeTest = window.fetch;
  window.fetch = (url, init) => window.fetchBeforeTest(url, init).then(r =>
    String(url).includes("/heatmap?") ? new Promise(ok => setTimeout(() => ok(r), 1500)) : r);
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server whose data directory holds the account ``ana``, made by the real CLI."""
    data = tmp_path_factory.mktemp("accounts") / "live"
    data.mkdir(parents=True)
    env = {**os.environ, "PAGEHEAT_ADMIN_TOKEN": TOKEN, **_env(TEST_SETTINGS)}
    made = subprocess.run(
        [sys.executable, "-m", "pageheat", "user", "create", USER, "--password-stdin",
         "--data", str(data)],
        input=PASSWORD + "\n", env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    s = LiveServer(data).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    root = tmp_path_factory.mktemp("shop")
    s = SiteServer(root)
    yield s
    s.close()


def shot(page, name: str, full: bool = False) -> None:
    if SHOTS:
        IMG.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(IMG / name), full_page=full)


def inside(point: dict, rect: dict) -> bool:
    return (rect["x"] <= point["x"] <= rect["x"] + rect["w"]
            and rect["y"] <= point["y"] <= rect["y"] + rect["h"])  # fmt: skip


def wait_heatmap(page) -> dict:
    """Wait for the heat over the page's captured picture; the hottest canvas pixel."""
    page.wait_for_selector("img.stage-bg", timeout=90_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('img.stage-bg'); return i && i.complete"
        " && i.naturalWidth > 0; }"
    )
    page.wait_for_selector("[data-testid=legend]")
    return page.locator("[data-testid=heat-canvas]").evaluate(HOTTEST_PIXEL)


def download(page, selector: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(selector)
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def hottest_change(png: bytes, background: bytes) -> tuple[dict, Image.Image]:
    """Where an exported PNG differs most from the bare background under its header band
    (the heat's peak), and the picture."""
    out = Image.open(io.BytesIO(png)).convert("RGB")
    bg = Image.open(io.BytesIO(background)).convert("RGB")
    band = out.height - bg.height
    pic = np.asarray(out, dtype=int)[band:]
    diff = np.abs(pic - np.asarray(bg, dtype=int)).sum(axis=2)
    y, x = np.unravel_index(int(diff.argmax()), diff.shape)
    return {"x": int(x), "y": int(y), "band": band, "diff": int(diff.max())}, out


def test_account_app_heatmap_saved_shared_exported(browser, server, shop) -> None:
    # -- sign in with the account's password; the top bar names the user --------------
    # -- a wrong password is refused on the form; the demo's token link signs in ---------
    guest = browser.new_context()
    login = guest.new_page()
    login.goto(f"{server.url}/login")
    login.fill("#user", USER)
    login.fill("#password", "not the password")
    login.click("button[type=submit]")
    login.wait_for_selector("#login-error:not([hidden])")
    assert login.inner_text("#login-error") == "Wrong user name or password."
    login = guest.new_page()  # a fresh load (a fragment change alone would not reload)
    login.goto(f"{server.url}/login#token={server.token}")  # what `pageheat demo` prints
    login.wait_for_url(f"{server.url}/")
    login.wait_for_selector("[data-testid=user-name] .user-name:text-is('admin')")
    guest.close()

    context, page, problems = sign_in(browser, server, 1600, 1000, user=USER, password=PASSWORD)
    page.wait_for_selector(f"[data-testid=user-name] .user-name:text-is('{USER}')")
    page.wait_for_selector("text=No applications yet")
    page.wait_for_selector("[data-testid=saved-empty]")

    # -- create an app in the UI and read its tag off the install page --------------------
    page.fill("#new-app-name", "Kettle shop")
    page.fill("#new-app-origins", shop.url)
    page.click("text=Create app")
    page.wait_for_url(re.compile(r"/apps/[^/?]+$"))
    key = page.url.rsplit("/", 1)[1]
    empty = page.locator("[data-testid=empty-state]")
    assert "Tracker not seen yet" in empty.inner_text()
    tag = page.locator("[data-testid=script-tag]").inner_text()
    assert f'data-app="{key}"' in tag and "/pageheat.js" in tag
    page.click("[data-testid=copy-tag]")
    status = page.locator("[data-testid=copy-status]")
    status.filter(has_text=re.compile(r"\S")).wait_for()  # the clipboard answers later
    assert status.inner_text() in {"Copied", "Selected: press Ctrl+C (⌘C) to copy"}

    # -- app settings: saved by PATCH; a bad origin is named next to its field ------------
    page.click("[data-testid=app-settings]")
    page.wait_for_url(re.compile(rf"/apps/{key}/settings$"))
    form = page.locator("[data-testid=app-settings-form]")
    assert page.input_value("#app-sample_rate") == "100"
    page.fill("#app-origins", f"{shop.url}\nshop.example")
    form.locator("button[type=submit]").click()
    err = page.locator("[data-error-for=origins]")
    err.wait_for()
    assert "shop.example" in err.inner_text()
    page.fill("#app-origins", shop.url)
    page.fill("#app-retention_days", "90")
    # a new app records sessions, every one: record a quarter of them instead
    assert page.is_checked("#app-replay") and page.input_value("#app-replay_sample") == "100"
    page.fill("#app-replay_sample", "25")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=settings-status]:has-text('Saved')")
    assert err.is_hidden()
    with server.api() as api:
        saved = api.get(f"/api/v1/apps/{key}").json()
        assert (saved["retention_days"], saved["replay"], saved["replay_sample"]) == (
            90,
            True,
            0.25,
        )
    shot(page, "dashboard-settings.png", full=True)
    # A stale CSRF token (another tab signed in again): the page says what to do.
    csrf = next(c for c in context.cookies() if c["name"] == "pageheat_csrf")
    context.add_cookies([{**csrf, "value": "stale"}])
    form.locator("button[type=submit]").click()
    refused = form.locator(".form-error")
    refused.wait_for()
    assert "security token" in refused.inner_text() and "Reload" in refused.inner_text()
    context.add_cookies([csrf])

    # Before any event, the heatmap page says the tracker was never heard from, with the tag.
    # (A view other than the one visited below, so that this look leaves nothing behind.)
    page.goto(f"{server.url}/apps/{key}/heatmap?view=%2Fsoon.html")
    missing = page.locator("[data-testid=tracker-not-seen]")
    missing.wait_for()
    assert missing.locator("[data-testid=script-tag]").inner_text() == tag
    assert page.locator("[data-testid=not-enough-data]").count() == 0

    # -- the tag, pasted into a page; a visitor (its own browser context) clicks ----------
    url = shop.page("kettle.html", PAGE.format(tag=tag))
    visit(browser, url, WIDTH, ["#a", "#a", "#a", "#b"])
    visit(browser, url, WIDTH, ["#a", "#a"])
    page.goto(f"{server.url}/apps/{key}")
    deadline = time.monotonic() + 30
    while not page.locator("[data-testid=views]").count():
        assert time.monotonic() < deadline, "the view never appeared"
        time.sleep(0.5)
        page.reload()
        page.wait_for_selector("main h1")
    page.locator("[data-testid=views] a.strong").first.click()
    page.wait_for_url(re.compile(r"/heatmap\?view=%2Fkettle\.html&width=desktop"))
    hot = wait_heatmap(page)
    a = box(browser, url, hot["width"], "#a")
    assert hot["alpha"] > 100 and inside(hot, a), (hot, a)
    # A slow render shows the progress bar (after 300 ms), gone once drawn.
    progress = page.locator("[data-testid=progress]")
    assert progress.is_hidden()
    page.evaluate(SLOW_HEATMAPS)
    page.click("[data-testid=kind-switch] [data-kind=move]")
    progress.wait_for(state="visible")
    progress.wait_for(state="hidden")
    page.evaluate("window.fetch = window.fetchBeforeTest")
    page.click("[data-testid=kind-switch] [data-kind=click]")
    page.wait_for_selector("[data-testid=legend][data-kind=click]")
    # Too few sessions: the page says how many there are and how many are needed.
    few = page.locator("[data-testid=not-enough-data]")
    assert few.get_attribute("data-sessions") == "2"
    assert int(few.get_attribute("data-needed")) > 2
    assert "2 sessions so far" in few.inner_text()

    # The colour-blind palette redraws the same heat with the server's table.
    heat_rgb = page.locator("[data-testid=heat-canvas]").evaluate(
        "(c, [x, y]) => Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data)",
        [hot["x"], hot["y"]],
    )
    page.click("[data-testid=palette-switch] [data-palette=colorblind]")
    page.wait_for_selector("[data-testid=legend][data-palette=colorblind]")
    assert "palette=colorblind" in page.url
    cb = page.locator("[data-testid=heat-canvas]").evaluate(HOTTEST_PIXEL)
    cb_rgb = page.locator("[data-testid=heat-canvas]").evaluate(
        "(c, [x, y]) => Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data)",
        [cb["x"], cb["y"]],
    )
    assert inside(cb, a) and cb_rgb[:3] != heat_rgb[:3], (heat_rgb, cb_rgb)
    page.click("[data-testid=palette-switch] [data-palette=heat]")
    page.wait_for_selector("[data-testid=legend][data-palette=heat]")

    # -- exports: the PNG (heat over the button, under its header) and the CSVs -----------
    bg_url = page.locator("img.stage-bg").get_attribute("src")
    background = context.request.get(f"{server.url}{bg_url}").body()
    page.click("[data-testid=export]")
    name, png = download(page, "[data-testid=export-menu] [data-export=png]")
    assert name.endswith(".png")
    peak, picture = hottest_change(png, background)
    assert picture.width == hot["width"] and picture.height == peak["band"] + hot["height"]
    assert peak["band"] > 40 and peak["diff"] > 100 and inside(peak, a), (peak, a)
    page.click("[data-testid=export]")
    name, body = download(page, "[data-testid=export-menu] [data-export=actions]")
    assert name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert rows[0]["selector"] == "#a" and rows[0]["clicks"] == "5", rows
    assert {r["selector"]: r["clicks"] for r in rows}["#b"] == "1"
    page.click("[data-testid=export]")
    _, body = download(page, "[data-testid=export-menu] [data-export=grid]")
    cells = list(csv.DictReader(io.StringIO(body.decode())))
    top = max(cells, key=lambda c: float(c["value"]))
    centre = {"x": float(top["x"]) + float(top["width"]) / 2,
              "y": float(top["y"]) + float(top["height"]) / 2}  # fmt: skip
    assert inside(centre, {**a, "x": a["x"] - 30, "y": a["y"] - 30, "w": a["w"] + 60,
                           "h": a["h"] + 60}), (top, a)  # fmt: skip

    # -- save it; it is listed on the home page; it reopens with the same parameters ------
    page.click("[data-testid=save]")
    page.fill("#dialog-name", "Kettle, desktop")
    page.click("[data-testid=save-confirm]")
    page.wait_for_url(re.compile(r"saved="))
    assert page.locator("[data-testid=saved-name]").inner_text().endswith("Kettle, desktop")
    saved_url = page.url
    shot(page, "dashboard-heatmap.png")
    page.click("a.brand")
    row = page.locator("[data-testid=saved] tbody tr")
    row.wait_for()
    assert row.count() == 1
    cells = row.first.locator("td").all_inner_texts()
    assert cells[0].startswith("Kettle, desktop") and cells[1] == "Kettle shop"
    assert cells[2] == "/kettle.html" and cells[3] == "Click"
    shot(page, "dashboard-home.png")
    row.first.locator("[data-testid=saved-open]").click()
    page.wait_for_url(re.compile(r"/heatmap\?"))
    assert _query(page.url) == _query(saved_url)
    assert inside(wait_heatmap(page), a)
    assert page.locator("[data-testid=saved-name]").inner_text().endswith("Kettle, desktop")
    # Changed, it is saved again under its name ("Save changes" keeps the same id).
    page.click("[data-testid=palette-switch] [data-palette=colorblind]")
    page.click("[data-testid=save]")
    page.click("[data-testid=save-changes]")
    page.wait_for_selector("[data-testid=name-dialog]", state="detached")
    with server.api() as api:
        (kept,) = api.get("/api/v1/saved").json()["saved"]
    assert kept["params"]["palette"] == "colorblind" and kept["url"].endswith(
        f"saved={_query(saved_url)['saved'][0]}")  # fmt: skip
    page.click("[data-testid=palette-switch] [data-palette=heat]")  # the share below: heat

    # -- rename and delete it from the home page -------------------------------------------
    page.click("a.brand")
    page.click("[data-testid=saved] [data-testid=saved-rename]")
    page.fill("#dialog-name", "Kettle, all visitors")
    page.click("[data-testid=name-save]")
    page.wait_for_selector("[data-testid=saved] a:has-text('Kettle, all visitors')")
    page.click("[data-testid=saved] [data-testid=saved-delete]")
    page.click("[data-testid=confirm-yes]")
    page.wait_for_selector("[data-testid=saved-empty]")
    with server.api() as api:
        assert api.get("/api/v1/saved").json()["saved"] == []

    # -- share a read-only link; it opens in a fresh context without login ----------------
    page.go_back()  # the heatmap page
    page.wait_for_url(re.compile(r"/heatmap\?"))
    wait_heatmap(page)
    page.click("[data-testid=share]")
    page.select_option("[data-testid=share-expiry]", "7")
    page.click("[data-testid=share-create]")
    link = page.locator("[data-testid=share-url]")
    link.wait_for()
    share_url = link.input_value()
    assert re.fullmatch(rf"{re.escape(server.url)}/share/[\w-]{{16,}}", share_url), share_url
    page.wait_for_selector("[data-testid=shares] tr[data-state=active]")

    stranger = browser.new_context(viewport={"width": 1600, "height": 1000})
    view = stranger.new_page()
    seen = watch_problems(view)
    view.goto(share_url)
    shared = wait_heatmap(view)
    assert inside(shared, a), (shared, a)
    # The shared page is drawn to fit its area: point at the hotspot through that scale.
    view.mouse.move(*on_screen(view.locator("[data-testid=heat-canvas]"), shared["x"], shared["y"]))
    assert view.locator(".tip").inner_text().startswith("5 clicks")
    facts = view.locator("[data-testid=share-filters]").inner_text()
    assert "/kettle.html" in facts and "Kettle shop" in facts and "Desktop" in facts
    assert view.locator("[data-testid=top-actions] .action").first.inner_text().count("#a")
    for absent in ["[data-testid=save]", "[data-testid=share]", "#app-select",
                   "#view-select", "[data-testid=action-open]", "[data-testid=sign-out]",
                   "[data-testid=filter-bar]", "[data-testid=compare-toggle]"]:  # fmt: skip
        assert view.locator(absent).count() == 0, absent
    # Its exports are the link's heatmap: the heat over the button, the button's clicks.
    _, png = download(view, "[data-testid=share-exports] a[data-export=png]")
    peak, _ = hottest_change(png, background)
    assert peak["diff"] > 100 and inside(peak, a), (peak, a)
    _, body = download(view, "[data-testid=share-exports] a[data-export=actions]")
    assert {r["selector"]: r["clicks"] for r in csv.DictReader(io.StringIO(body.decode()))} == {
        "#a": "5", "#b": "1"}  # fmt: skip
    shot(view, "dashboard-share.png")

    # -- revoke it: the link is refused -----------------------------------------------------
    page.click("[data-testid=shares] [data-testid=share-revoke]")
    page.click("[data-testid=confirm-yes]")
    page.wait_for_selector("[data-testid=shares] tr[data-state=revoked]")
    view.reload()
    gone = view.locator("[data-testid=share-gone]")
    gone.wait_for()
    assert gone.get_attribute("data-status") == "410"
    assert "revoked" in gone.inner_text()
    assert view.locator("[data-testid=heat-canvas]").count() == 0
    api_url = share_url.replace("/share/", "/api/v1/share/")
    assert view.request.get(f"{api_url}/heatmap").status == 410
    assert not seen, seen
    stranger.close()
    page.keyboard.press("Escape")

    # -- CSRF: the session cookie alone does not change anything ---------------------------
    refused = context.request.post(f"{server.url}/api/v1/apps", data={"name": "Forged"})
    assert refused.status == 403 and "CSRF" in refused.json()["error"]
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "pageheat_csrf")
    made = context.request.post(f"{server.url}/api/v1/apps", data={"name": "Real"},
                                headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert made.status == 201
    other = made.json()["key"]

    # -- an API token of ana's for this app only: made on the account page, shown once ----
    page.click("[data-testid=user-name]")
    page.wait_for_url(re.compile(r"/account$"))
    page.wait_for_selector("[data-testid=tokens-empty]")
    page.fill("#token-name", "CI export")
    page.check("[data-testid=token-some]")
    page.check(f"input[data-app='{key}']")
    page.click("text=Create token")
    secret = page.locator("[data-testid=token-secret]").inner_text()
    listed = page.locator("[data-testid=tokens] tbody tr")
    listed.wait_for()
    assert listed.count() == 1 and "Kettle shop" in listed.inner_text()
    assert secret not in page.locator("[data-testid=tokens]").inner_text()
    bearer = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=server.url, headers=bearer, timeout=30) as c:
        assert c.get(f"/api/v1/apps/{key}/views").status_code == 200
        assert c.get(f"/api/v1/apps/{other}/views").status_code == 403
        page.click("[data-testid=token-revoke]")
        page.click("[data-testid=confirm-yes]")
        page.wait_for_selector("[data-testid=tokens-empty]")
        assert c.get(f"/api/v1/apps/{key}/views").status_code == 401

    # -- deleting an app asks first, then it is gone with its data --------------------------
    page.goto(f"{server.url}/apps/{other}/settings")
    page.click("[data-testid=delete-app]")
    page.click("[data-testid=confirm] button:text-is('Cancel')")
    page.click("[data-testid=delete-app]")
    page.click("[data-testid=confirm-yes]")
    page.wait_for_url(f"{server.url}/")
    page.wait_for_selector("[data-testid=apps]")
    assert page.locator("[data-testid=apps] tbody tr").all_inner_texts()[0].startswith("Kettle")
    assert page.locator("[data-testid=apps] tbody tr").count() == 1

    # -- sign out: the session is gone on the server ---------------------------------------
    page.click("[data-testid=sign-out]")
    page.wait_for_url(re.compile(r"/login$"))
    assert context.request.get(f"{server.url}/api/v1/apps").status == 401
    assert not problems, problems
    context.close()


def test_a_viewer_reads_apps_but_is_not_offered_changes(browser, server) -> None:
    """An account made with ``--viewer`` may read every app: the dashboard shows no app
    form and greys the settings out instead of letting it fill forms the server refuses."""
    env = {**os.environ, "PAGEHEAT_ADMIN_TOKEN": TOKEN, **_env(TEST_SETTINGS)}
    made = subprocess.run(
        [sys.executable, "-m", "pageheat", "user", "create", "vic", "--viewer",
         "--password-stdin", "--data", str(server.data)],
        input="vic's own passphrase\n", env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    key = server.create_app("Read-only shop", ["https://shop.example"])
    context, page, problems = sign_in(browser, server, user="vic", password="vic's own passphrase")
    page.wait_for_selector("[data-testid=apps] a:text-is('Read-only shop')")
    page.wait_for_selector("text=vic may read every app but not create or change apps")
    assert page.locator("#new-app-name").count() == 0
    page.goto(f"{server.url}/apps/{key}/settings")
    page.wait_for_selector("[data-testid=settings-status]:has-text('an admin changes them')")
    assert page.locator("#app-name").is_disabled()
    assert page.locator("[data-testid=delete-app]").is_disabled()
    assert not problems, problems
    context.close()


def _query(url: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(url).query)
