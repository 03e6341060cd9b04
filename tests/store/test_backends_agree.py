"""Heatmaps and insights from DuckDB and ClickHouse are identical on the same events.

One recorded traffic (sessions over three pages at three widths, with clicks, taps,
rage/dead/error clicks, cursor moves, scrolls, leaves, errors and page states) is
written to a DuckDB file and to the two-shard ClickHouse cluster; then every answer a
person sees — the heatmap of each kind (grid, peak, hotspots, placement) over the same
background, the insights panel, the scroll summary, the view list, an action's detail —
is asked of both, under no filter and under filters, and must be equal.
"""

from __future__ import annotations

import numpy as np
import pytest

from pageheat import actions, reports
from pageheat.app import Pageheat
from pageheat.kinds import KINDS
from pageheat.pictures import Background
from pageheat.store.base import Query, WidthRange
from tests.clickhouse import fresh_database
from tests.conftest import make_settings
from tests.store.test_contract import T0, click, env, leave, move, scroll, view

PAGES = ["/", "/pricing", "/p/1"]
SELECTORS = ["#buy", "#nav a:nth-child(2)", "[data-testid=signup]", "main > p", "#logo"]
WIDTHS = [1440, 1024, 390]


def recorded_traffic(seed: int = 8, sessions: int = 40) -> list:
    """Envelopes of ``sessions`` sessions, the same every time (seeded)."""
    rng = np.random.default_rng(seed)
    out = []
    for s in range(sessions):
        visitor = f"u{s % 25}"  # some visitors come back in a later session
        t = T0 + s * 3_600_000
        vw = WIDTHS[s % 3]
        touch = vw < 768
        events = []
        for i in range(int(rng.integers(1, 4))):
            v = f"s{s}v{i}"
            path = PAGES[int(rng.integers(0, 3))]
            events.append(view(
                v, path, t=t, vw=vw, referrer="https://news.example/a" if s % 4 == 0 else "",
                utm={"source": "mail"} if s % 5 == 0 else {}, tags={"env": "prod" if s % 2 else "beta"},
            ))  # fmt: skip
            events.append(
                {"k": "layout", "t": t + 900, "v": v, "h": f"h{s % 2}", "dw": vw, "dh": 3000}
            )
            for c in range(int(rng.integers(0, 6))):
                sel = SELECTORS[int(rng.integers(0, len(SELECTORS)))]
                kw = {}
                if c == 0 and s % 7 == 0:
                    kw["rage"] = 4
                if c == 1 and s % 3 == 0:
                    kw["dead"] = True
                if c == 2 and s % 6 == 0:
                    kw["error"] = True
                events.append(click(
                    v, sel, x=float(rng.uniform(0, vw)), y=float(rng.uniform(0, 2500)),
                    t=t + 1000 + c * 700, vw=vw, pointer="touch" if touch else "mouse", **kw,
                ))  # fmt: skip
            if not touch:
                pts = [[float(rng.uniform(0, vw)), float(rng.uniform(0, 2000)), k * 100]
                       for k in range(int(rng.integers(1, 20)))]  # fmt: skip
                events.append(move(v, pts, t=t + 500, vw=vw))
            bands = [float(b) for b in rng.uniform(0, 5, 20).round(2)]
            events.append(scroll(v, float(rng.uniform(900, 3000)), bands, t=t + 8000))
            if rng.random() < 0.3:
                events.append({"k": "error", "t": t + 8500, "v": v, "msg": "boom", "hash": "e1"})
            if rng.random() < 0.8:
                events.append(leave(v, int(rng.integers(1000, 60_000)), t=t + 9000))
            t += 20_000
        out.append(env(
            batch=f"b{s}", visitor=visitor, session=f"s{s}", events=events,
            device="mobile" if touch else "desktop", browser=["Chrome", "Firefox"][s % 2],
            os="Linux", country=["DE", "FR", "US"][s % 3],
        ))  # fmt: skip
    return out


def _background(app: str) -> Background:
    rects = {sel: (100.0 + 40 * i, 200.0 + 300 * i, 120.0, 40.0)
             for i, sel in enumerate(SELECTORS[:-1])}  # fmt: skip
    rects["#logo"] = (0.0, 0.0, 0.0, 0.0)  # measured, not in this picture
    return Background(
        id=f"bg-{app}", app=app, view="/", width_class="desktop", url="https://x.test/",
        width=1440, height=3200, captured_ms=T0, png=None, rects=rects, source="snapshot",
        layout_hash="h1", snapshot_id="snap",
    )  # fmt: skip


@pytest.fixture(scope="module")
def both(tmp_path_factory, ch_cluster):
    """A DuckDB Pageheat and a ClickHouse-cluster Pageheat holding the same events."""
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import drop

    url = ch_cluster[0].url(fresh_database(), cluster="pageheat")
    duck = Pageheat(make_settings(tmp_path_factory.mktemp("duck")))
    ch = Pageheat(make_settings(tmp_path_factory.mktemp("ch"), events_url=url))
    traffic = recorded_traffic()
    for ph in (duck, ch):
        for i in range(0, len(traffic), 7):  # several commits, as the collector makes
            assert all(ph.store.write(traffic[i : i + 7]))
        ph.pictures.save_background(_background("app"))
    yield duck, ch
    duck.close()
    ch.close()
    drop(Target.parse(url))


QUERIES = {
    "all": Query(app="app", view="/"),
    "desktop": Query(app="app", view="/", width=WidthRange.parse("desktop")),
    "mobile": Query(app="app", view="/", width=WidthRange.parse("mobile")),
    "filtered": Query(app="app", view="/", filters={"env": "prod", "country": "DE,US"}),
    "range": Query(app="app", view="/", start_ms=T0 + 5 * 3_600_000, end_ms=T0 + 30 * 3_600_000),
    "returning": Query(app="app", view="/pricing", filters={"visitor": "returning"}),
}


@pytest.mark.parametrize("name", QUERIES)
# a kind drawn towards a goal needs one: tests/web/test_outcomes.py reads the conversion
# map's cells on DuckDB and on the cluster
@pytest.mark.parametrize("kind", [k for k in reports.KINDS if not KINDS[k].goal])
def test_heatmaps_are_identical(both, name, kind):
    duck, ch = both
    q = QUERIES[name]
    a = reports.heatmap_json(reports.render(duck, q, kind, capture=False))
    b = reports.heatmap_json(reports.render(ch, q, kind, capture=False))
    assert a == b
    if kind == "click" and name == "all":  # the comparison saw a real map
        assert a["max"] > 0 and a["hotspots"] and a["placed"]["anchored"] > 0


@pytest.mark.parametrize("name", QUERIES)
def test_insights_are_identical(both, name):
    duck, ch = both
    q = QUERIES[name]
    a, b = reports.insights(duck, q), reports.insights(ch, q)
    assert a == b
    assert a["stats"]["page_views"] > 0 and a["top_actions"]


def test_views_and_action_detail_are_identical(both):
    duck, ch = both
    for q in (Query(app="app"), Query(app="app", filters={"device": "mobile"})):
        assert duck.store.views(q) == ch.store.views(q)
    q = QUERIES["all"]
    assert duck.store.view_sample(q) == ch.store.view_sample(q)
    for sel in SELECTORS:
        a = actions.action_detail(duck, q, sel)
        assert a == actions.action_detail(ch, q, sel)
    assert reports.backgrounds(duck, q) == reports.backgrounds(ch, q)
