"""redirects.py and offsite.py: redirects that lose a page are counted; the port is the site's."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import Response

from newscrawl.extract.urls import site_origins, url_origin
from newscrawl.middlewares import RequestGivenUp
from newscrawl.middlewares.offsite import OriginOffsiteMiddleware
from newscrawl.middlewares.redirects import MetaRefreshMiddleware, RedirectMiddleware
from newscrawl.profiles import profile_by_name
from tests.middlewares.conftest import BASE, article_request, make_crawler


def redirect(request: Request, location: str) -> Response:
    return Response(request.url, status=302, headers={"Location": location}, request=request)


@pytest.fixture
def setup():
    crawler = make_crawler({"REDIRECT_MAX_TIMES": 3})
    return crawler, RedirectMiddleware.from_crawler(crawler)


def test_on_site_redirect_is_followed(setup):
    crawler, middleware = setup
    request = article_request()
    followed = middleware.process_response(request, redirect(request, "/en/news/1/Slug"))
    assert isinstance(followed, Request) and followed.url == f"{BASE}/en/news/1/Slug"
    assert not [k for k in crawler.stats.get_stats() if k.startswith("newscrawl/")]


@pytest.mark.parametrize(
    "location",
    ["http://site.example:8402/en/news/1", "http://elsewhere.example/en/news/1", "https://site.example:8401/en/news/1"],
)
def test_offsite_redirect_is_lost(setup, location, caplog):
    crawler, middleware = setup
    request = article_request()
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, redirect(request, location))
    assert crawler.stats.get_value("newscrawl/article/lost/redirect_offsite") == 1
    assert request.url in caplog.text


def test_redirect_to_itself_and_ping_pong_are_loops(setup):
    crawler, middleware = setup
    request = article_request()
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, redirect(request, request.url))
    hop = middleware.process_response(request, redirect(request, "/en/news/1/b"))
    with pytest.raises(RequestGivenUp) as lost:
        middleware.process_response(hop, redirect(hop, "/en/news/1"))
    assert lost.value.url == request.url  # the URL the spider asked for
    assert crawler.stats.get_value("newscrawl/article/lost/redirect_loop") == 2


def test_chain_past_the_maximum_is_a_loop(setup):
    crawler, middleware = setup
    request = article_request()
    for hop in range(1, 4):
        request = middleware.process_response(request, redirect(request, f"/en/news/1?hop={hop}"))
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, redirect(request, "/en/news/1?hop=4"))
    assert crawler.stats.get_value("newscrawl/article/lost/redirect_loop") == 1


def test_meta_refresh_offsite_is_lost():
    crawler = make_crawler()
    middleware = MetaRefreshMiddleware.from_crawler(crawler)
    request = Request(f"{BASE}/en/news")
    from scrapy.http import HtmlResponse

    page = HtmlResponse(
        request.url,
        body=b'<html><head><meta http-equiv="refresh" content="0; url=http://site.example:9999/"></head></html>',
        request=request,
    )
    with pytest.raises(RequestGivenUp):
        middleware.process_response(request, page)
    assert crawler.stats.get_value("newscrawl/page/lost/redirect_offsite") == 1


def test_offsite_filter_compares_origins():
    crawler = make_crawler()
    middleware = OriginOffsiteMiddleware.from_crawler(crawler)
    spider = crawler.spider
    spider.allowed_domains = ["site.example"]
    assert middleware.should_follow(Request(f"{BASE}/en/news"), spider)
    assert not middleware.should_follow(Request("http://site.example:8402/en/news"), spider)
    assert not middleware.should_follow(Request("http://other.example:8401/en/news"), spider)


def test_site_origins():
    profile = profile_by_name("ict_en")  # www.ict.gov.ir and ict.gov.ir
    live = site_origins(profile, "https://www.ict.gov.ir")
    assert {"https://www.ict.gov.ir:443", "http://www.ict.gov.ir:80", "https://ict.gov.ir:443"} <= live
    assert url_origin("https://www.ict.gov.ir:8443/x") not in live
    replica = site_origins(profile, "http://127.0.0.1:8400")
    assert "http://127.0.0.1:8400" in replica
    assert not {"http://127.0.0.1:8401", "http://127.0.0.1:80", "https://127.0.0.1:443"} & replica
    assert url_origin("HTTP://Example.org/x") == "http://example.org:80"
    assert url_origin("mailto:a@b") is None
    assert url_origin("http://example.org:99999/") is None
