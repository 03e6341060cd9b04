"""The picture store over SQLAlchemy: SQLite in the data directory, or PostgreSQL.

The embedded default keeps pictures in ``pictures.sqlite`` beside ``meta.sqlite`` (so
the metadata file stays small to back up); with ``meta_url`` set, as in scale-out, they
go into that database, which every ``pageheat serve`` process shares. PNGs are binary
(``LargeBinary``: BLOB, ``bytea``), snapshots' HTML zlib-compressed. A page state keeps
one snapshot by a unique constraint, so two collectors receiving it at once keep one.
Tables carry a ``picture_`` prefix: they share the metadata database with its own.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from pageheat.appdata import sql_engine
from pageheat.pictures import migrations
from pageheat.pictures.base import Background, Rect, Snapshot

if TYPE_CHECKING:
    from pageheat.settings import Settings
    from pageheat.store.base import PageState

#: The picture tables, on a ``MetaData`` of their own, in the metadata database (or
#: ``pictures.sqlite``); their migrations (pictures/migrations) run on opening. A change
#: here is a new revision there.
metadata = MetaData()

snapshots = Table(
    "picture_snapshots",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("app", String(64), nullable=False),
    Column("view", Text, nullable=False),
    Column("width_class", String(32), nullable=False),
    Column("layout_hash", String(128), nullable=False),
    Column("url", Text, nullable=False),
    Column("vw", Float, nullable=False),
    Column("dw", Float, nullable=False),
    Column("dh", Float, nullable=False),
    Column("captured_ms", BigInteger, nullable=False),
    #: The sanitised HTML, zlib-compressed.
    Column("html", LargeBinary, nullable=False),
    # also the index of the collector's per-batch read (app, view)
    UniqueConstraint("app", "view", "width_class", "layout_hash", name="picture_state"),
)

backgrounds = Table(
    "picture_backgrounds",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("app", String(64), nullable=False),
    Column("view", Text, nullable=False),
    Column("width_class", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("captured_ms", BigInteger, nullable=False),
    Column("source", String(16), nullable=False),
    Column("layout_hash", String(128), nullable=True),
    Column("snapshot_id", String(64), nullable=True),
    Column("png", LargeBinary, nullable=True),
    Index("picture_backgrounds_view", "app", "view"),
)

#: The box of every clicked selector in a background; (0, 0, 0, 0) when it is not there.
rects = Table(
    "picture_rects",
    metadata,
    Column("background", String(64), primary_key=True),
    Column("sel", Text, primary_key=True),
    Column("x", Float, nullable=False),
    Column("y", Float, nullable=False),
    Column("w", Float, nullable=False),
    Column("h", Float, nullable=False),
)

_BG_META = [c for c in backgrounds.c if c.name != "png"]

#: Seconds the page states a view has snapshots of are taken from memory before they are
#: read again (the collector asks after every batch with a ``layout``). Being stale is
#: harmless: a state another process just kept may be asked for once more (its upload
#: is then refused as a duplicate), one another process just deleted is asked for a few
#: seconds late.
STATES_CACHE_S = 10.0
#: Views whose snapshot states are kept in memory at most.
STATES_CACHE_VIEWS = 10_000


def open_pictures(settings: Settings) -> SQLPictures:
    """The picture store of the settings: the metadata database when ``meta_url`` names
    one (shared by every process), else ``pictures.sqlite`` in the data directory."""
    if settings.meta_url:
        return SQLPictures(settings.meta_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SQLPictures(f"sqlite:///{settings.data_dir / 'pictures.sqlite'}")


class SQLPictures:
    """:class:`~pageheat.pictures.base.PictureStore` on any SQLAlchemy URL."""

    def __init__(self, url: str):
        self.url = url
        self.engine = sql_engine(url)
        #: What opening found: ``new``, ``legacy`` (made before migrations) or a revision.
        self.migrated_from = migrations.upgrade(self.engine)
        #: (app, view) → ({(width class, layout hash)}, when read): see STATES_CACHE_S.
        self._states: dict[tuple[str, str], tuple[frozenset[tuple[str, str]], float]] = {}
        self._states_lock = threading.Lock()

    # -- snapshots ---------------------------------------------------------------------

    def save_snapshot(self, snap: Snapshot) -> bool:
        try:
            with self.engine.begin() as con:
                con.execute(insert(snapshots).values(**_snapshot_row(snap)))
        except IntegrityError:  # the state has one already (or the id is taken)
            return False
        finally:
            self._forget_states(snap.app)
        return True

    def snapshot(self, snap_id: str) -> Snapshot | None:
        with self.engine.connect() as con:
            row = con.execute(select(snapshots).where(snapshots.c.id == snap_id)).first()
        return _snapshot(row) if row is not None else None

    def without_snapshot(self, app: str, states: Sequence[PageState]) -> list[PageState]:
        if not states:
            return []
        now = time.monotonic()
        with self._states_lock:
            cached = {st.view: self._states.get((app, st.view)) for st in states}
        views = sorted(
            v for v, hit in cached.items() if hit is None or now - hit[1] > STATES_CACHE_S
        )
        known = {v: hit[0] for v, hit in cached.items() if v not in views and hit is not None}
        if views:
            c = snapshots.c
            with self.engine.connect() as con:
                rows = con.execute(
                    select(c.view, c.width_class, c.layout_hash).where(
                        c.app == app, c.view.in_(views)
                    )
                ).all()
            read: dict[str, set[tuple[str, str]]] = {v: set() for v in views}
            for view, wc, h in rows:
                read[view].add((wc, h))
            with self._states_lock:
                if len(self._states) > STATES_CACHE_VIEWS:
                    self._states.clear()
                for view, pairs in read.items():
                    known[view] = frozenset(pairs)
                    self._states[(app, view)] = (known[view], now)
        kept: dict[tuple[str, str], set[str]] = {}
        for view, pairs in known.items():
            for wc, h in pairs:
                kept.setdefault((view, wc), set()).add(h)
        return sorted(
            (
                replace(st, known=len(kept.get((st.view, st.width_class), ())))
                for st in states
                if st.layout_hash not in kept.get((st.view, st.width_class), ())
            ),
            key=lambda st: st.view_id,
        )

    def _forget_states(self, app: str) -> None:
        """What this process changed, it sees at once: drop the app's cached states."""
        with self._states_lock:
            for key in [k for k in self._states if k[0] == app]:
                del self._states[key]

    # -- backgrounds -------------------------------------------------------------------

    def save_background(self, bg: Background) -> None:
        with self.engine.begin() as con:
            con.execute(insert(backgrounds).values(**_background_row(bg)))
            _put_rects(con, bg.id, bg.rects or {})

    def save_rects(self, bg_id: str, boxes: dict[str, Rect]) -> None:
        with self.engine.begin() as con:
            con.execute(delete(rects).where(rects.c.background == bg_id))
            _put_rects(con, bg_id, boxes)

    def backgrounds(self, app: str, view: str) -> list[Background]:
        c = backgrounds.c
        with self.engine.connect() as con:
            rows = con.execute(
                select(*_BG_META)
                .where(c.app == app, c.view == view)
                .order_by(c.captured_ms.desc(), c.id)
            ).all()
        return [_background(r) for r in rows]

    def background(self, bg_id: str) -> Background | None:
        with self.engine.connect() as con:
            row = con.execute(select(*_BG_META).where(backgrounds.c.id == bg_id)).first()
            if row is None:
                return None
            boxes = con.execute(
                select(rects.c.sel, rects.c.x, rects.c.y, rects.c.w, rects.c.h).where(
                    rects.c.background == bg_id
                )
            ).all()
        return _background(row, {sel: (x, y, w, h) for sel, x, y, w, h in boxes})

    def background_png(self, bg_id: str) -> bytes | None:
        with self.engine.connect() as con:
            png = con.execute(
                select(backgrounds.c.png).where(backgrounds.c.id == bg_id)
            ).scalar_one_or_none()
        return bytes(png) if png is not None else None

    # -- app data ----------------------------------------------------------------------

    def delete_app(self, app: str) -> dict[str, int]:
        return self._delete(
            app,
            select(backgrounds.c.id).where(backgrounds.c.app == app),
            backgrounds.c.app == app,
            snapshots.c.app == app,
        )

    def expire(self, app: str, before_ms: int) -> dict[str, int]:
        old = select(snapshots.c.id).where(
            snapshots.c.app == app, snapshots.c.captured_ms < before_ms
        )
        renders = select(backgrounds.c.id).where(
            backgrounds.c.app == app, backgrounds.c.snapshot_id.in_(old)
        )
        return self._delete(
            app,
            renders,
            backgrounds.c.id.in_(renders),
            (snapshots.c.app == app) & (snapshots.c.captured_ms < before_ms),
        )

    def _delete(self, app: str, bg_ids: Any, bg_where: Any, snap_where: Any) -> dict[str, int]:
        """Boxes, backgrounds, snapshots, in that order, in one transaction; rows deleted
        per table under the names the event stores used to report."""
        with self.engine.begin() as con:
            n_rects = con.execute(delete(rects).where(rects.c.background.in_(bg_ids))).rowcount
            n_bgs = con.execute(delete(backgrounds).where(bg_where)).rowcount
            n_snaps = con.execute(delete(snapshots).where(snap_where)).rowcount
        self._forget_states(app)
        return {"snapshots": n_snaps, "backgrounds": n_bgs, "element_rects": n_rects}

    # -- moving ------------------------------------------------------------------------

    def dump(self) -> Iterator[Snapshot | Background]:
        with self.engine.connect() as con:
            ids = con.execute(select(snapshots.c.id).order_by(snapshots.c.id)).scalars().all()
            bg_ids = (
                con.execute(select(backgrounds.c.id).order_by(backgrounds.c.id)).scalars().all()
            )
        for snap_id in ids:  # one at a time: a store's pictures need not fit in memory
            snap = self.snapshot(snap_id)
            if snap is not None:
                yield snap
        for bg_id in bg_ids:
            bg = self.background(bg_id)
            if bg is not None:
                yield replace(bg, png=self.background_png(bg_id))

    def load(self, pictures: Iterable[Snapshot | Background]) -> int:
        new = 0
        for pic in pictures:
            if isinstance(pic, Snapshot):
                new += self.save_snapshot(pic)
            elif self.background(pic.id) is None:
                try:
                    self.save_background(pic)
                    new += 1
                except IntegrityError:  # kept meanwhile by another process
                    pass
        return new

    def count(self) -> dict[str, int]:
        """Rows per table (``pageheat migrate`` says what it moved; tests)."""
        with self.engine.connect() as con:
            return {
                name: con.execute(select(func.count()).select_from(t)).scalar_one()
                for name, t in (("snapshots", snapshots), ("backgrounds", backgrounds),
                                ("element_rects", rects))
            }  # fmt: skip

    def close(self) -> None:
        self.engine.dispose()


