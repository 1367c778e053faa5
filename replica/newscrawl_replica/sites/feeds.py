"""XML documents of the replica sites: RSS 2.0, sitemap indexes, sitemaps and Google News sitemaps."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import NamedTuple


class FeedItem(NamedTuple):
    """One RSS item; ``pub_date`` is RFC 822 or None (the item then has no pubDate)."""

    title: str
    link: str
    description: str
    pub_date: str | None
    guid: str


class UrlEntry(NamedTuple):
    """One sitemap ``<url>``; ``news`` is (publication name, language, W3C date, title) or None."""

    loc: str
    lastmod: str | None
    news: tuple[str, str, str, str] | None = None


def rss(title: str, link: str, description: str, lang: str, items: Iterable[FeedItem]) -> str:
    """An RSS 2.0 channel."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        f"<description>{escape(description)}</description><language>{lang}</language>\n",
    ]
    for it in items:
        pub = f"<pubDate>{it.pub_date}</pubDate>" if it.pub_date else ""
        parts.append(
            f"<item><title>{escape(it.title)}</title><link>{escape(it.link)}</link>"
            f"<description>{escape(it.description)}</description>{pub}"
            f'<guid isPermaLink="false">{escape(it.guid)}</guid></item>\n'
        )
    parts.append("</channel></rss>\n")
    return "".join(parts)


def sitemap_index(entries: Iterable[tuple[str, str | None]]) -> str:
    """A sitemap index of (loc, lastmod) pairs."""
    parts = [
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        )
    ]
    for loc, lastmod in entries:
        mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        parts.append(f"<sitemap><loc>{escape(loc)}</loc>{mod}</sitemap>\n")
    parts.append("</sitemapindex>\n")
    return "".join(parts)


def urlset(entries: Iterable[UrlEntry], news: bool = False) -> str:
    """A sitemap; with ``news`` it declares the Google News namespace and writes ``<news:news>``."""
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    parts = [
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>\n'
        )
    ]
    for e in entries:
        mod = f"<lastmod>{e.lastmod}</lastmod>" if e.lastmod else ""
        extra = ""
        if e.news is not None:
            name, lang, published, title = e.news
            extra = (
                f"<news:news><news:publication><news:name>{escape(name)}</news:name>"
                f"<news:language>{lang}</news:language></news:publication>"
                f"<news:publication_date>{published}</news:publication_date>"
                f"<news:title>{escape(title)}</news:title></news:news>"
            )
        parts.append(f"<url><loc>{escape(e.loc)}</loc>{mod}{extra}</url>\n")
    parts.append("</urlset>\n")
    return "".join(parts)
