"""The picture store on each setup pageheat runs: the embedded default (SQLite in the
data directory, beside a DuckDB events file) and scale-out (the metadata PostgreSQL,
beside ClickHouse)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pageheat.app import Pageheat
from pageheat.pictures import SQLPictures
from tests.clickhouse import fresh_database
from tests.conftest import make_settings

SETUPS = ["embedded", "scaleout"]


def picture_url(request, name: str, tmp_path: Path) -> str:
    """A fresh, empty picture database of the setup."""
    if name == "embedded":
        return f"sqlite:///{tmp_path / f'pictures-{uuid.uuid4().hex[:8]}.sqlite'}"
    return request.getfixturevalue("postgres").create_database(f"p_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=SETUPS)
def pictures(request, tmp_path) -> Iterator[SQLPictures]:
    """Each setup's picture store in turn, empty."""
    store = SQLPictures(picture_url(request, request.param, tmp_path))
    yield store
    store.close()


@contextlib.contextmanager
def instance(request, name: str, data: Path) -> Iterator[Pageheat]:
    """A whole Pageheat of the setup: DuckDB + SQLite, or ClickHouse + PostgreSQL."""
    if name == "embedded":
        ph = Pageheat(make_settings(data))
        try:
            yield ph
        finally:
            ph.close()
        return
    from pageheat.store.clickhouse_client import Target
    from pageheat.store.clickhouse_schema import drop

    url = request.getfixturevalue("ch_node").url(fresh_database())
    meta = picture_url(request, name, data)
    ph = Pageheat(make_settings(data, events_url=url, meta_url=meta))
    try:
        yield ph
    finally:
        ph.close()
        drop(Target.parse(url))


@pytest.fixture(params=SETUPS)
def ph_of(request, tmp_path) -> Iterator[Pageheat]:
    """A Pageheat of each setup in turn."""
    with instance(request, request.param, tmp_path / "data") as ph:
        yield ph
