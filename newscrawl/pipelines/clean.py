"""CleanTextPipeline: normalise text and strip boilerplate (see ``extract.text``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem

from newscrawl.extract.article import clean_article
from newscrawl.items import Article
from newscrawl.pipelines import crawler_profile

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class CleanTextPipeline:
    """Drop articles with no title or body after cleaning, counting each reason."""

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    def process_item(self, item: Article) -> Article:
        reason = clean_article(item, crawler_profile(self.crawler))
        if reason:
            self.stats.inc_value(f"newscrawl/clean/dropped/{reason}")
            raise DropItem(f"{reason}: {item.url}")
        self.stats.inc_value("newscrawl/clean/ok")
        return item
