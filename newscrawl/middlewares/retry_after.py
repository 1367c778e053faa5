"""Rate limits: ``Retry-After`` on 429 and 503 pauses the whole site, then the page is retried.

Scrapy's ``RetryMiddleware`` retries a 429 or 503 at once, ``RETRY_TIMES`` times, and gives the
page up: against a rate limit, every retry is refused too. This middleware runs before it (a
higher priority number: it sees responses first) and, for a 429, or a 503 that carries
``Retry-After`` (seconds or an HTTP date):

- pauses the download slot of the site (every request to that host, not only the refused one)
  for the time asked, at least ``MIN_WAIT``; a 429 without ``Retry-After`` waits 1, 2, 4, ... s;
- then retries the page, without using up ``RETRY_TIMES``: a rate limit never costs a page within
  a crawl, as long as the time this page has waited stays within ``NEWSCRAWL_RETRY_AFTER_MAX``
  (default 600 s);
- past that maximum, gives it up: ``newscrawl/article/lost/rate_limited``, logged with the URL
  (nothing is stored, so the next crawl, incremental ones included, fetches it again).

A 503 without ``Retry-After`` is a server error and goes on to Scrapy's retries.

It is a middleware of its own, not a ``RetryMiddleware`` subclass, so that switching it off
(``NEWSCRAWL_RETRY_AFTER_ENABLED = False``) leaves Scrapy's retries as they are. Scrapy has no
public call to pause a download slot; :meth:`RetryAfterMiddleware.pause_slot` holds the slot's ``latercall``, the same
timer the downloader uses for ``DOWNLOAD_DELAY``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import call_later

from newscrawl.middlewares.accounting import LOST, RATE_LIMITED, give_up

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.core.downloader import Downloader
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

TOO_MANY_REQUESTS = 429
SERVICE_UNAVAILABLE = 503
# The shortest pause: a server answering "Retry-After: 0" again and again must not be hammered,
# and the waits it causes must add up to the maximum some day.
MIN_WAIT = 1.0
WAITED = "newscrawl_rate_limit_waited"  # request meta: seconds this page has waited so far
TIMES = "newscrawl_rate_limit_times"  # request meta: rate-limit answers this page got


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), or None.

    A date in the past gives 0; an unreadable value gives None.
    """
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Honour ``Retry-After``: pause the site, retry the page, give up past the maximum."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.max_wait = settings.getfloat("NEWSCRAWL_RETRY_AFTER_MAX", 600.0)
        self.priority_adjust = settings.getint("RETRY_PRIORITY_ADJUST")
        self._paused_until: dict[str, float] = {}  # slot key -> monotonic() end of its pause

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        if not settings.getbool("NEWSCRAWL_RETRY_AFTER_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_RETRY_AFTER_ENABLED is off")
        return cls(crawler)

    def pause_slot(self, downloader: Downloader, key: str, seconds: float) -> None:
        """Hold the download slot *key* for *seconds*: no new download of that site starts.

        A pause already running that ends later is kept. Downloads already under way finish.
        """
        slot = downloader.slots.get(key)
        if slot is None:
            return
        until = monotonic() + seconds
        if self._paused_until.get(key, 0.0) >= until and slot.latercall is not None:
            return
        self._paused_until[key] = until
        if slot.latercall is not None:
            slot.latercall.cancel()
        # The downloader's own DOWNLOAD_DELAY timer: _process_queue() starts nothing while
        # slot.latercall is set, and _latercall() clears it and starts the queue again.
        slot.latercall = call_later(seconds, downloader._latercall, slot)

    def wait_for(self, request: Request, response: Response) -> float | None:
        """Seconds the server asks us to wait, or None when *response* is not a rate limit."""
        if response.status not in (TOO_MANY_REQUESTS, SERVICE_UNAVAILABLE):
            return None
        header = response.headers.get("Retry-After")
        asked = parse_retry_after(header.decode("latin-1")) if header else None
        if asked is None:
            if response.status == SERVICE_UNAVAILABLE:
                return None  # a server error: Scrapy's retries
            asked = 2.0 ** request.meta.get(TIMES, 0)  # a bare 429: 1, 2, 4, ... s
        return max(MIN_WAIT, asked)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        wait = self.wait_for(request, response)
        if wait is None:
            return response
        waited = request.meta.get(WAITED, 0.0)
        if waited + wait > self.max_wait:
            raise give_up(
                self.crawler,
                request,
                LOST,
                RATE_LIMITED,
                f"HTTP {response.status}, asked to wait {wait:.0f} s after {waited:.0f} s waited;"
                f" NEWSCRAWL_RETRY_AFTER_MAX is {self.max_wait:.0f} s",
            )
        assert self.crawler.engine is not None and self.crawler.stats is not None
        downloader = self.crawler.engine.downloader
        key = request.meta.get(downloader.DOWNLOAD_SLOT) or downloader.get_slot_key(request)
        self.pause_slot(downloader, key, wait)
        self.crawler.stats.inc_value("newscrawl/rate_limit/paused")
        self.crawler.stats.inc_value("newscrawl/rate_limit/seconds", round(wait))
        logger.info(
            "HTTP %s from %s: pausing %s for %.1f s, then retrying",
            response.status,
            request.url,
            key,
            wait,
        )
        retry = request.copy()
        retry.meta[WAITED] = waited + wait
        retry.meta[TIMES] = request.meta.get(TIMES, 0) + 1
        retry.dont_filter = True
        retry.priority = request.priority + self.priority_adjust
        return retry
