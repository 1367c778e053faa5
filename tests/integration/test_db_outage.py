"""A database outage mid-crawl: waited out when it is short, a failed run when it is not.

The database is a PostgreSQL server of the test's own (``tests/pgserver.py``), really stopped
(``pg_ctl stop -m fast``) while ``newscrawl crawl`` writes to it, and started again. The moment is
an event, not a time: once some articles are stored, a second connection locks ``articles``
(EXCLUSIVE) so the writer's next batch waits inside its transaction (seen in
``pg_stat_activity``); the server is stopped then, breaking that transaction, and started again
once the crawl has logged that it tried the batch again three times (the server refused them).
A lost commit acknowledgement comes from a proxy in front of the shared test server that lets a
batch's COMMIT through and drops the answer (``tests.pgserver.CommitAnswerDropper``).

Expected articles come from the replica's generator, never from the extraction code.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from newscrawl.cli.crawl import EXIT_ERROR, EXIT_OK
from newscrawl.db.models import Article, Capture, CrawlRun, Revision
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl_replica.generate import generate_site
from newscrawl_replica.process import ReplicaProcess
from tests.helpers import fresh_database
from tests.pgserver import CommitAnswerDropper, PrivateServer
from tests.runs.conftest import LOOPBACK_OPTIONS, wait_for

pytestmark = pytest.mark.crawl

ARTICLES = 300
BATCH = 10
#: Articles stored before the outage begins.
STORED_FIRST = 2 * BATCH
STORED = sorted(
    str(a.id)
    for a in generate_site("ict_en", ARTICLES, 0).articles
    if not {"gone", "empty_body"} & set(a.flags)
)
RETRY_LINE = "The database did not take a batch of"
#: Seconds for one event of the crawl (the crawl itself takes about ten).
TIMEOUT = 240.0


class Crawl:
    """``newscrawl crawl`` in a child process, its output (log included) read line by line."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "newscrawl.cli", "crawl", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def matching(self, needle: str) -> list[str]:
        with self.changed:
            return [line for line in self.lines if needle in line]

    def wait_for_lines(self, needle: str, count: int) -> None:
        """Block until *count* lines of the output contain *needle* (or the crawl ended)."""
        with self.changed:
            done = self.changed.wait_for(
                lambda: (
                    sum(needle in line for line in self.lines) >= count
                    or not self.reader.is_alive()
                ),
                timeout=TIMEOUT,
            )
        assert done, f"no {count} lines with {needle!r} within {TIMEOUT} s"
        assert len(self.matching(needle)) >= count, self.log[-4000:]

    def wait(self) -> int:
        try:
            code = self.proc.wait(timeout=TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(timeout=30)
        return code

    @property
    def log(self) -> str:
        with self.changed:
            return "\n".join(self.lines)

    def stat(self, key: str) -> str | None:
        """A value of the final stats dump in the log (its repr), or None."""
        found = re.findall(rf"'{re.escape(key)}': ([^,\n]+)", self.log)
        return found[-1] if found else None


def count_rows(engine: Engine, table: type) -> int:
    with make_sessionmaker(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


@contextmanager
def articles_locked(engine: Engine) -> Iterator[Connection]:
    """Hold an EXCLUSIVE lock on ``articles``: the writer's next batch waits inside its transaction."""
    connection = engine.connect()
    try:
        connection.begin()
        connection.execute(text("LOCK TABLE articles IN EXCLUSIVE MODE"))
        yield connection
    finally:
        with suppress(SQLAlchemyError):  # the server that held it was stopped
            connection.close()


def writer_waits_for_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND query ILIKE '%articles%'"
            )
        ).scalar()
    return bool(waiting)


def start_outage(server: PrivateServer, db: str) -> int:
    """When STORED_FIRST articles are stored, stop the server amid a batch; the articles stored."""
    engine = make_engine(db)
    try:
        wait_for(lambda: count_rows(engine, Article) >= STORED_FIRST, TIMEOUT, "first batches")
        with articles_locked(engine):
            wait_for(lambda: writer_waits_for_lock(engine), TIMEOUT, "the writer to wait")
            before = count_rows(engine, Article)
            server.stop()
    finally:
        engine.dispose()
    return before


def crawl_args(base: str, db: str, *settings: str) -> list[str]:
    options = [*LOOPBACK_OPTIONS, "-s", f"NEWSCRAWL_DB_BATCH_SIZE={BATCH}"]
    for setting in settings:
        options += ["-s", setting]
    return ["ict_en", "--base-url", base, "--database-url", db, *options]


@pytest.fixture
def crawl_db(private_pg: PrivateServer) -> str:
    db = private_pg.create_database("crawl")
    engine = make_engine(db)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()
    return db


