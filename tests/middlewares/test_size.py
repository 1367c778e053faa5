"""size.py: downloads cancelled at DOWNLOAD_MAXSIZE and bodies inflating past it are counted."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, NotConfigured
from scrapy.http import HtmlResponse, Response

from newscrawl import settings as project_settings
from newscrawl import stats
from newscrawl.middlewares import RequestGivenUp
from newscrawl.middlewares.size import DownloadSizeMiddleware, HttpCompressionMiddleware
from tests.middlewares.conftest import BASE, article_request, make_crawler


def test_default_cap_fits_news_pages():
    assert project_settings.DOWNLOAD_MAXSIZE == 16 * 1024 * 1024
    assert 0 < project_settings.DOWNLOAD_WARNSIZE < project_settings.DOWNLOAD_MAXSIZE


def test_no_cap_switches_it_off():
    with pytest.raises(NotConfigured):
        DownloadSizeMiddleware.from_crawler(make_crawler({"DOWNLOAD_MAXSIZE": 0}))


def test_cancelled_download_is_refused_and_counted(caplog):
    crawler = make_crawler({"DOWNLOAD_MAXSIZE": 1000})
    middleware = DownloadSizeMiddleware.from_crawler(crawler)
    request = article_request()
    with pytest.raises(RequestGivenUp):
        middleware.process_exception(request, DownloadCancelledError("too big"))
    assert crawler.stats.get_value("newscrawl/article/refused/too_large") == 1
    assert request.url in caplog.text
    # a listing page counts apart; other failures pass on
    with pytest.raises(RequestGivenUp):
        middleware.process_exception(Request(f"{BASE}/en/news"), DownloadCancelledError("too big"))
    assert crawler.stats.get_value("newscrawl/page/refused/too_large") == 1
    assert middleware.process_exception(request, DownloadTimeoutError()) is None
    assert crawler.stats.get_value("newscrawl/article/refused/too_large") == 1
    # the families of newscrawl.stats read what the middleware wrote
    counted = crawler.stats.get_stats()
    assert stats.ARTICLE_REFUSED.members(counted) == {"too_large": 1}
    assert stats.PAGE_REFUSED.members(counted) == {"too_large": 1}
    assert stats.ARTICLE_LOST.members(counted) == stats.PAGE_LOST.members(counted) == {}


def gzipped(request: Request, size: int) -> Response:
    body = gzip.compress(b"<html>" + b"0" * size)
    return HtmlResponse(request.url, body=body, headers={"Content-Encoding": "gzip"}, request=request)


def test_body_inflating_past_the_cap_is_refused():
    crawler = make_crawler({"DOWNLOAD_MAXSIZE": 10_000})
    middleware = HttpCompressionMiddleware.from_crawler(crawler)
    request = article_request()
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, gzipped(request, 50_000))
    assert crawler.stats.get_value("newscrawl/article/refused/too_large") == 1
    small = middleware.process_response(request, gzipped(request, 5_000))
    assert isinstance(small, Response) and len(small.body) == 5_006
    assert crawler.stats.get_value("newscrawl/article/refused/too_large") == 1


def test_compression_switched_off():
    with pytest.raises(NotConfigured):
        HttpCompressionMiddleware.from_crawler(make_crawler({"COMPRESSION_ENABLED": False}))
