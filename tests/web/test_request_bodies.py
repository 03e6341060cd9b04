"""The JSON bodies the API takes are typed (web/requests.py): /openapi.json describes
each one, and a body that does not fit is a 400 in the one error shape naming the field
by its JSON path, with nothing changed. FastAPI's own 422 never reaches a caller."""

from __future__ import annotations

from typing import Any

import pytest

from pageheat.web.server import openapi_schema
from tests.conftest import TOKEN

#: Every operation that takes a JSON body, but the tracker's (msgspec, decoded by hand).
BODIES = {
    ("post", "/api/v1/apps"): "NewApp",
    ("patch", "/api/v1/apps/{key}"): "AppChange",
    ("put", "/api/v1/apps/{key}/rules"): "ViewRule",
    ("post", "/api/v1/tokens"): "NewToken",
    ("post", "/api/v1/apps/{key}/saved"): "NewSaved",
    ("patch", "/api/v1/apps/{key}/saved/{saved_id}"): "SavedChange",
    ("post", "/api/v1/apps/{key}/shares"): "NewShare",
    ("post", "/api/v1/apps/{key}/goals"): "NewGoal",
    ("post", "/api/v1/apps/{key}/funnels"): "NewFunnel",
}


def test_every_body_is_described_by_its_model_and_unknown_keys_are_refused_there():
    schema = openapi_schema()
    found = {}
    for path, item in schema["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = content["application/json"]["schema"]
                ref = body.get("$ref") or body.get("items", {}).get("$ref", "")
                found[(method, path)] = ref.rsplit("/", 1)[-1]
    # the tracker's two are described as msgspec types; every other body is a model
    assert {k: v for k, v in found.items() if "collect" not in k[1] and "snapshot" not in k[1]} \
        == BODIES  # fmt: skip
    models = schema["components"]["schemas"]
    for name in BODIES.values():
        assert models[name]["additionalProperties"] is False, name
    change = models["AppChange"]["properties"]
    assert (change["sample_rate"]["minimum"], change["sample_rate"]["maximum"]) == (0, 1)
    assert change["retention_days"]["anyOf"][0]["maximum"] == 36_500


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", ["https://shop.example"]).key


def state(client, key: str) -> dict[str, Any]:
    """Everything the bodies below could change, as the API lists it."""
    return {
        "apps": client.get("/api/v1/apps").json(),
        "rules": client.get(f"/api/v1/apps/{key}/rules").json(),
        "saved": client.get("/api/v1/saved").json(),
        "shares": client.get(f"/api/v1/apps/{key}/shares").json(),
    }


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [("post", "/api/v1/apps", {"name": "X", "origin": ["https://x.example"]}, "$.origin"),
     ("post", "/api/v1/apps", {"name": 7}, "$.name"),
     ("patch", "/api/v1/apps/{key}", {"name": "Y", "colour": "red"}, "$.colour"),
     ("patch", "/api/v1/apps/{key}", {"name": "Y", "keep_bots": "no"}, "$.keep_bots"),
     ("patch", "/api/v1/apps/{key}", {"name": "Y", "retention_days": "30"}, "$.retention_days"),
     ("patch", "/api/v1/apps/{key}", {"name": "Y", "sample_rate": -0.1}, "$.sample_rate"),
     ("put", "/api/v1/apps/{key}/rules", [{"pattern": "/a", "name": "A"}, {"pattern": "/b"}],
      "$[1].name"),
     ("put", "/api/v1/apps/{key}/rules", [{"pattern": "/a", "name": "A", "why": "x"}],
      "$[0].why"),
     ("put", "/api/v1/apps/{key}/rules", {"pattern": "/a", "name": "A"}, "$"),
     ("post", "/api/v1/apps/{key}/saved", {"name": "S", "params": {"view": "/"}, "x": 1}, "$.x"),
     ("post", "/api/v1/apps/{key}/saved", {"name": "S", "params": {"view": 3}}, "$.params.view"),
     ("post", "/api/v1/apps/{key}/shares", {"params": {"view": "/"}, "expires_days": True},
      "$.expires_days"),
     ("post", "/api/v1/apps/{key}/shares", {"params": {"view": "/"}, "expires_days": 3651},
      "$.expires_days"),
     ("post", "/api/v1/apps/{key}/shares", {"name": "no params"}, "$.params")],
)  # fmt: skip
def test_a_wrong_body_field_is_a_400_naming_it_and_changes_nothing(
    client, key, method, path, body, field
):
    before = state(client, key)
    r = client.request(method, path.format(key=key), json=body)
    assert r.status_code == 400, r.text
    answer = r.json()
    assert set(answer) == {"error", "field"}
    assert answer["field"] == field
    assert answer["error"].endswith(f" - at `{field}`")
    assert state(client, key) == before


