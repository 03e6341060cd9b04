"""Realistic synthetic traffic, written straight into a store (``pageheat generate``).

For benchmarks and load tests that need millions of events without a browser or HTTP in
the way. The traffic has the shape real sites have, so the queries do the work they do
in production:

- pages of an app by Zipf popularity (a few views get most of the traffic);
- devices 55 % desktop, 40 % mobile, 5 % tablet, at common viewport widths;
- clicks clustered on the elements of a shop-like page layout (navigation, a hero call to
  action, product cards with "Add to cart", footer links), element popularity Zipf too,
  10 % of clicks on no element; element-anchored like the tracker's (selector, rx, ry);
- cursor moves on desktop along paths between elements;
- scroll depth with the usual drop-off (most leave in the first screens), attention per
  5 % band, and a leave with the visible time;
- frustration: 2 % of page views carry a rage burst, 3 % of clicks are dead, 1 % error.

Two forms of the same traffic: :func:`tables` builds whole Arrow tables with numpy for
:meth:`EventStore.load` (the ``pageheat generate`` command, hundreds of thousands of
events a second), and :func:`batches` yields wire-protocol batches one page view at a
time (the HTTP ingest benchmark sends them).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pageheat.filters import FILTERS
from pageheat.store.base import WIDTH_CLASSES, WidthClasses
from pageheat.store.rows import TABLES, VISITOR_COLUMNS

#: (device, share, viewport widths to pick from, viewport height)
DEVICES = [
    ("desktop", 0.55, (1366, 1440, 1536, 1920), 860),
    ("mobile", 0.40, (360, 390, 414), 740),
    ("tablet", 0.05, (768, 820, 1024), 1100),
]
BROWSERS = {
    "desktop": [("Chrome", "Windows", 0.5), ("Chrome", "Mac OS X", 0.2), ("Firefox", "Windows", 0.15),
                ("Safari", "Mac OS X", 0.15)],
    "mobile": [("Mobile Safari", "iOS", 0.55), ("Chrome Mobile", "Android", 0.45)],
    "tablet": [("Mobile Safari", "iOS", 0.6), ("Chrome Mobile", "Android", 0.4)],
}  # fmt: skip
REFERRERS = [("direct", 0.45), ("google.com", 0.35), ("news.example", 0.1), ("t.co", 0.1)]


@dataclass(frozen=True)
class Element:
    sel: str
    tag: str
    text: str
    #: box in a 1440 px wide desktop layout: x, y, w, h
    box: tuple[float, float, float, float]


def shop_layout() -> list[Element]:
    """A shop page's clickable elements, as a desktop layout 1440 px wide."""
    els = [Element(f"nav a:nth-child({i + 1})", "a", name, (400 + i * 130, 24, 100, 32))
           for i, name in enumerate(["Shop", "Sale", "About", "Help", "Cart"])]  # fmt: skip
    els.append(Element("#hero-cta", "button", "Shop the sale", (560, 420, 320, 64)))
    for i in range(12):
        col, row = i % 4, i // 4
        x, y = 140 + col * 300, 700 + row * 460
        els.append(Element(f"#p{i} a", "a", f"Product {i}", (x, y, 260, 300)))
        els.append(Element(f"#p{i} button", "button", "Add to cart", (x + 20, y + 360, 220, 44)))
    els += [Element(f"footer a:nth-child({i + 1})", "a", name, (200 + i * 220, 2300, 140, 24))
            for i, name in enumerate(["Contact", "Shipping", "Returns", "Privacy", "Jobs"])]  # fmt: skip
    return els


PAGE_H = 2400.0


