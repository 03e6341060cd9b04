"""Snapshots and backgrounds in ClickHouse: the pictures a map is drawn on.

Part of :class:`~pageheat.store.clickhouse.ClickHouseStore` (a mixin: it uses the
store's ``_db`` client, ``_read`` and ``_write_lock``). Pictures are few and written
rarely, so they take what suits both engines: the PNG as base64 text (both return it
unchanged), the HTML as plain text (the column codec compresses it), and a background's
element boxes as versions appended, the latest read (no UPDATE on 18.16).
"""

from __future__ import annotations

import base64
import threading
import time
from typing import Any

from pageheat.store.base import Background, Rect, Snapshot
from pageheat.store.clickhouse_client import Client


class Pictures:
    """Snapshot and background methods of the ClickHouse store."""

    _db: Client
    _write_lock: threading.Lock

    def _read(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # the store's

    def save_snapshot(self, snap: Snapshot) -> bool:
        with self._write_lock:
            ((exists,),) = self._read(
                "SELECT count() FROM snapshots WHERE app = ? AND view = ? AND width_class = ?"
                " AND layout_hash = ?",
                [snap.app, snap.view, snap.width_class, snap.layout_hash],
            )
            if not exists:
                self._db.insert("snapshots", _SNAPSHOT_COLUMNS, [(
                    snap.id, snap.app, snap.view, snap.width_class, snap.layout_hash, snap.url,
                    float(snap.vw), float(snap.dw), float(snap.dh), snap.captured_ms,
                    snap.html or "",
                )])  # fmt: skip
        return not exists

    def snapshot(self, snap_id: str) -> Snapshot | None:
        rows = self._read(f"SELECT {', '.join(_SNAPSHOT_COLUMNS)} FROM snapshots WHERE id = ?",
                          [snap_id])  # fmt: skip
        if not rows:
            return None
        *head, html = rows[0]
        return Snapshot(*head, html=html)

    # -- backgrounds -----------------------------------------------------------------

    def save_background(self, bg: Background) -> None:
        png = base64.b64encode(bg.png).decode() if bg.png is not None else ""
        self._db.insert("backgrounds", (*_BG_COLUMNS, "png"), [(
            bg.id, bg.app, bg.view, bg.width_class, bg.url, int(bg.width), int(bg.height),
            bg.captured_ms, bg.source, bg.layout_hash, bg.snapshot_id, png,
        )])  # fmt: skip
        self.save_rects(bg.id, bg.rects or {})

    def save_rects(self, bg_id: str, rects: dict[str, Rect]) -> None:
        version = time.time_ns()
        rows = [(bg_id, version, "", 0.0, 0.0, 0.0, 0.0)]
        rows += [(bg_id, version, sel, *map(float, r)) for sel, r in rects.items()]
        self._db.insert("element_rects", ("background", "version", "sel", "x", "y", "w", "h"), rows)

    def backgrounds(self, app: str, view: str) -> list[Background]:
        rows = self._read(
            f"SELECT {', '.join(_BG_COLUMNS)} FROM backgrounds WHERE app = ? AND view = ?"
            " ORDER BY captured DESC, id",
            [app, view],
        )
        return [_background(r) for r in rows]

    def background(self, bg_id: str) -> Background | None:
        rows = self._read(f"SELECT {', '.join(_BG_COLUMNS)} FROM backgrounds WHERE id = ?",
                          [bg_id])  # fmt: skip
        if not rows:
            return None
        rects = self._read(
            "SELECT version, sel, x, y, w, h FROM element_rects WHERE background = ?", [bg_id]
        )
        latest = max((r[0] for r in rects), default=None)
        return _background(rows[0], {
            sel: (x, y, w, h) for v, sel, x, y, w, h in rects if v == latest and sel
        })  # fmt: skip

    def background_png(self, bg_id: str) -> bytes | None:
        rows = self._read("SELECT png FROM backgrounds WHERE id = ?", [bg_id])
        return base64.b64decode(rows[0][0]) if rows and rows[0][0] else None


_SNAPSHOT_COLUMNS = (
    "id", "app", "view", "width_class", "layout_hash", "url", "vw", "dw", "dh", "captured",
    "html",
)  # fmt: skip
_BG_COLUMNS = (
    "id", "app", "view", "width_class", "url", "width", "height", "captured", "source",
    "layout_hash", "snapshot_id",
)  # fmt: skip


def _background(row: tuple[Any, ...], rects: dict[str, Rect] | None = None) -> Background:
    *head, source, layout_hash, snapshot_id = row
    return Background(
        *head, png=None, rects=rects, source=source or "page", layout_hash=layout_hash,
        snapshot_id=snapshot_id,
    )  # fmt: skip
