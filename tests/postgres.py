"""A real PostgreSQL server for the metadata tests: Debian's package, on a loopback port.

:func:`start` runs ``initdb`` into a temporary directory and ``postgres`` on a free port
of 127.0.0.1 (no other address, Unix socket in that directory), with one trusted local
user. PostgreSQL refuses to run as root, so as root the server runs as the ``postgres``
system user the package makes. ``make test`` installs the package when it is missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.tiers import needs


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Postgres:
    root: Path
    port: int
    proc: subprocess.Popen

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # smart shutdown
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def start(timeout_s: float = 30) -> Postgres:
    root = Path(
        tempfile.mkdtemp(
            prefix="pageheat-pg-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None
        )
    )
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(
        _as_postgres([_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                      "--no-sync", "-E", "UTF8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    proc = subprocess.Popen(
        _as_postgres([_bin("postgres"), "-D", str(data), "-p", str(port),
                      "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={root}",
                      "-c", "fsync=off"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + timeout_s
    server = Postgres(root, port, proc)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"postgres exited with {proc.returncode}")
        with contextlib.suppress(Exception):
            import psycopg

            with psycopg.connect(server.url(), connect_timeout=1):
                return server
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"postgres did not answer on {port} in {timeout_s} s")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    needs("PostgreSQL")
    server = start()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
