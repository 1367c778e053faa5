"""Scrapy's sitemap reader with the Google News fields kept (used by ``listing.SitemapPage``).

A module of its own so that importing the page objects does not import Scrapy.
"""

from __future__ import annotations

from typing import Any

import lxml.etree
from scrapy.utils.sitemap import Sitemap

GOOGLE_NEWS_FIELDS = ("publication_date", "title")  # what a <news:news> element gives us


class NewsSitemap(Sitemap):
    """Scrapy's sitemap reader, keeping the Google News fields.

    Scrapy's :class:`~scrapy.utils.sitemap.Sitemap` turns every child of ``<url>`` into one
    string, so ``<news:news>``, whose data sit in grandchildren, becomes ``"news": ""``. This
    reads ``publication_date`` and ``title`` out of it first (children are matched by local
    name, as Scrapy does, so a wrong namespace URI is forgiven) and puts them under ``"news"``.
    """

    __slots__ = ()

    def _process_sitemap_element(self, elem: lxml.etree._Element) -> dict[str, Any] | None:
        news: dict[str, str] = {}
        for child in elem:
            if self._get_tag_name(child) == "news":
                for node in child.iter():
                    name = self._get_tag_name(node)
                    if name in GOOGLE_NEWS_FIELDS and node.text and node.text.strip():
                        news.setdefault(name, node.text.strip())
        found = super()._process_sitemap_element(elem)
        if found is not None:
            found.pop("news", None)
            if news:
                found["news"] = news
        return found
