"""The baseline: a bare Scrapy spider over the same replica pages as ``scrapy crawl ict_en``.

It walks the ict_en listing (``/en/news``, ``?page=N`` through ``div.pagination a.next``) and the
RSS feed, requests every article once (by its id, as newscrawl does: the listing also links some
articles through URL variants), with the same article priority as newscrawl's spider, and yields a
trivial item per article. No pipelines, no page objects, no database.

Run outside the project (no ``scrapy.cfg`` above the working directory and no
``SCRAPY_SETTINGS_MODULE``) so that only Scrapy's defaults and the ``-s`` settings apply::

    python -m scrapy runspider bench/bare_spider.py -a base_url=http://127.0.0.1:PORT \\
        -a stats_file=/tmp/stats.json -s CONCURRENT_REQUESTS=16 ...

``stats_file`` receives the final Scrapy stats as JSON (written once, when the engine stops).
``-a gc_freeze=1`` makes it do what newscrawl's spider does at start (``gc.collect()`` then
``gc.freeze()``), for the "bare + freeze" baseline; off by default: a plain spider does not.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

ARTICLE_PRIORITY = 10  # as newscrawl.spiders.profile.ARTICLE_PRIORITY
ARTICLE_RE = re.compile(r"^https?://[^/]+/en/news/(\d+)(?:[/?#]|$)")


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, *args: Any, base_url: str, stats_file: str = "", gc_freeze: str = "",
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")
        self.stats_file = stats_file
        self.gc_freeze = gc_freeze not in ("", "0")
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BareSpider:
        spider: BareSpider = super().from_crawler(crawler, *args, **kwargs)
        # engine_stopped: after CoreStats has set finish_time and elapsed_time_seconds
        crawler.signals.connect(spider.write_stats, signal=signals.engine_stopped)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        if self.gc_freeze:
            gc.collect()
            gc.freeze()
        yield Request(self.base_url + "/en/news", callback=self.parse_listing)
        yield Request(self.base_url + "/en/news/rss", callback=self.parse_feed)

    def _article(self, url: str) -> Request | None:
        match = ARTICLE_RE.match(url)
        if match is None or match.group(1) in self.seen:
            return None
        self.seen.add(match.group(1))
        return Request(url, callback=self.parse_article, priority=ARTICLE_PRIORITY)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        for href in response.css("ul.news-list a.news-link::attr(href)").getall():
            request = self._article(response.urljoin(href))
            if request is not None:
                yield request
        next_href = response.css("div.pagination a.next::attr(href)").get()
        if next_href:
            yield Request(response.urljoin(next_href), callback=self.parse_listing)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        for link in response.xpath("//item/link/text()").getall():
            request = self._article(link.strip())
            if request is not None:
                yield request

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        yield {"url": response.url, "bytes": len(response.body)}

    def write_stats(self) -> None:
        if self.stats_file and self.crawler.stats is not None:
            with open(self.stats_file, "w", encoding="utf-8") as out:
                json.dump(self.crawler.stats.get_stats(), out, default=str)
