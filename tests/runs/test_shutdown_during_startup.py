"""A SIGTERM or Ctrl-C while a crawl starts (newscrawl/extensions/startup.py).

Scrapy's graceful stop stops only a running engine: a signal during ``spider_opened`` used to stop
the reactor with the spider open, leaving the run ``running``, the site lock held and no stats
file (a distributed worker stopped in that second then took its job as done). The crawls here are
held in their start-up by ``tests/startup_gate.py``, after the run recorder has recorded the run
and taken the lock, and signalled there.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newscrawl.db.locks import read_lock
from newscrawl.settings import EXTENSIONS
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import fresh_database, start_scrapy_crawl
from tests.runs.conftest import SITE, database, runs_of, stop_process, wait_for
from tests.startup_gate import ORDER, waiting_marker

pytestmark = [pytest.mark.crawl, pytest.mark.db]

HELD = "while the crawl was starting: it stops once started"


@dataclass
class GatedCrawl:
    proc: subprocess.Popen[bytes]
    gate: Path
    log: Path
    stats: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_in_startup(self) -> None:
        """Until the crawl waits at the gate (its run recorded, its lock taken)."""

        def waiting() -> bool:
            assert self.proc.poll() is None, self.log_text()[-3000:]
            return waiting_marker(self.gate).exists()

        wait_for(waiting, 120, "the crawl to wait in its start-up")

    def wait_for_log(self, text: str) -> None:
        """Until the log has *text*, or the crawl has exited (for the test to see why)."""
        wait_for(lambda: text in self.log_text() or self.proc.poll() is not None, 60, text)


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaProcess]:
    """A small replica: the crawls stop in their first second."""
    with ReplicaProcess(articles=30, sites=[SITE]) as server:
        yield server


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("sqlite", tmp_path) as url:
        yield url


def start_gated_crawl(base_url: str, db_url: str, directory: Path, **settings: str) -> GatedCrawl:
    gate, log, stats = directory / "gate", directory / "crawl.log", directory / "stats.json"
    extensions = {**EXTENSIONS, "tests.startup_gate.StartupGate": ORDER}
    settings = {
        **LOOPBACK_SETTINGS,
        "NEWSCRAWL_DATABASE_URL": db_url,
        "NEWSCRAWL_STATS_FILE": str(stats),
        "EXTENSIONS": json.dumps(extensions),
        "TEST_STARTUP_GATE": str(gate),
        "LOG_LEVEL": "INFO",
        **settings,
    }
    proc = start_scrapy_crawl(SITE, base_url, settings, log)
    return GatedCrawl(proc, gate, log, stats)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_startup_stops_the_crawl_once_it_runs(
    replica, sqlite_url, tmp_path, signum
):
    with database(sqlite_url) as sessions:
        crawl = start_gated_crawl(replica.urls[SITE], sqlite_url, tmp_path)
        try:
            crawl.wait_in_startup()
            (run,) = runs_of(sessions)
            lock = read_lock(sessions, SITE)
            assert run.status == "running" and lock is not None and lock.run_id == run.id
            os.kill(crawl.proc.pid, signum)
            crawl.wait_for_log(HELD)
            assert crawl.proc.poll() is None, crawl.log_text()[-3000:]  # still starting
            crawl.gate.touch()
            code = crawl.proc.wait(timeout=120)
        finally:
            stop_process(crawl.proc, signal.SIGKILL)
        (run,) = runs_of(sessions)
        lock = read_lock(sessions, SITE)
    log = crawl.log_text()
    assert code == 0, log[-3000:]
    assert f"Received {signum.name} while the crawl was starting" in log
    stats = json.loads(crawl.stats.read_text())
    assert stats["finish_reason"] == "shutdown"
    assert stats["newscrawl/shutdown/held"] == signum.name
    assert run.status == "aborted" and run.finished_at is not None
    assert lock is None  # released by the run recorder at spider close


def test_without_the_extension_such_a_signal_leaves_the_run_open(replica, sqlite_url, tmp_path):
    """What the extension is for: Scrapy alone stops the reactor with the spider still open."""
    with database(sqlite_url) as sessions:
        crawl = start_gated_crawl(
            replica.urls[SITE], sqlite_url, tmp_path, NEWSCRAWL_HOLD_SHUTDOWN_UNTIL_STARTED="False"
        )
        try:
            crawl.wait_in_startup()
            os.kill(crawl.proc.pid, signal.SIGTERM)
            code = crawl.proc.wait(timeout=120)  # with the gate still closed
        finally:
            stop_process(crawl.proc, signal.SIGKILL)
        (run,) = runs_of(sessions)
        lock = read_lock(sessions, SITE)
    assert code == 0
    assert HELD not in crawl.log_text()
    assert not crawl.stats.exists()  # no spider_closed: no stats file
    assert run.status == "running" and lock is not None and lock.run_id == run.id


def test_a_second_signal_during_startup_is_scrapys_stop_at_once(replica, sqlite_url, tmp_path):
    with database(sqlite_url) as sessions:
        crawl = start_gated_crawl(replica.urls[SITE], sqlite_url, tmp_path)
        try:
            crawl.wait_in_startup()
            os.kill(crawl.proc.pid, signal.SIGTERM)
            crawl.wait_for_log(HELD)
            os.kill(crawl.proc.pid, signal.SIGTERM)
            code = crawl.proc.wait(timeout=120)  # with the gate still closed
        finally:
            stop_process(crawl.proc, signal.SIGKILL)
        (run,) = runs_of(sessions)
    log = crawl.log_text()
    assert code == 0, log[-3000:]
    assert HELD in log
    assert not crawl.stats.exists()
    assert run.status == "running"  # as a killed run: the next run takes its lock over
