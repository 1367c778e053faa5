"""NormaliseDatesPipeline: read the date string in the site's zone (see ``extract.dates``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from newscrawl.extract.article import DateStatus, date_article
from newscrawl.items import Article
from newscrawl.pipelines import crawler_profile

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class NormaliseDatesPipeline:
    """Fill published_at; an article without a readable date is kept, with a warning."""

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    def process_item(self, item: Article) -> Article:
        status = date_article(item, crawler_profile(self.crawler))
        self.stats.inc_value(f"newscrawl/dates/{status}")
        if status is DateStatus.MISSING:
            logger.warning("No date on article %s; stored without one", item.url)
        elif status is DateStatus.UNPARSED:
            logger.warning("Unreadable date %r on article %s; stored without one", item.published_raw, item.url)
        return item
