"""Page objects: turn (url, html) into fields. No Scrapy, no database, no network."""

from newscrawl.pages.article import ArticlePage, NotAnArticle
from newscrawl.pages.listing import FeedPage, ListingPage, SitemapPage

__all__ = ["ArticlePage", "FeedPage", "ListingPage", "NotAnArticle", "SitemapPage"]
