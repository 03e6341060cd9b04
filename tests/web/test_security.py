"""Who may call what, and the headers every answer carries.

The route test walks the app's own routing table, so a route added tomorrow is checked
tomorrow: it must refuse a request without a token and one with a wrong token, or be
listed in PUBLIC with the reason it is public.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from pageheat.web.auth import COOKIE
from pageheat.web.server import NO_CSP, build_app
from tests.conftest import TOKEN

#: Routes anyone may call, and why. Anything else needs a token.
PUBLIC = {
    "/api/v1/collect": "the tracker posts from visitors' browsers (app key + origin)",
    "/api/v1/snapshot": "the tracker posts from visitors' browsers (app key + origin)",
    "/api/v1/replay": "the recorder posts from visitors' browsers (app key + origin)",
    "/pageheat.js": "the script tag on the measured sites",
    "/pageheat-snapshot.js": "loaded by the tracker when asked for a snapshot",
    "/pageheat-replay.js": "loaded by the tracker for sessions it records",
    "/static/{name}": "the dashboard's own script and style sheet",
    "/": "the dashboard shell; its data comes from the API",
    "/apps/{key}": "the dashboard shell",
    "/apps/{key}/heatmap": "the dashboard shell",
    "/apps/{key}/compare": "the dashboard shell",
    "/apps/{key}/action": "the dashboard shell",
    "/apps/{key}/settings": "the dashboard shell",
    "/apps/{key}/outcomes": "the dashboard shell",
    "/apps/{key}/funnels/{funnel}": "the dashboard shell",
    "/apps/{key}/sessions": "the dashboard shell",
    "/apps/{key}/sessions/{session}": "the dashboard shell",
    "/apps/{key}/sessions/{session}/replay": "the dashboard shell (the replay player's CSP)",
    "/account": "the dashboard shell",
    "/share/{token}": "a share link's page shell; its data needs the link's token",
    "/login": "signing in",
    "/logout": "signing out",
    "/healthz": "liveness for a supervisor",
    "/api/v1/palettes": "the colour tables (constant data) the share page draws with",
    "/api/v1/kinds": "the kinds and filters (constant data) the share page names",
    "/readyz": "readiness for a balancer",
    "/openapi.json": "the API's description (no data)",
    "/api/docs": "the API's documentation page (no data)",
    "/docs/oauth2-redirect": "part of the documentation page",
}


def routes(app) -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers (FastAPI ≥ 0.16x keeps
    them nested; older versions flatten them)."""

    def walk(items, prefix: str = "") -> Iterator[tuple[str, str]]:
        for r in items:
            if hasattr(r, "original_router"):
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif hasattr(r, "path"):
                for method in sorted(getattr(r, "methods", None) or {"GET"}):
                    if method != "HEAD":
                        yield method, prefix + r.path

    yield from walk(app.routes)


def concrete(path: str, **values: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), path)


#: Routes that answer to whoever holds a share link's token, which is their key.
SHARED = "/api/v1/share/{token}"


