"""``pageheat demo``: pageheat, a demo shop with the script tag in it, and visits to look at.

On first start the demo records visits so the dashboard has something to show. They are
synthetic but shaped by the real tracker: one real Chromium visit per page and width
clicks each element once through the real ``pageheat.js``, and the recorded clicks
(selectors, boxes, texts) are the templates the synthetic visitors click around. Every
visit goes through ``POST /api/v1/collect`` like any other sender's.
"""

from __future__ import annotations

import contextlib
import functools
import json
import random
import secrets
import threading
import time
from importlib import resources
from typing import TYPE_CHECKING, Any

import click
import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pageheat.snapshots.screenshot import CHROMIUM_ARGS
from pageheat.store.base import Query

if TYPE_CHECKING:
    from pageheat.app import Pageheat

DEMO_KEY = "demo"
PAGES = {"/": "index.html", "/index.html": "index.html", "/pricing.html": "pricing.html"}
ASSETS = {"/site.css": "text/css", "/site.js": "text/javascript"}

#: Elements the demo visitors click, with how much each one attracts them.
TARGETS = {
    "/": [("#add-to-cart", 30), ("#hero-picture", 12), ("[data-testid=buy-colombia]", 9),
          ("[data-testid=buy-ethiopia]", 7), ("#see-subscriptions", 6), ("#nav-pricing", 5),
          ("#cart", 4), ("[data-testid=buy-sumatra]", 3), ("#subscribe", 2), ("#email", 2),
          (".quote", 1)],
    "/pricing.html": [("#choose-fortnightly", 20), ("#choose-monthly", 8), ("#choose-weekly", 5),
                      ("#faq-skip summary", 4), ("#faq-grind summary", 3), ("#cart", 2)],
}  # fmt: skip
WIDTHS = {"desktop": (1440, 0.55), "mobile": (390, 0.40), "tablet": (1024, 0.05)}
AGENTS = {
    "desktop": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/131.0 Safari/537.36",
    "tablet": "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "mobile": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
}


def site_app(tag: str) -> Starlette:
    """The demo shop, with pageheat's script tag written into every page."""
    files = resources.files("pageheat.demo").joinpath("site")

    async def page(request: Request) -> Response:
        path = request.url.path
        if path in ASSETS:
            return Response(files.joinpath(path[1:]).read_bytes(), media_type=ASSETS[path])
        html = files.joinpath(PAGES[path]).read_text().replace("{{PAGEHEAT_TAG}}", tag)
        return Response(html, media_type="text/html")

    return Starlette(routes=[Route(p, page) for p in (*PAGES, *ASSETS)])


def ensure_app(ph: Pageheat, site_port: int) -> None:
    origins = [f"http://127.0.0.1:{site_port}", f"http://localhost:{site_port}"]
    if ph.meta.app(DEMO_KEY) is None:
        ph.meta.create_app("Northwind Coffee (demo)", origins, key=DEMO_KEY)
        # The demo's discovery visits are headless Chromium, which pageheat drops as bots
        # unless an app keeps them; their snapshots are the demo's backgrounds.
        ph.meta.set_policy(DEMO_KEY, keep_bots=True)


def run_demo(ph: Pageheat, site_port: int = 8001, visits: int = 400) -> None:
    from pageheat.web.run import serve

    ensure_app(ph, site_port)
    site = uvicorn.Server(uvicorn.Config(
        site_app(ph.script_tag(DEMO_KEY)), host=ph.settings.host, port=site_port,
        log_level="warning", access_log=False,
    ))  # fmt: skip
    site_url = f"http://{ph.settings.host}:{site_port}"
    fresh = ph.store.last_event_ms(DEMO_KEY) is None
    if fresh and visits > 0:
        threading.Thread(target=_seed_when_up, args=(ph, site_url, visits), daemon=True).start()
    click.echo(
        f"\n  pageheat is running.\n\n"
        f"  Demo shop (open it, click around):  {site_url}/\n"
        f"  Dashboard:                          {ph.public_url}/login#token={ph.admin_token}\n"
        f"  Admin token (API and login):        {ph.admin_token}\n"
        f"  Data directory:                     {ph.data_dir}\n"
        f"  Accounts for your team:             pageheat user create NAME --data {ph.data_dir}\n"
        + ("  Recording demo visits in the background…\n" if fresh and visits else "")
        + "\n  Stop with Ctrl-C.\n"
    )
    serve(ph, site)


