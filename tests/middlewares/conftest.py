"""Crawlers for in-process middleware tests: a spider whose site is http://site.example:8401."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from newscrawl.extract.urls import site_origins
from newscrawl.profiles import profile_by_name

BASE = "http://site.example:8401"


class SiteSpider(Spider):
    name = "site"
    origins = site_origins(profile_by_name("ict_en"), BASE)


def make_crawler(settings: dict[str, Any] | None = None) -> Crawler:
    crawler = get_crawler(SiteSpider, {"RETRY_TIMES": 2, **(settings or {})})
    crawler.spider = crawler._create_spider("site")
    return crawler


def article_request(url: str = f"{BASE}/en/news/1", **kwargs: Any) -> Request:
    """A request like the spider's for an article (it carries the article's id)."""
    return Request(url, cb_kwargs={"source_id": "1"}, **kwargs)


@pytest.fixture
def crawler() -> Crawler:
    return make_crawler()
