"""The Archive extension owns a crawl's database: one engine, migrations once, disposed last.

Built in-process with ``get_crawler`` on real databases (SQLite and PostgreSQL). Alembic runs are
counted with an SQLAlchemy event hook on every engine of this process: each run reads the
``alembic_version`` table, and a reference run on another fresh database says how often.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, event, inspect

from newscrawl.db.queries import KnownArticle
from newscrawl.db.runs import finished_counts
from newscrawl.db.session import DatabaseTarget, ensure_schema, make_engine, make_sessionmaker
from newscrawl.db.writer import BatchWriter
from newscrawl.extensions import runs
from newscrawl.extensions.archive import Archive, storage_url
from newscrawl.extensions.recheck import RecheckKnownArticles
from newscrawl.extensions.runs import RunRecorder
from newscrawl.health.monitors import load_history
from newscrawl.incremental import IncrementalState
from newscrawl.pipelines.persist import PersistPipeline
from newscrawl.profiles import profile_by_name
from newscrawl.spiderloader import spider_class
from newscrawl.spiders.profile import ProfileSpider
from tests.helpers import BACKENDS, article_record, fresh_database

pytestmark = pytest.mark.db

ARCHIVE = "newscrawl.extensions.archive.Archive"
RUNS = "newscrawl.extensions.runs.RunRecorder"
RECHECK = "newscrawl.extensions.recheck.RecheckKnownArticles"
SPIDER = spider_class(profile_by_name("ict_en"))
PROFILE = SPIDER.profile


class Clockless:
    """Stands in for the run recorder's LoopingCall (its constructor would install Twisted's
    default reactor in the test process); the heartbeat is not what these tests look at."""

    def __init__(self, f: Any) -> None:
        self.running = False

    def start(self, interval: float, now: bool = True) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def url(backend: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(backend, tmp_path / "crawl") as value:
        yield value


@contextmanager
def version_reads() -> Iterator[list[str]]:
    """Every statement this process runs on the ``alembic_version`` table, while open."""
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "alembic_version" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", listen)


def reads_per_alembic_run(backend: str, directory: Path) -> int:
    """How often one ``ensure_schema`` of an empty database reads the version table."""
    with fresh_database(backend, directory) as url:
        engine = make_engine(url)
        try:
            with version_reads() as seen:
                ensure_schema(engine)
        finally:
            engine.dispose()
    assert seen  # the hook sees Alembic at all
    return len(seen)


def crawler_for(url: str, **settings: Any):
    return get_crawler(
        SPIDER,
        {
            "NEWSCRAWL_DATABASE_URL": url,
            "EXTENSIONS": {ARCHIVE: 100, RECHECK: 600, RUNS: 800},
            "NEWSCRAWL_DB_WRITER_PROCESS": False,
            "NEWSCRAWL_GC_FREEZE": False,
            "LOGSTATS_INTERVAL": 0,  # its LoopingCall needs a reactor
            **settings,
        },
    )


def first_request(spider: ProfileSpider) -> Any:
    async def first() -> Any:
        return await anext(aiter(spider.start()))

    return asyncio.run(first())


# -- off without a database --------------------------------------------------------------------


def test_not_configured_without_a_database_url():
    with pytest.raises(NotConfigured, match="NEWSCRAWL_DATABASE_URL"):
        Archive.from_crawler(get_crawler(settings_dict={"NEWSCRAWL_DATABASE_URL": ""}))
    assert storage_url(get_crawler(settings_dict={"NEWSCRAWL_DATABASE_URL": "  "}).settings) is None


def test_storage_off_switches_every_dependant_off(monkeypatch):
    crawler = crawler_for("", NEWSCRAWL_INCREMENTAL=True)
    assert crawler.get_extension(Archive) is None
    assert crawler.get_extension(RunRecorder) is None
    assert crawler.get_extension(RecheckKnownArticles) is None
    with pytest.raises(NotConfigured):
        PersistPipeline.from_crawler(crawler)
    assert load_history(crawler.get_extension(Archive), SPIDER.name) == []
    spider = SPIDER.from_crawler(crawler)
    first_request(spider)
    assert spider.incremental is None


def test_the_persist_pipeline_is_off_without_the_extension(url):
    """A URL but no Archive in EXTENSIONS: nothing would own the database, so nothing stores."""
    crawler = get_crawler(SPIDER, {"NEWSCRAWL_DATABASE_URL": url, "EXTENSIONS": {}})
    with pytest.raises(NotConfigured, match="Archive"):
        PersistPipeline.from_crawler(crawler)


# -- one owner ---------------------------------------------------------------------------------


@pytest.mark.parametrize("incremental", [True, False], ids=["incremental", "recheck"])
def test_one_crawl_migrates_once_and_every_component_uses_the_archive(
    backend, url, tmp_path, monkeypatch, incremental
):
    """All the components that use the database, in the order a crawl runs them. An incremental
    crawl has no recheck extension; a full one loads no incremental state."""
    monkeypatch.setattr(runs, "LoopingCall", Clockless)
    per_run = reads_per_alembic_run(backend, tmp_path / "reference")
    crawler = crawler_for(url, NEWSCRAWL_INCREMENTAL=incremental)
    archive = crawler.get_extension(Archive)
    assert archive is not None
    recorder = crawler.get_extension(RunRecorder)
    assert recorder is not None

    with version_reads() as seen:
        spider = SPIDER.from_crawler(crawler)
        pipeline = PersistPipeline.from_crawler(crawler)
        # The engine's order at open: pipelines, then the spider_opened handlers, then start().
        pipeline.open_spider()
        crawler.signals.send_catch_log(signal=signals.spider_opened, spider=spider)
        first_request(spider)
        engine = archive.engine

        async def store() -> None:
            await pipeline.process_item(
                article_record(
                    "7", site=PROFILE.site, lang=PROFILE.lang, base="https://www.ict.gov.ir"
                )
            )
            await pipeline.close_spider()

        asyncio.run(store())
        assert archive.sessions is archive.sessions  # one sessionmaker, one engine
        assert recorder.sessions is archive.sessions
        recheck = crawler.get_extension(RecheckKnownArticles)
        if incremental:
            assert recheck is None
        else:
            assert recheck is not None
            assert recheck._known(PROFILE) == ["7"]
        assert load_history(archive, SPIDER.name) == []
        crawler.stats.set_value("finish_reason", "finished")
        crawler.signals.send_catch_log(
            signal=signals.spider_closed, spider=spider, reason="finished"
        )

    # Every component above opened the database, and Alembic ran once.
    assert len(seen) == per_run
    if incremental:
        assert spider.incremental is not None and spider.incremental.known == {}
    else:
        assert spider.incremental is None
    # The run recorder wrote its final record before the Archive disposed of the engine: a
    # write after dispose() would have opened (and pooled) a new connection.
    assert engine.pool.checkedin() == 0
    with pytest.raises(RuntimeError, match="closed"):
        archive.open()
    check = make_engine(url)
    try:
        with make_sessionmaker(check)() as session:
            [counts] = finished_counts(session, SPIDER.name)
        assert counts["new"] == 1
    finally:
        check.dispose()


def test_the_archive_opens_at_spider_opened_without_the_pipeline(url):
    crawler = crawler_for(url)
    archive = crawler.get_extension(Archive)
    assert archive is not None
    spider = SPIDER.from_crawler(crawler)
    with version_reads() as seen:
        archive.spider_opened(spider)
    assert seen
    assert {"articles", "crawl_runs"} <= set(inspect(archive.engine).get_table_names())
    archive.spider_closed(spider, "finished")


def test_the_incremental_load_reads_what_the_archive_stored(url):
    crawler = crawler_for(url, NEWSCRAWL_INCREMENTAL=True)
    archive = crawler.get_extension(Archive)
    assert archive is not None
    with archive.sessions.begin() as session:
        from newscrawl.db.store import save_articles

        save_articles(
            session,
            [
                article_record(
                    "41",
                    site=PROFILE.site,
                    lang=PROFILE.lang,
                    base="https://www.ict.gov.ir",
                    fetched_at="2026-11-30T10:00:00Z",
                )
            ],
        )
    spider = SPIDER.from_crawler(crawler)
    first_request(spider)
    assert spider.incremental is not None
    assert set(spider.incremental.known) == {"41"}
    known = spider.incremental.known["41"]
    assert isinstance(known, KnownArticle)
    assert known.published_at_utc == datetime(2017, 12, 5, 17, 57, tzinfo=UTC)
    archive.close()


def test_the_incremental_state_takes_a_sessionmaker(url):
    crawler = crawler_for(url)
    archive = crawler.get_extension(Archive)
    assert archive is not None
    state = IncrementalState.load(archive.sessions, "nosuch", "en", timedelta(days=14))
    assert state.known == {}
    archive.close()


# -- the writer process's side -----------------------------------------------------------------


def test_the_writer_never_migrates(url):
    with version_reads() as seen:
        writer = BatchWriter(DatabaseTarget(url, schema_current=True), None)
        writer.close()
    assert seen == []


def test_the_writer_refuses_a_database_nobody_migrated(url):
    with pytest.raises(ValueError, match="never migrates"):
        BatchWriter(DatabaseTarget(url, schema_current=False), None)


def test_the_archive_hands_the_writer_its_url_with_the_schema_current(url):
    crawler = crawler_for(url)
    archive = crawler.get_extension(Archive)
    assert archive is not None
    assert archive.target() == DatabaseTarget(url, schema_current=True)
    assert "articles" in inspect(archive.engine).get_table_names()
    archive.close()


def test_a_database_that_cannot_be_opened_fails_each_use_without_retrying(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    crawler = crawler_for(f"sqlite:///{blocker}/db.sqlite3")
    archive = crawler.get_extension(Archive)
    assert archive is not None
    with pytest.raises(Exception, match="directory") as first:
        archive.open()
    with pytest.raises(Exception, match="directory") as second:
        _ = archive.sessions
    assert second.value is first.value
