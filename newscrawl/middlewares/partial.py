"""Responses cut short are retried and never stored.

Twisted flags a body that ended with the connection, without a Content-Length or chunked framing,
``partial`` (and, with ``DOWNLOAD_FAIL_ON_DATALOSS = False``, a body shorter than its declared
length ``dataloss``): the server may have stopped mid-page. Such a response is retried like a
failed download (Scrapy's ``get_retry_request``: ``RETRY_TIMES``, ``retry/reason_count/partial``);
if it is still incomplete after the retries it is given up, counted
``newscrawl/article/lost/partial`` and logged, so nothing incomplete is stored and the next crawl
fetches the page again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured

from newscrawl.middlewares.accounting import LOST, PARTIAL, give_up

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

INCOMPLETE_FLAGS = frozenset({"partial", "dataloss"})


class PartialResponseMiddleware:
    """Retry ``partial`` responses; give up the ones still cut after ``RETRY_TIMES``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.retry_enabled = crawler.settings.getbool("RETRY_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NEWSCRAWL_PARTIAL_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_PARTIAL_ENABLED is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        flags = INCOMPLETE_FLAGS.intersection(response.flags)
        if not flags:
            return response
        assert self.crawler.spider is not None
        retry = None
        if self.retry_enabled and not request.meta.get("dont_retry", False):
            retry = get_retry_request(
                request,
                spider=self.crawler.spider,
                reason=PARTIAL,
                give_up_log_level="DEBUG",  # give_up logs it once, as a warning
            )
        if retry is not None:
            return retry
        detail = f"{'/'.join(sorted(flags))} response ({len(response.body)} bytes) after {request.meta.get('retry_times', 0)} retries"
        raise give_up(self.crawler, request, LOST, PARTIAL, detail)
