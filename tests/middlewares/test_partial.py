"""partial.py: cut responses are retried, then given up and counted; never passed on."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse

from newscrawl import stats
from newscrawl.middlewares import RequestGivenUp
from newscrawl.middlewares.partial import PartialResponseMiddleware
from tests.middlewares.conftest import article_request, make_crawler


def response(request: Request, flags: list[str]) -> HtmlResponse:
    return HtmlResponse(request.url, body=b"<html><p>half", flags=flags, request=request)


@pytest.mark.parametrize("flag", ["partial", "dataloss"])
def test_cut_response_is_retried_then_lost(flag, caplog):
    crawler = make_crawler({"RETRY_TIMES": 2})
    middleware = PartialResponseMiddleware.from_crawler(crawler)
    request = article_request()
    for attempt in (1, 2):
        retry = middleware.process_response(request, response(request, [flag]))
        assert isinstance(retry, Request) and retry.meta["retry_times"] == attempt
        assert retry.dont_filter
        request = retry
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, response(request, [flag]))
    assert crawler.stats.get_value("newscrawl/article/lost/partial") == 1
    assert crawler.stats.get_value("retry/reason_count/partial") == 2
    assert request.url in caplog.text
    assert stats.ARTICLE_LOST.members(crawler.stats.get_stats()) == {"partial": 1}


def test_complete_response_passes():
    middleware = PartialResponseMiddleware.from_crawler(make_crawler())
    request = article_request()
    complete = response(request, [])
    assert middleware.process_response(request, complete) is complete


def test_without_retries_a_cut_response_is_lost_at_once():
    crawler = make_crawler({"RETRY_ENABLED": False})
    middleware = PartialResponseMiddleware.from_crawler(crawler)
    request = article_request()
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, response(request, ["partial"]))
    assert crawler.stats.get_value("newscrawl/article/lost/partial") == 1


def test_switched_off():
    with pytest.raises(NotConfigured):
        PartialResponseMiddleware.from_crawler(make_crawler({"NEWSCRAWL_PARTIAL_ENABLED": False}))