def _snapshot_row(snap: Snapshot) -> dict[str, Any]:
    return {
        "id": snap.id, "app": snap.app, "view": snap.view, "width_class": snap.width_class,
        "layout_hash": snap.layout_hash, "url": snap.url or "", "vw": float(snap.vw),
        "dw": float(snap.dw), "dh": float(snap.dh), "captured_ms": int(snap.captured_ms),
        "html": zlib.compress((snap.html or "").encode(), 6),
    }  # fmt: skip


def _snapshot(row: Any) -> Snapshot:
    m = row._mapping
    return Snapshot(
        id=m["id"], app=m["app"], view=m["view"], width_class=m["width_class"],
        layout_hash=m["layout_hash"], url=m["url"], vw=m["vw"], dw=m["dw"], dh=m["dh"],
        captured_ms=m["captured_ms"], html=zlib.decompress(bytes(m["html"])).decode(),
    )  # fmt: skip


def _background_row(bg: Background) -> dict[str, Any]:
    return {
        "id": bg.id, "app": bg.app, "view": bg.view, "width_class": bg.width_class,
        "url": bg.url or "", "width": int(bg.width), "height": int(bg.height),
        "captured_ms": int(bg.captured_ms), "source": bg.source or "page",
        "layout_hash": bg.layout_hash, "snapshot_id": bg.snapshot_id, "png": bg.png,
    }  # fmt: skip


def _background(row: Any, boxes: dict[str, Rect] | None = None) -> Background:
    m = row._mapping
    return Background(
        id=m["id"], app=m["app"], view=m["view"], width_class=m["width_class"], url=m["url"],
        width=m["width"], height=m["height"], captured_ms=m["captured_ms"], png=None,
        rects=boxes, source=m["source"], layout_hash=m["layout_hash"],
        snapshot_id=m["snapshot_id"],
    )  # fmt: skip


def _put_rects(con: Any, bg_id: str, boxes: dict[str, Rect]) -> None:
    if boxes:
        con.execute(insert(rects), [
            {"background": bg_id, "sel": sel, "x": float(x), "y": float(y), "w": float(w),
             "h": float(h)}
            for sel, (x, y, w, h) in boxes.items()
        ])  # fmt: skip
