"""A private Redis broker, a private PostgreSQL database and real ``newscrawl worker`` processes.

The Redis server is the test's own (``redis-server`` on a free loopback port, no persistence),
stopped by its PID; workers are ``newscrawl worker`` children, each leading its own process group
(so that a test can kill a worker machine whole: the worker, its pool and its crawl), stopped by
their PIDs. Waiting is on run records and broker state (``tests.runs.conftest.wait_for``).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from tests.pg import create_pg_database, drop_pg_database
from tests.runs.conftest import wait_for

QUEUE = "newscrawl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """The URL of a private redis-server in *directory* (stopped by its PID at the end)."""
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)

    def answers() -> bool:
        assert proc.poll() is None, "redis-server exited"
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_for(answers, 30, "the private redis-server to answer")
        yield url
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    """The URL of a private redis-server (stopped by its PID at the end)."""
    with redis_server(tmp_path) as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


def queued(broker_url: str) -> tuple[int, int]:
    """(jobs waiting in the queue, jobs delivered and not acknowledged) on the Redis broker."""
    with redis.Redis.from_url(broker_url) as client:
        return int(client.llen(QUEUE)), int(client.hlen("unacked"))


@dataclass
class Cluster:
    """Workers of one test (or benchmark): broker, database, crawl settings and environment.

    Each worker runs ``--concurrency`` crawls at once, with ``LOOPBACK_SETTINGS`` (unless
    ``loopback`` is False: the shipped politeness settings) and ``settings`` on top.
    """

    broker_url: str
    database_url: str
    sites_dir: Path
    logs: Path
    settings: dict[str, str] = field(default_factory=dict)
    concurrency: int = 1
    loopback: bool = True
    env: dict[str, str] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "NEWSCRAWL_BROKER_URL": self.broker_url,
            "NEWSCRAWL_SITES_DIR": str(self.sites_dir),
            "NEWSCRAWL_LOG_DIR": "-",
            **self.env,
        }

    def start_worker(self) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "newscrawl.cli", "worker"]
        command += ["--concurrency", str(self.concurrency), "--database-url", self.database_url]
        base = LOOPBACK_SETTINGS if self.loopback else {}
        for key, value in {**base, **self.settings}.items():
            command += ["-s", f"{key}={value}"]
        number = len(self.workers)
        with (self.logs / f"worker-{number}.log").open("wb") as log:
            proc = subprocess.Popen(
                command,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        self.workers.append(proc)
        return proc

    def enqueue(self, *sites: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newscrawl.cli", "enqueue", *sites],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    def log(self, number: int) -> str:
        return (self.logs / f"worker-{number}.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        """Stop every worker still running: SIGTERM (warm shutdown), then its group SIGKILLed."""
        for proc in self.workers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


@pytest.fixture
def cluster(broker: str, pg_url: str, tmp_path: Path) -> Iterator[Cluster]:
    logs = tmp_path / "logs"
    logs.mkdir()
    workers = Cluster(broker, pg_url, tmp_path / "sites", logs)
    try:
        yield workers
    finally:
        workers.stop()
