"""Crash safety: a crawl killed with SIGKILL mid-way leaves a consistent database, and the next
crawl completes it.

The crawl of 150 replica articles (three times as many as are committed before the kill) runs as a
child process (``tests.helpers.start_scrapy_crawl``) committing every 10 articles. The test polls
the database (a bounded loop, no sleeps) until some batches are committed, kills the child by its PID with
SIGKILL and checks that what was committed is whole: every article has its latest revision, every
revision its capture, one revision per article, and a near-duplicate fingerprint with its LSH bands
per article. The killed run's crawl lock has a short TTL (0.5 s), so the test polls until it has
expired and runs the crawl again: every expected article is then stored exactly once. Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from newscrawl.db.models import (
    Article,
    Capture,
    CrawlLock,
    CrawlRun,
    Fingerprint,
    LshBand,
    Revision,
)
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.extract.neardup import BANDS
from newscrawl_replica.generate import generate_site
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import BACKENDS, fresh_database, run_crawl, start_scrapy_crawl

pytestmark = pytest.mark.crawl

ARTICLES = 150
SITE = generate_site("ict_en", ARTICLES, 0)
STORED = {str(a.id) for a in SITE.articles if not {"gone", "empty_body"} & set(a.flags)}
BATCH = 10
KILL_AT = 5 * BATCH  # committed articles
# The killed run's lock TTL in seconds: short, so that the rerun can take the lock over soon.
LOCK_TTL = "0.5"
DEADLINE = 120.0  # seconds, for each bounded wait


def count(engine: Engine, model: type[Any], *where: Any) -> int:
    with make_sessionmaker(engine)() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def wait_for(
    condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Poll *condition* until it holds, for at most DEADLINE seconds.

    Between two polls it waits up to 20 ms for *process* to end (and fails if it does); without
    a process it polls again at once.
    """
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the crawl exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.02)


def assert_consistent(engine: Engine) -> int:
    """Check that the committed state is whole; return the number of articles."""
    articles = count(engine, Article)
    assert count(engine, Article, Article.latest_revision_id.is_(None)) == 0
    assert count(engine, Revision) == articles
    with make_sessionmaker(engine)() as session:
        latest = session.scalar(
            select(func.count())
            .select_from(Article)
            .join(Revision, Revision.id == Article.latest_revision_id)
            .join(Capture, Capture.id == Revision.capture_id)
            .where(Revision.article_id == Article.id, Revision.kind == "content")
        )
    assert latest == articles, "a latest revision without its capture or of another article"
    assert count(engine, Revision, Revision.capture_id.is_(None)) == 0
    assert count(engine, Capture) == articles
    assert count(engine, Fingerprint) == articles
    assert count(engine, LshBand) == articles * BANDS
    return articles


def descendants(pid: int) -> list[int]:
    """The processes below *pid* (Linux: /proc/PID/task/*/children)."""
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in map(int, children.read_text().split()):
            found += [child, *descendants(child)]
    return found


def alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def other_sessions(engine: Engine) -> int:
    """Other connections to the test's PostgreSQL database (0 for SQLite)."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as connection:
        return connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ) or 0


def lock_expired(engine: Engine) -> bool:
    with make_sessionmaker(engine)() as session:
        lock = session.get(CrawlLock, "ict_en")
        return lock is None or lock.expires_at < datetime.now(UTC)


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_mid_crawl_leaves_whole_batches_and_a_rerun_completes(
    backend: str, tmp_path: Path
) -> None:
    with (
        ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as replica,
        fresh_database(backend, tmp_path) as db_url,
    ):
        engine = make_engine(db_url)
        try:
            ensure_schema(engine)  # so that the test can poll before the crawl creates it
            settings = {
                **LOOPBACK_SETTINGS,
                "NEWSCRAWL_DATABASE_URL": db_url,
                "NEWSCRAWL_DB_BATCH_SIZE": str(BATCH),
                "NEWSCRAWL_LOCK_TTL": LOCK_TTL,
            }
            log = tmp_path / "killed.log"
            process = start_scrapy_crawl("ict_en", replica.urls["ict_en"], settings, log)
            try:
                wait_for(
                    lambda: count(engine, Article) >= KILL_AT,
                    f"{KILL_AT} committed articles",
                    process,
                )
            finally:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
            assert process.returncode == -signal.SIGKILL

            committed = assert_consistent(engine)
            print(f"\nSIGKILL after {committed} of {len(STORED)} articles were committed")
            assert KILL_AT <= committed < len(STORED), committed
            assert committed % BATCH == 0, "a batch was committed in part"

            # The killed run still holds the site's lock until its TTL runs out.
            wait_for(lambda: lock_expired(engine), "the killed run's lock to expire")
            rerun = run_crawl(
                "ict_en",
                base_url=replica.urls["ict_en"],
                database_url=db_url,
                settings={**LOOPBACK_SETTINGS, "NEWSCRAWL_DB_BATCH_SIZE": str(BATCH)},
            )
            assert rerun.returncode == 0, rerun.log[-3000:]
            assert rerun.stat("newscrawl/persist/new") == len(STORED) - committed
            assert rerun.stat("newscrawl/persist/unchanged") == committed

            assert assert_consistent(engine) == len(STORED)
            with make_sessionmaker(engine)() as session:
                ids = list(session.scalars(select(Article.source_id)))
                statuses = list(session.scalars(select(CrawlRun.status).order_by(CrawlRun.id)))
            assert sorted(ids) == sorted(STORED)  # every article, each exactly once
            assert statuses == ["aborted", "finished"]  # the killed run, marked by the rerun
        finally:
            engine.dispose()
