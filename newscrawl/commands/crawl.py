"""``scrapy crawl`` for newscrawl: Scrapy's command, with exit code 75 when the site lock refused the crawl.

Scrapy's ``crawl`` exits 0 whenever the crawler started, however the crawl ended. A crawl that
another run's site lock refused (close reason ``locked``) or that lost its lock while it ran
(``lock_lost``, see :mod:`newscrawl.extensions.runs`) fetched nothing or stopped early, and a
scheduler should try again later: this command exits ``75`` (``EX_TEMPFAIL``) for both, as
``newscrawl crawl`` does. Everything else is Scrapy's command (``COMMANDS_MODULE`` in
``newscrawl.settings`` puts it in its place).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.extensions.runs import EXIT_LOCKED, LOCK_REASONS

if TYPE_CHECKING:
    import argparse

__all__ = ["Command"]


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats is not None and crawler.stats.get_value("finish_reason") in LOCK_REASONS:
            self.exitcode = EXIT_LOCKED
