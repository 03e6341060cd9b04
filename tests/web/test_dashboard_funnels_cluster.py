"""The dashboard's goals, funnels, journeys and cohorts test, unchanged, with the server's
events on the two-shard ClickHouse cluster: the funnel chart, the journeys flow and the
converted-vs-not compare read through Distributed tables."""

from __future__ import annotations

from tests.e2e.test_click_heatmap_cluster import live_server  # noqa: F401  (this server)
from tests.web.test_dashboard_funnels import (  # noqa: F401  (collected here, on this server)
    pytestmark,
    test_goals_funnels_journeys_and_cohorts_on_the_dashboard,
)
