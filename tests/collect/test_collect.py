"""The collector's contract: what is accepted is stored once; what is refused names the
problem and stores nothing."""

from __future__ import annotations

import json
import time

import pytest

from pageheat.store.base import Query

ORIGIN = "https://shop.example"


def now_ms() -> int:
    return int(time.time() * 1000)


def view(v: str = "v1", **kw) -> dict:
    return {"k": "view", "t": now_ms(), "v": v, "url": "https://shop.example/p/42?utm_source=news",
            "path": "/p/42", "title": "Product", "vw": 1440, "vh": 900, "dw": 1440, "dh": 3000,
            "utm": {"source": "news"}, **kw}  # fmt: skip


def click(v: str = "v1", **kw) -> dict:
    return {"k": "click", "t": now_ms(), "v": v, "x": 100, "y": 200, "vw": 1440, "dw": 1440,
            "dh": 3000, "sel": "#buy", "rx": 0.5, "ry": 0.5, "tag": "button",
            "text": "Buy", "interactive": True, "pointer": "mouse", **kw}  # fmt: skip


def batch(app: str, events: list, **kw) -> dict:
    return {"app": app, "sdk": "test/1", "batch": kw.pop("batch", "b-" + str(now_ms())),
            "visitor": "vis1", "session": "ses1", "events": events, **kw}  # fmt: skip


@pytest.fixture
def app_key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def post(client, body, origin: str | None = ORIGIN, raw: bytes | None = None):
    headers = {"Content-Type": "text/plain"}
    if origin:
        headers["Origin"] = origin
    data = raw if raw is not None else json.dumps(body).encode()
    return client.post("/api/v1/collect", content=data, headers=headers)


def stored(ph, key: str) -> tuple[int, int]:
    stats = ph.store.stats(Query(app=key))
    return stats["page_views"], stats["total_clicks"]


def test_accepted_batch_is_stored_with_view_dimensions_and_cors(client, ph, app_key):
    r = post(client, batch(app_key, [view(), click(), click(x=300)]))
    assert r.status_code == 202, r.text
    # a new app records sessions (replay on, every session): the tracker loads the recorder
    assert r.json() == {"accepted": 3, "need_snapshot": [], "replay": True}
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert stored(ph, app_key) == (1, 2)
    views = ph.store.views(Query(app=app_key))
    # the id in the path is folded into the view name
    assert views == [{"name": "/p/?", "page_views": 1, "visitors": 1, "clicks": 2,
                      "url": "https://shop.example/p/42?utm_source=news"}]  # fmt: skip


def test_batches_skip_the_router_but_not_the_security_headers_or_the_schema(client, app_key):
    """Batches are answered before FastAPI's routing (FastCollect, for speed): their
    answers, accepted or refused, still carry every header the other routes' do, and
    the endpoint is still in the API's schema."""
    answers = [post(client, batch(app_key, [view()])), post(client, None, raw=b"{")]
    assert [r.status_code for r in answers] == [202, 400]
    for r in answers:
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", r.status_code
        assert h["x-frame-options"] == "DENY"
        assert "default-src 'none'" in h["content-security-policy"]
        assert h["access-control-allow-origin"] == ORIGIN
    assert "post" in client.get("/openapi.json").json()["paths"]["/api/v1/collect"]


def test_click_in_a_later_batch_gets_its_views_name(client, ph, app_key):
    assert post(client, batch(app_key, [view()], batch="first")).status_code == 202
    assert post(client, batch(app_key, [click()], batch="second")).status_code == 202
    assert ph.store.views(Query(app=app_key))[0]["clicks"] == 1


def test_retried_batch_is_counted_once(client, ph, app_key):
    body = batch(app_key, [view(), click()], batch="same-id")
    assert post(client, body).status_code == 202
    again = post(client, body)
    assert again.status_code == 202
    assert again.json()["duplicate"] is True
    assert stored(ph, app_key) == (1, 1)