def test_every_route_is_public_on_purpose_or_refuses_missing_and_wrong_tokens(ph):
    from fastapi.testclient import TestClient

    app = build_app(ph)
    found = list(routes(app))
    assert ("GET", "/api/v1/apps") in found and len(found) > 20
    guarded = [(m, p) for m, p in found if p not in PUBLIC and not p.startswith(SHARED)]
    assert len(guarded) >= 15
    with TestClient(app, raise_server_exceptions=False) as c:
        for method, path in guarded:
            url = concrete(path)
            for headers in ({}, {"Authorization": "Bearer wrong"},
                            {"Cookie": f"{COOKIE}=wrong"}):  # fmt: skip
                r = c.request(method, url, headers=headers)
                assert r.status_code in (401, 403), (method, path, headers, r.status_code)
            # and the right token gets past the door (whatever the answer is after it)
            r = c.request(method, url, headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code not in (401, 403), (method, path, r.text)


def test_public_list_names_only_routes_that_exist(ph):
    paths = {p for _, p in routes(build_app(ph))}
    dashboard_shells = {p for p in PUBLIC if p.startswith("/apps/")}
    assert set(PUBLIC) - dashboard_shells <= paths


def test_share_link_routes_open_nothing_without_a_real_link(ph):
    from fastapi.testclient import TestClient

    shared = [(m, p) for m, p in routes(build_app(ph)) if p.startswith(SHARED)]
    assert len(shared) >= 4
    with TestClient(build_app(ph), raise_server_exceptions=False) as c:
        for method, path in shared:
            for token in ("x", "", TOKEN):  # a guess, nothing, the admin token itself
                r = c.request(method, concrete(path, token=token),
                              headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
                assert r.status_code in (404, 405), (method, path, token, r.status_code)


def test_another_apps_token_is_refused(ph):
    """A token scoped to app A gets 403 on every route of app B, and gets past the door
    on A's; the apps list shows it A alone."""
    from fastapi.testclient import TestClient

    a = ph.meta.create_app("A", ["https://a.example"])
    b = ph.meta.create_app("B", ["https://b.example"])
    _, scoped = ph.meta.accounts.create_token("admin", "only A", [a.key])
    per_app = [(m, p) for m, p in routes(build_app(ph)) if "{key}" in p and p.startswith("/api/")]
    assert len(per_app) >= 15
    with TestClient(build_app(ph), raise_server_exceptions=False) as c:
        auth = {"Authorization": f"Bearer {scoped}"}
        for method, path in per_app:
            r = c.request(method, concrete(path, key=b.key), headers=auth)
            assert r.status_code == 403, (method, path, r.status_code)
            assert b.key in r.json()["error"]
            if method == "DELETE" and path == "/api/v1/apps/{key}":
                continue  # passing the door would delete A
            r = c.request(method, concrete(path, key=a.key), headers=auth)
            assert r.status_code not in (401, 403), (method, path, r.text)
        assert [x["key"] for x in c.get("/api/v1/apps", headers=auth).json()["apps"]] == [a.key]
        r = c.post("/api/v1/apps", json={"name": "C"}, headers=auth)
        assert r.status_code == 403
        assert ph.meta.app(b.key) is not None


def sign_in(c) -> str:
    """Sign in with the admin token as the login page does; the CSRF token."""
    assert c.post("/login", json={"token": TOKEN}).status_code == 204
    return c.cookies["pageheat_csrf"]


def test_a_session_must_send_its_csrf_token_to_change_anything(ph):
    from fastapi.testclient import TestClient

    with TestClient(build_app(ph)) as c:
        csrf = sign_in(c)
        assert c.get("/api/v1/apps").status_code == 200  # reading needs no CSRF token
        body = {"name": "Shop", "origins": []}
        r = c.post("/api/v1/apps", json=body)
        assert r.status_code == 403 and "CSRF" in r.json()["error"]
        r = c.post("/api/v1/apps", json=body, headers={"X-CSRF-Token": "guess"})
        assert r.status_code == 403
        assert ph.meta.list_apps() == []
        r = c.post("/api/v1/apps", json=body, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201
        assert c.post("/logout").status_code == 403  # logging out is a change too
        assert c.post("/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        c.cookies.clear()
        assert c.get("/api/v1/apps").status_code == 401


def test_every_answer_carries_the_security_headers(client):
    for path in ("/api/v1/apps", "/healthz", "/pageheat.js", "/api/v1/apps/nope/views"):
        h = client.get(path).headers
        assert h["x-content-type-options"] == "nosniff", path
        assert h["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in h["content-security-policy"], path
    assert client.get("/api/v1/apps").headers["content-security-policy"] == NO_CSP
    assert client.get("/api/v1/apps").headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/", "/login", "/apps/k/heatmap"])
def test_dashboard_pages_have_a_strict_csp(client, path):
    csp = client.get(path).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["default-src"] == "'self'"


@pytest.mark.parametrize("path", ["/", "/login", "/share/x"])
def test_every_style_sheet_a_page_links_is_served_from_static(client, path):
    """The style sheets are split by what they style; each page's <link>s must all be
    served as CSS (a name missing from the static list would leave the page unstyled
    while the CSP forbids any inline fallback), revalidated so a new release shows."""
    html = client.get(path).text
    sheets = re.findall(r'<link rel="stylesheet" href="(/static/[^"]+)">', html)
    assert "/static/dashboard-base.css" in sheets and len(sheets) >= 2
    for sheet in sheets:
        r = client.get(sheet)
        assert r.status_code == 200, sheet
        assert r.headers["content-type"].startswith("text/css"), sheet
        assert r.headers["cache-control"] == "no-cache", sheet
        assert "{" in r.text, sheet
    assert client.get("/static/dashboard.css").status_code == 404  # the old single sheet
    assert client.get("/static/..%2Fpages.py").status_code == 404


def test_cross_site_posts_with_the_cookie_are_refused(ph):
    from fastapi.testclient import TestClient

    with TestClient(build_app(ph), base_url="http://pageheat.local") as c:
        csrf = sign_in(c)
        body = {"name": "Evil", "origins": ["https://evil.example"]}
        r = c.post("/api/v1/apps", json=body,
                   headers={"Origin": "https://evil.example", "X-CSRF-Token": csrf})  # fmt: skip
        assert r.status_code == 403
        assert r.json()["error"] == "cross-site request from https://evil.example refused"
        assert c.get("/api/v1/apps").json()["apps"] == []
        r = c.post("/api/v1/apps", json=body,
                   headers={"Origin": "http://pageheat.local", "X-CSRF-Token": csrf})  # fmt: skip
        assert r.status_code == 201  # the dashboard's own page
        # the tracker's endpoints are cross-site by design
        r = c.post("/api/v1/collect", content=b"{}", headers={"Origin": "https://a.example"})
        assert r.status_code == 400


def test_metrics_need_the_token_unless_public(ph, tmp_path):
    from fastapi.testclient import TestClient

    from pageheat.app import Pageheat
    from tests.conftest import make_settings

    with TestClient(build_app(ph)) as c:
        assert c.get("/metrics").status_code == 401
        r = c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200 and "pageheat_writer_queue_events" in r.text
    public = Pageheat(make_settings(tmp_path / "p", metrics_public=True))
    try:
        with TestClient(build_app(public)) as c:
            assert c.get("/metrics").status_code == 200
    finally:
        public.close()
