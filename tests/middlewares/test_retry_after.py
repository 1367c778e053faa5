"""retry_after.py: Retry-After read, the site's slot paused, the page retried or given up."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from newscrawl.middlewares import RequestGivenUp, retry_after
from newscrawl.middlewares.retry_after import RetryAfterMiddleware, parse_retry_after
from tests.middlewares.conftest import article_request, make_crawler

NOW = datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 120 ", 120.0),
        ("Fri, 01 Mar 2024 10:00:30 GMT", 30.0),
        ("Fri, 01 Mar 2024 09:00:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("-3", None),
        ("", None),
    ],
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


class FakeDownloader:
    """The two things the middleware uses of Scrapy's downloader: its slots and their timer."""

    DOWNLOAD_SLOT = "download_slot"

    def __init__(self) -> None:
        self.slots = {"site.example": Slot(concurrency=4, delay=0.0, jitter=0.0)}

    def get_slot_key(self, request: Request) -> str:
        return "site.example"

    def _latercall(self, slot: Slot) -> None:
        raise AssertionError("not called in these tests")


@pytest.fixture
def timers(monkeypatch) -> list[tuple[float, Any]]:
    """call_later, recorded instead of scheduled: (delay, slot) of each pause."""
    calls: list[tuple[float, Any]] = []

    def record(delay: float, func: Any, slot: Slot) -> SimpleNamespace:
        calls.append((delay, slot))
        return SimpleNamespace(cancel=lambda: None)

    monkeypatch.setattr(retry_after, "call_later", record)
    return calls


def middleware_with(settings: dict[str, Any] | None = None):
    crawler = make_crawler(settings)
    downloader = FakeDownloader()
    crawler.engine = SimpleNamespace(downloader=downloader)
    return crawler, downloader, RetryAfterMiddleware.from_crawler(crawler)


def limited(request: Request, status: int = 429, retry_after: str | None = "5") -> Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Response(request.url, status=status, headers=headers, request=request)


def test_rate_limit_pauses_the_slot_and_retries(timers):
    crawler, downloader, middleware = middleware_with()
    request = article_request(meta={"download_slot": "site.example"})
    retry = middleware.process_response(request, limited(request))
    assert isinstance(retry, Request) and retry.url == request.url and retry.dont_filter
    assert retry.meta.get("retry_times") is None  # RETRY_TIMES is not used up
    assert timers == [(5.0, downloader.slots["site.example"])]
    assert downloader.slots["site.example"].latercall is not None
    # a shorter pause asked meanwhile keeps the longer one
    middleware.process_response(request, limited(request, retry_after="1"))
    assert len(timers) == 1
    assert crawler.stats.get_value("newscrawl/rate_limit/paused") == 2


def test_waits_add_up_to_the_maximum_then_the_page_is_lost(timers, caplog):
    crawler, _, middleware = middleware_with({"NEWSCRAWL_RETRY_AFTER_MAX": 12})
    request = article_request()
    request = middleware.process_response(request, limited(request))  # 5 s
    request = middleware.process_response(request, limited(request))  # 10 s
    assert request.meta[retry_after.WAITED] == 10.0
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, limited(request))  # 15 s > 12
    assert crawler.stats.get_value("newscrawl/article/lost/rate_limited") == 1
    assert request.url in caplog.text


def test_more_than_the_maximum_at_once_is_lost_without_waiting(timers):
    crawler, _, middleware = middleware_with({"NEWSCRAWL_RETRY_AFTER_MAX": 3})
    request = article_request()
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, limited(request, retry_after="5"))
    assert timers == []
    assert crawler.stats.get_value("newscrawl/article/lost/rate_limited") == 1


def test_bare_429_backs_off_and_503_without_header_goes_to_scrapy(timers):
    _, _, middleware = middleware_with()
    request = article_request()
    first = middleware.process_response(request, limited(request, retry_after=None))
    middleware.process_response(first, limited(first, retry_after=None))
    assert [delay for delay, _ in timers] == [1.0, 2.0]
    unavailable = limited(request, status=503, retry_after=None)
    assert middleware.process_response(request, unavailable) is unavailable
    ok = Response(request.url, status=200, request=request)
    assert middleware.process_response(request, ok) is ok


def test_retry_after_zero_still_waits_the_minimum(timers):
    _, _, middleware = middleware_with()
    request = article_request()
    middleware.process_response(request, limited(request, retry_after="0"))
    assert timers[0][0] == retry_after.MIN_WAIT


@pytest.mark.parametrize("setting", ["RETRY_ENABLED", "NEWSCRAWL_RETRY_AFTER_ENABLED"])
def test_switched_off(setting):
    with pytest.raises(NotConfigured):
        RetryAfterMiddleware.from_crawler(make_crawler({setting: False}))
