"""The change feeds at the end of each crawl: ``NEWSCRAWL_FEED_DIR`` (off when empty).

When the spider closes, after the pipelines wrote their last batch, the Atom feeds of
significant changes (``newscrawl.changes.feed.write_feeds``: one per site in the archive and
``all.atom``) are written again into the directory, with ``NEWSCRAWL_FEED_MIN_SCORE`` as their
minimum score. It needs the crawl's database (the ``Archive`` extension): without one it is off
too. A feed that can't be written is logged and counted, never fatal to the crawl.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.extensions.archive import Archive, storage_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

__all__ = ["ChangeFeeds"]

logger = logging.getLogger(__name__)


class ChangeFeeds:
    """Writes the change feeds when the spider closes (see the module docstring)."""

    def __init__(self, crawler: Crawler, directory: Path, min_score: float) -> None:
        self.crawler = crawler
        self.directory = directory
        self.min_score = min_score

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        directory = str(crawler.settings.get("NEWSCRAWL_FEED_DIR") or "").strip()
        if not directory:
            raise NotConfigured("NEWSCRAWL_FEED_DIR is empty: no change feeds")
        if storage_url(crawler.settings) is None:
            raise NotConfigured("NEWSCRAWL_FEED_DIR needs NEWSCRAWL_DATABASE_URL")
        min_score = crawler.settings.getfloat("NEWSCRAWL_FEED_MIN_SCORE")
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"NEWSCRAWL_FEED_MIN_SCORE={min_score}: expected a score from 0 to 1")
        extension = cls(crawler, Path(directory), min_score)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        from newscrawl.changes.feed import write_feeds
        from newscrawl.stats import FEEDS_FAILED, FEEDS_WRITTEN

        stats = self.crawler.stats
        assert stats is not None
        archive = self.crawler.get_extension(Archive)
        if archive is None:  # storage_url was set, so Archive is on; unless EXTENSIONS dropped it
            logger.warning("NEWSCRAWL_FEED_DIR: the crawl has no database; no change feeds")
            return
        try:
            with archive.sessions() as session:
                written = write_feeds(session, self.directory, min_score=self.min_score)
        except Exception:
            logger.exception("Could not write the change feeds to %s", self.directory)
            stats.inc_value(FEEDS_FAILED)
            return
        stats.set_value(FEEDS_WRITTEN, len(written))
        logger.info("Change feeds: %d file(s) in %s", len(written), self.directory)
