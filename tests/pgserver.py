"""A private PostgreSQL server for the tests that stop the database (never the shared one on 5432).

``PrivateServer`` runs ``initdb`` into a temporary directory and ``pg_ctl start`` on a free
loopback port with its socket in that directory, so that a test can stop and start its own
server (``stop()``, ``start()``) while a crawl writes to it. ``pg_ctl`` finds the server by its
data directory (its ``postmaster.pid``): only this server is ever stopped. The binaries are the
newest under ``/usr/lib/postgresql/*/bin`` (or ``$NEWSCRAWL_TEST_PG_BIN``). As root, the
commands run as the ``postgres`` user (``initdb`` refuses root).

:class:`CommitAnswerDropper` is a fault layer for any PostgreSQL server: a proxy that lets a
batch's COMMIT through and loses the server's answer.

The ``private_pg`` fixture yields a started server and removes it after the test::

    def test_outage(private_pg: PrivateServer) -> None:
        url = private_pg.create_database("crawl")
        private_pg.stop()
        private_pg.start()
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import pytest
from sqlalchemy import text

from newscrawl.db.session import make_engine

__all__ = ["CommitAnswerDropper", "PrivateServer", "pg_bin_dir", "private_pg"]

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
        raise RuntimeError(f"no PostgreSQL binaries under /usr/lib/postgresql/*/bin; set {BIN_ENV}")
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
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
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
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.log),
            "-w",
            "-t",
            str(PG_CTL_TIMEOUT),
            "start",
        )
        self.running = True

    def stop(self) -> None:
        """Stop the server at once (``-m fast``: open connections are terminated), and wait."""
        self._run(
            "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", str(PG_CTL_TIMEOUT), "stop"
        )
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


class CommitAnswerDropper:
    """A TCP proxy to a PostgreSQL server that loses the server's answer to a batch's COMMIT.

    A fault layer for the commit-acknowledgement loss: on a connection that sent an
    ``INSERT INTO revisions`` (the writer's batch), the proxy forwards the ``COMMIT`` to the
    server, waits for its answer (so the server has committed), and then closes the client's
    connection instead of passing the answer on: the client sees the connection break while
    committing. It does so *drops* times, then forwards everything. Clients must connect with
    ``sslmode=disable`` (the proxy reads the protocol's messages): see :meth:`url`.
    """

    def __init__(self, upstream: str, drops: int = 1) -> None:
        from sqlalchemy.engine import make_url

        self.upstream = make_url(upstream)
        self.drops = drops
        self.dropped = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self) -> str:
        """The upstream URL, through this proxy."""
        proxied = self.upstream.set(host="127.0.0.1", port=self.port)
        proxied = proxied.update_query_dict({"sslmode": "disable", "gssencmode": "disable"})
        return proxied.render_as_string(hide_password=False)

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                _close(sock)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _take_drop(self) -> bool:
        with self._lock:
            if self.dropped >= self.drops:
                return False
            self.dropped += 1
            return True

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            server = socket.create_connection(
                (self.upstream.host or "127.0.0.1", self.upstream.port or 5432)
            )
            # Messages are forwarded one at a time: without TCP_NODELAY, Nagle's algorithm holds
            # each small one until the peer's delayed ACK (40 ms), and a crawl took 20 s longer.
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets += [client, server]
            state = {"revisions": False, "drop": False}
            threading.Thread(
                target=self._to_server, args=(client, server, state), daemon=True
            ).start()
            threading.Thread(
                target=self._to_client, args=(client, server, state), daemon=True
            ).start()

    def _to_server(
        self, client: socket.socket, server: socket.socket, state: dict[str, bool]
    ) -> None:
        try:
            length = _recv_exact(client, 4)  # the startup message has no type byte
            server.sendall(length + _recv_exact(client, int.from_bytes(length, "big") - 4))
            while True:
                head = _recv_exact(client, 5)
                payload = _recv_exact(client, int.from_bytes(head[1:], "big") - 4)
                if b"INSERT INTO revisions" in payload:
                    state["revisions"] = True
                if (
                    head[:1] == b"Q"
                    and payload.upper().startswith(b"COMMIT")
                    and state["revisions"]
                ):
                    state["drop"] = self._take_drop()
                state["revisions"] = state["revisions"] and head[:1] != b"Q"
                server.sendall(head + payload)
        except OSError:
            pass
        finally:
            _close(server)

    def _to_client(
        self, client: socket.socket, server: socket.socket, state: dict[str, bool]
    ) -> None:
        try:
            while data := server.recv(65536):
                if state["drop"]:  # the server answered the COMMIT: it is done; lose the answer
                    break
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(server)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
