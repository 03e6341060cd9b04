"""Moving raw events between stores: ``pageheat export`` and ``pageheat import``.

A DuckDB install that outgrows its file moves to ClickHouse by exporting its events
(every event table and each visitor's first session) and importing them into the new
store, which then answers the same heatmaps (tests/store/test_transfer.py checks that).
Snapshots and backgrounds are not in the event store (``pictures/``): changing the
event store leaves them where they are.

Two formats: JSON lines (one file; a header line, then ``{"table": …, "row": {…}}`` per
row: readable, greppable, streamable) and Parquet (a directory with one file per table,
for volume). Both stream in chunks, so memory stays bounded by the chunk, not the data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pageheat.store.base import EventStore
from pageheat.store.rows import TABLES, VISITOR_COLUMNS

#: Tables an export holds, in the order an import loads them.
EXPORTED = {**TABLES, "visitors": VISITOR_COLUMNS}
#: Columns that are booleans (ClickHouse keeps them as 0/1; an export says true/false).
BOOLEANS = {"interactive", "fixed", "dead", "error"}
HEADER = {"pageheat": "events", "version": 1}


def export(store: EventStore, out: Path, chunk_rows: int = 100_000) -> dict[str, int]:
    """Write every exported table of ``store`` to ``out`` (``.jsonl`` file, or a directory
    of Parquet files otherwise); rows written per table."""
    counts: dict[str, int] = {}
    if out.suffix == ".jsonl":
        with out.open("w") as f:
            f.write(json.dumps(HEADER) + "\n")
            for table in EXPORTED:
                counts[table] = 0
                for chunk in _chunks(store, table, chunk_rows):
                    for row in chunk.to_pylist():
                        f.write(json.dumps({"table": table, "row": row}) + "\n")
                    counts[table] += chunk.num_rows
        return counts
    out.mkdir(parents=True, exist_ok=True)
    for table in EXPORTED:
        counts[table] = 0
        writer: pq.ParquetWriter | None = None
        try:
            for chunk in _chunks(store, table, chunk_rows):
                if writer is None:
                    writer = pq.ParquetWriter(out / f"{table}.parquet", chunk.schema)
                writer.write_table(chunk.cast(writer.schema))
                counts[table] += chunk.num_rows
        finally:
            if writer is not None:
                writer.close()
    return counts


def import_(store: EventStore, source: Path, chunk_rows: int = 100_000) -> dict[str, int]:
    """Load an export into ``store``; rows loaded per table."""
    counts = dict.fromkeys(EXPORTED, 0)
    for table, chunk in _read(source, chunk_rows):
        store.load({table: chunk})
        counts[table] += chunk.num_rows
    return counts


def _chunks(store: EventStore, table: str, chunk_rows: int) -> Iterator[pa.Table]:
    for chunk in store.dump(table, chunk_rows):
        yield _normalise(chunk)


def _normalise(chunk: pa.Table) -> pa.Table:
    """The same types from every backend: booleans as booleans."""
    for name in BOOLEANS & set(chunk.column_names):
        i = chunk.column_names.index(name)
        chunk = chunk.set_column(i, name, chunk.column(name).cast(pa.bool_()))
    return chunk


def _read(source: Path, chunk_rows: int) -> Iterator[tuple[str, pa.Table]]:
    if source.is_dir():
        for table in EXPORTED:
            path = source / f"{table}.parquet"
            if path.exists():
                for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
                    yield table, pa.Table.from_batches([batch])
        return
    pending: dict[str, list[dict[str, Any]]] = {}
    with source.open() as f:
        header = json.loads(f.readline() or "{}")
        if header.get("pageheat") != "events":
            raise ValueError(f"{source} is not a pageheat events export (no header line)")
        for n, line in enumerate(f, start=2):
            try:
                item = json.loads(line)
                table, row = item["table"], item["row"]
            except (ValueError, KeyError, TypeError):
                raise ValueError(f"{source}:{n}: not an export line") from None
            if table not in EXPORTED:
                raise ValueError(f"{source}:{n}: unknown table {table!r}")
            rows = pending.setdefault(table, [])
            rows.append(row)
            if len(rows) >= chunk_rows:
                yield table, _table(table, rows)
                pending[table] = []
    for table, rows in pending.items():
        if rows:
            yield table, _table(table, rows)


def _table(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    columns = EXPORTED[table]
    return pa.table({c: [r.get(c) for r in rows] for c in columns})
