"""The outcomes' end-to-end browser test, unchanged, with the server's events on the
two-shard ClickHouse cluster: goals, conversion, cohorts, funnels and journeys read
through Distributed tables."""

from __future__ import annotations

from tests.e2e.test_click_heatmap_cluster import live_server  # noqa: F401  (this server)
from tests.e2e.test_outcomes import (  # noqa: F401  (collected here, on this server)
    pytestmark,
    test_goal_conversion_cohort_funnel_and_journeys_equal_the_script,
)
