"""The collector is an open door on the internet: every malformed or hostile batch gets
its documented 4xx (docs/protocol.md, "Refusals"), naming the field where there is one,
nothing of it is stored, and the server goes on taking good batches.

Each case is sent to the real app in-process (a 500 is an answer here, not an exception)
and, all together, to a real ``pageheat serve`` process, which must still be up and still
accept a good batch afterwards.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pageheat.app import Pageheat
from pageheat.store.base import Query
from pageheat.web.server import build_app
from tests.conftest import LiveServer, make_settings

ORIGIN = "https://shop.example"
DAY_MS = 86_400_000


def now_ms() -> int:
    return int(time.time() * 1000)


def good(app: str, **top) -> dict:
    """A valid batch: a view and a click on it."""
    t = now_ms()
    return {
        "app": app, "sdk": "test/1", "batch": f"b-{time.monotonic_ns()}", "visitor": "vis1",
        "session": "ses1",
        "events": [
            {"k": "view", "t": t, "v": "pv1", "url": "https://shop.example/p", "path": "/p",
             "title": "P", "vw": 1440, "vh": 900, "dw": 1440, "dh": 3000,
             "utm": {"source": "news"}, "tags": {"env": "prod"}},
            {"k": "click", "t": t + 10, "v": "pv1", "x": 100, "y": 200, "vw": 1440,
             "dw": 1440, "dh": 3000, "sel": "#buy", "rx": 0.5, "ry": 0.5, "tag": "button",
             "text": "Buy", "interactive": True, "pointer": "mouse"},
        ],
        **top,
    }  # fmt: skip


def view_with(app: str, **fields) -> dict:
    b = good(app)
    b["events"][0].update(fields)
    return b


def click_with(app: str, **fields) -> dict:
    b = good(app)
    b["events"][1].update(fields)
    return b


def dumps(body: dict) -> bytes:
    return json.dumps(body).encode()


@dataclass
class Case:
    """One hostile request: what it is, how to make its body from the app key, the
    headers it adds, and the answer it must get."""

    id: str
    body: Callable[[str], bytes]
    status: int
    field: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def raw(text: bytes) -> Callable[[str], bytes]:
    return lambda key: text


def J(make: Callable[[str], dict]) -> Callable[[str], bytes]:
    return lambda key: dumps(make(key))


def splice(old: bytes, new: bytes) -> Callable[[str], bytes]:
    """The good batch with one piece of its JSON text replaced (for what json.dumps
    cannot write: NaN, duplicate keys, lone surrogates)."""

    def make(key: str) -> bytes:
        text = dumps(good(key))
        assert old in text
        return text.replace(old, new, 1)

    return make


def nested(depth: int) -> Callable[[str], bytes]:
    def make(key: str) -> bytes:
        text = dumps(view_with(key, utm={"source": "__DEEP__"}))
        return text.replace(b'"__DEEP__"', b"[" * depth + b"]" * depth)

    return make


def with_events(n: int) -> Callable[[str], bytes]:
    def make(key: str) -> bytes:
        b = good(key)
        b["events"] = b["events"][:1] + [b["events"][1]] * (n - 1)
        return dumps(b)

    return make


def move(points: int) -> Callable[[str], bytes]:
    def make(key: str) -> bytes:
        b = good(key)
        b["events"].append({"k": "move", "t": now_ms(), "v": "pv1", "vw": 1440, "dw": 1440,
                            "dh": 3000, "p": [[10, 10, i] for i in range(points)]})  # fmt: skip
        return dumps(b)

    return make


def top(**fields) -> Callable[[str], bytes]:
    return J(lambda key: {**good(key), **fields})


def without(name: str) -> Callable[[str], bytes]:
    return J(lambda key: {k: v for k, v in good(key).items() if k != name})


BOMB = gzip.compress(b"[" * 20_000_000)  # 20 MB of JSON in about 20 KB

CASES = [
    # -- not JSON, or not a batch ------------------------------------------------------
    Case("empty body", raw(b""), 400),
    Case("not json", raw(b"hello"), 400),
    Case("json null", raw(b"null"), 400, "$"),
    Case("json array", raw(b"[]"), 400, "$"),
    Case("truncated json", lambda key: dumps(good(key))[:-7], 400),
    Case("trailing garbage", lambda key: dumps(good(key)) + b" {}", 400),
    Case("invalid utf-8", lambda key: dumps(good(key)).replace(b"Buy", b"B\xffy"), 400),
    Case("utf-8 bom", lambda key: b"\xef\xbb\xbf" + dumps(good(key)), 400),
    Case("lone surrogate", splice(b'"Buy"', b'"\\ud800"'), 400),
    Case("duplicate key", splice(b'"visitor": "vis1"', b'"visitor": "a", "visitor": "b"'), 400),
    # -- numbers -----------------------------------------------------------------------
    Case("NaN", splice(b'"x": 100', b'"x": NaN'), 400),
    Case("Infinity", splice(b'"x": 100', b'"x": Infinity'), 400),
    Case("overflow to infinity", splice(b'"x": 100', b'"x": 1e999'), 400, "$.events[1].x"),
    Case("huge integer time", J(lambda k: view_with(k, t=10**40)), 400, "$.events[0].t"),
    Case("negative coordinate", J(lambda k: click_with(k, x=-1)), 400, "$.events[1].x"),
    Case("coordinate over limit", J(lambda k: click_with(k, y=1_000_001)), 400, "$.events[1].y"),
    Case("zero viewport", J(lambda k: view_with(k, vw=0)), 400, "$.events[0].vw"),
    Case("offset outside box", J(lambda k: click_with(k, rx=1.5)), 400, "$.events[1].rx"),
    Case("number as string", J(lambda k: click_with(k, x="100")), 400, "$.events[1].x"),
    Case("bool as number", J(lambda k: view_with(k, vw=True)), 400, "$.events[0].vw"),
    Case(
        "number as bool", J(lambda k: click_with(k, interactive=1)), 400, "$.events[1].interactive"
    ),
    Case("string as bool", J(lambda k: click_with(k, dead="true")), 400, "$.events[1].dead"),
    Case("float time", J(lambda k: view_with(k, t=now_ms() + 0.5)), 400, "$.events[0].t"),
    Case("time before 2020", J(lambda k: view_with(k, t=1_500_000_000_000)), 400, "$.events[0].t"),
    Case(
        "time two days ahead",
        J(lambda k: view_with(k, t=now_ms() + 2 * DAY_MS)),
        400,
        "$.events[0].t",
    ),
    # -- kinds, fields and shapes ------------------------------------------------------
    Case("unknown kind", J(lambda k: view_with(k, k="keystroke")), 400, "$.events[0].k"),
    Case(
        "missing kind",
        J(
            lambda k: {
                **good(k),
                "events": [{kk: vv for kk, vv in good(k)["events"][0].items() if kk != "k"}],
            }
        ),
        400,
        "$.events[0].k",
    ),
    Case(
        "unknown event field", J(lambda k: click_with(k, keys="hunter2")), 400, "$.events[1].keys"
    ),
    Case("unknown top-level field", top(ip="10.0.0.1"), 400, "$.ip"),
    Case("prototype pollution field", top(__proto__={"admin": True}), 400, "$.__proto__"),
    Case(
        "__proto__ utm key",
        J(lambda k: view_with(k, utm={"__proto__": "x"})),
        400,
        "$.events[0].utm",
    ),
    Case(
        "constructor tag key",
        J(lambda k: view_with(k, tags={"constructor": "x"})),
        400,
        "$.events[0].tags",
    ),
    Case(
        "too many tags",
        J(lambda k: view_with(k, tags={f"t{i}": "x" for i in range(21)})),
        400,
        "$.events[0].tags",
    ),
    Case(
        "overlong tag key",
        J(lambda k: view_with(k, tags={"k" * 33: "x"})),
        400,
        "$.events[0].tags",
    ),
    Case(
        "tag key with a space",
        J(lambda k: view_with(k, tags={"my tag": "x"})),
        400,
        "$.events[0].tags",
    ),
    Case(
        "overlong tag value",
        J(lambda k: view_with(k, tags={"variant": "v" * 129})),
        400,
        "$.events[0].tags[...]",
    ),
    Case(
        "object as tag value",
        J(lambda k: view_with(k, tags={"env": {"a": 1}})),
        400,
        "$.events[0].tags[...]",
    ),
    Case("deep nesting", nested(100_000), 400, "$.events[0].utm[...]"),
    Case("missing app", without("app"), 400, "$.app"),
    Case("events not a list", top(events={"0": {}}), 400, "$.events"),
    Case("no events", top(events=[]), 400, "$.events"),
    Case("too many events", with_events(501), 400, "$.events"),
    Case("too many move points", move(201), 400, "$.events[2].p"),
    Case(
        "bands of the wrong length",
        J(
            lambda k: {
                **good(k),
                "events": [
                    *good(k)["events"],
                    {
                        "k": "scroll",
                        "t": now_ms(),
                        "v": "pv1",
                        "depth": 10,
                        "dh": 3000,
                        "vh": 900,
                        "bands": [1.0] * 19,
                    },
                ],
            }
        ),
        400,
        "$.events[2].bands",
    ),
    Case(
        "pointer outside its set",
        J(lambda k: click_with(k, pointer="laser")),
        400,
        "$.events[1].pointer",
    ),
    # -- strings -----------------------------------------------------------------------
    Case(
        "overlong selector",
        J(lambda k: click_with(k, sel="#" + "a" * 1024)),
        400,
        "$.events[1].sel",
    ),
    Case("overlong text", J(lambda k: click_with(k, text="a" * 257)), 400, "$.events[1].text"),
    Case(
        "overlong url",
        J(lambda k: view_with(k, url="https://shop.example/" + "a" * 2048)),
        400,
        "$.events[0].url",
    ),
    Case("overlong id", top(visitor="v" * 65), 400, "$.visitor"),
    Case("empty id", top(session=""), 400, "$.session"),
    Case("control character in id", top(batch="b\n1"), 400, "$.batch"),
    Case("NUL in id", top(visitor="vis\u00001"), 400, "$.visitor"),
    Case("number as id", top(batch=12345), 400, "$.batch"),
    Case("sdk with control characters", top(sdk="x\u001b[31m"), 400, "$.sdk"),
    # -- who may send ------------------------------------------------------------------
    Case("unknown app key", J(lambda k: good("no-such-app")), 403),
    Case("origin not allowed", J(good), 403, headers={"Origin": "https://evil.example"}),
    Case("null origin", J(good), 403, headers={"Origin": "null"}),
    # -- size, type, encoding ----------------------------------------------------------
    Case("body over the limit", lambda k: dumps(good(k)) + b" " * 262_144, 413),
    Case(
        "form content type",
        J(good),
        415,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    ),
    Case(
        "multipart content type",
        J(good),
        415,
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    ),
    Case("latin-1 charset", J(good), 415, headers={"Content-Type": "text/plain; charset=latin-1"}),
    Case("gzip bomb", raw(BOMB), 415, headers={"Content-Encoding": "gzip"}),
]

HOSTILE_KINDS = len(CASES)


def send(client, case: Case, key: str):
    headers = {"Content-Type": "text/plain", "Origin": ORIGIN, **case.headers}
    return client.post("/api/v1/collect", content=case.body(key), headers=headers)


def stored(ph, key: str) -> dict:
    """Everything the store would show of the app: page views, clicks, errors, layouts,
    visitors, the latest event, the views listed."""
    q = Query(app=key)
    stats = ph.store.stats(q)
    return {
        "stats": {k: stats[k] for k in ("page_views", "visitors", "total_clicks", "page_errors")},
        "views": ph.store.views(q),
        "last": ph.store.last_event_ms(key),
        "layouts": ph.store.layout_counts(q),
    }


@pytest.fixture(scope="module")
def ph(tmp_path_factory) -> Iterator[Pageheat]:
    """One instance for the module: every check compares the store before and after."""
    p = Pageheat(make_settings(tmp_path_factory.mktemp("hostile"), commit_interval_ms=5))
    yield p
    p.close()


@pytest.fixture(scope="module")
def app_key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


@pytest.fixture(scope="module")
def hostile_client(ph) -> Iterator:
    from fastapi.testclient import TestClient

    with TestClient(build_app(ph), raise_server_exceptions=False) as c:
        yield c


def test_there_are_at_least_forty_kinds():
    assert HOSTILE_KINDS >= 40
    assert len({c.id for c in CASES}) == HOSTILE_KINDS


#: Duplicate keys the quick check (protocol._keys_unique_fast, which counts '":') must
#: still send to the exact one: in an event, in its utm, hidden by a value that starts
#: with a colon, or spaced before the colon.
DUPLICATES = [
    splice(b'"x": 100', b'"x": 100, "x": 5'),
    splice(b'{"source": "news"}', b'{"source": "a", "source": "b"}'),
    splice(b'"text": "Buy"', b'"text": ":Buy", "text": "x"'),
    splice(b'"visitor": "vis1"', b'"visitor" : "a", "visitor" : "b"'),
]


@pytest.mark.parametrize("body", DUPLICATES, ids=["event", "utm", "colon-value", "spaced"])
def test_every_duplicate_key_is_refused(body, hostile_client, ph, app_key):
    before = stored(ph, app_key)
    r = send(hostile_client, Case("duplicate", body, 400), app_key)
    assert r.status_code == 400 and "given twice" in r.json()["error"], r.text
    assert stored(ph, app_key) == before


@pytest.mark.parametrize("text", ['say ":" now', ":Buy", 'a\\":'])
def test_colons_and_quotes_in_strings_are_not_duplicate_keys(text, hostile_client, ph, app_key):
    """The quick duplicate-key count sees '":' in these values; the batch is still kept."""
    r = send(hostile_client, Case("colons", J(lambda k: click_with(k, text=text)), 202), app_key)
    assert r.status_code == 202, r.text
    assert [a["text"] for a in ph.store.actions(Query(app=app_key))] == [text]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_batch_is_refused_whole(case: Case, hostile_client, ph, app_key):
    assert send(hostile_client, Case("warm", J(good), 202), app_key).status_code == 202
    before = stored(ph, app_key)

    r = send(hostile_client, case, app_key)

    assert r.status_code == case.status, r.text
    body = r.json()
    assert set(body) == {"error", "field"} and body["error"]
    assert body["field"] == case.field, body["error"]
    assert stored(ph, app_key) == before
    # and the collector goes on
    assert send(hostile_client, Case("after", J(good), 202), app_key).status_code == 202


def test_a_chunked_body_over_the_limit_is_cut_off(hostile_client, ph, app_key):
    """No Content-Length to refuse up front: the collector stops reading at the limit."""
    before = stored(ph, app_key)

    def chunks() -> Iterator[bytes]:
        yield dumps(good(app_key))[:-1]
        for _ in range(100):
            yield b" " * 10_000

    r = hostile_client.post("/api/v1/collect", content=chunks(),
                            headers={"Content-Type": "text/plain", "Origin": ORIGIN})  # fmt: skip
    assert r.status_code == 413
    assert r.json() == {"error": "batch is over 262144 bytes", "field": None}
    assert stored(ph, app_key) == before


def test_every_refusal_status_is_documented():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
    refusals = doc.split("## Refusals", 1)[1]
    for case in CASES:
        assert f"| {case.id} |" in refusals, f"docs/protocol.md does not list {case.id!r}"


def test_a_real_server_survives_every_hostile_batch(tmp_path):
    server = LiveServer(tmp_path / "live").start()
    try:
        key = server.create_app("Shop", [ORIGIN])
        with httpx.Client(base_url=server.url, timeout=30) as c:
            answers = {case.id: send(c, case, key).status_code for case in CASES}
            assert answers == {case.id: case.status for case in CASES}
            assert server.proc is not None and server.proc.poll() is None
            assert c.get("/healthz").status_code == 200
            r = send(c, Case("good", J(good), 202), key)
            assert r.status_code == 202 and r.json()["accepted"] == 2
        with server.api() as api:
            views = api.get(f"/api/v1/apps/{key}/views", params={"width": "0-1000000"}).json()
        assert [(v["name"], v["page_views"], v["clicks"]) for v in views["views"]] == [("/p", 1, 1)]
    finally:
        server.stop()
