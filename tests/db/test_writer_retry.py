"""The writer's side of a database outage: which failures are transient, and a batch written twice.

Every error here is a real one, from a real database: a locked SQLite file, a refused TCP
connection, a constraint violation; the lost commit acknowledgement comes from a proxy in front
of the PostgreSQL test server that lets the COMMIT through and drops the server's answer
(``tests.pgserver.CommitAnswerDropper``).
"""

from __future__ import annotations

import pickle
import socket
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from newscrawl.db.models import Article, Capture, RemovalEvidence, Revision
from newscrawl.db.session import DatabaseTarget, ensure_schema, make_engine, make_sessionmaker
from newscrawl.db.writer import BatchWriter, TransientWriteError, transient_reason
from newscrawl.items import Article as ArticleItem
from newscrawl.pipelines.persist import PersistPipeline
from tests.db.conftest import build_record
from tests.helpers import ARCHIVE_ONLY, fresh_database, gone
from tests.pgserver import CommitAnswerDropper


def batch(ids: range, fetched_at: str = "2024-03-01T10:00:00Z") -> list[ArticleItem]:
    """Articles with their captures, fetched at *fetched_at*."""
    return [
        build_record(
            str(n),
            fetched_at=fetched_at,
            capture={
                "url": f"https://mfa.example/en/news/{n}",
                "status": 200,
                "headers": {"Content-Type": "text/html"},
                "body": b"<html/>",
            },
        )
        for n in ids
    ]


# -- transient or not ------------------------------------------------------------------------


def test_a_locked_sqlite_database_is_transient(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    other = sqlite3.connect(path, timeout=0)
    try:
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError) as locked:
            other.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sqlite3.OperationalError) as missing:
            other.execute("SELECT * FROM nosuch")
    finally:
        other.close()
        holder.close()
    assert transient_reason(locked.value) == "database is locked"
    assert transient_reason(missing.value) is None


def test_a_refused_connection_is_transient_a_constraint_violation_is_not() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = make_engine(f"postgresql://postgres@127.0.0.1:{port}/x", check=False)
    try:
        with pytest.raises(DBAPIError) as refused, engine.connect():
            pass
    finally:
        engine.dispose()
    assert isinstance(refused.value.orig, psycopg.OperationalError)
    reason = transient_reason(refused.value)
    assert reason is not None and "refused" in reason

    with fresh_database("postgresql", Path()) as url:
        engine = make_engine(url)
        try:
            with pytest.raises(DBAPIError) as violated, engine.begin() as connection:
                connection.execute(text("CREATE TABLE t (x int PRIMARY KEY)"))
                connection.execute(text("INSERT INTO t VALUES (1), (1)"))
            with pytest.raises(DBAPIError) as cancelled, engine.begin() as connection:
                connection.execute(text("SET LOCAL statement_timeout = 1"))
                connection.execute(text("SELECT pg_sleep(1)"))
        finally:
            engine.dispose()
    assert transient_reason(violated.value) is None
    assert transient_reason(cancelled.value) is not None  # 57014 query_canceled: try again


def test_a_database_that_does_not_exist_is_not_transient() -> None:
    """The server answers but the database is gone (dropped): waiting will not bring it back."""
    engine = make_engine("postgresql+psycopg://root@127.0.0.1:5432/newscrawl_no_such_db", check=False)
    try:
        with pytest.raises(DBAPIError) as missing, engine.connect():
            pass
    finally:
        engine.dispose()
    assert "does not exist" in str(missing.value.orig)
    assert transient_reason(missing.value) is None


def test_a_transient_error_crosses_the_process_boundary() -> None:
    error = pickle.loads(pickle.dumps(TransientWriteError("server closed", commit_unknown=True)))
    assert (error.reason, error.commit_unknown) == ("server closed", True)
    assert "may be stored" in str(error)


# -- a batch written again -------------------------------------------------------------------


@pytest.fixture
def pg_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database("postgresql", tmp_path) as url:
        engine = make_engine(url)
        try:
            ensure_schema(engine)
        finally:
            engine.dispose()
        yield url


def counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            return tuple(  # type: ignore[return-value]
                int(session.scalar(select(func.count()).select_from(table)) or 0)
                for table in (Article, Revision, Capture)
            )
    finally:
        engine.dispose()


def test_a_batch_whose_commit_answer_was_lost_is_written_again_without_duplicates(
    pg_url: str,
) -> None:
    articles = batch(range(1000, 1005))
    with CommitAnswerDropper(pg_url, drops=1) as proxy:
        writer = BatchWriter(DatabaseTarget(proxy.url(), schema_current=True), 0.5)
        try:
            with pytest.raises(TransientWriteError) as lost:
                writer.write(articles, [])
            assert proxy.dropped == 1
            assert counts(pg_url) == (5, 5, 5)  # the server did commit the first attempt
            again = writer.write(articles, [], after_lost_commit=True)
        finally:
            writer.close()
    assert lost.value.commit_unknown
    assert counts(pg_url) == (5, 5, 5)  # nothing twice
    assert (again.new, again.changed, again.unchanged) == (5, 0, 0)  # counted as the first would
    assert again.indexed == 0  # fingerprinted by the first attempt, not again


def test_a_batch_written_again_counts_only_its_own_revisions_as_written(tmp_path: Path) -> None:
    """Articles stored by an earlier crawl stay ``unchanged`` when a retried batch is recounted."""
    with fresh_database("sqlite", tmp_path) as url:
        engine = make_engine(url)
        ensure_schema(engine)
        engine.dispose()
        # interval 0: two gone observations in a row make a tombstone
        writer = BatchWriter(DatabaseTarget(url, schema_current=True), None, timedelta(0))
        try:
            writer.write(batch(range(1000, 1003)), [])  # an earlier crawl
            # this crawl: two of them again (unchanged), two new, and 1000 found gone twice
            fresh = batch(range(1001, 1005), fetched_at="2024-03-02T10:00:00Z")
            at = datetime(2024, 3, 2, 11, tzinfo=UTC)
            observed = [gone("mfa", "en", "1000", at), gone("mfa", "en", "1000", at + timedelta(1))]
            first = writer.write(fresh, observed)  # the first attempt, committed
            again = writer.write(fresh, observed, after_lost_commit=True)
        finally:
            writer.close()
        # 5 content revisions and a tombstone's, each with its capture
        assert counts(url) == (5, 6, 6)
        engine = make_engine(url)
        with make_sessionmaker(engine)() as session:  # the observations once each, not twice
            assert session.scalar(select(func.count()).select_from(RemovalEvidence)) == 2
        engine.dispose()
    assert (first.new, first.changed, first.unchanged, first.removed) == (2, 0, 2, 1)
    # the first attempt's counts again, but the tombstone (a second one would change nothing)
    assert (again.new, again.changed, again.unchanged, again.removed) == (2, 0, 2, 0)


def test_the_retry_time_must_be_seconds(tmp_path: Path) -> None:
    settings = {
        "EXTENSIONS": ARCHIVE_ONLY,
        "NEWSCRAWL_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    for bad in ("soon", "-1", "nan"):
        crawler = get_crawler(settings_dict={**settings, "NEWSCRAWL_DB_RETRY_FOR": bad})
        with pytest.raises(ValueError, match="setting NEWSCRAWL_DB_RETRY_FOR must be a number"):
            PersistPipeline.from_crawler(crawler)
    crawler = get_crawler(settings_dict={**settings, "NEWSCRAWL_DB_RETRY_FOR": "2.5"})
    assert PersistPipeline.from_crawler(crawler).retry_for == 2.5
