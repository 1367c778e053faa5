"""PersistPipeline: write articles and their revisions to the database in batches.

Batches are written in one transaction each (``NEWSCRAWL_DB_BATCH_SIZE`` items) and the rest is
flushed when the spider closes. The writing happens in a writer process (``newscrawl.db.writer``,
``newscrawl.workers``) while the crawl goes on, unless ``NEWSCRAWL_DB_WRITER_PROCESS`` is off. The
writer process starts with the first batch handed over once the crawl has had
``NEWSCRAWL_WORKERS_START_AFTER`` articles (``newscrawl.workers.workers_start_after``); a crawl
that never gets there writes in its own process and spawns no writer. The
pipeline holds at most :data:`MAX_BATCHES_HELD` batches' worth of articles; the items after that
wait in ``process_item`` until a batch is written (back-pressure). A crash loses at most those
batches, which the next crawl fetches again; it never leaves a half-written article.

A batch that fails for a reason that may pass (the database server is down or restarting, the
connection broke, SQLite is locked: ``newscrawl.db.writer.transient_reason``) is written again
after a pause that doubles from :data:`FIRST_RETRY_DELAY` to :data:`MAX_RETRY_DELAY` seconds,
for at most ``NEWSCRAWL_DB_RETRY_FOR`` seconds (120) from the first failure of the outage; each
try again is counted (:data:`RETRIED_KEY`) and logged. Batches are written one at a time, in
order, so the batch being retried holds the ones behind it, and the back-pressure below holds the
crawl. Writing a batch again stores nothing twice, even when its first commit went through
unacknowledged (``newscrawl.db.writer``). Once the outage has outlasted that time, a failing
batch fails at once, like any other error.

A batch the database refuses is counted (:data:`FAILED_KEY`, :data:`FAILED_TOMBSTONES_KEY`) and
logged with every article URL and its traceback; the first refusal's reason, on one line, is in
``newscrawl/persist/error`` (the run's message quotes it). During the crawl it also stops the crawl (close reason
:data:`PERSIST_FAILED`); the last batch, written when the spider closes, can no longer change the
close reason, so the run recorder and ``newscrawl crawl`` read the count instead: either way the run
is ``failed`` and ``newscrawl crawl`` exits 1. A feed of the crawl (``scrapy crawl -O``, ``FEEDS``)
lists every article that went through the pipelines, the refused ones included; when a batch was
refused, the pipeline logs at the end how many of the feed's articles were not stored (the
database, ``newscrawl export``, is the record of what is archived).

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
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from newscrawl import stats as stats_keys
from newscrawl.db import writer
from newscrawl.db.errors import failure_reason
from newscrawl.db.neardup import DEFAULT_THRESHOLD
from newscrawl.db.writer import BatchResult, BatchWriter, TransientWriteError
from newscrawl.extensions.archive import Archive
from newscrawl.items import Article
from newscrawl.removal import (
    DEFAULT_MIN_INTERVAL_HOURS,
    INTERVAL_SETTING,
    GoneObservation,
    min_interval,
)
from newscrawl.signals import article_gone
from newscrawl.workers import (
    DEFAULT_START_AFTER,
    WorkerPool,
    require_asyncio_reactor,
    worker_niceness,
    workers_start_after,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from twisted.internet.defer import Deferred

    from newscrawl.db.session import DatabaseTarget

logger = logging.getLogger(__name__)

#: Close reason of a crawl stopped because a batch could not be written.
PERSIST_FAILED = "persist_failed"
#: Stats keys: the articles, and the tombstones, of the batches the database refused.
FAILED_KEY = stats_keys.PERSIST_FAILED
FAILED_TOMBSTONES_KEY = stats_keys.PERSIST_FAILED_TOMBSTONES
#: Stats keys: the times a batch was written again after a transient failure, and the batches
#: whose commit may have gone through unacknowledged.
RETRIED_KEY = stats_keys.PERSIST_RETRIED
COMMIT_UNKNOWN_KEY = stats_keys.PERSIST_COMMIT_UNKNOWN

#: Seconds a transient database failure is retried for, from its first failure (the default of
#: ``NEWSCRAWL_DB_RETRY_FOR``).
DEFAULT_RETRY_FOR = 120.0
#: The pause before the first try again, doubled after every failed try up to the maximum.
FIRST_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 10.0

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
        retry_for: float = DEFAULT_RETRY_FOR,
        tombstone_interval: timedelta = timedelta(hours=DEFAULT_MIN_INTERVAL_HOURS),
        start_after: int = DEFAULT_START_AFTER,
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
        #: The writer process starts with the first batch handed over once this many articles
        #: came (NEWSCRAWL_WORKERS_START_AFTER; 0: when the spider opens); the batches before it,
        #: and the last one of a crawl that never got there, are written here.
        self.start_after = start_after
        self.articles = 0
        self.target: DatabaseTarget | None = None
        #: Seconds a transient failure is retried for (NEWSCRAWL_DB_RETRY_FOR), 0: not at all.
        self.retry_for = retry_for
        #: When (time.monotonic) the current outage began: the first transient failure since the
        #: last batch written; None while the database takes batches.
        self.outage_since: float | None = None
        #: One batch is written at a time, in order: a batch waiting to be retried holds the next.
        self.write_lock = asyncio.Lock()
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
        retry_for = retry_seconds(settings.get("NEWSCRAWL_DB_RETRY_FOR", DEFAULT_RETRY_FOR))
        start_after = workers_start_after(settings)
        pipeline = cls(
            crawler,
            archive,
            batch_size,
            threshold,
            writer_process,
            niceness,
            retry_for=retry_for,
            tombstone_interval=interval,
            start_after=start_after,
        )
        crawler.signals.connect(pipeline.article_gone, signal=article_gone)
        return pipeline

    def open_spider(self) -> None:
        # Pipelines open before spider_opened: this is the Archive's first use, which upgrades
        # the schema (once) before the writer opens the database.
        self.target = self.archive.target()
        if self.start_after == 0:
            self._start_writer()

    def _start_writer(self) -> None:
        """Start the writer process (with NEWSCRAWL_DB_WRITER_PROCESS), once."""
        if self.writer_process and self.pool is None:
            assert self.target is not None
            self.pool = WorkerPool(
                "writer",
                1,
                writer.init_worker,
                (self.target, self.neardup_threshold, self.tombstone_interval),
                niceness=self.niceness,
            )

    async def process_item(self, item: Article) -> Article:
        await self.room.acquire()
        self.articles += 1
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
        if self.articles >= self.start_after and not self.final:
            self._start_writer()
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
            async with self.write_lock:
                result = await self._write_retrying(records, gone)
        except Exception as exc:
            # Nothing of the batch is stored (it was one transaction); the next crawl fetches
            # its articles again. Crawling on would only lose more batches the same way.
            self.stats.inc_value(FAILED_KEY, len(records))
            self.stats.inc_value(FAILED_TOMBSTONES_KEY, len(gone))
            if not self.stats.get_value(stats_keys.PERSIST_ERROR):
                self.stats.set_value(stats_keys.PERSIST_ERROR, failure_reason(exc))
            logger.error(
                "Could not store a batch of %d articles and %d tombstones; %s%s. Articles: %s",
                len(records),
                len(gone),
                "the crawl was ending, the run fails" if self.final else "the crawl stops",
                self._gave_up(exc),
                " ".join(record.url for record in records),
                exc_info=exc,
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

    async def _write_retrying(self, records: list[Article], gone: list[GoneObservation]) -> BatchResult:
        """Write one batch; after a transient failure, again, until the outage is too long."""
        tries = 0
        after_lost_commit = False
        while True:
            try:
                result = await self._write_once(records, gone, after_lost_commit)
            except TransientWriteError as exc:
                now = time.monotonic()
                if self.outage_since is None:
                    self.outage_since = now
                if exc.commit_unknown and not after_lost_commit:
                    after_lost_commit = True
                    self.stats.inc_value(COMMIT_UNKNOWN_KEY)
                left = self.outage_since + self.retry_for - now
                if left <= 0:
                    raise
                tries += 1
                delay = min(FIRST_RETRY_DELAY * 2 ** (tries - 1), MAX_RETRY_DELAY, left)
                self.stats.inc_value(RETRIED_KEY)
                logger.warning(
                    "The database did not take a batch of %d articles (%s); trying again in "
                    "%.1f s (try %d; the crawl gives up %.0f s after the first failure, "
                    "NEWSCRAWL_DB_RETRY_FOR)",
                    len(records),
                    exc,
                    delay,
                    tries,
                    self.retry_for,
                )
                await asyncio.sleep(delay)
                continue
            if self.outage_since is not None:
                logger.warning(
                    "The database takes batches again, after %.1f s",
                    time.monotonic() - self.outage_since,
                )
                self.outage_since = None
            return result

    async def _write_once(
        self, records: list[Article], gone: list[GoneObservation], after_lost_commit: bool
    ) -> BatchResult:
        if self.pool is not None:
            return await self.pool.run(writer.write_in_worker, records, gone, after_lost_commit)
        if self.writer is None:
            assert self.target is not None
            self.writer = BatchWriter(self.target, self.neardup_threshold, self.tombstone_interval)
        return self.writer.write(records, gone, after_lost_commit)

    def _gave_up(self, exc: Exception) -> str:
        if not isinstance(exc, TransientWriteError):
            return ""
        if self.retry_for <= 0:
            return " (NEWSCRAWL_DB_RETRY_FOR = 0: transient failures are not retried)"
        assert self.outage_since is not None
        return (
            f" (the database has failed for {time.monotonic() - self.outage_since:.1f} s, "
            f"longer than NEWSCRAWL_DB_RETRY_FOR = {self.retry_for:g} s)"
        )

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
            self._report_feed()
        finally:
            if self.pool is not None:
                try:
                    await self.pool.run(writer.close_worker)
                finally:  # e.g. BrokenProcessPool: the writer died; stop the pool all the same
                    self.pool.close()
            if self.writer is not None:
                self.writer.close()

    def _report_feed(self) -> None:
        """Count and say how many of a feed's articles are not in the database (refused batches).

        Scrapy's feed exporter writes every item that went through the pipelines, so the feed
        (``FEEDS``, ``-O``) lists the articles of the refused batches too.
        """
        refused = stats_keys.count(self.stats.get_stats(), FAILED_KEY)
        feeds = self.crawler.settings.getdict("FEEDS")
        if not (refused and feeds):
            return
        self.stats.set_value(stats_keys.PERSIST_FEED_NOT_STORED, refused)
        logger.error(
            "The feed (%s) lists %d articles that were not stored (the refused batches above); "
            "`newscrawl export` lists what the database has",
            ", ".join(map(str, feeds)),
            refused,
        )


def retry_seconds(value: object) -> float:
    """``NEWSCRAWL_DB_RETRY_FOR``: seconds, 0 or more (0: fail at the first transient error)."""
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ValueError(
            "setting NEWSCRAWL_DB_RETRY_FOR must be a number of seconds, 0 or more "
            f"(how long a database outage is waited out), not {value!r}"
        )
    return seconds