def _seed_when_up(ph: Pageheat, site_url: str, visits: int) -> None:
    for _ in range(100):
        try:
            httpx.get(f"{ph.public_url}/healthz", timeout=1)
            httpx.get(site_url, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    try:
        templates = discover(ph.settings.chromium, site_url)
        n = seed(ph.public_url, site_url, templates, visits)
        click.echo(f"  Recorded {n} demo visits. Open the dashboard to see them.")
        # The discovery visits' snapshots are the backgrounds; a live-page screenshot
        # stands in where one did not arrive.
        ph.backgrounds.wait_idle(60)
        for path in TARGETS:
            for width in WIDTHS:
                query = Query(app=DEMO_KEY, view=path, width=ph.width_range(width))
                if ph.backgrounds.choose(query) is None:
                    ph.backgrounds.request(query, ph.store.points(query).selectors)
    except Exception as exc:  # the demo still runs; real clicks still count
        click.echo(f"  Could not record demo visits: {exc}", err=True)


def discover(chromium: str, site_url: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Click every target once in real Chromium; return the tracker's own click events.

    These are real visits, recorded by pageheat like any other; staying until the
    tracker has sent the snapshot pageheat asks for gives each page and width a true
    background.
    """
    from playwright.sync_api import sync_playwright

    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for width_name, (width, _) in WIDTHS.items():
                touch = width_name != "desktop"
                for path, targets in TARGETS.items():
                    context = browser.new_context(
                        viewport={"width": width, "height": 900}, has_touch=touch,
                        is_mobile=touch,
                    )  # fmt: skip
                    bodies: list[dict[str, Any]] = []
                    asks: list[bool | None] = []
                    page = context.new_page()
                    # Beacons slip past page.route, so the tracker's batches must go by
                    # fetch: no beacon, and wait for the timed flush before closing.
                    page.add_init_script("navigator.sendBeacon = () => false;")
                    page.route("**/api/v1/collect", functools.partial(_keep, bodies, asks))
                    page.route("**/api/v1/snapshot", functools.partial(_keep, [], asks))
                    page.goto(site_url + path, wait_until="load")
                    page.evaluate("document.addEventListener('click', e => e.preventDefault())")
                    clicked: list[tuple[str, dict[str, float]]] = []
                    for css, _ in targets:
                        el = page.query_selector(css)
                        if el is None or not el.is_visible():
                            continue
                        el.scroll_into_view_if_needed()
                        box = el.bounding_box() or {"width": 100.0, "height": 40.0}
                        el.tap() if touch else el.click()
                        clicked.append((css, box))
                    deadline = time.monotonic() + 10
                    while _count(bodies, "click") < len(clicked) and time.monotonic() < deadline:
                        page.wait_for_timeout(100)
                    # asks: one entry per answered layout (True: asked for a snapshot),
                    # and None once a snapshot went; wait for whichever ends the story
                    while time.monotonic() < deadline + 5 and not (
                        None in asks or (asks and not any(asks))
                    ):
                        page.wait_for_timeout(100)
                    context.close()
                    clicks = [e for b in bodies for e in b.get("events", []) if e["k"] == "click"]
                    views = [e for b in bodies for e in b.get("events", []) if e["k"] == "view"]
                    for c, (css, box) in zip(clicks, clicked, strict=False):
                        c.update(_target=css, _w=box["width"], _h=box["height"])
                    found[(width_name, path)] = clicks
                    found[(width_name, path + "#view")] = views[:1]
        finally:
            browser.close()
    return found


def _count(bodies: list[dict[str, Any]], kind: str) -> int:
    return sum(e["k"] == kind for b in bodies for e in b.get("events", []))


def _keep(bodies: list[dict[str, Any]], asks: list[bool | None], route: Any) -> None:
    """Record what the tracker sends, pass it on to pageheat and note what it answered."""
    body = json.loads(route.request.post_data or "{}")
    answer = route.fetch()
    if "dom" in body:
        asks.append(None)
    else:
        bodies.append(body)
        if any(e.get("k") == "layout" for e in body.get("events", [])):
            with contextlib.suppress(ValueError):
                asks.append(bool(answer.json().get("need_snapshot")))
    route.fulfill(response=answer)


def seed(
    base_url: str, site_url: str, templates: dict[tuple[str, str], list[dict[str, Any]]],
    visits: int, seed: int = 7,
) -> int:  # fmt: skip
    """Post ``visits`` synthetic sessions built from the discovered templates.

    A third of the sessions that start on the home page go on to the pricing page, so
    the session end ratio and the pages' popularity mean something in the demo.
    """
    rng = random.Random(seed)
    now = int(time.time() * 1000)
    combos = [(w, p) for w in WIDTHS for p in TARGETS if templates.get((w, p + "#view"))]
    if not combos:
        raise RuntimeError("the tracker recorded no page view of the demo site")
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for _ in range(visits):
            width_name = rng.choices(list(WIDTHS), [w for _, w in WIDTHS.values()])[0]
            path = rng.choices(list(TARGETS), [3, 1])[0]
            if (width_name, path) not in combos:
                width_name, path = rng.choice(combos)
            t = now - rng.randint(60_000, 7 * 86_400_000)
            events = _page_view(templates, width_name, path, t, rng)
            if path == "/" and rng.random() < 1 / 3 and (width_name, "/pricing.html") in combos:
                events += _page_view(templates, width_name, "/pricing.html", events[-1]["t"], rng)
            body = {"app": DEMO_KEY, "sdk": "pageheat-demo/1", "batch": secrets.token_hex(8),
                    "visitor": secrets.token_hex(8), "session": secrets.token_hex(8),
                    "events": events}  # fmt: skip
            for _attempt in range(30):  # as the tracker does: wait when told to
                r = client.post("/api/v1/collect", content=json.dumps(body),
                                headers={"Origin": site_url, "User-Agent": AGENTS[width_name],
                                         "Content-Type": "text/plain"})  # fmt: skip
                if r.status_code not in (429, 503):
                    break
                time.sleep(float(r.headers.get("retry-after", "1")))
            r.raise_for_status()
    return visits


def _page_view(
    templates: dict[tuple[str, str], list[dict[str, Any]]], width_name: str, path: str, t: int,
    rng: random.Random,
) -> list[dict[str, Any]]:  # fmt: skip
    """One page view: the view, a few clicks on weighted targets, and the leave."""
    view = templates[(width_name, path + "#view")][0]
    weights = dict(TARGETS[path])
    v = secrets.token_hex(8)
    events: list[dict[str, Any]] = [{**view, "t": t, "v": v}]
    pool = [
        (c, weights.get(c.get("_target", ""), 1)) for c in templates.get((width_name, path), [])
    ]
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        if not pool:
            break
        c = rng.choices([p[0] for p in pool], [p[1] for p in pool])[0]
        t += rng.randint(800, 15_000)
        events.append(_jitter(c, rng, t, v))
    t += rng.randint(2_000, 90_000)
    dh = view["dh"]
    events.append({"k": "leave", "t": t, "v": v, "vis": t - events[0]["t"],
                   "depth": min(dh, view["vh"] + rng.random() * dh), "dh": dh})  # fmt: skip
    return events


def _jitter(c: dict[str, Any], rng: random.Random, t: int, v: str) -> dict[str, Any]:
    """A click near a recorded one: same element, another spot inside its box."""
    rx = min(1.0, max(0.0, rng.gauss(0.5, 0.2)))
    ry = min(1.0, max(0.0, rng.gauss(0.5, 0.2)))
    box_w = c.get("_w", 120.0)
    box_h = c.get("_h", 40.0)
    x = max(0.0, c["x"] + (rx - c["rx"]) * box_w)
    y = max(0.0, c["y"] + (ry - c["ry"]) * box_h)
    return {**{k: val for k, val in c.items() if not k.startswith("_")},
            "t": t, "v": v, "x": x, "y": y, "rx": rx, "ry": ry}  # fmt: skip
