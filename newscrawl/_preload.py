"""Imported by the crawl fork server (:mod:`newscrawl.forkserver`): a crawl's modules, once.

What a crawl imports: Scrapy's command line and crawler, the component classes named in Scrapy's
default settings and in ``newscrawl.settings`` (middlewares, pipelines, extensions, download
handlers, exporters), the spider, the extraction and database code, and their libraries. Not
Twisted's reactor: Scrapy installs the one ``TWISTED_REACTOR`` names, in each child, and a
reactor imported here would be the default one (:func:`check`). ``newscrawl.settings`` is read
for the names and then forgotten, since it reads the environment when imported.

Then :func:`gc.freeze` moves everything imported into the collector's permanent generation, so
that collections in the children leave those objects (and so the pages they share with the
server) untouched.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

__all__ = ["check", "component_modules", "preload"]

#: Imported whatever the settings name.
MODULES = (
    "scrapy.cmdline",
    "scrapy.commands.crawl",
    "scrapy.crawler",
    "scrapy.core.engine",
    "scrapy.core.scraper",
    "scrapy.http",
    "scrapy.selector",
    "twisted.internet.asyncioreactor",
    "lxml.html",
    "trafilatura",
    "htmldate",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.dialects.sqlite",
    "alembic.command",
    "newscrawl.spiders.profile",
    "newscrawl.spiderloader",
    "newscrawl.pages.extraction",
    "newscrawl.db.writer",
    "newscrawl.db.migrate",
    "newscrawl.workers",
)

#: Settings whose keys or values are dotted paths of classes.
COMPONENT_SETTINGS = (
    "DOWNLOADER_MIDDLEWARES_BASE",
    "DOWNLOADER_MIDDLEWARES",
    "SPIDER_MIDDLEWARES_BASE",
    "SPIDER_MIDDLEWARES",
    "EXTENSIONS_BASE",
    "EXTENSIONS",
    "ITEM_PIPELINES_BASE",
    "ITEM_PIPELINES",
    "DOWNLOAD_HANDLERS_BASE",
    "FEED_EXPORTERS_BASE",
    "FEED_STORAGES_BASE",
    "SCHEDULER",
    "SCHEDULER_PRIORITY_QUEUE",
    "SCHEDULER_DISK_QUEUE",
    "SCHEDULER_MEMORY_QUEUE",
    "DUPEFILTER_CLASS",
    "STATS_CLASS",
    "LOG_FORMATTER",
    "REQUEST_FINGERPRINTER_CLASS",
    "DOWNLOADER",
    "ITEM_PROCESSOR",
    "SPIDER_LOADER_CLASS",
    "DNS_RESOLVER",
)


def _paths(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _paths(key)
            yield from _paths(item)


def component_modules(settings: Iterable[Any]) -> list[str]:
    """The modules of the classes that the settings modules *settings* name."""
    modules: set[str] = set()
    for module in settings:
        for name in COMPONENT_SETTINGS:
            for path in _paths(getattr(module, name, None)):
                if "." in path and " " not in path:
                    modules.add(path.rpartition(".")[0])
    return sorted(modules)


def check() -> None:
    """Raise if the imports did what a fork server must not: a reactor, or a thread."""
    if "twisted.internet.reactor" in sys.modules:
        raise RuntimeError("newscrawl._preload imported twisted.internet.reactor")
    if threading.active_count() != 1:
        raise RuntimeError(f"newscrawl._preload left threads: {threading.enumerate()}")


def preload() -> None:
    from scrapy.settings import default_settings

    ours = importlib.import_module("newscrawl.settings")
    try:
        names = [*MODULES, *component_modules([default_settings, ours])]
    finally:
        del sys.modules["newscrawl.settings"]
    for name in names:
        # an optional component whose library is not installed (e.g. botocore for S3) stays out
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    check()
    # The server outlives a SIGTERM to its process group (systemd stopping a unit, ``kill -TERM
    # -PGID``), as it outlives a Ctrl-C (multiprocessing ignores SIGINT in it): its crawls are
    # waited for through it, so it must stay until they have stopped. It ends with its parent
    # all the same. Each child takes SIGTERM back (newscrawl.forkserver._crawl).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    gc.freeze()


preload()
