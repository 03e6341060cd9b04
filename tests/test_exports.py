"""What an export says about itself: the header's words, the legend's numbers, the file
names, the CSV guard, and a band that fits a phone-wide picture."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
from PIL import Image

from pageheat import exports, heat
from pageheat.heat.encode import Legend, framed
from pageheat.heat.placement import Points
from pageheat.heat.scroll import scroll_map
from pageheat.reports import Rendered
from pageheat.store.base import Query, WidthRange

DAY = 86_400_000
NOV_1 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)


def clicks(n: int, scale: str = "relative") -> Rendered:
    pts = Points(
        x=np.full(n, 100.0), y=np.full(n, 200.0), dw=np.full(n, 1440.0),
        rx=np.full(n, np.nan), ry=np.full(n, np.nan), sel=np.full(n, -1, dtype=np.int32),
        touch=np.zeros(n, dtype=bool), selectors=[],
    )  # fmt: skip
    h = heat.heatmap(pts, 1440, 900, scale=scale, page_views=200 if scale == "absolute" else None)
    return Rendered("click", h, None, "none", None, 1, None)


def test_header_names_app_view_kind_width_range_filters_counts_and_date():
    q = Query(app="k", view="/pricing", width=WidthRange.parse("mobile"), start_ms=NOV_1,
              end_ms=NOV_1 + 7 * DAY, filters={"browser": "Chrome,Firefox", "device": "mobile"})  # fmt: skip
    stats = {"page_views": 1203, "sessions": 1, "total_clicks": 5}
    title, lines = exports.header_lines(
        "Shop", q, clicks(5), stats, {}, now=datetime(2026, 11, 23, 17, tzinfo=UTC)
    )
    assert title == "Shop · /pricing"
    assert lines == [
        "click map · mobile (0-767 px) · 2026-11-01 to 2026-11-07 UTC",
        "Filters: browser = Chrome, Firefox; device = mobile",
        "1 203 page views · 1 session · 5 clicks on the map",
        "exported 2026-11-23 UTC by pageheat",
    ]


def test_range_reads_as_the_dashboard_chose_it():
    def rng(start: int | None, end: int | None, preset: str | None = None) -> str:
        return exports.describe_range(Query(app="k", start_ms=start, end_ms=end), preset)

    assert rng(None, None) == "all time"
    assert rng(NOV_1, NOV_1 + DAY) == "2026-11-01 UTC"  # one whole day
    assert rng(NOV_1 + 3_600_000, None, "7d") == "last 7 days (since 2026-11-01 01:00 UTC)"
    assert rng(None, NOV_1 + DAY) == "until 2026-11-01 UTC"


def test_legend_labels_each_scale_in_its_own_units():
    rel = exports.legend(clicks(10))
    assert rel.ticks == [(0.05, "fewer"), (1.0, "more")] and "5 %" in rel.caption
    ab = exports.legend(clicks(10, "absolute"), "colorblind")
    peak = clicks(10, "absolute").heatmap.max
    assert ab.palette == "colorblind" and ab.ticks[-1] == (1.0, exports.format_number(peak))
    assert "per 1 000 page views" in ab.caption
    band = scroll_map(np.array([1.0, 0.5]), 1440, 900)
    sc = exports.legend(Rendered("scroll", band, None, "none", None, 2, None))
    assert [t for _, t in sc.ticks] == ["5 %", "25 %", "50 %", "75 %", "100 %"]


def test_numbers_have_three_digits_and_no_exponent():
    numbers = (0.000123456, 2.5, 1234.5)
    assert [exports.format_number(x) for x in numbers] == ["0.000123", "2.5", "1230"]


def test_file_names_are_ascii_slugs():
    assert exports.filename("/p/?", "click.png") == "pageheat-p-click.png"
    assert exports.filename("/", "actions.csv") == "pageheat-home-actions.csv"
    assert exports.filename(None, "actions.csv") == "pageheat-all-views-actions.csv"
    assert exports.filename('/Café "x"/Ünï', "grid.csv") == "pageheat-caf-x-n-grid.csv"


def test_csv_cells_that_would_run_as_formulas_are_quoted():
    out = exports.csv_text(["a", "b"], [["=1+1", 3], ["+x", "-y"], ["@SUM(A1)", "ok"]])
    assert out.splitlines() == ["a,b", "'=1+1,3", "'+x,'-y", "'@SUM(A1),ok"]


def test_band_wraps_long_text_inside_a_narrow_picture():
    """A phone-wide export: the filter line wraps instead of running off the picture."""
    buf = io.BytesIO()
    Image.new("RGBA", (360, 400), (0, 0, 0, 0)).save(buf, "PNG")
    long = "Filters: " + "; ".join(f"utm_campaign = spring-sale-{i}" for i in range(8))
    short = framed(buf.getvalue(), "Shop · /", ["x"], Legend("heat", [(1.0, "more")], "c"))
    wrapped = framed(buf.getvalue(), "Shop · /", [long], Legend("heat", [(1.0, "more")], "c"))
    a, b = Image.open(io.BytesIO(short)), Image.open(io.BytesIO(wrapped))
    assert a.width == b.width == 360 and b.height > a.height + 40
    pixels = np.asarray(b.convert("RGB"))
    assert (pixels[: b.height - 401, -8:] == 255).all()  # nothing drawn in the right margin
    assert (pixels[b.height - 400 :] == 255).all()  # the transparent map lies on white
