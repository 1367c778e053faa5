"""RunRecorder: record every crawl in ``crawl_runs`` and hold the site's crawl lock while it runs.

On by default: it is enabled whenever ``NEWSCRAWL_DATABASE_URL`` is set (an empty value turns it
off, with the rest of the storage). It uses the crawl's database through the
:class:`~newscrawl.extensions.archive.Archive` extension, which must come before it in
``EXTENSIONS`` (its engine is open when this one's ``spider_opened`` runs, and disposed of after
this one's ``spider_closed``). For each crawl it

1. inserts a :class:`~newscrawl.db.models.CrawlRun` (site = spider name, host, pid, start time,
   status ``running``) when the spider opens;
2. takes the site's lock (:mod:`newscrawl.db.locks`). If another run, on this host or any other
   sharing the database, holds it, the spider is closed at once with reason ``locked`` (nothing
   is fetched) and the run is recorded ``aborted`` with a message naming the holder's host, pid
   and lock expiry; ``newscrawl/lock/refused`` is set at once, so that the feed exporter
   (:mod:`newscrawl.extensions.feeds`) leaves the ``-O`` file alone. ``scrapy crawl`` (see
   :mod:`newscrawl.commands.crawl`) and ``newscrawl crawl`` exit 75 for that reason;
3. holds the lock as a lease: a heartbeat (a Twisted ``LoopingCall``) renews it every
   ``NEWSCRAWL_LOCK_HEARTBEAT`` seconds (default ``NEWSCRAWL_LOCK_TTL / 5``) to
   ``NEWSCRAWL_LOCK_TTL`` (300 s) from then; the TTL is how long the lease of a crashed run (on
   another host, say) blocks the next one.
   If a renewal finds the lock taken over (this process stalled for longer than the TTL), the
   spider is closed with reason ``lock_lost``. A lock whose holder is provably dead (on this
   host, its process is gone: :func:`~newscrawl.db.locks.holder_is_dead`) is taken over at once,
   without waiting for the TTL (``NEWSCRAWL_LOCK_TAKE_OVER_DEAD``, on by default). A run that
   takes over a lock, expired or dead, marks the run that held it ``aborted`` if it is still
   recorded as ``running`` (it was killed), with a message saying why;
4. when the spider closes, stores the end time, the status and the counts from the stats
   (:func:`~newscrawl.health.outcome.run_counts`), and releases the lock.

The status (:func:`~newscrawl.health.outcome.run_outcome`) is ``finished``; ``failed`` when a
batch of articles could not be stored (counted in ``newscrawl/persist/failed``: also when it was
the last batch, written as the spider closed, whose close reason stays ``finished``; see
:func:`~newscrawl.health.outcome.persist_failure`), when the run health check failed (see
:mod:`newscrawl.health.monitors`, whose verdict is in the stats) or the crawl ended for another reason
than finishing (``start_error``, …); ``aborted`` when it was locked out, lost its lock or was
stopped (``shutdown``, ``cancelled``). The status, message and run id are also put in the stats
(``newscrawl/run/status``, ``newscrawl/run/message``, ``newscrawl/run/id``), so the stats file
written after it has them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.task import LoopingCall

from newscrawl import stats as keys
from newscrawl.db.locks import (
    DEFAULT_TTL,
    LockHeld,
    LockInfo,
    LockOwner,
    Takeover,
    acquire_lock,
    read_lock,
    release_lock,
    renew_lock,
)
from newscrawl.db.runs import abandon_run, finish_run, start_run
from newscrawl.extensions.archive import Archive, storage_url
from newscrawl.health.outcome import (
    LOCK_LOST,
    LOCKED,
    RUN_ID_KEY,
    RUN_MESSAGE_KEY,
    RUN_STATUS_KEY,
    run_counts,
    run_outcome,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider
    from scrapy.statscollectors import StatsCollector
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["RunRecorder"]

logger = logging.getLogger(__name__)

#: Renew the lock this many times per TTL (unless ``NEWSCRAWL_LOCK_HEARTBEAT`` says otherwise).
RENEWALS_PER_TTL = 5


class RunRecorder:
    """Record the crawl run and hold the site's lock (see the module docstring)."""

    def __init__(
        self,
        crawler: Crawler,
        stats: StatsCollector,
        ttl: float,
        take_over_dead: bool = True,
        heartbeat_interval: float | None = None,
    ) -> None:
        self.crawler = crawler
        self.stats = stats
        self.ttl = ttl
        self.heartbeat_interval = heartbeat_interval or ttl / RENEWALS_PER_TTL
        self.sessions: sessionmaker[Session] | None = None
        self.site = ""
        self.run_id: int | None = None
        self.owner: LockOwner | None = None  # set while we hold the lock
        self.heartbeat: LoopingCall | None = None
        self.take_over_dead = take_over_dead

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if storage_url(crawler.settings) is None:
            raise NotConfigured("NEWSCRAWL_DATABASE_URL is empty: crawl runs are not recorded")
        ttl = crawler.settings.getfloat("NEWSCRAWL_LOCK_TTL", DEFAULT_TTL)
        if ttl <= 0:
            raise ValueError(f"NEWSCRAWL_LOCK_TTL must be a positive number of seconds, not {ttl}")
        heartbeat = crawler.settings.getfloat("NEWSCRAWL_LOCK_HEARTBEAT", 0)
        heartbeat = heartbeat or ttl / RENEWALS_PER_TTL
        if not 0 < heartbeat < ttl:
            raise ValueError(
                f"NEWSCRAWL_LOCK_HEARTBEAT must be a number of seconds above 0 and below "
                f"NEWSCRAWL_LOCK_TTL ({ttl:g}), not {heartbeat:g}"
            )
        assert crawler.stats is not None
        take_over_dead = crawler.settings.getbool("NEWSCRAWL_LOCK_TAKE_OVER_DEAD", True)
        extension = cls(crawler, crawler.stats, ttl, take_over_dead, heartbeat)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        archive = self.crawler.get_extension(Archive)
        if archive is None:
            logger.warning("The Archive extension is off: crawl runs are not recorded")
            return
        self.sessions = archive.sessions
        self.site = spider.name
        owner = LockOwner.current()
        self.run_id = start_run(self.sessions, self.site, owner.host, owner.pid)
        self.stats.set_value(RUN_ID_KEY, self.run_id)
        owner = LockOwner(owner.host, owner.pid, self.run_id)
        try:
            lock = acquire_lock(
                self.sessions, self.site, owner, self.ttl, take_over_dead=self.take_over_dead
            )
        except LockHeld as held:
            message = str(held)
            self.stats.set_value(RUN_MESSAGE_KEY, message)
            self.stats.set_value(keys.LOCK_REFUSED, 1)
            logger.warning("Not crawling: %s", message)
            raise CloseSpider(LOCKED) from held
        self.owner = owner
        logger.info("Run %s holds the lock of %s until %s", self.run_id, self.site, lock.expires_at)
        if lock.previous is not None and lock.takeover is not None:
            self.stats.inc_value(keys.LOCK_TAKEN_OVER.key(lock.takeover))
            self._abandon(lock.previous, lock.takeover)
        self.heartbeat = LoopingCall(self.renew)
        self.heartbeat.start(self.heartbeat_interval, now=False)

    def _abandon(self, previous: LockInfo, takeover: Takeover) -> None:
        """Mark the run whose lock this run took over ``aborted`` (if still ``running``)."""
        assert self.sessions is not None
        if takeover == "dead":
            message = (
                f"its process (pid {previous.pid} on {previous.host}) is gone and its lock was "
                f"not released; taken over at once by run {self.run_id}"
            )
        else:
            message = (
                f"its lock expired at {previous.expires_at:%Y-%m-%d %H:%M:%S} UTC without being "
                f"released (the process died?); taken over by run {self.run_id}"
            )
        logger.warning("Took over the lock of %s from %s", self.site, previous.describe())
        if previous.run_id is not None and abandon_run(self.sessions, previous.run_id, message):
            logger.warning("Run %s of %s: %s", previous.run_id, self.site, message)

    def renew(self) -> None:
        """Move the lock's expiry forward; close the spider if the lock was taken over."""
        assert self.sessions is not None
        if self.owner is None:
            return
        try:
            renewed = renew_lock(self.sessions, self.site, self.owner, self.ttl)
        except SQLAlchemyError as exc:
            # The lock stays ours until it expires; the next renewal tries again.
            logger.warning("Could not renew the lock of %s: %s", self.site, exc)
            return
        if renewed:
            self.stats.inc_value(keys.LOCK_RENEWED)
            return
        self.owner = None
        self._stop_heartbeat()
        holder = read_lock(self.sessions, self.site)
        message = f"lost the lock of {self.site}" + (
            f" to {holder.describe()}" if holder is not None else ""
        )
        self.stats.set_value(RUN_MESSAGE_KEY, message)
        logger.error("Stopping: %s", message)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason=LOCK_LOST))

    def _stop_heartbeat(self) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        self.heartbeat = None

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._stop_heartbeat()
        if self.sessions is None or self.run_id is None:
            return
        stats = self.stats.get_stats()
        status, message = run_outcome(reason, stats)
        self.stats.set_value(RUN_STATUS_KEY, status)
        if message:
            self.stats.set_value(RUN_MESSAGE_KEY, message)
        try:
            finish_run(self.sessions, self.run_id, status, run_counts(stats), message)
            logger.info("Run %s of %s: %s", self.run_id, self.site, status)
        finally:
            owner, self.owner = self.owner, None
            if owner is not None:
                release_lock(self.sessions, self.site, owner)
