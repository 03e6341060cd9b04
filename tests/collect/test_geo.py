"""Country and city from an optional MaxMind database: looked up at the collector from
the connection's address (or, behind a trusted proxy, X-Forwarded-For), the address itself
never kept; no database or a broken one means empty places and one warning at start."""

from __future__ import annotations

import logging

import duckdb
import pytest
from fastapi.testclient import TestClient

from pageheat.app import Pageheat
from pageheat.collect.enrich import Geo, client_address
from pageheat.store.base import Query, parse_filters
from pageheat.web.server import build_app
from tests.collect.test_collect import ORIGIN, batch, click, view
from tests.conftest import TOKEN, make_settings
from tests.geoip import write_mmdb


def places(ph: Pageheat, key: str) -> list[tuple[str, str]]:
    """(country, city) of each page view that has a country, read as the dashboard's
    country and city filters offer them (a city's page views within each country)."""
    out: list[tuple[str, str]] = []
    for country, views in ph.store.filter_values(Query(app=key), "country"):
        within = Query(app=key, filters=parse_filters({"country": country}))
        cities = ph.store.filter_values(within, "city")
        out += [(country, city) for city, n in cities for _ in range(n)]
        out += [(country, "")] * (views - sum(n for _, n in cities))
    return sorted(out)


def stored_text(path: str) -> dict[str, str]:
    """Every table of a closed DuckDB event store, each as the text of all its rows: what
    anyone opening the file would read."""
    with duckdb.connect(path, read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables")
                  .fetchall()]  # fmt: skip
        return {t: str(con.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}


def collector(tmp_path, peer: str = "127.0.0.1", **settings):
    ph = Pageheat(make_settings(tmp_path / "data", **settings))
    key = ph.meta.create_app("Shop", [ORIGIN]).key
    client = TestClient(build_app(ph), headers={"Authorization": f"Bearer {TOKEN}"},
                        client=(peer, 40000))  # fmt: skip
    return ph, key, client


def send(client, key, n: int, **headers) -> None:
    body = batch(key, [view(f"v{n}"), click(f"v{n}")], batch=f"b{n}", visitor=f"u{n}")
    r = client.post("/api/v1/collect", json=body, headers={"Origin": ORIGIN, **headers})
    assert r.status_code == 202, r.text


def test_the_connections_address_gives_country_and_city_and_is_not_kept(tmp_path):
    ph, key, client = collector(tmp_path, geoip_db=str(write_mmdb(tmp_path / "city.mmdb")))
    with client:
        send(client, key, 1)
        # from no trusted proxy a forwarded address is the sender's word only: ignored
        send(client, key, 2, **{"X-Forwarded-For": "203.0.113.7"})
    try:
        assert places(ph, key) == [("DE", "Berlin"), ("DE", "Berlin")]
    finally:
        ph.close()
    tables = stored_text(ph.store.path)
    assert "pageviews" in tables and "Berlin" in tables["pageviews"]
    for table, dump in tables.items():
        assert "127.0.0.1" not in dump and "203.0.113" not in dump, table


def test_behind_a_trusted_proxy_the_nearest_untrusted_forwarded_address_counts(tmp_path):
    ph, key, client = collector(tmp_path, geoip_db=str(write_mmdb(tmp_path / "city.mmdb")),
                                trusted_proxies="127.0.0.1,10.0.0.0/8")  # fmt: skip
    with client:
        # a client-written entry before the one nginx appended, then an inner proxy
        send(client, key, 1, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.7, 10.0.0.1"})
        send(client, key, 2, **{"X-Forwarded-For": "2001:db8::1"})
        send(client, key, 3)  # no header: the proxy's own peer address
        send(client, key, 4, **{"X-Forwarded-For": "not-an-address"})  # no place
        send(client, key, 5, **{"X-Forwarded-For": "8.8.8.8"})  # not in the database
    try:
        assert places(ph, key) == [("BR", "Recife"), ("DE", "Berlin"), ("FR", "Paris")]
        assert ph.store.stats(Query(app=key))["page_views"] == 5
    finally:
        ph.close()


@pytest.mark.parametrize("broken", ["missing", "garbage", "empty"])
def test_a_missing_or_unreadable_database_is_one_warning_and_no_places(tmp_path, caplog, broken):
    path = tmp_path / "GeoLite2-City.mmdb"
    if broken == "garbage":
        path.write_bytes(b"this is not a MaxMind database" * 100)
    elif broken == "empty":
        path.write_bytes(b"")
    with caplog.at_level(logging.WARNING):
        ph, key, client = collector(tmp_path, geoip_db=str(path))
        with client:
            send(client, key, 1)
            send(client, key, 2)
    try:
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1 and str(path) in warnings[0].getMessage()
        assert places(ph, key) == []
        assert ph.store.stats(Query(app=key))["page_views"] == 2
    finally:
        ph.close()


def test_no_database_setting_means_no_lookup_and_no_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        geo = Geo("")
    assert not geo.enabled and geo.locate("127.0.0.1") == ("", "")
    assert not caplog.records


@pytest.mark.parametrize(
    ("peer", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("203.0.113.7:5123", "203.0.113.7"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("unknown", None),
        ("testclient", None),
        (None, None),
    ],
)  # fmt: skip
def test_client_address(peer, address):
    assert client_address(peer) == address
