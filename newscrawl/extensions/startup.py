"""HoldShutdownUntilStarted: a SIGTERM or Ctrl-C during a crawl's start-up stops it once it runs.

Scrapy's graceful stop (``CrawlerProcess``'s signal handler, then ``Crawler.stop_async``) stops
only an engine that is already running. A signal that comes while the engine is still opening
the spider (the ``spider_opened`` handlers: the site lock, the run record, the feeds) stops the
reactor with the spider left open: no ``spider_closed``, so the run stays ``running``, the site
lock stays held until its lease expires, and no stats file says why the crawl ended (a
distributed worker then took the job as done). It happens whenever a worker or a scheduled run
is stopped (``systemctl stop``, ``kill -TERM -PGID``) in the second or so a crawl takes to start.

This extension holds the first such signal until the engine runs, then hands it to Scrapy's
handler: the crawl stops as a signal while running stops it (close reason ``shutdown``, run
``aborted``, lock released, stats written). A second signal during start-up is handed on at
once: Scrapy's own behaviour (the reactor stops; the next run takes the dead run's lock over).
A crawl that closes during start-up (a lock held elsewhere) drops the held signal: it is ending.

The handler is wrapped just after the reactor's start-up, when ``CrawlerProcess`` has installed
its own (``install_shutdown_handlers`` in an ``after startup`` trigger, added after this
extension's). Only those are wrapped: with none (``install_signal_handlers=False``, or a
``CrawlerRunner`` in someone else's process) it does nothing.
Scrapy offers no signal after its engine has started running (``engine_started`` is sent just
before), so a held signal checks every :data:`POLL_INTERVAL` seconds whether it does.
Off with ``NEWSCRAWL_HOLD_SHUTDOWN_UNTIL_STARTED = False``.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any, Final, Self

from scrapy import signals
from scrapy.crawler import CrawlerProcessBase
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import call_later
from scrapy.utils.ossignal import signal_names

from newscrawl import stats as keys

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

__all__ = ["POLL_INTERVAL", "HoldShutdownUntilStarted"]

logger = logging.getLogger(__name__)

#: Seconds between checks whether the engine runs, while a signal is held.
POLL_INTERVAL: Final = 0.05
#: The signals Scrapy stops a crawl on (``scrapy.utils.ossignal.install_shutdown_handlers``).
SHUTDOWN_SIGNALS: Final = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGINT", "SIGBREAK") if hasattr(signal, name)
)

Handler = Callable[[int, FrameType | None], Any]


class HoldShutdownUntilStarted:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.closed = False
        self.handlers: dict[int, Handler] = {}  # Scrapy's, by signal number
        self.held: tuple[int, FrameType | None] | None = None
        self.passed = False  # a signal went to Scrapy's handler (which then replaced this one)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWL_HOLD_SHUTDOWN_UNTIL_STARTED", True):
            raise NotConfigured("NEWSCRAWL_HOLD_SHUTDOWN_UNTIL_STARTED is off")
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        from twisted.internet import reactor  # the crawl's, installed by now

        # after every start-up trigger, CrawlerProcess's installing of its handlers included
        reactor.callWhenRunning(call_later, 0, extension.wrap_handlers)
        return extension

    def wrap_handlers(self) -> None:
        """Put :meth:`on_signal` in front of the shutdown handlers the crawl process installed."""
        if self.closed:
            return
        for signum in SHUTDOWN_SIGNALS:
            handler = signal.getsignal(signum)
            # Scrapy's handler is a method of the crawl's CrawlerProcess
            if callable(handler) and isinstance(
                getattr(handler, "__self__", None), CrawlerProcessBase
            ):
                self.handlers[signum] = handler
                signal.signal(signum, self.on_signal)

    def starting(self) -> bool:
        """Whether the crawl has not closed and its engine does not run (yet)."""
        if self.closed:
            return False
        try:
            return not self.crawler.engine.running
        except RuntimeError:  # Scrapy's "Crawler.engine is not set yet"
            return True

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler: hold the first signal while the crawl starts, else pass it on."""
        if self.held is None and self.starting():
            from twisted.internet import reactor

            self.held = (signum, frame)
            # no logging in a signal handler (the interrupted code may be writing the same stream)
            reactor.callFromThread(self._held)
            return
        self._pass_on(signum, frame)

    def _pass_on(self, signum: int, frame: FrameType | None) -> None:
        self.passed = True
        self.handlers[signum](signum, frame)

    def _held(self) -> None:
        assert self.held is not None and self.crawler.stats is not None
        self.crawler.stats.set_value(keys.SHUTDOWN_HELD, signal_names[self.held[0]])
        logger.info(
            "Received %s while the crawl was starting: it stops once started (again to force)",
            signal_names[self.held[0]],
        )
        self._deliver()

    def _deliver(self) -> None:
        if self.held is None or self.passed or self.closed:
            return
        if self.starting():
            call_later(POLL_INTERVAL, self._deliver)
            return
        self._pass_on(*self.held)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.closed = True
