"""Pictures out of a previous version's event store, into the picture store.

Up to this version snapshots, backgrounds and element boxes were tables of the event
store: in DuckDB the PNG a BLOB and the HTML zlib-compressed, in ClickHouse the PNG
base64 text and the boxes appended in versions (the latest read). Moving them reads
those tables as that version wrote them, keeps every picture in the picture store
(:meth:`~pageheat.pictures.base.PictureStore.load`: ids kept, what is there already
skipped, so a move cut short is simply run again) and only then drops the tables.

The embedded store moves on opening (:class:`~pageheat.app.Pageheat`: one process owns
the file, as for its other upgrades); ClickHouse moves in ``pageheat migrate``, run once
with the new version before its collectors start, as every ClickHouse upgrade is.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pageheat.pictures.base import Background, PictureStore, Snapshot

#: The tables a previous version kept pictures in, dropped in this order once moved.
TABLES = ("element_rects", "backgrounds", "snapshots")

_SNAPSHOT = "id, app, view, width_class, layout_hash, url, vw, dw, dh, captured, html"
_BACKGROUND = ("id", "app", "view", "width_class", "url", "width", "height", "captured",
               "source", "layout_hash", "snapshot_id")  # fmt: skip


def move_from_duckdb(path: str | Path, pictures: PictureStore) -> int:
    """Move the pictures of a DuckDB events file; how many were new to the picture
    store (0 when there is no file, without opening anything, or when the file has no
    picture tables, after opening it to look)."""
    import duckdb

    path = str(path)
    if path == ":memory:" or not Path(path).exists():
        return 0
    con = duckdb.connect(path)
    try:
        found = {r[0]: set() for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name IN (?, ?, ?)",
            list(TABLES)).fetchall()}  # fmt: skip
        if not found:
            return 0
        for table in found:
            found[table] = {r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                [table]).fetchall()}  # fmt: skip

        def read(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
            return con.execute(sql, params).fetchall()

        moved = pictures.load(_pictures(
            read, found, html=lambda b: zlib.decompress(bytes(b)).decode(),
            png=lambda b: bytes(b) if b is not None else None, rects=_duckdb_rects,
        ))  # fmt: skip
        for table in TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute("CHECKPOINT")
        return moved
    finally:
        con.close()


def move_from_clickhouse(url: str, pictures: PictureStore) -> int:
    """Move the pictures of a ClickHouse database (every node of its cluster); how many
    were new to the picture store."""
    from pageheat.store.clickhouse_client import Target, connect
    from pageheat.store.clickhouse_schema import nodes

    target = Target.parse(url)
    client = connect(target)
    try:
        found: dict[str, set[str]] = {}
        for table, column in client.query(
            "SELECT table, name FROM system.columns WHERE database = ? AND table IN (?, ?, ?)",
            [target.database, *TABLES],
        ):
            found.setdefault(table, set()).add(column)
        if not found:
            return 0

        def read(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
            return client.query(sql, params)

        moved = pictures.load(_pictures(
            read, found, html=lambda s: s, rects=_clickhouse_rects,
            png=lambda s: base64.b64decode(s) if s else None,
        ))  # fmt: skip
        for node in nodes(target, client):
            each = connect(node)
            try:
                for table in TABLES:
                    for name in (table, f"{table}_local"):
                        each.command(f"DROP TABLE IF EXISTS {target.database}.{name}")
            finally:
                each.close()
        return moved
    finally:
        client.close()


def _pictures(
    read, found: dict[str, set[str]], html, png, rects
) -> Iterator[Snapshot | Background]:
    """Every snapshot, then every background with its PNG and boxes, one at a time."""
    if "snapshots" in found:
        for *head, text in read(f"SELECT {_SNAPSHOT} FROM snapshots ORDER BY id", []):
            yield Snapshot(*head, html=html(text) if text is not None else "")
    if "backgrounds" not in found:
        return
    # a file older than page states has no source, layout hash or snapshot id
    columns = [c if c in found["backgrounds"] else "NULL" for c in _BACKGROUND]
    for row in read(f"SELECT {', '.join(columns)} FROM backgrounds ORDER BY id", []):
        *head, source, layout_hash, snapshot_id = row
        ((picture,),) = read("SELECT png FROM backgrounds WHERE id = ? LIMIT 1", [head[0]])
        boxes = rects(read, head[0]) if "element_rects" in found else {}
        yield Background(
            *head, png=png(picture), rects=boxes, source=source or "page",
            layout_hash=layout_hash, snapshot_id=snapshot_id,
        )  # fmt: skip


def _duckdb_rects(read, bg_id: str) -> dict[str, tuple[float, float, float, float]]:
    rows = read("SELECT sel, x, y, w, h FROM element_rects WHERE background = ?", [bg_id])
    return {sel: (x, y, w, h) for sel, x, y, w, h in rows}


def _clickhouse_rects(read, bg_id: str) -> dict[str, tuple[float, float, float, float]]:
    rows = read("SELECT version, sel, x, y, w, h FROM element_rects WHERE background = ?", [bg_id])
    latest = max((r[0] for r in rows), default=None)
    return {sel: (x, y, w, h) for v, sel, x, y, w, h in rows if v == latest and sel}
