"""The foundation's end-to-end browser test, unchanged, with the server's events on the
two-shard ClickHouse cluster: ``PAGEHEAT_EVENTS_URL`` points ``pageheat serve`` at it,
so real Chromium clicks travel tracker → collector → Distributed tables → heatmap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clickhouse import fresh_database
from tests.conftest import LiveServer
from tests.e2e.test_click_heatmap import (  # noqa: F401  (collected here, on this server)
    test_clicks_become_a_heatmap_with_the_hottest_spot_on_the_clicked_button,
    test_events_from_a_page_of_another_origin_are_refused,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(tmp_path: Path, ch_cluster) -> Iterator[LiveServer]:
    """``pageheat serve`` with its events on the cluster (a database of its own)."""
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import drop

    url = ch_cluster[0].url(fresh_database(), cluster="pageheat")
    server = LiveServer(tmp_path / "live", env={"PAGEHEAT_EVENTS_URL": url}).start()
    yield server
    server.stop()
    assert not (server.data / "events.duckdb").exists()  # the events went to the cluster
    drop(Target.parse(url))
