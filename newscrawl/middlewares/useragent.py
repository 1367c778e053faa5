"""The User-Agent: names newscrawl and the operator's contact address."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Fill ``{contact}`` in USER_AGENT from NEWSCRAWL_CONTACT, so site operators can reach us."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        template = crawler.settings.get("USER_AGENT") or "newscrawl"
        contact = (crawler.settings.get("NEWSCRAWL_CONTACT") or "").strip()
        if "{contact}" in template and not contact:
            raise ValueError("setting NEWSCRAWL_CONTACT is empty: the User-Agent needs a contact address")
        middleware = cls(template.replace("{contact}", contact))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware
