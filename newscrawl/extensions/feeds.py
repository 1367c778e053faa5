"""FeedExporter: Scrapy's feed exporter (``-o``/``-O``, ``FEEDS``), which opens no feed for a refused crawl.

Scrapy's exporter opens every feed when the spider opens, and ``-O file`` (overwrite) truncates
the file right then. A crawl that finds its site locked by another run
(:mod:`newscrawl.extensions.runs`) is refused in that same ``spider_opened`` signal, so with the
stock exporter a refused ``scrapy crawl ict_en -O keep.jsonl`` emptied ``keep.jsonl``. This
subclass is the only change: built after the run recorder (a higher number in ``EXTENSIONS``),
its ``spider_opened`` handler runs after the lock was tried, and it opens nothing when
``newscrawl/lock/refused`` is set, so the file keeps its bytes. Everything else (formats,
storages, batches, item filters) is Scrapy's; ``settings.EXTENSIONS`` turns the stock one off.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.extensions.feedexport import FeedExporter as ScrapyFeedExporter

from newscrawl import stats as keys

if TYPE_CHECKING:
    from scrapy.spiders import Spider

__all__ = ["FeedExporter"]

logger = logging.getLogger(__name__)


class FeedExporter(ScrapyFeedExporter):
    """Scrapy's feed exporter, except that a crawl refused by the site lock opens no feed."""

    def open_spider(self, spider: Spider) -> None:
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value(keys.LOCK_REFUSED):
            for uri in self.feeds:
                logger.info("Feed %s left untouched: the crawl was refused (site locked)", uri)
            return
        super().open_spider(spider)
