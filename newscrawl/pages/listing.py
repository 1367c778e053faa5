"""Navigation pages: news listings, RSS/Atom feeds and sitemaps.

Each returns absolute URLs; deciding which of them are articles is ``extract.urls``' job.
"""

from __future__ import annotations

from dataclasses import dataclass
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


class SitemapPage:
    """A sitemap, sitemap index or Google News sitemap."""

    def __init__(self, url: str, body: bytes) -> None:
        self.url = url
        self.root = _xml(body)

    @property
    def is_index(self) -> bool:
        return bool(self.root.xpath("/sitemapindex"))

    def sitemaps(self) -> list[str]:
        """Child sitemap URLs of a sitemap index."""
        return [urljoin(self.url, loc.strip()) for loc in self.root.xpath("/sitemapindex/sitemap/loc/text()").getall()]

    def entries(self) -> list[Entry]:
        """Page URLs of a urlset, with the news publication date or lastmod."""
        found: list[Entry] = []
        for node in self.root.xpath("/urlset/url"):
            loc = (node.xpath("loc/text()").get() or "").strip()
            date = node.xpath("news/publication_date/text()").get() or node.xpath("lastmod/text()").get()
            if loc:
                found.append(Entry(urljoin(self.url, loc), date.strip() if date else None))
        return found
