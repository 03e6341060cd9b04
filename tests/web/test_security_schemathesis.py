"""schemathesis against the app's own /openapi.json, with the admin token: every
operation, with generated valid and invalid parameters and bodies; no answer is a server
error, and every answer is what the schema says it is (its status is documented and its
JSON matches its model). Bounded for CI (a dozen examples an operation)."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from pageheat.app import Pageheat
from pageheat.web.server import build_app
from tests.conftest import TOKEN, make_settings

ORIGIN = "https://shop.example"


#: This module's own directory (removed after it, and nothing else is).
DATA = Path(tempfile.mkdtemp(prefix="pageheat-schema-"))


def _seeded() -> Pageheat:
    """An instance with one app and a page view, so that reads find something to read.

    Made when the module is imported (schemathesis reads the schema at collection); the
    fixture below closes it.
    """
    from fastapi.testclient import TestClient

    ph = Pageheat(make_settings(DATA, commit_interval_ms=2))
    key = ph.meta.create_app("Shop", [ORIGIN], key="shop").key
    t = int(time.time() * 1000)
    batch = {"app": key, "visitor": "v", "session": "s", "events": [
        {"k": "view", "t": t, "v": "pv", "url": f"{ORIGIN}/", "path": "/", "vw": 1440, "vh": 900,
         "dw": 1440, "dh": 3000},
        {"k": "click", "t": t, "v": "pv", "x": 1, "y": 2, "vw": 1440, "dw": 1440, "dh": 3000,
         "sel": "#a", "rx": 0.5, "ry": 0.5, "tag": "a"}]}  # fmt: skip
    with TestClient(build_app(ph)) as c:
        assert c.post("/api/v1/collect", json=batch, headers={"Origin": ORIGIN}).status_code == 202
    # a capture of a live page would reach for the network: nothing to picture here
    ph.backgrounds.url_allowed = lambda app, url: False
    return ph


PH = _seeded()
schema = schemathesis.openapi.from_asgi("/openapi.json", build_app(PH))


@pytest.fixture(scope="module", autouse=True)
def _close() -> Iterator[None]:
    yield
    PH.close()
    shutil.rmtree(DATA, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error_or_off_its_schema(case):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance],
    )
