"""Crawl runs are recorded, listed by ``newscrawl runs``, and never overlap for one site.

Expected counts come from the replica's generator (its article flags), not from the crawl code.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from sqlalchemy import update

from newscrawl.cli.crawl import EXIT_LOCKED, EXIT_OK
from newscrawl.cli.runs import format_runs
from newscrawl.db.locks import LockInfo, read_lock
from newscrawl.db.models import CrawlLock, CrawlRun
from newscrawl.extensions.runs import RunRecorder
from newscrawl.health.outcome import run_counts, run_outcome
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.model import EMPTY_BODY, GONE
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import run_crawl, start_scrapy_crawl
from tests.runs.conftest import (
    LOOPBACK_OPTIONS,
    SITE,
    database,
    newscrawl_here,
    runs_of,
    stop_process,
    wait_for,
)

ARTICLES = 40
SPECS = generate_site(SITE, ARTICLES, 0).articles
GONE_COUNT = sum(GONE in a.flags for a in SPECS)
EMPTY_COUNT = sum(EMPTY_BODY in a.flags for a in SPECS)
STORED_COUNT = ARTICLES - GONE_COUNT - EMPTY_COUNT


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaProcess]:
    """One replica for the module's crawls: they only read it (each test has its own database)."""
    with ReplicaProcess(articles=ARTICLES, sites=[SITE]) as server:
        yield server


# -- units -------------------------------------------------------------------------------------


def test_run_counts_from_stats():
    counts = run_counts(
        {
            "downloader/response_count": 50,
            "log_count/ERROR": 2,
            "newscrawl/article/extracted": 45,
            "newscrawl/article/duplicate_link": 3,
            "newscrawl/article/http_error/404": 1,
            "newscrawl/article/error/TimeoutError": 1,
            "newscrawl/extract/failed": 1,
            "newscrawl/dedup/duplicate": 1,
            "newscrawl/clean/dropped/empty_body": 2,
            "newscrawl/clean/dropped/no_title": 0,
            "newscrawl/persist/new": 40,
            "newscrawl/persist/changed": 1,
            "newscrawl/persist/unchanged": 1,
            "newscrawl/fields/checked": 46,
            "newscrawl/fields/missing/date": 4,
            "newscrawl/article/lost/partial": 2,
            "newscrawl/article/lost/rate_limited": 0,
            "newscrawl/article/refused/too_large": 1,
            "newscrawl/page/lost/redirect_offsite": 1,
        }
    )
    assert counts == {
        "pages": 50,
        "articles": 45,
        "new": 40,
        "changed": 1,
        "unchanged": 1,
        "duplicates": 4,
        "dropped": {"empty_body": 2},
        "lost": {"partial": 2},
        "refused": {"too_large": 1},
        "errors": {
            "http_error/404": 1,
            "error/TimeoutError": 1,
            "page/lost/redirect_offsite": 1,
            "extract/failed": 1,
            "log/ERROR": 2,
        },
        "fields": {"checked": 46, "missing": {"date": 4}},
    }


@pytest.mark.parametrize(
    ("reason", "extra", "status", "message"),
    [
        ("finished", {"newscrawl/health/status": "ok"}, "finished", None),
        ("finished", {}, "finished", None),
        ("closespider_itemcount", {}, "finished", None),
        (
            "finished",
            {"newscrawl/health/status": "failed", "newscrawl/health/message": "body missing"},
            "failed",
            "body missing",
        ),
        ("locked", {"newscrawl/run/message": "held by pid 9"}, "aborted", "held by pid 9"),
        ("shutdown", {}, "aborted", "stopped before the end (shutdown)"),
        ("start_error", {}, "failed", "the crawl ended with 'start_error'"),
    ],
)
def test_run_outcome(reason, extra, status, message):
    assert run_outcome(reason, {"finish_reason": reason, **extra}) == (status, message)


