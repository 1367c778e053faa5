"""PersistPipeline: write articles and their revisions to the database in batches.

Batches are written in one transaction each (``NEWSCRAWL_DB_BATCH_SIZE`` items) and the rest is
flushed when the spider closes. A crash loses at most the unflushed batch, which the next crawl
fetches again; it never leaves a half-written article.

In the same transaction, articles whose content is new are fingerprinted and linked to the
article they near-duplicate (``newscrawl.db.neardup``), unless ``NEWSCRAWL_NEARDUP_ENABLED`` is
off; ``NEWSCRAWL_NEARDUP_THRESHOLD`` is the minimum estimated Jaccard similarity of a copy.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import NotConfigured

from newscrawl.db.neardup import DEFAULT_THRESHOLD, link_near_duplicates
from newscrawl.db.session import ensure_schema, make_engine, make_sessionmaker
from newscrawl.db.store import mark_removed, save_articles
from newscrawl.items import EXPORT_FIELDS, Article
from newscrawl.signals import article_gone
from newscrawl.spiders.profile import utc_now_iso

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)


def article_record(item: Article) -> dict[str, Any]:
    """The mapping ``db.store.save_articles`` takes for one item."""
    record = {name: getattr(item, name) for name in EXPORT_FIELDS}
    if item.capture is not None:
        record["capture"] = asdict(item.capture)
    return record


class PersistPipeline:
    """Upsert articles (and new revisions with their raw captures) through SQLAlchemy."""

    def __init__(
        self,
        database_url: str,
        batch_size: int,
        stats: StatsCollector,
        neardup_threshold: float | None = DEFAULT_THRESHOLD,
    ) -> None:
        self.database_url = database_url
        self.batch_size = batch_size
        self.stats = stats
        #: Minimum similarity of a near-duplicate; None turns the near-duplicate index off.
        self.neardup_threshold = neardup_threshold
        self.pending: list[dict[str, Any]] = []
        self.gone: list[dict[str, Any]] = []
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("NEWSCRAWL_DATABASE_URL")
        if not url:
            raise NotConfigured("NEWSCRAWL_DATABASE_URL is empty: articles are not stored")
        batch_size = crawler.settings.getint("NEWSCRAWL_DB_BATCH_SIZE", 200)
        if batch_size < 1:
            raise ValueError(f"NEWSCRAWL_DB_BATCH_SIZE must be at least 1, not {batch_size}")
        threshold: float | None = None
        if crawler.settings.getbool("NEWSCRAWL_NEARDUP_ENABLED", True):
            threshold = crawler.settings.getfloat("NEWSCRAWL_NEARDUP_THRESHOLD", DEFAULT_THRESHOLD)
            if not 0.0 < threshold <= 1.0:
                raise ValueError(f"NEWSCRAWL_NEARDUP_THRESHOLD must be in (0, 1], not {threshold}")
        assert crawler.stats is not None
        pipeline = cls(url, batch_size, crawler.stats, threshold)
        crawler.signals.connect(pipeline.article_gone, signal=article_gone)
        return pipeline

    def open_spider(self) -> None:
        self.engine = make_engine(self.database_url)
        ensure_schema(self.engine)
        self.sessions = make_sessionmaker(self.engine)

    def process_item(self, item: Article) -> Article:
        self.pending.append(article_record(item))
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def article_gone(self, site: str, lang: str, source_id: str, url: str, status: int) -> None:
        """Queue a tombstone for an article the site removed (unknown articles are ignored)."""
        self.gone.append({"site": site, "lang": lang, "source_id": source_id, "status": status, "at": utc_now_iso()})
        if len(self.gone) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        """Write the pending articles and tombstones in one transaction."""
        if not (self.pending or self.gone):
            return
        assert self.sessions is not None
        removed = 0
        links = None
        with self.sessions.begin() as session:
            result = save_articles(session, self.pending)
            if self.neardup_threshold is not None and result.revisions:
                links = link_near_duplicates(
                    session, result.revisions, threshold=self.neardup_threshold
                )
            for gone in self.gone:
                at = datetime.fromisoformat(gone.pop("at"))
                removed += mark_removed(session, **gone, at=at)
        for name in ("new", "changed", "unchanged", "restored"):
            self.stats.inc_value(f"newscrawl/persist/{name}", getattr(result, name))
        if links is not None:
            self.stats.inc_value("newscrawl/neardup/indexed", links.indexed)
            self.stats.inc_value("newscrawl/neardup/linked", links.linked)
        self.stats.inc_value("newscrawl/persist/removed", removed)
        self.stats.inc_value("newscrawl/persist/batches")
        self.pending.clear()
        self.gone.clear()

    def close_spider(self) -> None:
        try:
            self.flush()
        finally:
            if self.engine is not None:
                self.engine.dispose()
