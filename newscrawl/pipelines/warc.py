"""WarcPipeline: write each crawled article to WARC as the crawl goes (optional).

Enabled by the ``NEWSCRAWL_WARC_DIR`` setting (or environment variable): a directory that gets
``<spider>-<UTC start time>-00000.warc.gz``, ``-00001``, … with, per article, the response it
was extracted from (the item's ``capture``) and a ``metadata`` record with the JSON lines fields
(:data:`newscrawl.items.EXPORT_FIELDS`; the database's revision fields are not known yet). A new
file is begun past ``NEWSCRAWL_WARC_MAX_SIZE`` bytes (default 1G; ``500M`` etc. accepted). Without
the directory the pipeline raises ``NotConfigured`` and Scrapy leaves it out.

The same files come later from the archive with ``newscrawl export --format warc``; see
:mod:`newscrawl.export.warc` for the record layout.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy.exceptions import NotConfigured

from newscrawl.export.warc import DEFAULT_MAX_SIZE, WarcWriter, parse_size
from newscrawl.items import EXPORT_FIELDS, Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

__all__ = ["WarcPipeline"]


class WarcPipeline:
    """Append every item with a capture to the crawl's WARC files."""

    def __init__(
        self, directory: Path, max_size: int, stats: StatsCollector, crawler: Crawler
    ) -> None:
        self.directory = directory
        self.max_size = max_size
        self.stats = stats
        self.crawler = crawler
        self.writer: WarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        directory = (crawler.settings.get("NEWSCRAWL_WARC_DIR") or "").strip()
        if not directory:
            raise NotConfigured("NEWSCRAWL_WARC_DIR is not set: no WARC files are written")
        try:
            max_size = parse_size(
                crawler.settings.get("NEWSCRAWL_WARC_MAX_SIZE") or DEFAULT_MAX_SIZE
            )
        except ValueError as exc:
            raise ValueError(f"NEWSCRAWL_WARC_MAX_SIZE: {exc}") from None
        assert crawler.stats is not None
        return cls(Path(directory), max_size, crawler.stats, crawler)

    def open_spider(self) -> None:
        name = self.crawler.spider.name if self.crawler.spider is not None else "crawl"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.writer = WarcWriter(
            self.directory / f"{name}-{stamp}",
            max_size=self.max_size,
            info={"description": f"newscrawl crawl of {name}: HTTP responses and extracted fields"},
        )

    def process_item(self, item: Article) -> Article:
        if item.capture is None:
            self.stats.inc_value("newscrawl/warc/no_capture")
            return item
        assert self.writer is not None
        files = len(self.writer.paths)
        self.writer.write_article(
            {name: getattr(item, name) for name in EXPORT_FIELDS}, item.capture
        )
        self.stats.inc_value("newscrawl/warc/articles")
        self.stats.inc_value("newscrawl/warc/files", len(self.writer.paths) - files)
        return item

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.close()
