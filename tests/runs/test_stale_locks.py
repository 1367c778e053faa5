"""A refused crawl exits 75 and leaves its feed file alone; ``newscrawl unlock``; an expired lock.

Locks of other hosts are written with :func:`newscrawl.db.locks.acquire_lock` (as their crawl
would); the crawls are real ``scrapy crawl`` and ``newscrawl crawl`` child processes against the
replica, into real SQLite and PostgreSQL databases.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscrawl.cli.crawl import EXIT_LOCKED, EXIT_OK
from newscrawl.db.locks import LockOwner, acquire_lock, read_lock
from newscrawl.db.runs import start_run
from newscrawl.runner import crawl_command
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.model import EMPTY_BODY, GONE
from newscrawl_replica.process import ReplicaProcess
from tests.runs.conftest import LOOPBACK_OPTIONS, SITE, database, newscrawl, runs_of

pytestmark = [pytest.mark.crawl, pytest.mark.db]

ARTICLES = 20
SPECS = generate_site(SITE, ARTICLES, 0).articles
EXPORTED = sum(not ({GONE, EMPTY_BODY} & set(a.flags)) for a in SPECS)
KEEP = b'{"kept": "from an earlier crawl"}\n' * 3


def scrapy_crawl(base: str, db_url: str, feed: Path) -> subprocess.CompletedProcess[str]:
    settings = {**LOOPBACK_SETTINGS, "NEWSCRAWL_DATABASE_URL": db_url}
    return subprocess.run(
        crawl_command(SITE, base_url=base, feed=feed, settings=settings),
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_refused_crawl_exits_75_keeps_the_feed_and_unlock_releases_the_lock(db_url, tmp_path):
    feed = tmp_path / "keep.jsonl"
    feed.write_bytes(KEEP)
    with ReplicaProcess(articles=ARTICLES, sites=[SITE]) as replica, database(db_url) as sessions:
        base = replica.urls[SITE]
        # a crawl on another host holds the lock for an hour
        elsewhere = LockOwner("elsewhere", 4242, start_run(sessions, SITE, "elsewhere", 4242))
        acquire_lock(sessions, SITE, elsewhere, ttl=3600)

        refused = scrapy_crawl(base, db_url, feed)
        assert refused.returncode == EXIT_LOCKED, refused.stderr[-3000:]
        assert feed.read_bytes() == KEEP
        crawl = newscrawl(
            "crawl", SITE, "--base-url", base, "--database-url", db_url, *LOOPBACK_OPTIONS
        )
        assert crawl.returncode == EXIT_LOCKED, crawl.stderr[-3000:]
        assert "already being crawled by pid 4242 on elsewhere" in crawl.stderr

        unlocked = newscrawl("unlock", SITE, "--database-url", db_url)
        assert unlocked.returncode == 0, unlocked.stderr
        assert f"released the lock of {SITE} held by pid 4242 on elsewhere" in unlocked.stdout
        assert f"run {elsewhere.run_id} of {SITE} marked aborted" in unlocked.stdout
        assert read_lock(sessions, SITE) is None
        again = newscrawl("unlock", "ict.gov.ir", "--database-url", db_url)  # ict_en and ict_fa
        assert again.returncode == 0, again.stderr
        assert again.stdout.splitlines() == ["ict_en is not locked", "ict_fa is not locked"]

        # a lock that expired, of a run on another host: taken over, its run marked aborted
        stale = LockOwner("elsewhere", 4343, start_run(sessions, SITE, "elsewhere", 4343))
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        acquire_lock(sessions, SITE, stale, ttl=60, now=an_hour_ago)
        crawled = scrapy_crawl(base, db_url, feed)
        assert crawled.returncode == EXIT_OK, crawled.stderr[-3000:]
        runs = {run.id: run for run in runs_of(sessions)}
        assert read_lock(sessions, SITE) is None

    exported = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    assert len(exported) == EXPORTED  # -O still overwrites when the crawl runs
    assert runs[elsewhere.run_id].status == "aborted"
    assert "released by hand (newscrawl unlock)" in (runs[elsewhere.run_id].message or "")
    assert runs[stale.run_id].status == "aborted"
    assert "its lock expired at" in (runs[stale.run_id].message or "")
    statuses = [run.status for run_id, run in sorted(runs.items()) if run.host != "elsewhere"]
    assert statuses == ["aborted", "aborted", "finished"]  # refused twice, then crawled


def test_unlock_refuses_a_live_holder_here_and_unknown_sites(db_url):
    with database(db_url) as sessions:
        here = socket.gethostname()
        # this test's own process holds the lock: alive, and started before it took the lock
        me = LockOwner(here, os.getpid(), start_run(sessions, SITE, here, os.getpid()))
        acquire_lock(sessions, SITE, me, ttl=3600)

        kept = newscrawl("unlock", SITE, "--database-url", db_url)
        assert kept.returncode == 1
        assert f"pid {os.getpid()} on {here}" in kept.stderr and "--force" in kept.stderr
        assert read_lock(sessions, SITE) is not None

        forced = newscrawl("unlock", SITE, "--force", "--database-url", db_url)
        assert forced.returncode == 0, forced.stderr
        assert f"released the lock of {SITE} held by pid {os.getpid()} on {here}" in forced.stdout
        assert read_lock(sessions, SITE) is None
        (run,) = runs_of(sessions)
    assert run.status == "aborted"

    unknown = newscrawl("unlock", "nosuch", "--database-url", db_url)
    assert unknown.returncode == 2
    assert len(unknown.stderr.strip().splitlines()) == 1
    assert "unknown site 'nosuch'" in unknown.stderr

