"""PersistPipeline: write articles and their revisions to the database in batches.

Batches are written in one transaction each (``NEWSCRAWL_DB_BATCH_SIZE`` items) and the rest is
flushed when the spider closes. The writing happens in a writer process (``newscrawl.db.writer``,
``newscrawl.workers``) while the crawl goes on, unless ``NEWSCRAWL_DB_WRITER_PROCESS`` is off. The
pipeline holds at most :data:`MAX_BATCHES_HELD` batches' worth of articles; the items after that
wait in ``process_item`` until a batch is written (back-pressure). A crash loses at most those
batches, which the next crawl fetches again; it never leaves a half-written article.

A batch the database refuses is counted (:data:`FAILED_KEY`, :data:`FAILED_TOMBSTONES_KEY`) and
logged with every article URL. During the crawl it also stops the crawl (close reason
:data:`PERSIST_FAILED`); the last batch, written when the spider closes, can no longer change the
close reason, so the run recorder and ``newscrawl crawl`` read the count instead: either way the run
is ``failed`` and ``newscrawl crawl`` exits 1.

Gone observations (the spider's ``article_gone`` signal: a stored article answered 404/410 or
redirected to the home page or a listing) go with the next batch: each is stored as removal
evidence, and a tombstone is written once there are two at least
``NEWSCRAWL_TOMBSTONE_MIN_INTERVAL`` hours apart (``newscrawl.removal``, ``store.record_gone``).

In the same transaction, articles whose content is new are fingerprinted and linked to the
article they near-duplicate (``newscrawl.db.neardup``), unless ``NEWSCRAWL_NEARDUP_ENABLED`` is
off; ``NEWSCRAWL_NEARDUP_THRESHOLD`` is the minimum estimated Jaccard similarity of a copy.

The database is the crawl's :class:`~newscrawl.extensions.archive.Archive` (the pipeline is off
without it): it upgrades the schema when the pipeline opens, and the writer gets its
``DatabaseTarget``. Items go to the writer as they are (typed ``Article`` values).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from newscrawl import stats as stats_keys
from newscrawl.db import writer
from newscrawl.db.neardup import DEFAULT_THRESHOLD
from newscrawl.db.writer import BatchWriter
from newscrawl.extensions.archive import Archive
from newscrawl.items import Article
from newscrawl.removal import (
    DEFAULT_MIN_INTERVAL_HOURS,
    INTERVAL_SETTING,
    GoneObservation,
    min_interval,
)
from newscrawl.signals import article_gone
from newscrawl.workers import WorkerPool, require_asyncio_reactor, worker_niceness

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

#: Close reason of a crawl stopped because a batch could not be written.
PERSIST_FAILED = "persist_failed"
#: Stats keys: the articles, and the tombstones, of the batches the database refused.
FAILED_KEY = stats_keys.PERSIST_FAILED
FAILED_TOMBSTONES_KEY = stats_keys.PERSIST_FAILED_TOMBSTONES

#: Batches' worth of articles the pipeline holds at most: the one being written, the one queued
#: behind it and the one filling.
MAX_BATCHES_HELD = 3


class PersistPipeline:
    """Upsert articles (and new revisions with their raw captures) through SQLAlchemy."""

    def __init__(
        self,
        crawler: Crawler,
        archive: Archive,
        batch_size: int,
        neardup_threshold: float | None = DEFAULT_THRESHOLD,
        writer_process: bool = True,
        niceness: int = 0,
        tombstone_interval: timedelta = timedelta(hours=DEFAULT_MIN_INTERVAL_HOURS),
    ) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.archive = archive
        self.batch_size = batch_size
        #: Minimum similarity of a near-duplicate; None turns the near-duplicate index off.
        self.neardup_threshold = neardup_threshold
        self.writer_process = writer_process
        self.niceness = niceness
        self.tombstone_interval = tombstone_interval
        self.pending: list[Article] = []
        self.gone: list[GoneObservation] = []
        self.pool: WorkerPool | None = None
        self.writer: BatchWriter | None = None
        #: Batches handed to the writer and not written yet.
        self.writing: set[asyncio.Task[None]] = set()
        #: One unit per article this pipeline may hold, given back when its batch is written. An
        #: item that finds none left waits in process_item, keeping its response in Scrapy's scraper
        #: slot, so that the crawl slows down to what the database takes instead of piling up
        #: batches in memory.
        self.room = asyncio.Semaphore(batch_size * MAX_BATCHES_HELD)
        #: The engine's close, once a batch failed.
        self.closing: Deferred[None] | None = None
        #: True once the spider closes: the batches written from then on are the last ones.
        self.final = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        # Pipelines are built after the extensions: the Archive is there unless storage is off.
        archive = crawler.get_extension(Archive)
        if archive is None:
            raise NotConfigured(
                "articles are not stored: NEWSCRAWL_DATABASE_URL is empty or the Archive "
                "extension is off"
            )
        batch_size = settings.getint("NEWSCRAWL_DB_BATCH_SIZE", 200)
        if batch_size < 1:
            raise ValueError(
                f"setting NEWSCRAWL_DB_BATCH_SIZE must be at least 1, not {batch_size}"
            )
        threshold: float | None = None
        if settings.getbool("NEWSCRAWL_NEARDUP_ENABLED", True):
            threshold = settings.getfloat("NEWSCRAWL_NEARDUP_THRESHOLD", DEFAULT_THRESHOLD)
            if not 0.0 < threshold <= 1.0:
                raise ValueError(
                    f"setting NEWSCRAWL_NEARDUP_THRESHOLD must be in (0, 1], not {threshold}"
                )
        try:
            hours = settings.getfloat(INTERVAL_SETTING, DEFAULT_MIN_INTERVAL_HOURS)
        except ValueError:  # getfloat's own error names only the value
            raise ValueError(
                f"setting {INTERVAL_SETTING} must be a number of hours, 0 or more, "
                f"not {settings.get(INTERVAL_SETTING)!r}"
            ) from None
        interval = min_interval(hours)
        writer_process = settings.getbool("NEWSCRAWL_DB_WRITER_PROCESS", True)
        niceness = worker_niceness(settings)
        if writer_process:
            require_asyncio_reactor("NEWSCRAWL_DB_WRITER_PROCESS")
        pipeline = cls(
            crawler, archive, batch_size, threshold, writer_process, niceness, interval
        )
        crawler.signals.connect(pipeline.article_gone, signal=article_gone)
        return pipeline

    def open_spider(self) -> None:
        # Pipelines open before spider_opened: this is the Archive's first use, which upgrades
        # the schema (once) before the writer opens the database.
        target = self.archive.target()
        if self.writer_process:
            self.pool = WorkerPool(
                "writer",
                1,
                writer.init_worker,
                (target, self.neardup_threshold, self.tombstone_interval),
                niceness=self.niceness,
            )
        else:
            self.writer = BatchWriter(target, self.neardup_threshold, self.tombstone_interval)

    async def process_item(self, item: Article) -> Article:
        await self.room.acquire()
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def article_gone(self, observation: GoneObservation) -> None:
        """Queue the observation of an article that looked removed (unknown articles are ignored).

        It is written with the next batch of articles, or when the spider closes.
        """
        self.gone.append(observation)

    def flush(self) -> None:
        """Hand the pending articles and tombstones to the writer as one batch (one transaction).

        Batches are written one after the other, in the order they were handed over; the room
        their articles took is given back when they are written.
        """
        if not (self.pending or self.gone):
            return
        records, gone = self.pending, self.gone
        self.pending, self.gone = [], []
        task = asyncio.ensure_future(self._write(records, gone))
        self.writing.add(task)
        task.add_done_callback(self.writing.discard)

    async def _write(self, records: list[Article], gone: list[GoneObservation]) -> None:
        try:
            await self._write_batch(records, gone)
        finally:
            for _ in records:
                self.room.release()

    async def _write_batch(self, records: list[Article], gone: list[GoneObservation]) -> None:
        try:
            if self.pool is not None:
                result = await self.pool.run(writer.write_in_worker, records, gone)
            else:
                assert self.writer is not None
                result = self.writer.write(records, gone)
        except Exception:
            # Nothing of the batch is stored (it was one transaction); the next crawl fetches
            # its articles again. Crawling on would only lose more batches the same way.
            self.stats.inc_value(FAILED_KEY, len(records))
            self.stats.inc_value(FAILED_TOMBSTONES_KEY, len(gone))
            logger.exception(
                "Could not store a batch of %d articles and %d tombstones; %s. Articles: %s",
                len(records),
                len(gone),
                "the crawl was ending, the run fails" if self.final else "the crawl stops",
                " ".join(record.url for record in records),
            )
            if not self.final:
                self._stop_crawl()
            return
        for name in ("new", "changed", "unchanged", "restored", "gone_observed", "removed"):
            self.stats.inc_value(stats_keys.PERSIST.key(name), getattr(result, name))
        if result.indexed is not None:
            self.stats.inc_value("newscrawl/neardup/indexed", result.indexed)
            self.stats.inc_value("newscrawl/neardup/linked", result.linked or 0)
        self.stats.inc_value("newscrawl/persist/batches")

    def _stop_crawl(self) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.running and self.closing is None:
            self.closing = deferred_from_coro(engine.close_spider_async(reason=PERSIST_FAILED))

    async def close_spider(self) -> None:
        self.final = True
        try:
            self.flush()
            while self.writing:
                await asyncio.wait(self.writing)
        finally:
            if self.pool is not None:
                try:
                    await self.pool.run(writer.close_worker)
                finally:  # e.g. BrokenProcessPool: the writer died; stop the pool all the same
                    self.pool.close()
            if self.writer is not None:
                self.writer.close()
