"""Metadata on PostgreSQL (``PAGEHEAT_META_URL=postgresql://…``), as on SQLite.

A real PostgreSQL (Debian's package) on a loopback port, a database per test; then the
whole scale-out configuration at once: events on the two-shard ClickHouse cluster and
metadata on PostgreSQL, used through the API as a person would.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from pageheat.meta import MetaStore
from pageheat.web.server import build_app
from tests.clickhouse import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def meta_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'meta.sqlite'}"
    return request.getfixturevalue("postgres").create_database(f"m_{uuid.uuid4().hex[:10]}")


def test_accounts_and_library_keep(meta_url):
    """Users, sessions, scoped tokens, saved heatmaps and share links read back the same
    from another process (a second web server) on either database."""
    meta = MetaStore(meta_url)
    try:
        app = meta.create_app("Shop", [])
        meta.change_app(app.key, sample_rate=0.25, respect_dnt=True)
        meta.accounts.create_user("ana", "a long password")
        secret, csrf = meta.accounts.open_session("ana", True)
        _, token = meta.accounts.create_token("ana", "CI", [app.key])
        saved = meta.library.save(app.key, "Home", {"view": "/", "range": "7d"}, "ana")
        link = meta.library.share(app.key, {"view": "/"}, "ana", expires_days=3)
    finally:
        meta.close()
    meta = MetaStore(meta_url)
    try:
        shop = meta.app(app.key)
        assert (shop.sample_rate, shop.respect_dnt) == (0.25, True)
        assert meta.accounts.authenticate("ana", "a long password").name == "ana"
        assert meta.accounts.authenticate("ana", "wrong password!") is None
        who = meta.accounts.session(secret)
        assert (who.name, who.csrf, who.via) == ("ana", csrf, "session")
        scoped = meta.accounts.token_principal(token)
        assert scoped.apps == frozenset({app.key}) and not scoped.may_read("other")
        assert meta.library.saved(app=app.key)[0].params == {"view": "/", "range": "7d"}
        assert meta.library.get_saved(app.key, saved.id).name == "Home"
        found = meta.library.shared(link.token)
        assert found.id == link.id and found.refusal(found.created_ms) is None
        assert found.refusal(found.expires_ms).startswith("this share link expired on")
        meta.delete_app(app.key)
        assert meta.library.shared(link.token) is None
        assert meta.accounts.token_principal(token) is None  # scoped to a gone app only
    finally:
        meta.close()


def test_apps_rules_and_policies_keep(meta_url):
    meta = MetaStore(meta_url)
    try:
        a = meta.create_app("Shop", ["https://shop.example", "https://Shop.example/"])
        b = meta.create_app("Blog", ["https://blog.example"])
        meta.set_view_rules(a.key, [("/p/*", "product"), ("/", "home")])
        meta.set_policy(a.key, retention_days=30, keep_bots=False)
    finally:
        meta.close()
    meta = MetaStore(meta_url)  # another process, as a second web server would be
    try:
        assert [x.name for x in meta.list_apps()] == ["Shop", "Blog"]
        shop = meta.app(a.key)
        assert shop.origins == ("https://shop.example",)
        assert shop.view_rules == (("/p/*", "product"), ("/", "home"))
        assert (shop.retention_days, shop.keep_bots) == (30, False)
        assert meta.delete_app(b.key) and meta.app(b.key) is None
        assert not meta.delete_app(b.key)
    finally:
        meta.close()


def test_scale_out_configuration_end_to_end(tmp_path, postgres, ch_cluster):
    """Two pageheat instances (as two processes behind a load balancer) on one ClickHouse
    cluster and one PostgreSQL: an app made on one collects on the other and both show it."""
    from fastapi.testclient import TestClient

    from pageheat.app import Pageheat
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import drop
    from tests.conftest import TOKEN, make_settings

    events = ch_cluster[0].url(fresh_database(), cluster="pageheat")
    meta = postgres.create_database(f"m_{uuid.uuid4().hex[:10]}")
    auth = {"Authorization": f"Bearer {TOKEN}"}
    one = Pageheat(make_settings(tmp_path / "one", events_url=events, meta_url=meta))
    two = Pageheat(make_settings(tmp_path / "two", events_url=events, meta_url=meta))
    try:
        with (
            TestClient(build_app(one), headers=auth) as c1,
            TestClient(build_app(two), headers=auth) as c2,
        ):
            r = c1.post("/api/v1/apps", json={"name": "Shop", "origins": ["https://shop.example"]})
            assert r.status_code in (200, 201), r.text
            key = r.json()["key"]
            now = int(time.time() * 1000)
            body = {"app": key, "batch": "b1", "visitor": "u1", "session": "s1", "events": [
                {"k": "view", "t": now, "v": "v1", "url": "https://shop.example/", "path": "/",
                 "vw": 1440, "vh": 900, "dw": 1440, "dh": 3000},
                {"k": "click", "t": now + 10, "v": "v1", "x": 100, "y": 200, "vw": 1440,
                 "dw": 1440, "dh": 3000, "sel": "#buy", "rx": 0.5, "ry": 0.5, "tag": "button"},
            ]}  # fmt: skip
            headers = {"Content-Type": "text/plain", "Origin": "https://shop.example"}
            r = c2.post("/api/v1/collect", content=json.dumps(body), headers=headers)
            assert r.status_code == 202, r.text
            # the retry of that batch at the other process is stored once
            r = c1.post("/api/v1/collect", content=json.dumps(body), headers=headers)
            assert r.status_code == 202, r.text
            for c in (c1, c2):
                views = c.get(f"/api/v1/apps/{key}/views").json()["views"]
                assert [(v["name"], v["page_views"], v["clicks"]) for v in views] == [("/", 1, 1)]
    finally:
        one.close()
        two.close()
        drop(Target.parse(events))
