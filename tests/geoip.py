"""A real MaxMind database for the country and city filters, written in the test with
mmdb-writer in the layout of GeoLite2 City (the reader checks the database type)."""

from __future__ import annotations

from pathlib import Path

#: Networks → (country ISO code, English city name). 127.0.0.0/8 is where the tests'
#: browsers connect from; the documentation ranges stand for visitors behind a proxy.
PLACES = {
    "127.0.0.0/8": ("DE", "Berlin"),
    "203.0.113.0/24": ("FR", "Paris"),
    "198.51.100.0/24": ("JP", "Tokyo"),
    "2001:db8::/32": ("BR", "Recife"),
}


def write_mmdb(path: Path, places: dict[str, tuple[str, str]] = PLACES) -> Path:
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    w = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-City",
                   languages=["en"], description="pageheat test places")  # fmt: skip
    for network, (country, city) in places.items():
        w.insert_network(IPSet([network]), {
            "country": {"iso_code": country, "names": {"en": country}},
            "city": {"names": {"en": city}},
        })  # fmt: skip
    w.to_db_file(str(path))
    return path
