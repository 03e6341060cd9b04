"""Exports as a user downloads them: the PNG decoded and looked at pixel by pixel, the
CSVs parsed, on clicks sent through the collector and a background with the clicked
element's box."""

from __future__ import annotations

import csv
import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from pageheat.heat.shade import BANDS, DIVERGING, FIRST_DRAWN, PALETTES
from pageheat.pictures import Background
from pageheat.web.exports import export_response
from tests.collect.test_collect import click, view
from tests.web.test_api import ORIGIN, record

BUY = (400, 300, 200, 60)  # the clicked button's box on the background (x, y, w, h)
OTHER = (900, 800, 100, 40)
#: A selector a spreadsheet would run as a formula if written as it is.
EVIL = "=cmd|' /C calc'!A0"
PAGE = (235, 235, 235)  # the background's colour
SIZE = (1440, 1200)


@pytest.fixture
def key(ph) -> str:
    return ph.meta.create_app("Shop", [ORIGIN]).key


@pytest.fixture
def shop(client, ph, key) -> str:
    """9 clicks on #buy and 3 on a formula-looking selector, on a plain background that
    has both boxes (so nothing is captured)."""
    buf = io.BytesIO()
    Image.new("RGB", SIZE, PAGE).save(buf, "PNG")
    ph.pictures.save_background(Background(
        id="bg-shop", app=key, view="/p/?", width_class="desktop", url=ORIGIN + "/p/42",
        width=SIZE[0], height=SIZE[1], captured_ms=int(time.time() * 1000),
        png=buf.getvalue(), rects={"#buy": BUY, EVIL: OTHER},
    ))  # fmt: skip
    record(client, key, [view("v1"), *[click("v1") for _ in range(9)],
                         *[click("v1", sel=EVIL, text="Evil", x=950, y=820) for _ in range(3)]])  # fmt: skip
    return key


def png_of(content: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(content))
    assert im.format == "PNG"
    return np.asarray(im.convert("RGB")).astype(int)


def heat_index(pixels: np.ndarray, palette: str, opacity: float = 0.7) -> np.ndarray:
    """The palette index each pixel shows over the plain page (0 where it shows the page),
    by matching it to the palette's colours blended over the page as the composite does;
    -1 where no colour of the palette comes within 3 levels."""
    lut = PALETTES[palette].astype(float)
    a = np.round(lut[:, 3] * opacity)[:, None] / 255
    blended = lut[:, :3] * a + np.array(PAGE) * (1 - a)  # (256, 3)
    out = np.zeros(pixels.shape[:2], dtype=int)
    lit = np.any(pixels != PAGE, axis=2)
    dist = np.abs(pixels[lit][:, None, :] - blended[None, :, :]).max(axis=2)
    best = dist.argmin(axis=1)
    out[lit] = np.where(dist[np.arange(len(best)), best] <= 3, best, -1)
    return out


def legend_run(band: np.ndarray, palette: str) -> list[int]:
    """The palette indices along the legend's gradient, found as a row of the band that
    holds the palette's faintest drawn colour and, right of it, its hottest."""
    lut = PALETTES[palette][:, :3].astype(int)
    for row in band:
        first = np.flatnonzero(np.all(row == lut[FIRST_DRAWN], axis=1))
        last = np.flatnonzero(np.all(row == lut[255], axis=1))
        if len(first) and len(last) and first[0] < last[-1]:
            run = row[first[0] : last[-1] + 1]
            return [int(np.flatnonzero(np.all(lut == c, axis=1))[0]) for c in run]
    raise AssertionError(f"no {palette} gradient in the band")


