"""Archive: the one owner of a crawl's database.

On whenever ``NEWSCRAWL_DATABASE_URL`` is set (an empty value turns storage off: the extension
raises ``NotConfigured``, and so do the components that need it). For one crawl it

1. makes the crawl's engine and sessionmaker (through :mod:`newscrawl.db.session`, the one place
   engines are made) and upgrades the schema, once: at the first use, which is the persist
   pipeline's ``open_spider`` (pipelines open before ``spider_opened``) or else its own
   ``spider_opened`` handler;
2. serves the others: :attr:`Archive.sessions` for the components in the crawl's process, which
   query through :mod:`newscrawl.db.queries` and :mod:`newscrawl.db.runs`, and
   :meth:`Archive.target` for a writer process, which cannot share an engine object and makes
   its own from the URL, without migrating;
3. disposes of the engine when the spider closes, after every other ``spider_closed`` handler
   (the run recorder writes the run's final record there): it connects its handler in its own
   ``spider_opened``, after every extension connected theirs in ``from_crawler``.

The components find it with ``crawler.get_extension(Archive)``, which Scrapy allows once the
extension manager is built: in a pipeline's or middleware's ``from_crawler``, in an extension's
signal handlers (not in its ``from_crawler``), and in the spider's ``start()`` (the spider is
made before the extensions). In their ``from_crawler``, extensions ask :func:`storage_url` whether
storage is on. In ``EXTENSIONS`` the Archive has the lowest number, so that it is built first and
its ``spider_opened`` handler runs first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.db.session import (
    DatabaseTarget,
    ensure_schema,
    make_engine,
    make_sessionmaker,
    safe_url,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.spiders import Spider
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Archive", "storage_url"]

logger = logging.getLogger(__name__)


def storage_url(settings: BaseSettings) -> str | None:
    """The crawl's database URL, or None when storage is off (``NEWSCRAWL_DATABASE_URL`` empty)."""
    url = settings.get("NEWSCRAWL_DATABASE_URL")
    return (str(url).strip() or None) if url else None


class Archive:
    """The database of one crawl (see the module docstring)."""

    def __init__(self, crawler: Crawler, url: str) -> None:
        self.crawler = crawler
        self.url = url
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        #: Why the database could not be opened; raised again, not retried, by later uses.
        self._error: Exception | None = None
        self._closed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = storage_url(crawler.settings)
        if url is None:
            raise NotConfigured("NEWSCRAWL_DATABASE_URL is empty: nothing is stored")
        archive = cls(crawler, url)
        crawler.signals.connect(archive.spider_opened, signal=signals.spider_opened)
        return archive

    def open(self) -> None:
        """Make the engine and upgrade the schema, the first time only (later calls do nothing)."""
        if self._closed:
            raise RuntimeError("the crawl's database is closed (the spider closed)")
        if self._error is not None:
            raise self._error
        if self._sessions is not None:
            return
        try:
            engine = make_engine(self.url)
            try:
                ensure_schema(engine)
            except BaseException:
                engine.dispose()
                raise
        except Exception as exc:
            self._error = exc
            raise
        self._engine = engine
        self._sessions = make_sessionmaker(engine)
        logger.debug("Archive: %s, schema current", safe_url(self.url))

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The crawl's sessionmaker, on an upgraded schema (opens the database on first use)."""
        self.open()
        assert self._sessions is not None
        return self._sessions

    @property
    def engine(self) -> Engine:
        """The crawl's engine (opens the database on first use)."""
        self.open()
        assert self._engine is not None
        return self._engine

    def target(self) -> DatabaseTarget:
        """How a worker process opens this database: the URL, with the schema already current."""
        self.open()
        return DatabaseTarget(self.url, schema_current=True)

    def spider_opened(self, spider: Spider) -> None:
        # Connected now, after every extension connected its own handler in from_crawler, so
        # that it runs last when the spider closes.
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        self.open()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.close()

    def close(self) -> None:
        """Dispose of the engine; the database can't be used after this."""
        self._closed = True
        engine, self._engine, self._sessions = self._engine, None, None
        if engine is not None:
            engine.dispose()