def _place(
    box: tuple[float, float, float, float], vw: float
) -> tuple[float, float, float, float, float]:
    """The element's box at viewport width ``vw`` (narrow screens stack the 4-column grid
    into one column, so pages get taller) and the page height."""
    x, y, w, h = box
    if vw >= 1200:
        off = (vw - 1440) / 2
        return x + off, y, w, h, PAGE_H
    scale = vw / 1440
    if y >= 700 and y < 2300:  # product grid: one column on phones, two on tablets
        cols = 1 if vw < 700 else 2
        i = int((x - 140) // 300) + 4 * int((y - 700) // 460)
        col, row = i % cols, i // cols
        cw = vw / cols
        ny = 600 + row * 520 + (y - 700) % 460
        return (
            col * cw + 16 + (x - 140) % 300 * cw / 300,
            ny,
            min(w, cw - 32),
            h,
            600 + 520 * (12 // cols) + 400,
        )
    ph = 600 + 520 * (12 // (1 if vw < 700 else 2)) + 400
    if y >= 2300:
        return x * scale, ph - 100, w * scale, h, ph
    return x * scale, y * (0.9 if vw < 700 else 1.0), max(w * scale, 44), h, ph


def _zipf(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    return w / w.sum()


def batches(
    app: str, events: int, *, seed: int = 1, views: int = 40, days: float = 30.0,
    now_ms: int | None = None,
) -> Iterator[tuple[dict, tuple[str, str, str, str]]]:  # fmt: skip
    """Wire batches (one page view each) until ``events`` events were made, each with
    the request facts the collector would add: (device, browser, os, referrer source).

    An event is what becomes one stored row: a page view, a click, a cursor point, a
    scroll, a leave or an error."""
    rng = np.random.default_rng(seed)
    now = int(time.time() * 1000) if now_ms is None else now_ms
    span = int(days * 86_400_000)
    layout = shop_layout()
    el_p = _zipf(len(layout), 1.0)
    view_p = _zipf(views, 1.1)
    names = ["/"] + [f"/p/{i}" for i in range(1, views)]
    dev_p = np.array([d[1] for d in DEVICES])
    made = 0
    n = 0
    visitors = max(1, events // 40)
    while made < events:
        n += 1
        d = DEVICES[rng.choice(3, p=dev_p)]
        device = d[0]
        vw = float(rng.choice(d[2]))
        vh = float(d[3])
        fam = BROWSERS[device]
        b = fam[rng.choice(len(fam), p=[f[2] for f in fam])]
        ref = REFERRERS[rng.choice(len(REFERRERS), p=[r[1] for r in REFERRERS])][0]
        path = names[rng.choice(views, p=view_p)]
        visitor = f"g{int(rng.integers(visitors))}"
        t0 = now - int(rng.integers(span)) - 600_000
        vid = f"v{n}"
        _, _, _, _, ph = _place(layout[0].box, vw)
        evs: list[dict] = [{
            "k": "view", "t": t0, "v": vid, "url": f"https://shop.example{path}", "path": path,
            "name": path, "title": "Shop", "vw": vw, "vh": vh, "dw": vw, "dh": ph,
            "referrer": "" if ref == "direct" else f"https://{ref}/",
        }]  # fmt: skip
        t = t0
        clicks = int(rng.poisson(2.0))
        rage = rng.random() < 0.02
        for _ in range(clicks):
            t += int(rng.integers(800, 20_000))
            if rng.random() < 0.1:  # on no element: blank space, text
                x, y = float(rng.uniform(0, vw)), float(rng.uniform(0, ph))
                evs.append({"k": "click", "t": t, "v": vid, "x": x, "y": y, "vw": vw, "dw": vw,
                            "dh": ph, "sel": "main", "rx": x / vw, "ry": y / ph, "tag": "main",
                            "pointer": "mouse" if device == "desktop" else "touch",
                            "dead": bool(rng.random() < 0.3)})  # fmt: skip
                continue
            el = layout[rng.choice(len(layout), p=el_p)]
            ex, ey, ew, eh, _ = _place(el.box, vw)
            rx = float(np.clip(rng.normal(0.5, 0.18), 0.01, 0.99))
            ry = float(np.clip(rng.normal(0.5, 0.18), 0.01, 0.99))
            evs.append({
                "k": "click", "t": t, "v": vid, "x": ex + rx * ew, "y": ey + ry * eh, "vw": vw,
                "dw": vw, "dh": ph, "sel": el.sel, "rx": rx, "ry": ry, "tag": el.tag,
                "text": el.text, "interactive": True,
                "pointer": "mouse" if device == "desktop" else "touch",
                "dead": bool(rng.random() < 0.03), "error": bool(rng.random() < 0.01),
            })  # fmt: skip
        if rage and clicks:
            last = evs[-1]
            burst = [{**last, "t": last["t"] + 150 * (i + 1), "rage": 0} for i in range(4)]
            burst[0]["rage"] = 5
            evs += burst
        if device == "desktop":
            pts = []
            x, y = vw / 2, vh / 2
            mt = 0
            for _ in range(int(rng.poisson(12))):
                el = layout[rng.choice(len(layout), p=el_p)]
                ex, ey, ew, eh, _ = _place(el.box, vw)
                x = float(np.clip((x + ex + ew / 2) / 2 + rng.normal(0, 40), 0, vw))
                y = float(np.clip((y + ey + eh / 2) / 2 + rng.normal(0, 40), 0, ph))
                mt += int(rng.integers(50, 800))
                pts.append([x, y, mt])
            if pts:
                evs.append({"k": "move", "t": t0 + 1000, "v": vid, "vw": vw, "dw": vw, "dh": ph,
                            "p": pts})  # fmt: skip
        # Reach: most leave within the first screens, a tail reads to the end.
        depth = float(min(ph, vh + rng.exponential(ph * 0.35)))
        seen = int(20 * depth / ph)
        bands = [round(float(rng.uniform(0.5, 8.0)), 1) if i < seen else 0.0 for i in range(20)]
        evs.append({"k": "scroll", "t": t + 500, "v": vid, "depth": depth, "dh": ph, "vh": vh,
                    "bands": bands})  # fmt: skip
        if rng.random() < 0.01:
            evs.append({"k": "error", "t": t + 600, "v": vid, "msg": "TypeError: x is undefined",
                        "hash": "e1"})  # fmt: skip
        evs.append({"k": "leave", "t": t + 1000, "v": vid, "vis": int(t + 1000 - t0),
                    "depth": depth, "dh": ph})  # fmt: skip
        made += sum(len(e["p"]) if e["k"] == "move" else 1 for e in evs)
        body = {"app": app, "visitor": visitor, "session": f"s{visitor}-{t0 // 1_800_000}",
                "batch": f"gen-{seed}-{n}", "sdk": "generate/1", "events": evs}  # fmt: skip
        yield body, (device, b[0], b[1], ref)


# -- the bulk path: whole tables at once --------------------------------------------------

#: Mean events one page view makes (view, clicks and the rage burst, desktop cursor
#: points, scroll, leave, errors), to size the page-view count from the event count.
_EVENTS_PER_VIEW = 1 + 2.0 * 1.02 + 0.02 * 4 + 0.55 * 12 + 1 + 1 + 0.01


def _strings(values: list[str], idx: np.ndarray) -> pa.Array:
    """``values[idx]`` as an Arrow string column, built in C++ (no Python strings)."""
    return pc.take(pa.array(values, pa.string()), pa.array(idx, pa.int32()))


def _ids(prefix: str, idx: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(idx), pa.string()), "")


def tables(
    app: str, events: int, *, seed: int = 1, views: int = 40, days: float = 30.0,
    now_ms: int | None = None, classes: WidthClasses | None = None,
) -> tuple[dict[str, pa.Table], int]:  # fmt: skip
    """About ``events`` events of the same traffic as :func:`batches`, made with numpy as
    whole tables (every table of :data:`store.rows.TABLES` and the visitors' first
    sessions), for :meth:`EventStore.load`: tens of millions of rows a minute instead of
    tens of thousands a second through the row builder. Returns (tables, events made).

    Ids carry the seed: chunks of a big load made with different seeds never share a
    page view, session or visitor. Page views are classed by ``classes``, the store's
    width-class bounds (the settings' defaults when None)."""
    rng = np.random.default_rng(seed)
    now = int(time.time() * 1000) if now_ms is None else now_ms
    span = int(days * 86_400_000)
    n = max(1, round(events / _EVENTS_PER_VIEW))
    layout = shop_layout()

    # -- page views ---------------------------------------------------------------
    dev = rng.choice(3, size=n, p=[d[1] for d in DEVICES])
    widths = sorted({w for d in DEVICES for w in d[2]})
    vw_i = np.empty(n, np.int64)
    for k, d in enumerate(DEVICES):
        m = dev == k
        vw_i[m] = rng.choice([widths.index(w) for w in d[2]], size=int(m.sum()))
    vw = np.array(widths, np.float64)[vw_i]
    vh = np.array([d[3] for d in DEVICES], np.float64)[dev]
    # the layout at each width: element boxes and page height
    boxes = np.array([[_place(e.box, w)[:4] for e in layout] for w in widths])  # (W, E, 4)
    page_h = np.array([_place(layout[0].box, w)[4] for w in widths])
    dh = page_h[vw_i]
    browsers = sorted({(b, o) for fam in BROWSERS.values() for b, o, _ in fam})
    bro = np.empty(n, np.int64)
    for k, d in enumerate(DEVICES):
        m = dev == k
        fam = BROWSERS[d[0]]
        picks = rng.choice(len(fam), size=int(m.sum()), p=[f[2] for f in fam])
        bro[m] = np.array([browsers.index((f[0], f[1])) for f in fam])[picks]
    ref = rng.choice(len(REFERRERS), size=n, p=[r[1] for r in REFERRERS])
    names = ["/"] + [f"/p/{i}" for i in range(1, views)]
    view = rng.choice(views, size=n, p=_zipf(views, 1.1))
    visitors = max(1, n // 3)
    visitor = np.minimum((rng.pareto(1.2, size=n) * visitors / 8).astype(np.int64), visitors - 1)
    t = now - 600_000 - rng.integers(0, span, size=n)
    session_no = t // 1_800_000
    # new or returning: a visitor's first page view (in time) opens its first session
    order = np.lexsort((t, visitor))
    leads = np.ones(n, bool)  # in visitor-then-time order: the visitor's first page view
    leads[1:] = visitor[order[1:]] != visitor[order[:-1]]
    starts = order[leads]
    uniq_v = visitor[starts]
    first_session_of = np.zeros(visitors, np.int64)
    first_session_of[uniq_v] = session_no[starts]
    returning = session_no != first_session_of[visitor]
    vid = np.arange(n)

    view_id = _ids(f"g{seed}-", vid)
    visitor_s = _ids(f"gv{seed}-", visitor)
    session_s = pc.binary_join_element_wise(
        visitor_s, pc.cast(pa.array(session_no), pa.string()), "-"
    )
    dims = {
        "name": _strings(names, view), "path": _strings(names, view),
        "ref_source": _strings([r[0] for r in REFERRERS], ref),
        "device": _strings([d[0] for d in DEVICES], dev),
        "browser": _strings([b for b, _ in browsers], bro),
        "os": _strings([o for _, o in browsers], bro),
        "visitor_type": _strings(["new", "returning"], returning.astype(np.int64)),
    }  # fmt: skip
    # every other filter's column (pageheat.filters: UTM, tags, location) is left empty
    for f in FILTERS.values():
        if f.on == "view":
            dims.setdefault(f.column, pa.nulls(n, pa.string()))
    for c in ("tag_keys", "tag_values"):  # no tags either
        dims[c] = pa.ListArray.from_arrays(
            pa.array(np.zeros(n + 1, np.int32)), pa.array([], pa.string())
        )
    wc = _strings(list(WIDTH_CLASSES), (classes or WidthClasses()).codes(np.array(widths))[vw_i])
    pv = {
        "app": _strings([app], np.zeros(n, np.int64)),
        "view_id": view_id, "visitor": visitor_s, "session": session_s, "t": pa.array(t),
        **dims,
        "url": pc.binary_join_element_wise("https://shop.example", dims["path"], ""),
        "title": pa.array(["Shop"] * n), "referrer": pa.nulls(n, pa.string()),
        "vw": pa.array(vw), "vh": pa.array(vh), "dw": pa.array(vw), "dh": pa.array(dh),
        "dpr": pa.array(np.ones(n)), "lang": pa.nulls(n, pa.string()),
        "tz": pa.nulls(n, pa.string()), "width_class": wc, "sdk": pa.array(["generate/1"] * n),
    }  # fmt: skip
    out = {"pageviews": pa.table({c: pv[c] for c in TABLES["pageviews"]})}

    def rows_of(idx: np.ndarray, extra: dict[str, pa.Array], table: str) -> pa.Table:
        """A table of rows belonging to page views ``idx``: the view's columns taken, then
        the table's own."""
        take = pa.array(idx, pa.int64())
        cols = {}
        for c in TABLES[table]:
            if c in extra:
                cols[c] = extra[c]
            elif c in pv:
                cols[c] = pc.take(pv[c], take)
            else:
                raise KeyError(f"generate: no value for {table}.{c}")
        return pa.table(cols)

    # -- clicks: per page view Poisson(2), on Zipf-popular elements, 10 % on nothing ----
    per = rng.poisson(2.0, size=n)
    ci = np.repeat(np.arange(n), per)
    m = len(ci)
    el = rng.choice(len(layout), size=m, p=_zipf(len(layout), 1.0))
    blank = rng.random(m) < 0.1
    rx = np.clip(rng.normal(0.5, 0.18, m), 0.01, 0.99)
    ry = np.clip(rng.normal(0.5, 0.18, m), 0.01, 0.99)
    b = boxes[vw_i[ci], el]  # (m, 4)
    x = np.where(blank, rng.uniform(0, 1, m) * vw[ci], b[:, 0] + rx * b[:, 2])
    y = np.where(blank, rng.uniform(0, 1, m) * dh[ci], b[:, 1] + ry * b[:, 3])
    sels = [e.sel for e in layout] + ["main"]
    el_or_blank = np.where(blank, len(layout), el)
    ct = t[ci] + rng.integers(800, 60_000, m)
    rage = np.zeros(m, np.int64)
    # rage: 2 % of the page views with a click get a burst of 4 more on their first click
    first_click = np.concatenate([[0], np.cumsum(per)[:-1]])[per > 0]
    burst_of = first_click[rng.random(len(first_click)) < 0.02]
    bi = np.repeat(burst_of, 4)
    ci = np.concatenate([ci, ci[bi]])
    el_or_blank = np.concatenate([el_or_blank, el_or_blank[bi]])
    x, y = np.concatenate([x, x[bi]]), np.concatenate([y, y[bi]])
    rx, ry = np.concatenate([rx, rx[bi]]), np.concatenate([ry, ry[bi]])
    ct = np.concatenate([ct, ct[bi] + np.tile(np.arange(1, 5) * 150, len(burst_of))])
    rage = np.concatenate([rage, np.tile([5, 0, 0, 0], len(burst_of))])
    mc = len(ci)
    is_blank = el_or_blank == len(layout)
    blank_rx = np.where(is_blank, x / vw[ci], rx)
    blank_ry = np.where(is_blank, y / dh[ci], ry)
    tags = [e.tag for e in layout] + ["main"]
    texts = [e.text for e in layout] + [""]
    clicks = {
        "kind": pa.array(["click"] * mc), "t": pa.array(ct), "x": pa.array(x), "y": pa.array(y),
        "sel": _strings(sels, el_or_blank), "rx": pa.array(blank_rx), "ry": pa.array(blank_ry),
        "tag": _strings(tags, el_or_blank), "text": _strings(texts, el_or_blank),
        "href": pa.nulls(mc, pa.string()), "interactive": pa.array(~is_blank),
        "pointer": _strings(["mouse", "touch"], (dev[ci] != 0).astype(np.int64)),
        "fixed": pa.array(np.zeros(mc, bool)), "rage": pa.array(rage.astype(np.int32)),
        "dead": pa.array(np.where(is_blank, rng.random(mc) < 0.3, rng.random(mc) < 0.03)),
        "error": pa.array(rng.random(mc) < 0.01),
        "vw": pa.array(vw[ci]), "dw": pa.array(vw[ci]), "dh": pa.array(dh[ci]),
    }  # fmt: skip
    # -- cursor points: desktop page views, Poisson(12), around the elements ------------
    mp = np.where(dev == 0, rng.poisson(12, size=n), 0)
    mi = np.repeat(np.arange(n), mp)
    k = len(mi)
    mel = rng.choice(len(layout), size=k, p=_zipf(len(layout), 1.0))
    mb = boxes[vw_i[mi], mel]
    mx = np.clip(mb[:, 0] + mb[:, 2] / 2 + rng.normal(0, 60, k), 0, vw[mi] - 1)
    my = np.clip(mb[:, 1] + mb[:, 3] / 2 + rng.normal(0, 60, k), 0, dh[mi] - 1)
    moves = {
        "kind": pa.array(["move"] * k), "t": pa.array(t[mi] + rng.integers(500, 30_000, k)),
        "x": pa.array(mx), "y": pa.array(my), "sel": pa.array([""] * k),
        "rx": pa.array(np.zeros(k)), "ry": pa.array(np.zeros(k)), "tag": pa.array([""] * k),
        "text": pa.array([""] * k), "href": pa.array([""] * k),
        "interactive": pa.array(np.zeros(k, bool)), "pointer": pa.array(["mouse"] * k),
        "fixed": pa.array(np.zeros(k, bool)), "rage": pa.array(np.zeros(k, np.int32)),
        "dead": pa.array(np.zeros(k, bool)), "error": pa.array(np.zeros(k, bool)),
        "vw": pa.array(vw[mi]), "dw": pa.array(vw[mi]), "dh": pa.array(dh[mi]),
    }  # fmt: skip
    out["interactions"] = pa.concat_tables(
        [rows_of(ci, clicks, "interactions"), rows_of(mi, moves, "interactions")]
    )
    # -- scroll reach (most leave in the first screens), attention, leave, errors ------
    depth = np.minimum(dh, vh + rng.exponential(dh * 0.35))
    seen = (20 * depth / dh).astype(np.int64)
    bands = np.where(
        np.arange(20)[None, :] < seen[:, None], np.round(rng.uniform(0.5, 8, (n, 20)), 1), 0.0
    )
    all_v = np.arange(n)
    out["scrolls"] = rows_of(all_v, {
        "t": pa.array(t + 70_000), "vw": pa.array(vw), "depth": pa.array(depth),
        "dh": pa.array(dh), "vh": pa.array(vh),
        "bands": pa.FixedSizeListArray.from_arrays(pa.array(bands.ravel()), 20).cast(pa.list_(pa.float64())),
    }, "scrolls")  # fmt: skip
    vis = rng.integers(2_000, 180_000, n)
    out["leaves"] = rows_of(all_v, {"t": pa.array(t + vis), "vis_ms": pa.array(vis),
                                    "depth": pa.array(depth), "dh": pa.array(dh)}, "leaves")  # fmt: skip
    ei = np.flatnonzero(rng.random(n) < 0.01)
    out["errors"] = rows_of(ei, {"t": pa.array(t[ei] + 5_000),
                                 "msg": pa.array(["TypeError: x is undefined"] * len(ei), pa.string()),
                                 "hash": pa.array(["e1"] * len(ei), pa.string()),
                                 "n": pa.array(np.ones(len(ei), np.int32))}, "errors")  # fmt: skip
    out["layouts"] = rows_of(np.zeros(0, np.int64), {
        c: pa.nulls(0, pa.string()) for c in ("hash",)} | {
        "t": pa.array([], pa.int64()), "vw": pa.array([], pa.float64()),
        "dw": pa.array([], pa.float64()), "dh": pa.array([], pa.float64())}, "layouts")  # fmt: skip
    out["visitors"] = pa.table({
        "app": _strings([app], np.zeros(len(uniq_v), np.int64)), "visitor": _ids(f"gv{seed}-", uniq_v),
        "session": pc.binary_join_element_wise(
            _ids(f"gv{seed}-", uniq_v), pc.cast(pa.array(first_session_of[uniq_v]), pa.string()), "-"),
        "t": pa.array(t[starts]),
    })  # fmt: skip
    assert tuple(out["visitors"].column_names) == VISITOR_COLUMNS
    made = n + mc + k + 2 * n + len(ei)
    return out, made
