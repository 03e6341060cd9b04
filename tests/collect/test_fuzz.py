"""Property tests of the collector with hypothesis, bounded for CI (a few hundred
examples, about 20 s): any valid batch is accepted and counted back exactly; any
mutation of one, and any JSON at all, gets a 4xx or a 202, never a server error."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pageheat.app import Pageheat
from pageheat.collect.protocol import EARLIEST_MS, Limits
from pageheat.store.base import Query
from pageheat.web.server import build_app
from tests.conftest import make_settings

ORIGIN = "https://shop.example"
L = Limits()
NOW = int(time.time() * 1000)
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: a CI failure replays locally
)
_batch_ids = itertools.count()

# -- valid payloads ------------------------------------------------------------------

ident = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, exclude_categories=("Cs",),
                  exclude_characters="\x7f"),
    min_size=1, max_size=L.max_id,
)  # fmt: skip
coord = st.floats(0, L.max_coordinate, allow_nan=False)
size = st.floats(1e-3, L.max_coordinate, allow_nan=False)
unit = st.floats(0, 1)
t = st.integers(EARLIEST_MS, NOW + L.max_future_s * 1000 - 60_000)
short = st.text(max_size=40)
key = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_.-]{0,20}\Z").filter(
    lambda k: k not in ("constructor", "prototype")
)
tags = st.dictionaries(key, st.text(max_size=30), max_size=4)


def base(kind: str) -> dict[str, Any]:
    return {"k": st.just(kind), "t": t, "v": ident}


view = st.fixed_dictionaries(
    {**base("view"), "url": st.text(max_size=200), "path": st.text(max_size=100),
     "vw": size, "vh": size, "dw": size, "dh": size},
    optional={"title": short, "referrer": st.text(max_size=100), "dpr": st.floats(0.1, 16),
              "name": st.text(min_size=1, max_size=60), "lang": short, "tz": short,
              "utm": tags, "tags": tags},
)  # fmt: skip
click = st.fixed_dictionaries(
    {**base("click"), "x": coord, "y": coord, "vw": size, "dw": size, "dh": size,
     "sel": st.text(max_size=120), "rx": unit, "ry": unit, "tag": st.text(min_size=1, max_size=10)},
    optional={"text": st.text(max_size=L.max_text), "href": st.none() | st.text(max_size=100),
              "interactive": st.booleans(), "pointer": st.sampled_from(["mouse", "touch", "pen"]),
              "fixed": st.booleans(), "rage": st.integers(0, 10_000), "dead": st.booleans(),
              "error": st.booleans()},
)  # fmt: skip
leave = st.fixed_dictionaries(
    {**base("leave"), "vis": st.integers(0, 86_400_000), "depth": coord, "dh": size}
)
move = st.fixed_dictionaries(
    {**base("move"), "vw": size, "dw": size, "dh": size,
     "p": st.lists(st.tuples(coord, coord, st.integers(0, 3_600_000)), min_size=1, max_size=20)}
)  # fmt: skip
scroll = st.fixed_dictionaries(
    {**base("scroll"), "depth": coord, "dh": size, "vh": size,
     "bands": st.lists(st.floats(0, 86_400), min_size=20, max_size=20)}
)  # fmt: skip
error = st.fixed_dictionaries(
    {**base("error"), "msg": st.text(max_size=L.max_text), "hash": st.text(min_size=1, max_size=64)},
    optional={"n": st.integers(1, 100_000)},
)  # fmt: skip
layout = st.fixed_dictionaries(
    {**base("layout"), "h": st.text(min_size=1, max_size=64), "dw": size, "dh": size}
)
event = st.one_of(view, click, leave, move, scroll, error, layout)


@st.composite
def batches(draw) -> dict[str, Any]:
    return {
        "app": "APP",
        "visitor": draw(ident),
        "session": draw(ident),
        "events": draw(st.lists(event, min_size=1, max_size=12)),
        "sdk": draw(st.from_regex(r"\A[\x20-\x7e]{1,64}\Z")),
        "batch": f"fuzz-{next(_batch_ids)}",
    }


# -- hostile payloads -----------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)  # fmt: skip


@st.composite
def mutated(draw) -> dict[str, Any]:
    """A valid batch with one value, anywhere in it, replaced by any JSON value."""
    b = draw(batches())
    spots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in list(items):
            spots.append((node, k))
            if isinstance(v, dict | list):
                walk(v)

    walk(b)
    node, k = draw(st.sampled_from(spots))
    node[k] = draw(json_values)
    return b


# -- the properties -------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory) -> Iterator[tuple[Pageheat, Any, str]]:
    from fastapi.testclient import TestClient

    ph = Pageheat(make_settings(tmp_path_factory.mktemp("fuzz"), commit_interval_ms=2,
                                rate_app_per_s=0, rate_ip_per_s=0))  # fmt: skip
    key = ph.meta.create_app("Fuzz", [ORIGIN]).key
    with TestClient(build_app(ph), raise_server_exceptions=False) as c:
        yield ph, c, key
    ph.close()


def post(c, key: str, body: Any) -> Any:
    data = json.dumps(body).replace('"APP"', json.dumps(key)).encode()
    return c.post("/api/v1/collect", content=data, headers={"Content-Type": "text/plain",
                                                            "Origin": ORIGIN})  # fmt: skip


def counts(ph: Pageheat, key: str) -> tuple[int, int]:
    stats = ph.store.stats(Query(app=key))
    return stats["page_views"], stats["total_clicks"]


@settings(FUZZ, max_examples=60)
@given(b=batches())
def test_valid_batches_are_accepted_and_counted_back(fuzz, b):
    ph, c, key = fuzz
    before = counts(ph, key)
    r = post(c, key, b)
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == len(b["events"])
    views = sum(e["k"] == "view" for e in b["events"])
    clicks = sum(e["k"] == "click" for e in b["events"])
    assert counts(ph, key) == (before[0] + views, before[1] + clicks)


@settings(FUZZ, max_examples=150)
@given(b=mutated())
def test_mutated_batches_never_get_a_server_error(fuzz, b):
    ph, c, key = fuzz
    before = counts(ph, key)
    r = post(c, key, b)
    assert r.status_code in (202, 400, 403, 413), r.text
    if r.status_code != 202:
        assert r.json()["error"] and counts(ph, key) == before


@settings(FUZZ, max_examples=100)
@given(body=json_values | st.binary(max_size=200))
def test_any_body_gets_a_4xx(fuzz, body):
    _ph, c, _key = fuzz
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    r = c.post("/api/v1/collect", content=data, headers={"Content-Type": "text/plain"})
    assert r.status_code in (400, 403), r.text
    assert set(r.json()) == {"error", "field"}