def test_an_unknown_key_lists_the_ones_the_body_may_have(client, key):
    r = client.patch(f"/api/v1/apps/{key}", json={"colour": "red"})
    assert r.json()["error"] == (
        "unknown field; expected some of keep_bots, name, origins, replay, replay_sample,"
        " respect_dnt, retention_days, sample_rate - at `$.colour`"
    )


def test_a_saved_heatmap_change_and_a_token_refuse_a_wrong_field(client, key):
    saved = client.post(f"/api/v1/apps/{key}/saved", json={"name": "S", "params": {"view": "/"}})
    sid = saved.json()["id"]
    r = client.patch(f"/api/v1/apps/{key}/saved/{sid}", json={"title": "T"})
    assert (r.status_code, r.json()["field"]) == (400, "$.title")
    assert client.get("/api/v1/saved").json()["saved"][0]["name"] == "S"
    # tokens are made by a signed-in person (an API token may not make them)
    from fastapi.testclient import TestClient

    with TestClient(client.app) as c:
        assert c.post("/login", json={"token": TOKEN}).status_code == 204
        csrf = {"X-CSRF-Token": c.cookies["pageheat_csrf"]}
        for body, field in (({"name": "CI", "apps": "all"}, "$.apps"),
                            ({"name": "CI", "apps": []}, "$.apps"),
                            ({"name": "CI", "scope": "read"}, "$.scope")):  # fmt: skip
            r = c.post("/api/v1/tokens", json=body, headers=csrf)
            assert (r.status_code, r.json()["field"]) == (400, field), r.text
        assert c.get("/api/v1/tokens").json()["tokens"] == []


def test_a_login_with_a_wrong_field_is_refused_and_opens_no_session(ph):
    from fastapi.testclient import TestClient

    from pageheat.web.server import build_app

    with TestClient(build_app(ph)) as c:
        r = c.post("/login", json={"token": TOKEN, "remember": True})
        assert (r.status_code, r.json()["field"]) == (400, "$.remember")
        assert "pageheat_csrf" not in c.cookies
        r = c.post("/login", json={"user": ["admin"], "password": "x"})
        assert (r.status_code, r.json()["field"]) == (400, "$.user")
        assert c.get("/api/v1/apps").status_code == 401


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [(b"{nope", "$", "the body is not valid JSON"), (b"", "$", "Field required")],
)  # fmt: skip
def test_a_body_that_is_not_json_or_missing_is_a_400_never_fastapis_422(
    client, content, field, words
):
    r = client.post("/api/v1/apps", content=content, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json() == {"error": f"{words} - at `{field}`", "field": field}
    assert client.get("/api/v1/apps").json()["apps"] == []


def test_a_goal_or_a_funnel_with_a_wrong_field_is_refused_by_name_and_nothing_is_kept(client, key):
    bad_goal = client.post(
        f"/api/v1/apps/{key}/goals", json={"name": "G", "view": "/", "colour": 1}
    )
    bad_funnel = client.post(
        f"/api/v1/apps/{key}/funnels", json={"name": "F", "steps": [{"view": "/"}, {"view": 2}]}
    )
    assert bad_goal.status_code == 400 and bad_goal.json()["field"] == "$.colour"
    assert bad_funnel.status_code == 400 and bad_funnel.json()["field"] == "$.steps[1].view"
    assert client.get(f"/api/v1/apps/{key}/goals").json()["goals"] == []
    assert client.get(f"/api/v1/apps/{key}/funnels").json()["funnels"] == []
