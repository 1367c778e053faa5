"""Pages over ``DOWNLOAD_MAXSIZE`` are refused, counted and logged; the crawl goes on.

Scrapy enforces the cap itself: the HTTP handler cancels a download whose Content-Length, or
whose streamed body, passes it (``DownloadCancelledError``), and ``HttpCompressionMiddleware``
stops inflating a body at the cap (``IgnoreRequest``; Scrapy >= 2.11 checks the decompressed size
as it inflates, so a gzip bomb never reaches memory in full). These middlewares only give both
refusals newscrawl's counter, ``newscrawl/article/refused/too_large``, and a log line with the URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy.downloadermiddlewares.httpcompression import (
    HttpCompressionMiddleware as ScrapyHttpCompressionMiddleware,
)
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured

from newscrawl.middlewares.accounting import REFUSED, TOO_LARGE, RequestGivenUp, give_up

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class DownloadSizeMiddleware:
    """Count the downloads Scrapy cancelled at ``DOWNLOAD_MAXSIZE`` (declared or streamed)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getint("DOWNLOAD_MAXSIZE"):
            raise NotConfigured("DOWNLOAD_MAXSIZE is 0: no size cap")
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        # The HTTP/1.1 handler raises DownloadCancelledError only for the size cap (a timeout is
        # DownloadTimeoutError).
        if isinstance(exception, DownloadCancelledError):
            cap = request.meta.get("download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
            raise give_up(self.crawler, request, REFUSED, TOO_LARGE, f"larger than {cap} bytes") from exception


class HttpCompressionMiddleware(ScrapyHttpCompressionMiddleware):
    """Scrapy's decompression; a body that inflates past the cap is counted as ``too_large``."""

    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = super().from_crawler(crawler)
        middleware.crawler = crawler
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except RequestGivenUp:
            raise
        except IgnoreRequest as exc:
            # The only IgnoreRequest Scrapy's decompression raises is the size cap's.
            raise give_up(
                self.crawler, request, REFUSED, TOO_LARGE, f"inflates past the cap: {exc}"
            ) from exc
