"""ExtractPipeline: an article response in, a cleaned, dated and hashed Article out.

The first pipeline. The spider yields an :class:`~newscrawl.items.ArticleResponse` per article
page; this stage runs :func:`~newscrawl.pages.extraction.extract_article` on it (in extract worker
processes with ``NEWSCRAWL_EXTRACT_PROCESSES`` > 0, else here), which extracts the article and
runs the clean and date steps and the content hash, so that all of that CPU work is done in the
worker. The workers start after the crawl's first ``NEWSCRAWL_WORKERS_START_AFTER`` articles,
which are extracted here (``newscrawl.workers.workers_start_after``: a small crawl spawns none).
This stage counts and logs every outcome the extraction reports, with the page's URL:

- run health: ``fields/checked``, ``fields/missing/<name>``;
- layouts: ``layout/read/<layout>`` (the layout that read the page's title and body), else
  ``layout/failed/<layout>/<field>`` for each field each layout tried missed, and
  ``layout/fallback_generic`` when generic extraction read the page instead (kept, with a
  warning naming the layouts' failures);
- ``extract/not_article`` (dropped), ``extract/failed`` (an exception; dropped);
- ``lang/mismatch`` (kept, with a warning), ``dates/from_feed``, ``article/extracted``;
- ``clean/dropped/<reason>`` (dropped) or ``clean/ok``;
- ``dates/<status>``: ``missing`` and ``unparsed`` are kept, with a warning;
- generic extraction: ``dates/found_by/<evidence>`` (``extract.datefinder``'s, or ``htmldate``),
  ``dates/conflict`` (its candidates disagreed: kept without a date, with a warning);
- ``encoding/detected`` (a page that declared no charset, decoded with the detected one);
- ``encoding/replacement_chars`` (U+FFFD characters in a kept article's title, lead and body) and
  ``encoding/pages_with_replacement_chars``: kept, with a warning naming the encoding.

It returns the Article with its raw capture (the response's body, which stays in this process).

Extraction is awaited here rather than in the spider's callback on purpose: while a callback
awaits, Scrapy keeps ``CONCURRENT_ITEMS`` tasks waiting for that response's output (Scrapy's default: 100),
and with a few hundred responses waiting for a worker the cyclic GC spent more time walking those
tasks than the worker saved (bench/RESULTS.md). An item waiting in a pipeline holds one task.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import DropItem

from newscrawl import stats as keys
from newscrawl.extract.article import DateStatus
from newscrawl.items import Article, ArticleResponse, RawCapture
from newscrawl.pages.extraction import (
    PageExtraction,
    extract_article,
    extract_in_worker,
    init_worker,
)
from newscrawl.pipelines import ProfileStage
from newscrawl.workers import (
    DEFAULT_START_AFTER,
    WorkerPool,
    require_asyncio_reactor,
    worker_niceness,
    workers_start_after,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class ExtractPipeline(ProfileStage):
    """Turn ArticleResponse items into Articles; other items pass through."""

    def __init__(
        self,
        crawler: Crawler,
        stats: StatsCollector,
        processes: int = 1,
        niceness: int = 0,
        start_after: int = DEFAULT_START_AFTER,
    ) -> None:
        super().__init__(crawler, stats)
        self.processes = processes
        self.niceness = niceness
        #: Article responses extracted here before the worker processes start
        #: (NEWSCRAWL_WORKERS_START_AFTER; 0: the workers start when the spider opens).
        self.start_after = start_after
        self.responses = 0
        self.pool: WorkerPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        processes = crawler.settings.getint("NEWSCRAWL_EXTRACT_PROCESSES", 1)
        if processes < 0:
            raise ValueError(
                f"setting NEWSCRAWL_EXTRACT_PROCESSES must be 0 or more, not {processes}"
            )
        niceness = worker_niceness(crawler.settings)
        start_after = workers_start_after(crawler.settings)
        if processes:
            require_asyncio_reactor("NEWSCRAWL_EXTRACT_PROCESSES")
        assert crawler.stats is not None
        return cls(crawler, crawler.stats, processes, niceness, start_after)

    @property
    def base_url(self) -> str:
        """The site's base URL this crawl uses (the spider's ``-a base_url``, else the profile's)."""
        return str(getattr(self.crawler.spider, "base_url", None) or self.profile.base_url)

    def open_spider(self) -> None:
        if self.start_after == 0:
            self._start_workers()

    def _start_workers(self) -> None:
        if self.processes and self.pool is None:
            self.pool = WorkerPool(
                "extract",
                self.processes,
                init_worker,
                (self.profile, self.base_url),
                niceness=self.niceness,
            )

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleResponse):
            return item
        try:
            found = await self._extract(item)
        except Exception:
            self._inc(keys.EXTRACT_FAILED)
            logger.exception("Extraction failed: %s", item.url)
            raise DropItem(f"extraction failed: {item.url}") from None
        return self._article(item, found)

    async def _extract(self, response: ArticleResponse) -> PageExtraction:
        args = (
            response.url,
            response.body,
            response.content_type,
            response.fetched_at,
            response.date_raw,
        )
        self.responses += 1
        if self.responses > self.start_after:
            self._start_workers()
        if self.pool is None:
            return extract_article(self.profile, self.base_url, *args)
        return await self.pool.run(extract_in_worker, *args)

    def _article(self, response: ArticleResponse, found: PageExtraction) -> Article:
        # Run health: the page, and each of title, body and date its HTML lacks.
        self._inc(keys.FIELDS_CHECKED)
        for name in found.missing:
            self._inc(keys.FIELDS_MISSING.key(name))
        if found.encoding_detected:
            self._inc(keys.ENCODING_DETECTED)
        self._count_layout(response, found)
        if found.not_article is not None:
            self._inc(keys.EXTRACT_NOT_ARTICLE)
            logger.warning("Not an article: %s (%s)", response.url, found.not_article)
            raise DropItem(f"not an article: {response.url}")
        if found.lang_mismatch:
            self._inc(keys.LANG_MISMATCH)
            logger.warning(
                "Page language %r differs from profile language %r: %s",
                found.page_lang,
                self.profile.lang,
                response.url,
            )
        if found.date_from_feed:
            self._inc(keys.DATES_FROM_FEED)
        self._inc(keys.ARTICLE_EXTRACTED)
        if found.dropped is not None:
            # Scrapy logs the DropItem message (with the URL) at WARNING level.
            self._inc(keys.CLEAN_DROPPED.key(found.dropped))
            raise DropItem(f"{found.dropped}: {response.url}")
        self._inc(keys.CLEAN_OK)
        item = found.item
        assert item is not None  # extract_article returns an item unless it says why not
        if found.date_evidence is not None:
            self._inc(keys.DATES_FOUND_BY.key(found.date_evidence))
        if found.date_conflict:
            self._inc(keys.DATES_CONFLICT)
            logger.warning(
                "Dates on article %s disagree with the date its header shows; stored without one",
                response.url,
            )
        status = found.date_status
        if status is not None:
            self._inc(keys.DATES.key(status))
            if status is DateStatus.MISSING:
                logger.warning("No date on article %s; stored without one", response.url)
            elif status is DateStatus.UNPARSED:
                logger.warning(
                    "Unreadable date %r on article %s; stored without one",
                    item.published_raw,
                    response.url,
                )
        if found.replacement_chars:
            self._inc(keys.ENCODING_REPLACEMENT_CHARS, found.replacement_chars)
            self._inc(keys.ENCODING_PAGES_WITH_REPLACEMENT_CHARS)
            logger.warning(
                "%d replacement characters (U+FFFD) in article %s decoded as %s; stored with them",
                found.replacement_chars,
                response.url,
                found.encoding,
            )
        item.capture = RawCapture(
            url=response.url,
            status=response.status,
            headers=response.headers,
            body=response.body,
            encoding=found.encoding,
        )
        return item

    def _count_layout(self, response: ArticleResponse, found: PageExtraction) -> None:
        for layout, name in found.layout_failures:
            self._inc(keys.LAYOUT_FAILED.key(f"{layout}/{name}"))
        if found.fallback_generic:
            self._inc(keys.LAYOUT_FALLBACK_GENERIC)
            failed = ", ".join(f"{layout} {name}" for layout, name in found.layout_failures)
            logger.warning(
                "No layout of profile %s read %s (missing: %s); read by generic extraction",
                self.profile.name,
                response.url,
                failed or "no layout valid at its fetch time",
            )
        elif found.layout is not None:
            self._inc(keys.LAYOUT_READ.key(found.layout))

    def _inc(self, key: str, count: int = 1) -> None:
        self.stats.inc_value(key, count)
