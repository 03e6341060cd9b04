"""The registries of heatmap kinds (`pageheat.kinds`) and filters (`pageheat.filters`)
drive everything that lists them: every kind of the registry renders through the API and
the CLI on generated traffic, every filter narrows a query through the API by its own
column, the CLI offers exactly the registry's kinds, the warnings read the settings the
registry names, and the API serves the registry as it is."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from PIL import Image

from pageheat import reports
from pageheat.app import Pageheat
from pageheat.cli import cli
from pageheat.filters import FILTERS
from pageheat.generate import tables
from pageheat.kinds import KINDS, point_conditions, rollup_conditions
from pageheat.store import base, rollup
from pageheat.store.rows import INTERACTION_COLUMNS, PAGEVIEW_COLUMNS, VIEW_DIMENSIONS
from pageheat.web.server import build_app
from tests.conftest import TOKEN, make_settings

#: Every width, so that every generated page view counts.
EVERY = {"view": "/", "width": "0-100000"}


def _side(view_id: str) -> int:
    """Which of two halves a generated page view falls in (ids end in their number)."""
    return int(view_id.rsplit("-", 1)[1]) % 2


def _value(name: str, side: int) -> str:
    """The value filter ``name`` has on side 0 or 1, as the collector would store it."""
    f = FILTERS[name]
    return f.values[side] if f.values else f.normalise(f"{name}-{side}")


def _traffic(app: str) -> dict[str, pa.Table]:
    """A day of generated traffic in which every filter's column holds one of two values,
    by page view: each filter splits the same page views in the same two halves."""
    made, _ = tables(app, 15_000, seed=5, views=3, days=1)
    for name, t in made.items():
        if "view_id" not in t.column_names:
            continue
        sides = [_side(v) for v in t.column("view_id").to_pylist()]
        for f in FILTERS.values():
            if f.on == "click" and f.name in t.column_names:  # a click's own flag
                col = pa.array([_value(f.name, s) == "true" for s in sides], pa.bool_())
                t = t.set_column(t.column_names.index(f.name), f.name, col)
            elif f.column in t.column_names:
                col = pa.array([_value(f.name, s) for s in sides], pa.string())
                t = t.set_column(t.column_names.index(f.column), f.column, col)
        made[name] = t
    return made


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> tuple[str, str, int]:
    """(data directory, app key, clicks on "/" of side 1) of the generated traffic."""
    root = tmp_path_factory.mktemp("registry") / "data"
    ph = Pageheat(make_settings(root))
    try:
        key = ph.meta.create_app("Shop", ["https://shop.example"]).key
        made = _traffic(key)
        ph.store.load(made)
        clicks = made["interactions"].to_pylist()
        side1 = sum(1 for r in clicks if r["kind"] == "click" and r["name"] == "/"
                    and _side(r["view_id"]) == 1)  # fmt: skip
    finally:
        ph.close()
    return str(root), key, side1


@pytest.fixture(scope="module")
def api(data):
    """One server for every request of the module (the traffic is only read)."""
    root, key, _ = data
    ph = Pageheat(make_settings(root))
    try:
        with TestClient(build_app(ph), headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            yield c, key
    finally:
        ph.close()


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_renders_through_the_api(api, kind):
    c, key = api
    params = {**EVERY, "kind": kind}
    if KINDS[kind].goal:  # drawn towards a goal: it needs one, and says so without
        refused = c.get(f"/api/v1/apps/{key}/heatmap", params=params)
        assert refused.status_code == 400 and "goal=ID" in refused.json()["error"]
        goal = c.post(f"/api/v1/apps/{key}/goals", json={"name": "Home", "view": "/"})
        params["goal"] = goal.json()["id"]
    r = c.get(f"/api/v1/apps/{key}/heatmap", params=params)
    assert r.status_code == 200, r.text
    h = r.json()
    assert h["kind"] == kind and h["total"] > 0 and h["max"] > 0
    assert ("scroll" in h) == (KINDS[kind].band == "scroll")
    png = c.get(f"/api/v1/apps/{key}/export.png", params=params)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(png.content)).size[0] > 0


def test_every_kind_renders_through_the_cli(data, tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEHEAT_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("PAGEHEAT_KEEP_BOTS", "true")
    root, key, _ = data
    ph = Pageheat(make_settings(Path(root)))
    try:
        goal = ph.meta.outcomes.create_goal(key, {"name": "Home", "view": "/"}).id
    finally:
        ph.close()
    for kind in KINDS:
        out = tmp_path / f"{kind}.json"
        towards = ["--goal", goal] if KINDS[kind].goal else []
        r = CliRunner().invoke(cli, ["render", "--data", root, "--app", key, "--view", "/",
                                     "--width", "0-100000", "--kind", kind, *towards,
                                     "--out", str(out)])  # fmt: skip
        assert r.exit_code == 0, r.output
        h = json.loads(out.read_text())
        assert h["kind"] == kind and h["total"] > 0, kind
        assert f"{kind} map of" in r.output


def test_the_clis_kinds_are_the_registrys():
    render = cli.commands["render"]
    option = next(p for p in render.params if p.name == "kind")
    assert list(option.type.choices) == list(KINDS)
    bad = CliRunner().invoke(cli, ["render", "--app", "a", "--view", "/", "--kind", "hover",
                                   "--out", "x.json"])  # fmt: skip
    assert bad.exit_code != 0 and "hover" in bad.output


@pytest.mark.parametrize("name", list(FILTERS))
def test_every_filter_narrows_a_query_through_the_api(api, data, name):
    c, key = api
    url = f"/api/v1/apps/{key}/heatmap"
    every = c.get(url, params=EVERY).json()["total"]
    # side 1 asked as a person may write it: device and visitor upper-cased, country
    # lower-cased; the registry writes it as the collector stored it
    asked = _value(name, 1)
    asked = asked.upper() if FILTERS[name].case == "lower" else asked.lower()
    one = c.get(url, params={**EVERY, name: asked}).json()
    zero = c.get(url, params={**EVERY, name: _value(name, 0)}).json()
    assert one["filters"] == {name: _value(name, 1)}
    assert one["total"] == data[2]
    assert 0 < one["total"] < every and one["total"] + zero["total"] == every
    both = c.get(url, params={**EVERY, name: f"{_value(name, 0)},{_value(name, 1)}"}).json()
    assert both["total"] == every
    values = c.get(f"/api/v1/apps/{key}/filters/{name}", params=EVERY).json()
    assert {v["value"] for v in values["values"]} == {_value(name, 0), _value(name, 1)}
    assert values["fixed"] == list(FILTERS[name].values)


def test_the_warning_reads_the_setting_each_kind_names(tmp_path):
    ph = Pageheat(make_settings(tmp_path, min_sessions_click=11, min_sessions_move=22,
                                min_sessions_scroll=33, min_sessions_conversion=44))  # fmt: skip
    try:
        expected = {"click": 11, "move": 22, "scroll": 33, "attention": 33, "rage": 0,
                    "dead": 0, "error": 0, "inert": 11, "conversion": 44}  # fmt: skip
        assert {k: reports.minimum_sessions(ph, k) for k in KINDS} == expected
    finally:
        ph.close()


def test_the_store_reads_the_registry():
    assert point_conditions() == base.POINT_KINDS
    assert rollup_conditions() == rollup.KINDS
    assert {n: f.column for n, f in FILTERS.items()} == base.FILTERS
    assert base.parse_filters({"country": "de, fr", "device": "Mobile"}) == {
        "country": "DE,FR", "device": "mobile"}  # fmt: skip
    # every filter's column is kept on page views and copied onto their events
    for f in FILTERS.values():
        if f.on == "click":  # a click's own property, on interactions only
            assert f.name in INTERACTION_COLUMNS, f.name
            continue
        assert f.column in PAGEVIEW_COLUMNS and f.column in VIEW_DIMENSIONS, f.name
    assert tuple(n for n in KINDS if KINDS[n].mode == "points") + tuple(
        n for n in KINDS if KINDS[n].mode == "bands") == reports.KINDS  # fmt: skip


def test_the_api_serves_the_registry_with_its_schema(client):
    body = client.get("/api/v1/kinds", headers={"Authorization": ""}).json()
    assert [k["name"] for k in body["kinds"]] == list(KINDS)
    assert [f["name"] for f in body["filters"]] == list(FILTERS)
    rage = next(k for k in body["kinds"] if k["name"] == "rage")
    assert rage["counted"] == KINDS["rage"].counted and rage["mode"] == "points"
    assert "where" not in rage and "rollup" not in rage  # the SQL stays home
    # Only the frustration kinds say an empty map is good news (the dashboard reads it).
    assert {k["name"] for k in body["kinds"] if k["frustration"]} == {
        "rage", "dead", "error", "inert"}  # fmt: skip
    device = next(f for f in body["filters"] if f["name"] == "device")
    assert device["values"] == list(FILTERS["device"].values) and device["label"] == "Device"
    pal = client.get("/api/v1/palettes", headers={"Authorization": ""}).json()
    assert {k["palette"] for k in body["kinds"]} <= set(pal["families"])
    schema = client.get("/openapi.json").json()
    for path, model in (("/api/v1/kinds", "KindsAnswer"), ("/api/v1/palettes", "PalettesAnswer")):
        answer = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert answer["schema"] == {"$ref": f"#/components/schemas/{model}"}, path
    assert "first_drawn" in schema["components"]["schemas"]["PalettesAnswer"]["properties"]
