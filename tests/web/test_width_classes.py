"""The width-class settings, end to end: what the collector stores, what the rollup keeps
and what the heatmap API reads all follow ``desktop_min_px`` and ``mobile_max_px``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from pageheat.app import Pageheat
from pageheat.web.server import build_app
from tests.collect.test_collect import click, view
from tests.conftest import TOKEN, make_settings
from tests.web.test_api import ORIGIN, record


@pytest.fixture
def narrow_desktop(tmp_path):
    """pageheat with desktop from 1000 px (the default is 1281)."""
    ph = Pageheat(make_settings(tmp_path / "data", desktop_min_px=1000, mobile_max_px=600))
    with TestClient(build_app(ph), headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield ph, client
    ph.close()


def test_a_1100_px_visitor_is_on_the_desktop_map_when_desktop_starts_at_1000_px(narrow_desktop):
    ph, client = narrow_desktop
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    record(client, key, [view("v1", vw=1100, dw=1100),
                         *[click("v1", vw=1100, dw=1100) for _ in range(4)]])  # fmt: skip
    record(client, key, [view("v2", vw=700, dw=700), click("v2", vw=700, dw=700)], 1)

    def total(width: str) -> int:
        r = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "/p/?", "width": width})
        assert r.status_code == 200, r.text
        return r.json()["total"]

    for rollups in (True, False):  # the rollup's read, then the raw rows'
        ph.store.rollups = rollups
        assert (total("desktop"), total("tablet"), total("mobile")) == (4, 1, 0)
        assert total("1000-1200") == 4  # a range is always read raw
