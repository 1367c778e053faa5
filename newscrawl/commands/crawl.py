"""``scrapy crawl`` for newscrawl: the spider arguments checked first, and exit 75 when locked out.

- Scrapy makes the spider (and so runs its ``__init__``) inside the running crawl: an argument it
  refuses there is a traceback and exit 0. Checked here, in the command, a bad ``-a base_url=`` is
  Scrapy's usage error instead: ``scrapy: error: argument -a base_url: ...`` in the words of
  ``newscrawl crawl --base-url``, exit 2.
- Scrapy's ``crawl`` exits 0 whenever the crawler started, however the crawl ended. A crawl that
  another run's site lock refused (close reason ``locked``) or that lost its lock while it ran
  (``lock_lost``, see :mod:`newscrawl.extensions.runs`) fetched nothing or stopped early, and a
  scheduler should try again later: this command exits ``75`` (``EX_TEMPFAIL``) for both, as
  ``newscrawl crawl`` does.

Everything else is Scrapy's command (``COMMANDS_MODULE`` in ``newscrawl.settings`` puts it in its
place).
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from newscrawl.cli._errors import http_url
from newscrawl.health.outcome import EXIT_LOCKED, LOCK_REASONS

__all__ = ["Command", "check_spider_arguments"]


def check_spider_arguments(spargs: dict[str, str]) -> None:
    """Raise :class:`UsageError` (one line, no help) for a spider argument the spiders refuse."""
    base_url = spargs.get("base_url")
    if base_url:  # empty: the profile's own base URL
        try:
            http_url(base_url)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"argument -a base_url: {exc}", print_help=False) from None


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl``: spider arguments checked first, exit 75 for a lock refusal."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        check_spider_arguments(opts.spargs)
        assert self.crawler_process
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        elif crawler.stats is not None and crawler.stats.get_value("finish_reason") in LOCK_REASONS:
            self.exitcode = EXIT_LOCKED
