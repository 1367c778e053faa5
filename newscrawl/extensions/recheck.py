"""RecheckKnownArticles: re-request stored articles that the crawl's listings no longer link.

A site that deletes an article drops it from its listings and feeds as well, so a crawl that only
follows links never requests it again and never learns that it is gone. When the spider has
nothing left to do (``spider_idle``, once per crawl, after it has found at least one article),
this extension asks the database for the site's live articles (same site and language, no
tombstone) that the crawl has not requested, and requests them at their canonical URL on the
crawled base URL, least recently seen first, at most ``NEWSCRAWL_RECHECK_MAX`` of them. The
spider handles the responses as usual: an article that answers 404/410 (or redirects to the
home page or a listing) is a gone observation, stored as removal evidence, which makes a
tombstone once a later crawl confirms it (``newscrawl.removal``, ``db.store.record_gone``; an
article with evidence but no tombstone is live, so it is rechecked again); a changed one gets a
new revision, an unchanged one nothing.

The stored articles come from the crawl's database, through the
:class:`~newscrawl.extensions.archive.Archive` extension (``db.queries.live_source_ids``).
On whenever ``NEWSCRAWL_DATABASE_URL`` is set; ``NEWSCRAWL_RECHECK_ENABLED = False`` or
``NEWSCRAWL_RECHECK_MAX = 0`` turns it off, and so does ``NEWSCRAWL_INCREMENTAL`` (an
incremental crawl re-fetches archived articles only in its revisit window, see
``newscrawl.incremental``). Counted in ``newscrawl/recheck/requested``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from sqlalchemy.exc import SQLAlchemyError

from newscrawl.db.errors import DatabaseConfigError
from newscrawl.db.queries import live_source_ids
from newscrawl.db.session import safe_url
from newscrawl.extensions.archive import Archive, storage_url
from newscrawl.spiders.profile import ProfileSpider

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.spiders import Spider

    from newscrawl.profiles import Profile

__all__ = ["DEFAULT_MAX", "RecheckKnownArticles"]

logger = logging.getLogger(__name__)

#: Default of ``NEWSCRAWL_RECHECK_MAX``: requests per crawl.
DEFAULT_MAX = 1000


class RecheckKnownArticles:
    """Request the stored, live articles of the spider's site that the crawl did not reach."""

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.requested: set[str] = set()
        self.done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if storage_url(crawler.settings) is None:
            raise NotConfigured("NEWSCRAWL_DATABASE_URL is empty: no stored articles to recheck")
        if not crawler.settings.getbool("NEWSCRAWL_RECHECK_ENABLED", True):
            raise NotConfigured("NEWSCRAWL_RECHECK_ENABLED is off")
        if crawler.settings.getbool("NEWSCRAWL_INCREMENTAL"):
            # An incremental crawl re-fetches archived articles only in its revisit window.
            raise NotConfigured(
                "NEWSCRAWL_INCREMENTAL is on: archived articles are rechecked only in the "
                "revisit window"
            )
        limit = crawler.settings.getint("NEWSCRAWL_RECHECK_MAX", DEFAULT_MAX)
        if limit < 1:
            raise NotConfigured("NEWSCRAWL_RECHECK_MAX is 0: no rechecks")
        extension = cls(crawler, limit)
        crawler.signals.connect(extension.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        return extension

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        """Remember the articles the crawl requests (the spider puts the id in cb_kwargs)."""
        source_id = request.cb_kwargs.get("source_id")
        if isinstance(source_id, str):
            self.requested.add(source_id)

    def spider_idle(self, spider: Spider) -> None:
        """The first time the crawl runs dry: request the known articles it did not reach.

        Not before the crawl has requested an article: while none was found, the spider may
        still try its other discovery sources (the ``fallback`` strategy), and a site that
        yields no article at all is broken or unreachable, not emptied.
        """
        if self.done or not self.requested or not isinstance(spider, ProfileSpider):
            return
        self.done = True
        scheduled = 0
        for source_id in self._known(spider.profile):
            if scheduled >= self.limit:
                break
            if source_id in self.requested:
                continue
            url = spider.base_url + spider.profile.canonical_path.format(id=source_id)
            request = spider.article_request(url)
            if request is None:
                continue
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(request)
            scheduled += 1
        if scheduled:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("newscrawl/recheck/requested", scheduled)
            logger.info("Rechecking %d stored articles the listings no longer link", scheduled)
            raise DontCloseSpider

    def _known(self, profile: Profile) -> list[str]:
        """Source ids of the site's live stored articles, least recently seen first."""
        archive = self.crawler.get_extension(Archive)
        if archive is None:
            logger.warning("Cannot recheck stored articles: the Archive extension is off")
            return []
        try:
            with archive.sessions() as session:
                return live_source_ids(session, profile.site, profile.lang)
        except DatabaseConfigError as exc:
            logger.warning("Cannot recheck stored articles: %s", exc)
            return []
        except SQLAlchemyError as exc:
            logger.warning("Cannot recheck stored articles in %s: %s", safe_url(archive.url), exc)
            return []
