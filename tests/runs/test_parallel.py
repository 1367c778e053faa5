"""``newscrawl crawl --parallel N``: several sites at once, each holding its lock; Ctrl-C stops all.

The sites are copies of ict_en pointing at one replica (``newscrawl_replica.fleet``). The crawls
are paced (one request at a time, a fixed delay) so that they run long enough to be seen running
together; the tests watch the run records and lock rows in the database, never the clock.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from newscrawl.db.models import CrawlLock, CrawlRun
from newscrawl_replica.fleet import write_profiles
from newscrawl_replica.generate import generate_site
from newscrawl_replica.model import EMPTY_BODY, GONE
from newscrawl_replica.process import ReplicaProcess
from tests.runs.conftest import LOOPBACK_OPTIONS, database, stop_process, wait_for

pytestmark = [pytest.mark.crawl, pytest.mark.db]

ARTICLES = 12
SPECS = generate_site("ict_en", ARTICLES, 0).articles
STORED = sum(not ({GONE, EMPTY_BODY} & a.flags) for a in SPECS)
#: One request at a time, this many seconds apart: a crawl of ARTICLES lasts a few seconds.
PACED = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False"]


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaProcess]:
    with ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as server:
        yield server


def start_command(
    tmp_path: Path,
    replica: ReplicaProcess,
    db_url: str,
    sites: int,
    *args: str,
    own_group: bool = False,
) -> tuple[subprocess.Popen[str], list[str], Path]:
    """``newscrawl crawl <sites copies> ...args`` in a child process; its output goes to files.

    With *own_group* the command leads a process group, as a shell's foreground job does.
    """
    names = write_profiles(tmp_path / "sites", replica.urls["ict_en"], sites)
    env = {**os.environ, "NEWSCRAWL_SITES_DIR": str(tmp_path / "sites")}
    out = tmp_path / "out.txt"
    command = [sys.executable, "-m", "newscrawl.cli", "crawl", *names, "--database-url", db_url]
    command += [*LOOPBACK_OPTIONS, *PACED, *args]
    with out.open("w") as stdout, (tmp_path / "err.txt").open("w") as stderr:
        proc = subprocess.Popen(
            command,
            env=env,
            stdout=stdout,
            stderr=stderr,
            text=True,
            process_group=0 if own_group else None,
        )
    return proc, names, out


def running_with_locks(db_url: str) -> list[tuple[str, int]]:
    """(site, run id) of every run recorded ``running`` whose site lock names that run."""
    with database(db_url) as sessions, sessions() as session:
        rows = session.execute(
            select(CrawlRun.site, CrawlRun.id)
            .join(CrawlLock, (CrawlLock.site == CrawlRun.site) & (CrawlLock.run_id == CrawlRun.id))
            .where(CrawlRun.status == "running")
        )
        return sorted((site, run_id) for site, run_id in rows)


def wait_running(db_url: str, count: int) -> list[tuple[str, int]]:
    """Wait until *count* runs are running at the same moment, each holding its site's lock."""
    return wait_for(
        lambda: (held := running_with_locks(db_url)) and len(held) == count and held,
        120,
        f"{count} crawls running at once, each holding its lock",
    )


def all_runs(db_url: str) -> list[CrawlRun]:
    with database(db_url) as sessions, sessions() as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def test_parallel_sites_run_at_once_each_holding_its_lock(replica, db_url, tmp_path):
    proc, names, out = start_command(
        tmp_path, replica, db_url, 3, "--parallel", "3", "-s", "DOWNLOAD_DELAY=0.3"
    )
    try:
        # all three running at the same moment, each with its own site's lock
        together = wait_running(db_url, 3)
        assert [site for site, _ in together] == names
        assert proc.wait(timeout=180) == 0, (tmp_path / "err.txt").read_text()[-3000:]
    finally:
        stop_process(proc)  # type: ignore[arg-type]
    runs = all_runs(db_url)
    assert sorted(run.site for run in runs) == names
    assert {run.status for run in runs} == {"finished"}
    assert all(run.counts["new"] == STORED for run in runs)
    assert running_with_locks(db_url) == []
    with database(db_url) as sessions, sessions() as session:
        assert session.scalars(select(CrawlLock)).all() == []
    lines = out.read_text().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == names
    assert all(re.fullmatch(r"fleet_\d\d: exit 0, \d+ articles, [\d.]+s", line) for line in lines)


@pytest.mark.parametrize("to", ["command", "terminal"])
def test_ctrl_c_stops_every_running_site_and_starts_no_other(replica, db_url, tmp_path, to):
    # four sites, two at a time, slow enough that none ends before the signal
    proc, names, out = start_command(
        tmp_path,
        replica,
        db_url,
        4,
        "--parallel",
        "2",
        "-s",
        "DOWNLOAD_DELAY=2",
        own_group=to == "terminal",
    )
    try:
        started = wait_running(db_url, 2)
        if to == "terminal":
            # Ctrl-C at a terminal: every process of the foreground group (the command, the
            # fork server its crawls come from); the crawls have groups of their own, so they
            # get it once, from the command, and stop gracefully
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=120)
    finally:
        stop_process(proc)  # type: ignore[arg-type]
    assert code == 128 + signal.SIGINT, (tmp_path / "err.txt").read_text()[-3000:]
    runs = all_runs(db_url)
    # no new site started: only the two that were running have runs
    assert sorted(run.site for run in runs) == sorted(site for site, _ in started)
    # ... and each stopped gracefully: its run recorded as stopped, its lock released
    for run in runs:
        assert run.status == "aborted", run.message
        assert run.message == "stopped before the end (shutdown)"
        assert run.finished_at is not None
    with database(db_url) as sessions, sessions() as session:
        assert session.scalars(select(CrawlLock)).all() == []
    lines = out.read_text().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == names
    not_started = sorted(line.split(":")[0] for line in lines if "not started (SIGINT)" in line)
    assert not_started == sorted(set(names) - {site for site, _ in started})
