"""A private PostgreSQL server for the tests that stop the database (never the shared one on 5432).

``PrivateServer`` runs ``initdb`` into a temporary directory and ``pg_ctl start`` on a free
loopback port with its socket in that directory, so that a test can stop and start its own
server (``stop()``, ``start()``) while a crawl writes to it. ``pg_ctl`` finds the server by its
data directory (its ``postmaster.pid``): only this server is ever stopped. The binaries are the
newest under ``/usr/lib/postgresql/*/bin`` (or ``$NEWSCRAWL_TEST_PG_BIN``). As root, the
commands run as the ``postgres`` user (``initdb`` refuses root).

The ``private_pg`` fixture yields a started server and removes it after the test::

    def test_outage(private_pg: PrivateServer) -> None:
        url = private_pg.create_database("crawl")
        private_pg.stop()
        private_pg.start()
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from newscrawl.db.session import make_engine

__all__ = ["PrivateServer", "pg_bin_dir", "private_pg"]

BIN_ENV = "NEWSCRAWL_TEST_PG_BIN"
#: Seconds pg_ctl waits for the server to start or stop.
PG_CTL_TIMEOUT = 60
SUPERUSER = "postgres"


def pg_bin_dir() -> Path:
    """The directory of ``initdb`` and ``pg_ctl`` (the newest installed PostgreSQL)."""
    if os.environ.get(BIN_ENV):
        return Path(os.environ[BIN_ENV])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError(
            f"no PostgreSQL binaries under /usr/lib/postgresql/*/bin; set {BIN_ENV}"
        )
    return found[-1].parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivateServer:
    """A PostgreSQL server of one test: its own data directory, port and socket directory."""

    def __init__(self) -> None:
        self.bin = pg_bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="newscrawl-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            user = pwd.getpwnam(SUPERUSER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                  "--no-sync")
        self.running = False

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=PG_CTL_TIMEOUT + 30
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({completed.returncode}): {completed.stderr.strip()}\n"
                f"{self.log.read_text() if self.log.exists() else ''}"
            )

    def start(self) -> None:
        """Start the server and wait until it takes connections."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                  "-t", str(PG_CTL_TIMEOUT), "start")
        self.running = True

    def stop(self) -> None:
        """Stop the server at once (``-m fast``: open connections are terminated), and wait."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", str(PG_CTL_TIMEOUT),
                  "stop")
        self.running = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database *name*; return its URL."""
        engine = make_engine(self.url()).execution_options(isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def remove(self) -> None:
        """Stop the server if it runs, and delete its directory."""
        try:
            if self.running:
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_pg() -> Iterator[PrivateServer]:
    """A started PostgreSQL server of this test alone, which it may stop and start."""
    server = PrivateServer()
    try:
        server.start()
        yield server
    finally:
        server.remove()
