"""A test double: holds a crawl in ``spider_opened`` until a file exists (``TEST_STARTUP_GATE``).

Connected after the run recorder (order 990 in ``EXTENSIONS``), so the run is recorded and the
site lock held while it waits: the crawl is caught in its start-up, where the tests signal it.
It writes ``<gate>.waiting`` when it starts waiting, and checks for the gate every 50 ms on the
reactor (``spider_opened`` may return a Deferred, which Scrapy waits for).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import call_later
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

#: ``EXTENSIONS`` order: after newscrawl.extensions.runs.RunRecorder (800).
ORDER = 990


def waiting_marker(gate: Path) -> Path:
    """The file the gate's crawl writes when it starts waiting."""
    return gate.with_name(gate.name + ".waiting")


class StartupGate:
    def __init__(self, gate: Path) -> None:
        self.gate = gate

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        path = crawler.settings.get("TEST_STARTUP_GATE")
        if not path:
            raise NotConfigured("TEST_STARTUP_GATE is not set")
        extension = cls(Path(path))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Spider) -> Deferred[None]:
        opened: Deferred[None] = Deferred()

        def check() -> None:
            if self.gate.exists():
                opened.callback(None)
            else:
                call_later(0.05, check)

        waiting_marker(self.gate).touch()
        check()
        return opened