def test_the_recorder_is_off_without_a_database_and_refuses_a_bad_ttl():
    with pytest.raises(NotConfigured):
        RunRecorder.from_crawler(get_crawler(settings_dict={"NEWSCRAWL_DATABASE_URL": ""}))
    with pytest.raises(ValueError, match="NEWSCRAWL_LOCK_TTL"):
        RunRecorder.from_crawler(
            get_crawler(
                settings_dict={"NEWSCRAWL_DATABASE_URL": "sqlite://", "NEWSCRAWL_LOCK_TTL": 0}
            )
        )


def test_format_runs_table():
    start = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    runs = [
        CrawlRun(
            id=12,
            site="ict_en",
            host="cron-1",
            pid=4242,
            started_at=start,
            finished_at=start + timedelta(seconds=75),
            status="failed",
            counts={
                "pages": 61,
                "articles": 0,
                "dropped": {"empty_body": 2},
                "errors": {"http_error/404": 1, "log/ERROR": 2},
                "lost": {"partial": 1, "redirect_loop": 3},
            },
            message="results look wrong (missing: title)",
        ),
        CrawlRun(
            id=3, site="ict_en", host="cron-1", pid=7, started_at=start, status="running", counts={}
        ),
    ]
    header, first, second = format_runs(runs, now=start + timedelta(hours=1, seconds=5))
    assert header.split()[:5] == ["ID", "SITE", "STARTED", "(UTC)", "TIME"]
    assert first.split() == [
        "12",
        "ict_en",
        "2026-03-01",
        "04:00:00",
        "1:15",
        "failed",
        "61",
        "0",
        "0",
        "0",
        "0",
        "0",
        "2",
        "3",
        "4",
        "0",
        "cron-1:4242",
        "results",
        "look",
        "wrong",
        "(missing:",
        "title)",
    ]
    assert second.split()[4:6] == ["1:00:05", "running"]


# -- a recorded crawl ----------------------------------------------------------------------------


@pytest.mark.crawl
@pytest.mark.db
def test_each_crawl_is_recorded_with_its_counts(replica, db_url, capfd):
    base = replica.urls[SITE]
    first = run_crawl(SITE, base_url=base, database_url=db_url, settings=LOOPBACK_SETTINGS)
    assert first.returncode == 0, first.log[-3000:]
    second = run_crawl(SITE, base_url=base, database_url=db_url, settings=LOOPBACK_SETTINGS)
    assert second.returncode == 0, second.log[-3000:]

    with database(db_url) as sessions:
        runs = runs_of(sessions)
        assert read_lock(sessions, SITE) is None  # released at close
    assert [r.status for r in runs] == ["finished", "finished"]
    for run, result in zip(runs, (first, second), strict=True):
        assert result.stats["newscrawl/run/id"] == run.id
        assert result.stats["newscrawl/run/status"] == "finished"
        assert run.host == socket.gethostname()
        assert run.pid > 0 and run.pid != os.getpid()
        assert run.started_at <= run.finished_at  # type: ignore[operator]
        assert run.message is None
        assert run.counts["pages"] == result.stats["downloader/response_count"]
        assert run.counts["articles"] == ARTICLES - GONE_COUNT
        assert run.counts["dropped"] == ({"empty_body": EMPTY_COUNT} if EMPTY_COUNT else {})
        assert run.counts["errors"].get("http_error/404", 0) == GONE_COUNT
    first_run, second_run = runs
    assert (first_run.counts["new"], first_run.counts["unchanged"]) == (STORED_COUNT, 0)
    assert (second_run.counts["new"], second_run.counts["unchanged"]) == (0, STORED_COUNT)

    listed = newscrawl_here(capfd, "runs", "--site", SITE, "--limit", "1", "--database-url", db_url)
    assert listed.returncode == 0, listed.stderr
    header, row = listed.stdout.splitlines()
    assert header.split()[:2] == ["ID", "SITE"]
    cells = row.split()
    assert cells[0] == str(second_run.id) and cells[1] == SITE and cells[5] == "finished"
    pages, articles, new, changed, unchanged, _dups, dropped, _errors = cells[6:14]
    assert (pages, articles) == (str(second_run.counts["pages"]), str(ARTICLES - GONE_COUNT))
    assert (new, changed, unchanged, dropped) == ("0", "0", str(STORED_COUNT), str(EMPTY_COUNT))
    assert newscrawl_here(
        capfd, "runs", "--site", "msrt_en", "--database-url", db_url
    ).stdout.startswith("no runs of msrt_en")
    unknown = newscrawl_here(capfd, "runs", "--site", "nope", "--database-url", db_url)
    assert unknown.returncode == 2
    assert "unknown site 'nope'" in unknown.stderr


