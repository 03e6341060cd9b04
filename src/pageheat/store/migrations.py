"""The event stores' versioned migrations: what each one is, and how a list is read.

Each engine keeps an ordered list of :class:`Migration` (``duckdb_schema.MIGRATIONS``,
``clickhouse_schema.MIGRATIONS``): an id, one line saying why, the statements of its
section of the engine's schema file (``-- migration N`` up to the next one) and, where
rows must be filled in once, a function run after them. A store records the ids it has
applied in its own ``schema_migrations`` table (the DuckDB file; every ClickHouse node),
so opening or ``pageheat migrate`` applies only what is missing, in order, and running
either again applies nothing.

A store written before this list existed has tables but no ``schema_migrations``; it is
recognised once by the tables and columns it has (each engine's ``_baseline``: the one
place that still sniffs) and stamped at the last migration it already reflects, then
upgraded like any other. A new migration is a new section in the schema file and an
entry at the end of the list; ids are never reused or reordered.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Migration:
    """One step of an engine's schema: its section's statements, then ``fill``."""

    id: int
    why: str
    #: Rows the new tables or columns need, written once from what the store holds.
    fill: Callable[..., None] | None = None


_SECTION = re.compile(r"^-- migration (\d+)\b.*$", re.MULTILINE)


def sections(engine: str) -> dict[int, str]:
    """The schema file's statements by migration id (comments kept: both engines skip
    them)."""
    text = resources.files("pageheat.store").joinpath(f"schema/{engine}.sql").read_text()
    marks = list(_SECTION.finditer(text))
    return {
        int(m.group(1)): text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else None]
        for i, m in enumerate(marks)
    }


def check(migrations: tuple[Migration, ...], engine: str) -> None:
    """Ids run 1, 2, 3, … and each has a section of the schema file."""
    ids = [m.id for m in migrations]
    if ids != list(range(1, len(ids) + 1)) or sorted(sections(engine)) != ids:
        raise RuntimeError(f"{engine}: migrations {ids} and schema sections disagree")


def pending(migrations: tuple[Migration, ...], done: set[int]) -> list[Migration]:
    return [m for m in migrations if m.id not in done]


def now_ms() -> int:
    return int(time.time() * 1000)


def statements(sql: str) -> list[str]:
    """A section's statements, comment lines dropped (18.16 takes one statement a call)."""
    text = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]
