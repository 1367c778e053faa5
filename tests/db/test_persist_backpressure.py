"""PersistPipeline back-pressure: a database slower than the crawl holds items, not memory.

The database is made slow for real: a second connection holds a write lock (PostgreSQL: an
EXCLUSIVE table lock on ``articles``; SQLite: a ``BEGIN IMMEDIATE`` transaction), so the writer
process's first batch waits for it. Meanwhile the pipeline may take ``MAX_BATCHES_HELD`` batches'
worth of items; the next ones must wait in ``process_item`` until the lock is gone.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from scrapy.utils.test import get_crawler
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from newscrawl.db.models import Article
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.items import Article as ArticleItem
from newscrawl.pipelines.persist import MAX_BATCHES_HELD, PersistPipeline
from tests.helpers import ARCHIVE_ONLY

BATCH = 2
ITEMS = 20
DEADLINE = 120.0  # seconds for the held items to go through once the lock is released


@contextmanager
def writes_held(db_url: str) -> Iterator[None]:
    """Keep every other connection from writing to the archive until the block ends."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        holder = sqlite3.connect(url.database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            yield
            holder.execute("ROLLBACK")
        finally:
            holder.close()
        return
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("LOCK TABLE articles IN EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


def article(n: int) -> ArticleItem:
    return ArticleItem(
        url=f"https://www.ict.gov.ir/en/news/{n}/story",
        canonical_url=f"https://www.ict.gov.ir/en/news/{n}",
        site="ict.gov.ir",
        lang="en",
        source_id=str(n),
        title=f"Story {n}",
        body=f"Body of story {n}.",
        fetched_at="2026-11-28T10:00:00Z",
        content_hash=f"{n:064d}",
    )


def persist_pipeline(db_url: str, start_after: int) -> PersistPipeline:
    """A PersistPipeline writing batches of BATCH to *db_url*, no near-duplicate index."""
    crawler = get_crawler(
        settings_dict={
            "NEWSCRAWL_DATABASE_URL": db_url,
            "EXTENSIONS": ARCHIVE_ONLY,
            "NEWSCRAWL_DB_BATCH_SIZE": BATCH,
            "NEWSCRAWL_NEARDUP_ENABLED": False,
            "NEWSCRAWL_WORKERS_START_AFTER": start_after,
        }
    )
    return PersistPipeline.from_crawler(crawler)


def test_items_wait_while_the_writer_is_behind(db_url: str) -> None:
    engine = make_engine(db_url)
    ensure_schema(engine)  # before the lock: the pipeline's open_spider upgrades the schema
    pipeline = persist_pipeline(db_url, start_after=0)  # the writer process from the start
    crawler = pipeline.crawler
    assert pipeline.writer_process  # the default: batches go to the writer process

    async def crawl() -> tuple[int, int]:
        pipeline.open_spider()
        with writes_held(db_url):
            items = [asyncio.create_task(pipeline.process_item(article(n))) for n in range(ITEMS)]
            await asyncio.sleep(0)  # one turn of the loop: every item has run as far as it can
            through = sum(task.done() for task in items)
            waiting = sum(not task.done() for task in items)
        await asyncio.wait_for(asyncio.gather(*items), DEADLINE)
        await pipeline.close_spider()
        return through, waiting

    through, waiting = asyncio.run(crawl())
    assert through == BATCH * MAX_BATCHES_HELD == 6
    assert waiting == ITEMS - 6
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == ITEMS
    engine.dispose()
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawl/persist/new") == ITEMS
    assert crawler.stats.get_value("newscrawl/persist/batches") == ITEMS // BATCH


def test_the_writer_process_starts_only_once_the_crawl_has_enough_articles(db_url: str) -> None:
    """NEWSCRAWL_WORKERS_START_AFTER: batches before it are written here; a small crawl spawns none."""
    engine = make_engine(db_url)
    ensure_schema(engine)

    async def crawl(pipeline: PersistPipeline, numbers: range) -> list[bool]:
        """Feed the articles; after each, whether the writer process has been started."""
        pipeline.open_spider()
        started = []
        for n in numbers:
            await pipeline.process_item(article(n))
            started.append(pipeline.pool is not None)
        await pipeline.close_spider()
        return started

    small = persist_pipeline(db_url, 100)
    assert asyncio.run(crawl(small, range(5))) == [False] * 5  # 3 batches, all written here
    assert small.writer is not None  # the in-process writer wrote them
    larger = persist_pipeline(db_url, 4)
    # batches flush at articles 2, 4, 6: the writer starts with the one handed over at 4
    assert asyncio.run(crawl(larger, range(5, 11))) == [False, False, False, True, True, True]
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 11
    engine.dispose()
