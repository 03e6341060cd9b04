"""Scale modes, compare, area and action detail through the query API, on recorded batches.

No background here (no browser): clicks are placed positionally on the page's size, which
is the view's viewport width (1440 px), so a click's page x and y are where it is drawn.
"""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from tests.collect.test_collect import batch, click, view
from tests.web.test_api import ORIGIN

HOUR = 3_600_000
DAY = 24 * HOUR
A_XY = (105.0, 205.0)  # where button #a is clicked
B_XY = (805.0, 505.0)  # and button #b


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def record(client, key: str, events: list, visitor: str = "vis1", session: str = "ses1") -> None:
    body = batch(key, events, batch=f"b-{time.time_ns()}", visitor=visitor, session=session)
    r = client.post("/api/v1/collect", content=json.dumps(body), headers={"Origin": ORIGIN})
    assert r.status_code == 202, r.text


def visit(client, key, v: str, t: int, n_a: int, n_b: int, utm: str = "news", **kw) -> None:
    """One page view at ``t`` with ``n_a`` clicks on #a and ``n_b`` on #b."""
    clicks = [click(v, sel="#a", x=A_XY[0], y=A_XY[1], t=t + 100 + i, text="Add")
              for i in range(n_a)]  # fmt: skip
    clicks += [click(v, sel="#b", x=B_XY[0], y=B_XY[1], t=t + 200 + i, text="Details")
               for i in range(n_b)]  # fmt: skip
    record(client, key, [view(v, t=t, utm={"source": utm}), *clicks], **kw)


