"""ProfileSpider.parse_sitemap in process: plain, index, gzipped, Google News, gzip bombs, junk.

Responses are built here the way Scrapy builds them (``responsetypes`` picks the class from the
Content-Type), then handed to the spider's callback; nothing is downloaded.
"""

from __future__ import annotations

import gzip
import logging
from typing import Any

import pytest
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from newscrawl.profiles import profile_by_name
from newscrawl.spiderloader import spider_class
from newscrawl.spiders.profile import ProfileSpider

BASE = "https://www.msrt.ir"
SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

URLSET = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="{SM}">
<url><loc>{BASE}/en/news/101/first-</loc><lastmod>2024-01-02T10:00:00+03:30</lastmod></url>
<url><loc>{BASE}/en/news/102/second</loc></url>
<url><loc>{BASE}/en/page/5/contact</loc><lastmod>2020-01-01</lastmod></url>
</urlset>
""".encode()

INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="{SM}">
<sitemap><loc>{BASE}/sitemap-news.xml</loc><lastmod>2024-01-02</lastmod></sitemap>
<sitemap><loc>/sitemap-articles-1.xml.gz</loc></sitemap>
</sitemapindex>
""".encode()

NEWS = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="{SM}" xmlns:news="{NEWS_NS}">
<url><loc>{BASE}/en/news/201/budget</loc><lastmod>2024-03-01</lastmod>
<news:news><news:publication><news:name>MSRT</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2024-02-27T08:15:00+03:30</news:publication_date>
<news:title>Budget &amp; plans</news:title></news:news></url>
<url><loc>{BASE}/en/news/202/</loc>
<news:news><news:publication_date> 2024-02-26 </news:publication_date></news:news></url>
<url><loc>{BASE}/en/news/203/undated</loc></url>
</urlset>
""".encode()


def make_spider(settings: dict[str, Any] | None = None) -> ProfileSpider:
    crawler = get_crawler(spider_class(profile_by_name("msrt_en")), settings or {})
    spider = crawler.spidercls.from_crawler(crawler)
    assert isinstance(spider, ProfileSpider)
    return spider


def response(url: str, body: bytes, content_type: str, meta: dict[str, Any] | None = None) -> Response:
    headers = {"Content-Type": content_type}
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, body=body, headers=headers, request=Request(url, meta=meta or {}))


def stat(spider: ProfileSpider, key: str) -> Any:
    assert spider.crawler.stats is not None
    return spider.crawler.stats.get_value(f"newscrawl/{key}")


def crawl(spider: ProfileSpider, resp: Response) -> list[Request]:
    return list(spider.parse_sitemap(resp))


def articles(requests: list[Request]) -> list[tuple[str, str | None]]:
    return [(r.url, r.cb_kwargs["date_raw"]) for r in requests if r.callback.__name__ == "parse_article"]


def test_plain_sitemap_requests_its_articles_with_lastmod():
    spider = make_spider()
    requests = crawl(spider, response(f"{BASE}/sitemap-articles-1.xml", URLSET, "application/xml"))
    assert articles(requests) == [
        (f"{BASE}/en/news/101/first-", "2024-01-02T10:00:00+03:30"),
        (f"{BASE}/en/news/102/second", None),
    ]
    assert len(requests) == 2  # the contact page is not an article
    assert [r.cb_kwargs["source_id"] for r in requests] == ["101", "102"]
    assert stat(spider, "sitemap/entries") == 3
    assert stat(spider, "sitemap/gzipped") is None


def test_sitemap_index_follows_its_children():
    spider = make_spider()
    requests = crawl(spider, response(f"{BASE}/sitemap.xml", INDEX, "application/xml; charset=utf-8"))
    assert [r.url for r in requests] == [f"{BASE}/sitemap-news.xml", f"{BASE}/sitemap-articles-1.xml.gz"]
    assert all(r.callback == spider.parse_sitemap for r in requests)
    assert stat(spider, "sitemap/entries") is None


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/sitemap-articles-1.xml.gz", "application/x-gzip"),
        ("/sitemap-articles-1.xml.gz", "application/gzip"),
        ("/sitemap-articles-1", "application/octet-stream"),  # known by its gzip magic number
    ],
)
def test_gzipped_sitemap_is_decompressed(path, content_type):
    spider = make_spider()
    resp = response(BASE + path, gzip.compress(URLSET), content_type)
    assert type(resp) is Response  # Scrapy hands a gzip file over as bytes, not as XML
    requests = crawl(spider, resp)
    assert [url for url, _ in articles(requests)] == [f"{BASE}/en/news/101/first-", f"{BASE}/en/news/102/second"]
    assert stat(spider, "sitemap/gzipped") == 1
    assert stat(spider, "sitemap/entries") == 3


def test_gzipped_sitemap_index():
    spider = make_spider()
    requests = crawl(spider, response(f"{BASE}/sitemap.xml.gz", gzip.compress(INDEX), "application/x-gzip"))
    assert [r.url for r in requests] == [f"{BASE}/sitemap-news.xml", f"{BASE}/sitemap-articles-1.xml.gz"]


def test_google_news_publication_date_wins_over_lastmod():
    spider = make_spider()
    requests = crawl(spider, response(f"{BASE}/sitemap-news.xml", NEWS, "text/xml"))
    assert articles(requests) == [
        (f"{BASE}/en/news/201/budget", "2024-02-27T08:15:00+03:30"),
        (f"{BASE}/en/news/202/", "2024-02-26"),
        (f"{BASE}/en/news/203/undated", None),
    ]


def bomb(size: int) -> bytes:
    """A valid sitemap of about *size* bytes, gzipped to a few kB."""
    filler = b"<!-- " + b"x" * size + b" -->"
    return gzip.compress(URLSET.replace(b"<urlset", filler + b"\n<urlset", 1), 9)


def test_gzip_bomb_over_download_maxsize_is_refused_counted_and_logged(caplog):
    spider = make_spider({"DOWNLOAD_MAXSIZE": 1_000_000})
    body = bomb(5_000_000)
    assert len(body) < 50_000  # small on the wire: only the decompressed size gives it away
    url = f"{BASE}/sitemap-articles-1.xml.gz"
    with caplog.at_level(logging.WARNING):
        requests = crawl(spider, response(url, body, "application/x-gzip"))
    assert requests == []
    assert stat(spider, "sitemap/refused") == 1
    assert stat(spider, "sitemap/entries") is None
    assert any(url in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_a_big_sitemap_under_the_limit_is_read_and_warned_about(caplog):
    spider = make_spider({"DOWNLOAD_MAXSIZE": 10_000_000, "DOWNLOAD_WARNSIZE": 1_000_000})
    url = f"{BASE}/sitemap-articles-1.xml.gz"
    with caplog.at_level(logging.WARNING):
        requests = crawl(spider, response(url, bomb(5_000_000), "application/x-gzip"))
    assert len(articles(requests)) == 2
    assert stat(spider, "sitemap/refused") is None
    assert any(url in r.getMessage() and "DOWNLOAD_WARNSIZE" in r.getMessage() for r in caplog.records)


def test_request_meta_download_maxsize_overrides_the_setting():
    spider = make_spider({"DOWNLOAD_MAXSIZE": 0})  # 0: no limit
    url = f"{BASE}/sitemap-articles-1.xml.gz"
    assert len(articles(crawl(spider, response(url, bomb(2_000_000), "application/x-gzip")))) == 2
    meta = {"download_maxsize": 1_000_000}
    assert crawl(spider, response(url, bomb(2_000_000), "application/x-gzip", meta)) == []
    assert stat(spider, "sitemap/refused") == 1


def test_truncated_sitemap_keeps_what_parsed_and_is_counted_and_logged(caplog):
    spider = make_spider()
    url = f"{BASE}/sitemap-articles-1.xml"
    cut = URLSET[: URLSET.index(b"<url><loc>" + BASE.encode() + b"/en/news/102")] + b"<url><loc>https://www.msrt"
    with caplog.at_level(logging.WARNING):
        requests = crawl(spider, response(url, cut, "application/xml"))
    assert [u for u, _ in articles(requests)] == [f"{BASE}/en/news/101/first-"]
    assert stat(spider, "sitemap/malformed") == 1
    assert any(url in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/xml"),
        (b"<!DOCTYPE html><html><body><h1>Not found</h1></body></html>", "text/html"),
        (b"garbage, not XML at all", "text/plain"),
        (b"\x1f\x8b\x08" + b"\xff" * 40, "application/x-gzip"),  # broken gzip data
    ],
)
def test_not_a_sitemap_is_counted_and_logged_without_crashing(caplog, body, content_type):
    spider = make_spider()
    url = f"{BASE}/sitemap.xml"
    with caplog.at_level(logging.WARNING):
        assert crawl(spider, response(url, body, content_type)) == []
    assert stat(spider, "sitemap/invalid") == 1
    assert any(url in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_robots_txt_gives_its_sitemaps():
    spider = make_spider()
    robots = b"User-agent: *\nDisallow: /en/search\nSitemap: https://www.msrt.ir/sitemap.xml\nsitemap: /news.xml.gz\n"
    requests = crawl(spider, response(f"{BASE}/robots.txt", robots, "text/plain"))
    assert [r.url for r in requests] == [f"{BASE}/sitemap.xml", f"{BASE}/news.xml.gz"]
    assert all(r.callback == spider.parse_sitemap for r in requests)
