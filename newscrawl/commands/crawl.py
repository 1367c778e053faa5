"""``scrapy crawl``, with the spider arguments checked before the crawl starts.

Scrapy makes the spider (and so runs its ``__init__``) inside the running crawl: an argument it
refuses there is a traceback and exit 0. Checked here, in the command, a bad ``-a base_url=`` is
Scrapy's usage error instead: ``scrapy: error: argument -a base_url: ...`` in the words of
``newscrawl crawl --base-url``, exit 2.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl.cli._errors import http_url


def check_spider_arguments(spargs: dict[str, str]) -> None:
    """Raise :class:`UsageError` (one line, no help) for a spider argument the spiders refuse."""
    base_url = spargs.get("base_url")
    if base_url:  # empty: the profile's own base URL
        try:
            http_url(base_url)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"argument -a base_url: {exc}", print_help=False) from None


class Command(ScrapyCrawl):
    """Scrapy's ``crawl``; its spider arguments are checked first."""

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        check_spider_arguments(opts.spargs)
        super().run(args, opts)