# -- no overlap ----------------------------------------------------------------------------------


def start_slow_crawl(
    base_url: str, db_url: str, ttl: float, log: Path, heartbeat: float = 0
) -> subprocess.Popen[bytes]:
    """A crawl that takes minutes (one request at a time, 2 s apart): it is killed, not awaited."""
    settings = {
        **LOOPBACK_SETTINGS,
        "DOWNLOAD_DELAY": "2",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
        "NEWSCRAWL_DATABASE_URL": db_url,
        "NEWSCRAWL_LOCK_TTL": str(ttl),
        "NEWSCRAWL_LOCK_HEARTBEAT": str(heartbeat),
    }
    return start_scrapy_crawl(SITE, base_url, settings, log)


@pytest.mark.crawl
@pytest.mark.db
def test_overlapping_runs_are_locked_out_and_a_killed_runs_lock_is_taken_over_at_once(
    replica, db_url, tmp_path, capfd
):
    ttl = 300  # the killed run's lock is taken over long before it would expire
    with database(db_url) as sessions:
        base = replica.urls[SITE]
        crawl = ("crawl", SITE, "--base-url", base, "--database-url", db_url, *LOOPBACK_OPTIONS)
        first = start_slow_crawl(base, db_url, ttl, tmp_path / "first.log")
        try:

            def first_holds_the_lock() -> LockInfo | None:
                assert first.poll() is None, (tmp_path / "first.log").read_text(errors="replace")[
                    -3000:
                ]
                return read_lock(sessions, SITE)

            holder = wait_for(
                first_holds_the_lock, timeout=120, what="the first crawl to take the lock"
            )
            assert holder is not None and holder.pid == first.pid

            second = newscrawl_here(capfd, *crawl)
            assert second.returncode == EXIT_LOCKED, second.stderr[-3000:]
            message = second.stderr.strip().splitlines()[-1]
            assert message.startswith(
                f"{SITE}: {SITE} is already being crawled by pid {first.pid} on {socket.gethostname()}"
            )
            assert "expires at" in message
            assert first.poll() is None, "the first crawl must still be running"
            locked_out = runs_of(sessions)[-1]
            assert locked_out.status == "aborted"
            assert f"pid {first.pid}" in (locked_out.message or "")
            assert locked_out.counts["pages"] == 0  # it fetched nothing

            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
            lock = read_lock(sessions, SITE)
            assert lock is not None  # a killed run can't release its lock ...
            assert lock.expires_at > datetime.now(UTC) + timedelta(seconds=60)  # ... nor expire yet

            # ... but its process is gone: the next crawl takes the lock over at once
            third = newscrawl_here(capfd, *crawl)
        finally:
            stop_process(first, signal.SIGKILL)

        runs = runs_of(sessions)
        assert read_lock(sessions, SITE) is None
    assert third.returncode == EXIT_OK, third.stderr[-3000:]
    killed, refused, last = runs
    assert killed.pid == first.pid
    assert killed.status == "aborted"  # marked by the next run
    assert f"its process (pid {first.pid} on {socket.gethostname()}) is gone" in (
        killed.message or ""
    )
    assert f"taken over at once by run {last.id}" in (killed.message or "")
    assert killed.finished_at is None
    assert refused.status == "aborted"
    assert last.status == "finished" and last.counts["articles"] == ARTICLES - GONE_COUNT