def cell_value(h: dict, x: float, y: float) -> float:
    return h["grid"][int(y // h["cell"]) * h["cols"] + int(x // h["cell"])]


def get(client, key, path, **params):
    r = client.get(f"/api/v1/apps/{key}/{path}", params={"view": "/p/?", **params})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def periods(client, key):
    """Period 1: 2 page views, #a 8 clicks and #b 2. Period 2 (from ``cut``): 4 page views,
    #a 4 clicks and #b 16: visitors moved from A to B."""
    now = int(time.time() * 1000)
    p1, cut = now - 3 * HOUR, now - 2 * HOUR
    visit(client, key, "v1", p1, 4, 1, visitor="u1", session="s1")
    visit(client, key, "v2", p1 + 60_000, 4, 1, visitor="u2", session="s2")
    for i in range(4):
        visit(client, key, f"w{i}", cut + HOUR + i * 1000, 1, 4, visitor=f"x{i}", session=f"t{i}")
    return {"from": iso(now - 4 * HOUR), "cut": iso(cut), "to": iso(now + HOUR)}


def compare_params(p: dict, **extra) -> dict:
    return {"a.from": p["from"], "a.to": p["cut"], "b.from": p["cut"], "b.to": p["to"], **extra}


def test_two_periods_diff_shows_a_cooling_and_b_warming(client, key, periods):
    c = get(client, key, "compare", **compare_params(periods))
    assert c["kind"] == "click" and c["scale"] == "absolute"
    assert (c["a"]["page_views"], c["a"]["total"]) == (2, 10)
    assert (c["b"]["page_views"], c["b"]["total"]) == (4, 20)
    assert c["a"]["per_1000"] == 5000.0 and c["b"]["per_1000"] == 5000.0
    assert len(c["grid"]) == c["rows"] * c["cols"] and c["width"] == 1440
    grid = np.array(c["grid"])
    assert grid.min() >= -1 and grid.max() <= 1
    assert cell_value(c, *A_XY) == -1.0  # A: 4000 -> 1000 per 1 000 page views
    assert cell_value(c, *B_XY) == 1.0  # B: 1000 -> 4000
    assert cell_value(c, 1000, 900) == 0.0  # nothing anywhere else
    # change per 1 000 page views of each side: #b 1 000 -> 4 000, #a 4 000 -> 1 000
    warm, cool = c["hotspots"]["warming"][0], c["hotspots"]["cooling"][0]
    assert (warm["selector"], warm["a"], warm["b"], warm["change"]) == ("#b", 2, 16, 3000.0)
    assert (cool["selector"], cool["a"], cool["b"], cool["change"]) == ("#a", 8, 4, -3000.0)
    assert abs(warm["x"] - B_XY[0]) <= 10 and abs(cool["y"] - A_XY[1]) <= 10
    assert len(c["hotspots"]["warming"]) == len(c["hotspots"]["cooling"]) == 1
    # the action table: shares of each side's clicks, biggest change first
    assert [(x["selector"], x["count_a"], x["count_b"], x["share_a"], x["share_b"], x["change"])
            for x in c["actions"]] == [
        ("#b", 2, 16, 0.2, 0.8, 0.6), ("#a", 8, 4, 0.8, 0.2, -0.6),
    ]  # fmt: skip
    assert c["actions"][0]["name"] == "click on Details"
    assert c["a"]["query"]["to"].startswith(periods["cut"][:19])


def test_more_traffic_with_the_same_behaviour_is_no_change(client, key):
    """Per 1 000 page views: twice the visitors doing the same is not 'warmer'."""
    now = int(time.time() * 1000)
    visit(client, key, "v1", now - 3 * HOUR, 3, 1, visitor="u1", session="s1")
    visit(client, key, "w1", now - HOUR, 3, 1, visitor="u2", session="s2")
    visit(client, key, "w2", now - HOUR + 10, 3, 1, visitor="u3", session="s3")
    c = get(client, key, "compare", **{"a.to": iso(now - 2 * HOUR), "b.from": iso(now - 2 * HOUR)})
    assert (c["a"]["total"], c["b"]["total"]) == (4, 8)
    assert not any(c["grid"]) and c["max"] == 0
    assert c["hotspots"] == {"warming": [], "cooling": []}
    assert all(x["change"] == 0 for x in c["actions"])


def test_two_segments_by_a_filter(client, key):
    now = int(time.time() * 1000)
    visit(client, key, "v1", now - HOUR, 5, 0, utm="news", visitor="u1", session="s1")
    visit(client, key, "v2", now - HOUR, 0, 5, utm="ads", visitor="u2", session="s2")
    c = get(client, key, "compare", **{"a.utm_source": "news", "b.utm_source": "ads"})
    assert (c["a"]["total"], c["b"]["total"]) == (5, 5)
    assert c["a"]["query"]["filters"] == {"utm_source": "news"}
    assert cell_value(c, *A_XY) < -0.9 and cell_value(c, *B_XY) > 0.9
    # an unprefixed filter applies to both sides: then side b has nothing
    both = get(client, key, "compare", utm_source="news", **{"a.from": iso(now - DAY)})
    assert (both["a"]["total"], both["b"]["total"]) == (5, 5)
    both = get(client, key, "compare", **{"utm_source": "news", "b.utm_source": "ads"})
    assert (both["a"]["total"], both["b"]["total"]) == (5, 5)


def test_phones_against_desktops_on_the_desktop_page(client, key):
    now = int(time.time() * 1000)
    phone = [click("m", sel="#a", x=100, y=205, vw=390, dw=390, t=now - HOUR + i) for i in range(3)]
    record(client, key, [view("m", t=now - HOUR, vw=390, dw=390), *phone], session="s1")
    visit(client, key, "d", now - HOUR, 0, 3, visitor="u2", session="s2")
    c = get(client, key, "compare", **{"a.width": "mobile"})
    assert (c["a"]["total"], c["b"]["total"], c["width"]) == (3, 3, 1440)
    assert c["a"]["query"]["width"] == "mobile" and c["b"]["query"]["width"] == "desktop"
    # no background: the phone's clicks are placed positionally, x scaled to 1440 px
    assert cell_value(c, 100 * 1440 / 390, 205) == -1.0 and cell_value(c, *B_XY) == 1.0


def test_diff_png_is_red_where_warming_and_blue_where_cooling(client, key, periods):
    r = client.get(f"/api/v1/apps/{key}/compare",
                   params={"view": "/p/?", "format": "png", **compare_params(periods)})  # fmt: skip
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    im = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGBA")).astype(int)
    assert im.shape[1] == 1440
    red, _, blue, alpha = im[int(B_XY[1]), int(B_XY[0])]
    assert alpha > 100 and red > blue + 100, im[int(B_XY[1]), int(B_XY[0])]
    red, _, blue, alpha = im[int(A_XY[1]), int(A_XY[0])]
    assert alpha > 100 and blue > red + 100, im[int(A_XY[1]), int(A_XY[0])]
    assert im[900, 1000, 3] == 0  # no change: see-through


@pytest.mark.parametrize(
    ("params", "words"),
    [({"a.kind": "move"}, ["a.kind"]), ({"b.from": "yesterday"}, ["side b", "from"]),
     ({"a.devcie": "mobile"}, ["a.devcie"]), ({"a.device": "fridge"}, ["side a", "device"]),
     ({"kind": "scroll"}, ["kind"]), ({"format": "gif"}, ["format"]), ({"peak": "-1"}, ["peak"])],
)  # fmt: skip
def test_compare_bad_parameters_name_the_problem(client, key, params, words):
    r = client.get(f"/api/v1/apps/{key}/compare", params={"view": "/p/?", **params})
    assert r.status_code == 400
    assert all(w in r.json()["error"] for w in words), r.json()


def test_absolute_scale_puts_two_periods_on_one_scale(client, key, periods):
    a = get(client, key, "heatmap", scale="absolute", to=periods["cut"])
    b = get(client, key, "heatmap", scale="absolute", **{"from": periods["cut"]})
    rel = get(client, key, "heatmap", **{"from": periods["cut"]})
    assert rel["scale"] == "relative" and "peak" not in rel
    assert (a["scale"], a["page_views"], b["page_views"]) == ("absolute", 2, 4)
    assert a["unit"] == "points per 1 000 page views"
    # #a carries period 1's peak, #b period 2's: per page view both are 4 clicks
    assert a["peak"] == pytest.approx(b["peak"], rel=1e-6)
    assert cell_value(a, *A_XY) == 1.0 and cell_value(b, *B_XY) == 1.0
    # on a peak twice as high, every cell under the peak is half as hot
    twice = get(client, key, "heatmap", scale="absolute", peak=a["peak"] * 2, to=periods["cut"])
    assert twice["peak"] == pytest.approx(a["peak"] * 2, rel=1e-4)
    own, half = np.array(a["grid"]), np.array(twice["grid"])
    under = (own > 0) & (own < 1)
    assert under.sum() > 10
    assert half[under] == pytest.approx(own[under] / 2, abs=0.001)
    # on one peak that nothing reaches, cells compare as clicks per page view do:
    # #a 4 -> 1 a page view, #b 1 -> 4, #a before as hot as #b after
    top = 10 * max(a["peak"], b["peak"])
    p1 = get(client, key, "heatmap", scale="absolute", peak=top, to=periods["cut"])
    p2 = get(client, key, "heatmap", scale="absolute", peak=top, **{"from": periods["cut"]})
    a1, a2 = cell_value(p1, *A_XY), cell_value(p2, *A_XY)
    b1, b2 = cell_value(p1, *B_XY), cell_value(p2, *B_XY)
    assert 0 < a1 < 1 and a1 / a2 == pytest.approx(4, rel=0.02)
    assert b2 / b1 == pytest.approx(4, rel=0.02) and a1 == pytest.approx(b2, abs=0.001)


@pytest.mark.parametrize(
    ("params", "word"),
    [({"scale": "huge"}, "scale"), ({"peak": "5"}, "peak"),
     ({"scale": "absolute", "kind": "scroll"}, "scale=absolute"),
     ({"scale": "absolute", "peak": "0"}, "peak")],
)  # fmt: skip
def test_scale_bad_parameters_name_the_problem(client, key, params, word):
    r = client.get(f"/api/v1/apps/{key}/heatmap", params={"view": "/p/?", **params})
    assert r.status_code == 400 and word in r.json()["error"], r.json()


def test_area_counts_the_points_in_a_rectangle(client, key, periods):
    box = {"x": A_XY[0] - 5, "y": A_XY[1] - 5, "w": 10, "h": 10}
    area = get(client, key, "heatmap/area", **box)
    assert (area["count"], area["total"], area["share"]) == (12, 30, 0.4)
    assert {k: area[k] for k in "xywh"} == box
    only_a = get(client, key, "heatmap/area", to=periods["cut"], **box)
    assert (only_a["count"], only_a["total"]) == (8, 10)
    # the rectangle is closed: a click on its edge is in it
    edge = get(client, key, "heatmap/area", x=A_XY[0], y=A_XY[1], w=0, h=0)
    assert edge["count"] == 12
    empty = get(client, key, "heatmap/area", x=300, y=300, w=100, h=100)
    assert (empty["count"], empty["share"]) == (0, 0.0)


@pytest.mark.parametrize(
    ("params", "word"),
    [({"x": "left", "y": 0, "w": 1, "h": 1}, "x"), ({"x": 0, "y": "nan", "w": 1, "h": 1}, "y"),
     ({"x": 0, "y": 0, "w": -1, "h": 1}, "w"), ({"x": 0, "y": 0, "w": 1}, "h"),
     ({"x": 0, "y": 0, "w": 1, "h": 1, "kind": "scroll"}, "kind")],
)  # fmt: skip
def test_area_bad_numbers_name_the_parameter(client, key, params, word):
    r = client.get(f"/api/v1/apps/{key}/heatmap/area", params={"view": "/p/?", **params})
    assert r.status_code == 400
    err = r.json()
    assert (err.get("field") or "").endswith(word) or err["error"].startswith(word), err


def test_action_detail_buckets_follow_the_range_and_fill_gaps(client, key):
    now = int(time.time() * 1000)
    base = (now - 40 * HOUR) // HOUR * HOUR
    # 12 sessions: session i views at base + i h + 1 min, clicks #a at + 5 min, leaves at
    # + 5 min + i s; sessions 0-2 click twice.
    for i in range(12):
        t = base + i * HOUR + 60_000
        clicks = [
            click(f"v{i}", sel="#a", t=t + 240_000 + k, text="Add") for k in range(1 + (i < 3))
        ]
        leave = {"k": "leave", "t": t + 240_000 + i * 1000, "v": f"v{i}", "vis": 1000,
                 "depth": 900, "dh": 3000}  # fmt: skip
        record(client, key, [view(f"v{i}", t=t), *clicks, leave], visitor=f"u{i % 4}",
               session=f"s{i}")  # fmt: skip
    record(client, key, [view("o", t=base), click("o", sel="#b", t=base + 1)], session="other")

    d = get(
        client, key, "actions/detail", selector="#a", **{"from": iso(base), "to": iso(base + DAY)}
    )
    assert (d["selector"], d["name"], d["count"], d["visitors"]) == ("#a", "click on Add", 15, 4)
    assert d["bucket"] == "hour" and len(d["series"]) == 24
    assert [s["t"] for s in d["series"][:2]] == [base, base + HOUR]
    assert [s["clicks"] for s in d["series"]] == [2, 2, 2, *[1] * 9, *[0] * 12]
    latest = d["sessions"]
    assert [s["session"] for s in latest] == [f"s{i}" for i in range(11, 1, -1)]
    assert latest[0]["t"] == base + 11 * HOUR + 60_000
    assert latest[0]["duration_s"] == pytest.approx(240 + 11, abs=0.1)
    assert latest[0]["visitor"] == "u3" and latest[0]["clicks"] == 1
    assert {"browser", "device"} <= latest[0].keys()

    days = get(client, key, "actions/detail", selector="#a",
               **{"from": iso(base - 5 * DAY), "to": iso(base + 5 * DAY)})  # fmt: skip
    assert days["bucket"] == "day" and len(days["series"]) in (10, 11)
    assert sum(s["clicks"] for s in days["series"]) == 15
    assert all(s["t"] % DAY == 0 for s in days["series"])
    weeks = get(client, key, "actions/detail", selector="#a",
                **{"from": iso(base - 200 * DAY), "to": iso(base + DAY)})  # fmt: skip
    assert weeks["bucket"] == "week" and sum(s["clicks"] for s in weeks["series"]) == 15
    monday = datetime.fromtimestamp(weeks["series"][0]["t"] / 1000, UTC)
    assert monday.weekday() == 0 and monday.hour == 0
    # an open range runs from the first click to now
    open_ = get(client, key, "actions/detail", selector="#a")
    assert open_["bucket"] == "hour" and open_["series"][0]["clicks"] == 2
    assert sum(s["clicks"] for s in open_["series"]) == 15
    # a selector nobody clicked is empty, not an error
    none = get(
        client,
        key,
        "actions/detail",
        selector="#nope",
        **{"from": iso(base), "to": iso(base + DAY)},
    )
    assert (none["count"], none["name"], none["sessions"]) == (0, None, [])
    assert len(none["series"]) == 24 and not any(s["clicks"] for s in none["series"])
