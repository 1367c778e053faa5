"""Navigation pages: news listings, RSS/Atom feeds and sitemaps.

Each returns absolute URLs; deciding which of them are articles is ``extract.urls``' job.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from newscrawl.extract.text import normalize_text
from newscrawl.profiles.model import Profile


@dataclass(frozen=True, slots=True)
class Entry:
    """A link found on a navigation page, with the date the page gives for it (if any)."""

    url: str
    date_raw: str | None = None


class ListingPage:
    """A page of the site's news listing."""

    def __init__(self, url: str, html: str, profile: Profile) -> None:
        self.url = url
        self.profile = profile
        self.root = Selector(text=html)

    def links(self) -> list[str]:
        """Absolute URLs of the listed items (all links when the profile names no selector)."""
        css = self.profile.discovery.listing_links or "a"
        hrefs = self.root.css(css).xpath("@href").getall()
        return list(dict.fromkeys(urljoin(self.url, href.strip()) for href in hrefs if href.strip()))

    def next_page(self) -> str | None:
        """Absolute URL of the next listing page, if the page links one."""
        css = self.profile.discovery.next_page
        href = self.root.css(css).xpath("@href").get() if css else None
        return urljoin(self.url, href.strip()) if href and href.strip() else None


def _xml(body: bytes) -> Selector:
    root = Selector(body=body, type="xml")
    root.remove_namespaces()
    return root


class FeedPage:
    """An RSS 2.0 or Atom feed."""

    def __init__(self, url: str, body: bytes) -> None:
        self.url = url
        self.root = _xml(body)

    def entries(self) -> list[Entry]:
        found: list[Entry] = []
        for item in self.root.xpath("//item"):
            link = normalize_text(item.xpath("link/text()").get() or "")
            date = item.xpath("pubDate/text()").get()
            if link:
                found.append(Entry(urljoin(self.url, link), normalize_text(date) if date else None))
        for entry in self.root.xpath("//entry"):
            href = entry.xpath("link[not(@rel) or @rel='alternate']/@href").get()
            updated = entry.xpath("published/text()").get() or entry.xpath("updated/text()").get()
            if href:
                found.append(Entry(urljoin(self.url, href.strip()), normalize_text(updated) if updated else None))
        return found


class SitemapError(ValueError):
    """A sitemap that gives no entries; the message says why."""


class SitemapTooLarge(SitemapError):
    """A gzipped sitemap that decompresses past the size limit (a gzip bomb, or just too big)."""


class NotASitemap(SitemapError):
    """A body that is neither a ``<urlset>`` nor a ``<sitemapindex>`` (HTML, garbage, empty)."""


def _is_gzip(body: bytes) -> bool:
    # scrapy.utils.gz.gzip_magic_number does this test but takes a Response; the page object
    # takes bytes.
    return body[:3] == b"\x1f\x8b\x08"


class SitemapPage:
    """A sitemap, sitemap index or Google News sitemap, plain or gzipped.

    Parsed with Scrapy's sitemap utilities (``scrapy.utils.sitemap``, ``scrapy.utils.gz``), as
    ``SitemapSpider`` does: a gzip body (``sitemap.xml.gz`` served as ``application/x-gzip``) is
    decompressed, refusing more than *max_size* bytes (0: no limit) with
    :class:`SitemapTooLarge`; a body that is not a sitemap raises :class:`NotASitemap`. XML
    errors are recovered from (lxml's ``recover``): the entries before a truncation are kept and
    the errors are listed in :attr:`errors`.
    """

    def __init__(self, url: str, body: bytes, *, max_size: int = 0) -> None:
        # Imported here: Scrapy (and Twisted under it) would otherwise load into every process
        # that imports the page objects, the extract worker included, which never reads sitemaps.
        import lxml.etree
        from scrapy.utils.gz import gunzip

        from newscrawl.pages._sitemap import NewsSitemap

        self.url = url
        #: Whether the body was gzip-compressed, and its size as downloaded.
        self.gzipped = _is_gzip(body)
        self.compressed_size = len(body) if self.gzipped else None
        if self.gzipped:
            try:
                body = gunzip(body, max_size=max_size)
            except ValueError as exc:  # scrapy's _DecompressionMaxSizeExceeded is a ValueError
                raise SitemapTooLarge(str(exc)) from exc
            except (OSError, EOFError, struct.error, zlib.error) as exc:
                raise NotASitemap(f"broken gzip data: {exc}") from exc
        #: The size of the XML, after decompression.
        self.size = len(body)
        try:
            sitemap = NewsSitemap(body)
        except (StopIteration, lxml.etree.XMLSyntaxError) as exc:
            raise NotASitemap(f"no XML document ({exc or 'no root element'})") from exc
        if sitemap.type not in ("urlset", "sitemapindex"):
            raise NotASitemap(
                f"the root element is <{sitemap.type}>, not <urlset> or <sitemapindex>"
            )
        self.kind: str = sitemap.type
        self._items = list(sitemap)
        #: The XML errors the parser recovered from (empty for a well-formed sitemap).
        self.errors: tuple[str, ...] = tuple(str(e) for e in sitemap.xmliter.error_log)

    @property
    def is_index(self) -> bool:
        return self.kind == "sitemapindex"

    def _loc(self, item: dict[str, Any]) -> str | None:
        loc = item["loc"].strip()
        return urljoin(self.url, loc) if loc else None

    def sitemaps(self) -> list[str]:
        """Child sitemap URLs of a sitemap index."""
        if not self.is_index:
            return []
        return [loc for item in self._items if (loc := self._loc(item))]

    def entries(self) -> list[Entry]:
        """Page URLs of a urlset, with the news publication date or lastmod."""
        if self.is_index:
            return []
        found: list[Entry] = []
        for item in self._items:
            loc = self._loc(item)
            date = item.get("news", {}).get("publication_date") or item.get("lastmod") or None
            if loc:
                found.append(Entry(loc, date))
        return found
