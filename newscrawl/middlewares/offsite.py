"""A site is its origins: the same host on another port is not followed.

Scrapy's :class:`~scrapy.downloadermiddlewares.offsite.OffsiteMiddleware` compares host names
(``allowed_domains``), so ``127.0.0.1:8402`` passes for a site on ``127.0.0.1:8401``. This subclass
also requires the request's origin (scheme, host, port) to be one of the spider's ``origins``
(:func:`newscrawl.extract.urls.site_origins`); spiders without ``origins`` keep Scrapy's rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware

from newscrawl.extract.urls import url_origin

if TYPE_CHECKING:
    from scrapy import Request, Spider


def on_site(url: str, spider: Spider | None) -> bool:
    """Whether *url* is on the spider's site by origin (True for a spider without ``origins``)."""
    origins: frozenset[str] | None = getattr(spider, "origins", None)
    return origins is None or url_origin(url) in origins


class OriginOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter, with the port (and scheme) part of the site's identity."""

    def should_follow(self, request: Request, spider: Spider) -> bool:
        return super().should_follow(request, spider) and on_site(request.url, spider)