@pytest.mark.crawl
@pytest.mark.db
def test_the_heartbeat_renews_the_lease_and_a_killed_holders_lease_expires(
    replica, db_url, tmp_path, capfd
):
    ttl = 3.0
    with database(db_url) as sessions:
        first = start_slow_crawl(replica.urls[SITE], db_url, ttl, tmp_path / "first.log", 0.5)
        try:
            taken = wait_for(
                lambda: read_lock(sessions, SITE), timeout=120, what="the crawl to take the lock"
            )
            # the heartbeat moves the lease's expiry forward, past the first lease's end
            renewed = wait_for(
                lambda: (lock := read_lock(sessions, SITE))
                and lock.expires_at > taken.expires_at + timedelta(seconds=1)
                and lock,
                timeout=60,
                what="the heartbeat to renew the lease",
            )
            assert renewed.acquired_at == taken.acquired_at and renewed.pid == first.pid
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            stop_process(first, signal.SIGKILL)
        killed = read_lock(sessions, SITE)
        assert killed is not None
        # as on another host (the pid can't be checked): the lease must expire first ...
        other_host = (
            "crawl", SITE, "--base-url", replica.urls[SITE], "--database-url", db_url,
            *LOOPBACK_OPTIONS, "-s", "NEWSCRAWL_LOCK_TAKE_OVER_DEAD=False",
        )  # fmt: skip
        wait_for(
            lambda: datetime.now(UTC) > killed.expires_at,
            timeout=ttl * 3,
            what="the killed crawl's lease to expire",
        )
        # ... then the next crawl takes it over, and records the killed run aborted
        after = newscrawl_here(capfd, *other_host)
        assert after.returncode == EXIT_OK, after.stderr[-3000:]
        dead, last = runs_of(sessions)
        assert read_lock(sessions, SITE) is None
    assert dead.pid == first.pid and dead.status == "aborted"
    assert f"its lock expired at {killed.expires_at:%Y-%m-%d %H:%M:%S} UTC" in (dead.message or "")
    assert f"taken over by run {last.id}" in (dead.message or "")
    assert last.status == "finished"


def test_the_heartbeat_must_be_shorter_than_the_lease():
    with pytest.raises(ValueError, match=r"NEWSCRAWL_LOCK_HEARTBEAT .* below NEWSCRAWL_LOCK_TTL"):
        RunRecorder.from_crawler(
            get_crawler(
                settings_dict={
                    "NEWSCRAWL_DATABASE_URL": "sqlite://",
                    "NEWSCRAWL_LOCK_TTL": 10,
                    "NEWSCRAWL_LOCK_HEARTBEAT": 10,
                }
            )
        )


@pytest.mark.crawl
@pytest.mark.db
def test_a_run_that_loses_its_lock_stops(replica, db_url, tmp_path):
    with database(db_url) as sessions:
        crawl = start_slow_crawl(replica.urls[SITE], db_url, 2, tmp_path / "crawl.log")
        try:
            holder = wait_for(
                lambda: read_lock(sessions, SITE), timeout=120, what="the crawl to take the lock"
            )
            # another host takes the lock over (as if this run had stalled past its TTL)
            with sessions.begin() as session:
                session.execute(
                    update(CrawlLock)
                    .where(CrawlLock.site == SITE)
                    .values(
                        host="elsewhere",
                        pid=1,
                        run_id=None,
                        expires_at=datetime.now(UTC) + timedelta(hours=1),
                    )
                )
            code = crawl.wait(timeout=120)
        finally:
            stop_process(crawl, signal.SIGKILL)
        (run,) = runs_of(sessions)
        lock = read_lock(sessions, SITE)
    assert code == EXIT_LOCKED  # scrapy crawl's exit code too (newscrawl/commands/crawl.py)
    assert run.id == holder.run_id
    assert run.status == "aborted"
    assert (run.message or "").startswith(f"lost the lock of {SITE} to pid 1 on elsewhere")
    assert lock is not None and lock.host == "elsewhere"  # the other run's lock is left alone