def test_export_png_is_the_heatmap_under_a_band_with_its_legend(client, shop):
    params = {"view": "/p/?"}
    heatmap = png_of(client.get(f"/api/v1/apps/{shop}/heatmap",
                                params={**params, "format": "png"}).content)  # fmt: skip
    r = client.get(f"/api/v1/apps/{shop}/export.png", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"] == 'attachment; filename="pageheat-p-click.png"'
    export = png_of(r.content)
    band_h = export.shape[0] - heatmap.shape[0]
    assert export.shape[1] == heatmap.shape[1] == SIZE[0] and band_h > 100
    band, page = export[:band_h], export[band_h:]
    # below the band: the very heatmap the dashboard's PNG shows, hottest over the button
    assert np.array_equal(page, heatmap)
    idx = heat_index(page, "heat")
    assert (idx == -1).sum() == 0, "every pixel is the page or the palette over it"
    y, x = np.unravel_index(idx.argmax(), idx.shape)
    assert BUY[0] <= x <= BUY[0] + BUY[2] and BUY[1] <= y <= BUY[1] + BUY[3], (x, y)
    # the legend: the palette from its faintest drawn colour to its hottest, in order
    run = legend_run(band, "heat")
    assert run[0] == FIRST_DRAWN and run[-1] == 255 and len(run) >= 200
    assert run == sorted(run)
    # the text: dark ink in the band's top left, above the legend
    ink = band[:60, :400].max(axis=2) < 100
    assert ink.sum() > 200


def test_filters_are_written_on_the_export(client, shop):
    """A filter every click matches draws the same map; only the band says it differs."""
    values = client.get(f"/api/v1/apps/{shop}/filters/browser", params={"view": "/p/?"}).json()
    browser = values["values"][0]["value"]
    plain = png_of(client.get(f"/api/v1/apps/{shop}/export.png", params={"view": "/p/?"}).content)
    filtered = png_of(client.get(f"/api/v1/apps/{shop}/export.png",
                                 params={"view": "/p/?", "browser": browser}).content)  # fmt: skip
    assert plain.shape == filtered.shape
    band_h = plain.shape[0] - SIZE[1]
    assert np.array_equal(plain[band_h:], filtered[band_h:])
    changed = np.flatnonzero(np.any(plain[:band_h] != filtered[:band_h], axis=(1, 2)))
    assert len(changed) > 5  # a line of text, not a stray pixel
    # the legend did not move: the filter line only replaced "none"
    assert legend_run(plain[:band_h], "heat") == legend_run(filtered[:band_h], "heat")


def test_colorblind_palette_draws_the_cet_cbl2_ramp(client, shop):
    params = {"view": "/p/?", "palette": "colorblind"}
    heatmap = png_of(client.get(f"/api/v1/apps/{shop}/heatmap",
                                params={**params, "format": "png"}).content)  # fmt: skip
    idx = heat_index(heatmap, "colorblind")
    assert (idx == -1).sum() == 0 and idx.max() > 200
    assert (heat_index(heatmap, "heat") == -1).sum() > 100  # not the rainbow's colours
    y, x = np.unravel_index(idx.argmax(), idx.shape)
    assert BUY[0] <= x <= BUY[0] + BUY[2] and BUY[1] <= y <= BUY[1] + BUY[3]
    export = png_of(client.get(f"/api/v1/apps/{shop}/export.png", params=params).content)
    band_h = export.shape[0] - heatmap.shape[0]
    assert np.array_equal(export[band_h:], heatmap)
    run = legend_run(export[:band_h], "colorblind")
    assert run[0] == FIRST_DRAWN and run[-1] == 255 and run == sorted(run)


def test_actions_csv_counts_the_clicks_and_defuses_formulas(client, shop):
    r = client.get(f"/api/v1/apps/{shop}/export/actions.csv", params={"view": "/p/?"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="pageheat-p-actions.csv"'
    lines = r.text.splitlines()
    assert lines[0] == "rank,action,selector,clicks,share_pct,visitors,rage,dead,error"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(x["rank"], x["action"], x["selector"], x["clicks"]) for x in rows] == [
        ("1", "click on Buy", "#buy", "9"),
        ("2", "click on Evil", "'" + EVIL, "3"),
    ]
    assert sum(float(x["share_pct"]) for x in rows) == pytest.approx(100, abs=0.05)
    assert [x["visitors"] for x in rows] == ["1", "1"]
    # every view of the app when no view is given
    everything = client.get(f"/api/v1/apps/{shop}/export/actions.csv")
    assert (
        everything.status_code == 200 and "all-views" in everything.headers["content-disposition"]
    )
    assert len(list(csv.DictReader(io.StringIO(everything.text)))) == 2


def test_grid_csv_cells_add_up_to_the_clicks(client, shop):
    r = client.get(f"/api/v1/apps/{shop}/export/grid.csv", params={"view": "/p/?"})
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == ('attachment; filename="pageheat-p-click-grid.csv"')
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.text.splitlines()[0] == "x,y,width,height,value"
    assert sum(int(x["value"]) for x in rows) == 12
    cells = {(int(x["x"]), int(x["y"]), int(x["width"]), int(x["height"])): int(x["value"])
             for x in rows}  # fmt: skip
    # the button's 9 clicks land in one cell around its centre, in page pixels
    (x, y, w, h), n = max(cells.items(), key=lambda c: c[1])
    assert n == 9 and (w, h) == (10, 10)
    assert x <= BUY[0] + BUY[2] / 2 <= x + w and y <= BUY[1] + BUY[3] / 2 <= y + h


def test_grid_csv_of_a_scroll_map_gives_the_reach_per_band(client, shop):
    from tests.store.test_contract import scroll

    now = int(time.time() * 1000)
    for i, depth in enumerate((3000, 1500)):  # one read to the end, one half way
        record(client, shop, [view(f"s{i}"), {**scroll(f"s{i}", depth), "t": now}], i + 1)
    r = client.get(f"/api/v1/apps/{shop}/export/grid.csv",
                   params={"view": "/p/?", "kind": "scroll"})  # fmt: skip
    assert r.status_code == 200, r.text
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert all(int(x["x"]) == 0 and int(x["width"]) == SIZE[0] for x in rows)
    assert int(rows[-1]["y"]) + int(rows[-1]["height"]) == SIZE[1]
    # v1 (the clicks' view) never scrolled: a third of the views reached the bottom
    values = [float(x["value"]) for x in rows]
    assert values[0] == 1.0 and values[-1] == pytest.approx(1 / 3, abs=1e-4)
    assert values == sorted(values, reverse=True)


#: (route, parameters, the word the error must name)
BAD = [
    ("export.png", {"view": "/p/?", "palette": "sepia"}, "palette"),
    ("heatmap", {"view": "/p/?", "format": "png", "palette": "sepia"}, "palette"),
    ("export.png", {"view": "/p/?", "opacity": "2"}, "opacity"),
    ("export.png", {"view": "/p/?", "peak": "-1"}, "peak"),
    ("export.png", {"view": "/p/?", "scale": "log"}, "scale"),
    ("export.png", {}, "view"),
    ("export/grid.csv", {"view": "/p/?", "kind": "smell"}, "kind"),
    ("export/grid.csv", {"view": "/p/?", "from": "yesterday"}, "from"),
    ("export/actions.csv", {"width": "huge"}, "width"),
    ("export/actions.csv", {"browser": "Chrome", "device": "toaster"}, "device"),
]


def test_bad_parameters_are_refused_naming_them(client, shop):
    for path, params, word in BAD:
        r = client.get(f"/api/v1/apps/{shop}/{path}", params=params)
        assert r.status_code == 400, (path, params, r.text)
        assert word in r.json()["error"], (path, params, r.text)


def test_exports_need_a_token(client, key):
    # the colour tables are constant and public (the share page draws with them) ...
    assert client.get("/api/v1/palettes", headers={"Authorization": ""}).status_code == 200
    # ... the exports are the app's data
    for path in (f"/api/v1/apps/{key}/export.png?view=/p/?",
                 f"/api/v1/apps/{key}/export/actions.csv",
                 f"/api/v1/apps/{key}/export/grid.csv?view=/p/?"):  # fmt: skip
        assert client.get(path, headers={"Authorization": ""}).status_code == 401, path
        r = client.get(path, headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401, path


def test_unknown_app_is_404(client):
    assert client.get("/api/v1/apps/nope/export.png", params={"view": "/"}).status_code == 404


def test_palettes_are_the_servers_tables(client):
    answer = client.get("/api/v1/palettes").json()
    body = answer["palettes"]
    assert answer["families"] == {"points": ["heat", "colorblind"], "bands": ["bands"],
                                  "diverging": ["diff"]}  # fmt: skip
    tables = {**PALETTES, **BANDS, **DIVERGING}
    assert set(body) == set(tables)
    for name, colours in body.items():
        assert len(colours) == 256 and all(re.fullmatch(r"#[0-9a-f]{8}", c) for c in colours)
        table = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5, 7)] for c in colours])
        assert np.array_equal(table, tables[name]), name


def test_export_response_answers_what_the_routes_answer(client, ph, shop):
    """Share links call export_response with their stored parameters: same bytes."""
    params = {"view": "/p/?", "palette": "colorblind", "opacity": "0.5"}
    for what, path in (("png", "export.png"), ("actions.csv", "export/actions.csv"),
                       ("grid.csv", "export/grid.csv")):  # fmt: skip
        routed = client.get(f"/api/v1/apps/{shop}/{path}", params=params)
        direct = export_response(ph, what, shop, params)
        assert direct.body == routed.content, what
        assert direct.headers["content-disposition"] == routed.headers["content-disposition"]
