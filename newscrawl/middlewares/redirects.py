"""Redirects that lose a page are counted by cause, and logged with the URL.

Scrapy's redirect middlewares follow a redirect off the site (which its offsite filter then drops
without a word), and follow a loop until ``REDIRECT_MAX_TIMES``, dropping the page at debug level.
These subclasses give such a page up at the redirect that loses it:

- ``newscrawl/article/lost/redirect_offsite``: the target is not one of the site's origins
  (another host, or the same host on another port, see :mod:`newscrawl.middlewares.offsite`);
- ``newscrawl/article/lost/redirect_loop``: the target is the page itself or a URL already in its
  redirect chain (ping-pong), or the chain passed ``REDIRECT_MAX_TIMES``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.redirect import (
    MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware,
)
from scrapy.downloadermiddlewares.redirect import (
    RedirectMiddleware as ScrapyRedirectMiddleware,
)
from scrapy.exceptions import IgnoreRequest
from w3lib.url import canonicalize_url

from newscrawl.middlewares.accounting import LOST, REDIRECT_LOOP, REDIRECT_OFFSITE, give_up
from newscrawl.middlewares.offsite import on_site

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class _CountedLosses:
    """The check both redirect middlewares run before Scrapy's ``_redirect`` follows one."""

    crawler: Crawler
    max_redirect_times: int

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        target = redirected.url
        if not on_site(target, self.crawler.spider):
            raise give_up(self.crawler, request, LOST, REDIRECT_OFFSITE, f"redirected ({reason}) to {target}")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if canonicalize_url(target) in {canonicalize_url(url) for url in chain}:
            raise give_up(
                self.crawler, request, LOST, REDIRECT_LOOP, f"redirect loop: {' -> '.join([*chain, target])}"
            )
        try:
            followed: Request = super()._redirect(redirected, request, reason)  # type: ignore[misc]
        except IgnoreRequest as exc:  # Scrapy's "max redirections reached"
            raise give_up(
                self.crawler,
                request,
                LOST,
                REDIRECT_LOOP,
                f"more than REDIRECT_MAX_TIMES ({self.max_redirect_times}) redirects: {' -> '.join([*chain, target])}",
            ) from exc
        return followed


class RedirectMiddleware(_CountedLosses, ScrapyRedirectMiddleware):
    """Scrapy's 3xx redirects, with lost pages counted by cause."""


class MetaRefreshMiddleware(_CountedLosses, ScrapyMetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv=refresh>`` redirects, with lost pages counted by cause."""
