"""DedupPipeline: one article per (site, lang, id) in a crawl."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy.exceptions import DropItem

from newscrawl import stats as keys
from newscrawl.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class DuplicateArticle(DropItem):
    """The crawl already produced this article (another URL variant of it)."""


class DedupPipeline:
    """Drop repeats of an article within one crawl (``dedup/duplicate``; ``dedup/unique`` else).

    The spider already avoids requesting two variants of one URL; this catches what reaches the
    pipelines twice anyway (e.g. two canonical forms of one id). Across crawls, the database's
    unique key and the revision check (on the content hash ``extract_article`` computed) do the
    same job.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[tuple[str, str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Article) -> Article:
        key = (item.site, item.lang, item.source_id)
        if key in self.seen:
            self.stats.inc_value(keys.DEDUP_DUPLICATE)
            raise DuplicateArticle(f"duplicate of {item.site}:{item.lang}:{item.source_id}: {item.url}")
        self.seen.add(key)
        self.stats.inc_value(keys.DEDUP_UNIQUE)
        return item