@pytest.mark.parametrize("writer_process", [True, False], ids=["writer-process", "in-process"])
def test_an_outage_shorter_than_the_retry_time_loses_nothing_and_stores_nothing_twice(
    private_pg: PrivateServer, crawl_db: str, writer_process: bool
) -> None:
    with ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as replica:
        args = crawl_args(
            replica.urls["ict_en"],
            crawl_db,
            "NEWSCRAWL_DB_RETRY_FOR=120",
            f"NEWSCRAWL_DB_WRITER_PROCESS={writer_process}",
            "NEWSCRAWL_WORKERS_START_AFTER=0",
        )
        crawl = Crawl(*args)
        try:
            before = start_outage(private_pg, crawl_db)
            crawl.wait_for_lines(RETRY_LINE, 3)  # tried again, refused: the server is down
            private_pg.start()
        finally:
            code = crawl.wait()
    log = crawl.log
    assert code == EXIT_OK, log[-4000:]
    assert before < len(STORED)  # the outage began mid-crawl
    assert crawl.matching("The database takes batches again")
    assert int(crawl.stat("newscrawl/persist/retried") or 0) >= 3
    assert crawl.stat("newscrawl/persist/failed") is None
    assert crawl.stat("newscrawl/run/status") == "'finished'"
    assert int(crawl.stat("newscrawl/persist/new") or 0) == len(STORED)

    engine = make_engine(crawl_db)
    try:
        with make_sessionmaker(engine)() as session:
            stored = sorted(session.scalars(select(Article.source_id)))
            revised_twice = session.execute(
                select(Revision.article_id).group_by(Revision.article_id).having(func.count() > 1)
            ).all()
            runs = [run.status for run in session.scalars(select(CrawlRun))]
        revisions, captures = count_rows(engine, Revision), count_rows(engine, Capture)
    finally:
        engine.dispose()
    assert stored == STORED  # every article of the replica, once
    assert revised_twice == []
    assert revisions == captures == len(STORED)
    assert runs == ["finished"]


def test_an_outage_longer_than_the_retry_time_fails_the_run_and_the_feed_says_what_is_lost(
    private_pg: PrivateServer, crawl_db: str, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    feeds = json.dumps({str(feed): {"format": "jsonlines"}})
    with ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as replica:
        args = crawl_args(
            replica.urls["ict_en"], crawl_db, "NEWSCRAWL_DB_RETRY_FOR=1", f"FEEDS={feeds}"
        )
        crawl = Crawl(*args)
        try:
            before = start_outage(private_pg, crawl_db)
        finally:
            code = crawl.wait()  # the server stays down until the crawl is over
    private_pg.start()
    log = crawl.log
    assert code == EXIT_ERROR, log[-4000:]
    assert crawl.matching(RETRY_LINE)  # waited out for a while, then given up
    assert crawl.matching("longer than NEWSCRAWL_DB_RETRY_FOR = 1 s")
    assert crawl.stat("newscrawl/run/status") == "'failed'"
    refused: list[str] = []
    for size, urls in re.findall(
        r"Could not store a batch of (\d+) articles.*?Articles: (.*)", log
    ):
        assert len(urls.split()) == int(size)
        refused += urls.split()
    assert refused and len(refused) == len(set(refused))
    assert int(crawl.stat("newscrawl/persist/failed") or 0) == len(refused)

    records = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    in_feed = [record["url"] for record in records]
    engine = make_engine(crawl_db)
    try:
        with make_sessionmaker(engine)() as session:
            stored = set(session.scalars(select(Article.url)))
        revisions = count_rows(engine, Revision)
    finally:
        engine.dispose()
    assert len(stored) == before == revisions  # nothing was stored once the server went away
    assert len(in_feed) == len(set(in_feed))
    assert set(in_feed) == stored | set(refused)  # the feed: the stored and the refused
    assert not stored & set(refused)
    line = f"ict_en: {len(refused)} of the {len(in_feed)} articles in the feed were not stored"
    assert any(out.startswith(line) for out in crawl.lines), log[-4000:]


def test_a_commit_whose_answer_was_lost_mid_crawl_stores_every_article_once(
    tmp_path: Path,
) -> None:
    """The server commits a batch and the writer never hears of it: written again, nothing twice."""
    with fresh_database("postgresql", tmp_path) as db:
        engine = make_engine(db)
        try:
            ensure_schema(engine)
            with (
                CommitAnswerDropper(db, drops=1) as proxy,
                ReplicaProcess(articles=ARTICLES, sites=["ict_en"]) as replica,
            ):
                crawl = Crawl(*crawl_args(replica.urls["ict_en"], proxy.url()))
                code = crawl.wait()
            with make_sessionmaker(engine)() as session:
                stored = sorted(session.scalars(select(Article.source_id)))
            revisions, captures = count_rows(engine, Revision), count_rows(engine, Capture)
        finally:
            engine.dispose()
    assert code == EXIT_OK, crawl.log[-4000:]
    assert proxy.dropped == 1
    assert crawl.stat("newscrawl/persist/commit_unknown") == "1"
    assert int(crawl.stat("newscrawl/persist/retried") or 0) >= 1
    assert int(crawl.stat("newscrawl/persist/new") or 0) == len(STORED)  # counted once
    assert stored == STORED
    assert revisions == captures == len(STORED)