def _bad_batches(key: str) -> list[tuple[str, int, dict | None, bytes | None, str]]:
    """(case, status, body, raw body, a word the error must contain)."""
    big = batch(key, [click() for _ in range(10_000)])
    return [
        ("bad JSON", 400, None, b'{"app": "x", ', "JSON"),
        ("not an object", 400, None, b"[1,2,3]", "object"),
        ("missing visitor", 400, {k: v for k, v in batch(key, [view()]).items() if k != "visitor"}, None, "visitor"),
        ("missing click field", 400, batch(key, [{k: v for k, v in click().items() if k != "sel"}]), None, "sel"),
        ("wrong type", 400, batch(key, [click(x="100")]), None, "events[0].x"),
        ("negative coordinate", 400, batch(key, [click(y=-5)]), None, "events[0].y"),
        ("huge coordinate", 400, batch(key, [click(x=1e12)]), None, "events[0].x"),
        ("infinite coordinate", 400, None, json.dumps(batch(key, [click()])).replace('"x": 100', '"x": 1e999').encode(), "events[0].x"),
        ("NaN coordinate", 400, None, json.dumps(batch(key, [click()])).replace('"x": 100', '"x": NaN').encode(), "JSON"),
        ("rx outside the box", 400, batch(key, [click(rx=1.5)]), None, "events[0].rx"),
        ("zero viewport", 400, batch(key, [click(vw=0)]), None, "events[0].vw"),
        ("unknown kind", 400, batch(key, [{"k": "keystroke", "t": now_ms(), "v": "v1"}]), None, "events[0].k"),
        ("unknown field", 400, batch(key, [click(password="x")]), None, "password"),
        ("bad pointer", 400, batch(key, [click(pointer="finger")]), None, "events[0].pointer"),
        ("boolean as string", 400, batch(key, [click(interactive="yes")]), None, "events[0].interactive"),
        ("time before 2020", 400, batch(key, [click(t=1_000)]), None, "events[0].t"),
        ("time in the future", 400, batch(key, [click(t=now_ms() + 3 * 86_400_000)]), None, "events[0].t"),
        ("empty id", 400, batch(key, [click(v="")]), None, "events[0].v"),
        ("long id", 400, {**batch(key, [view()]), "visitor": "x" * 65}, None, "visitor"),
        ("long selector", 400, batch(key, [click(sel="a" * 1025)]), None, "events[0].sel"),
        ("long text", 400, batch(key, [click(text="a" * 257)]), None, "events[0].text"),
        ("no events", 400, batch(key, []), None, "events"),
        ("10 000 events", 413 if len(json.dumps(big)) > 262_144 else 400, big, None, "bytes"),
        ("501 events", 400, batch(key, [{"k": "leave", "t": now_ms(), "v": "v", "vis": 1, "depth": 1, "dh": 1}] * 501), None, "events"),
        ("unknown key", 403, batch("no-such-app", [view()]), None, "no-such-app"),
    ]  # fmt: skip


def test_every_malformed_batch_is_refused_whole_and_named(client, ph, app_key):
    for case, status, body, raw, word in _bad_batches(app_key):
        # one good event in front: the whole batch must still be refused
        if body is not None and body.get("events"):
            body = {**body, "events": [view("good"), *body["events"]]}
            word = word.replace("events[0]", "events[1]")
        r = post(client, body, raw=raw)
        assert r.status_code == status, (case, r.status_code, r.text)
        message = r.json()["error"]
        assert word.lower() in message.lower(), (case, message)
        assert stored(ph, app_key) == (0, 0), case
        assert stored(ph, "no-such-app") == (0, 0)


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "https://shop.example.evil"])
def test_foreign_origin_is_refused(client, ph, app_key, origin):
    r = post(client, batch(app_key, [view(), click()]), origin=origin)
    assert r.status_code == 403
    assert origin in r.json()["error"]
    assert stored(ph, app_key) == (0, 0)


def test_error_names_the_json_path(client, app_key):
    r = post(client, batch(app_key, [view(), click(), click(ry=-0.1)]))
    assert r.status_code == 400
    assert r.json()["field"] == "$.events[2].ry"


def test_mobile_agent_is_classified(client, ph, app_key):
    ua = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"
          " (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")  # fmt: skip
    r = client.post("/api/v1/collect", content=json.dumps(batch(app_key, [view(vw=390)])),
                    headers={"Origin": ORIGIN, "User-Agent": ua})  # fmt: skip
    assert r.status_code == 202
    # the one page view, as the dashboard's filter pickers offer it
    q = Query(app=app_key)
    assert ph.store.filter_values(q, "device") == [("mobile", 1)]
    assert ph.store.filter_values(q, "browser") == [("Mobile Safari", 1)]
    assert ph.store.filter_values(q, "os") == [("iOS", 1)]


def test_the_json_schema_in_the_repo_is_the_protocols_own():
    from pathlib import Path

    from pageheat.collect.protocol import build_protocol

    doc = Path(__file__).resolve().parents[2] / "docs" / "collect-v1.schema.json"
    assert json.loads(doc.read_text()) == build_protocol().json_schema(), (
        "docs/collect-v1.schema.json is out of date: `make schema` writes it again"
    )


def test_app_rules_name_views_after_an_explicit_name_and_before_folding(client, ph, app_key):
    ph.meta.set_view_rules(app_key, [("/p/*", "Product page")])
    events = [
        view("a"),  # /p/42: the rule
        view("b", name="Checkout"),  # startView's name wins over the rule
        view("c", path="/users/7", url="https://shop.example/users/7"),  # no rule: folded
    ]
    assert post(client, batch(app_key, events)).status_code == 202
    names = {v["name"] for v in ph.store.views(Query(app=app_key))}
    assert names == {"Product page", "Checkout", "/users/?"}
