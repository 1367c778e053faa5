"""ProfileSpider: walks a site's listings, feeds and sitemaps to its article pages.

The spider only navigates; the page objects in ``newscrawl.pages`` extract. One subclass per
site profile is made by ``newscrawl.spiderloader``; ``-a base_url=…`` points it at another copy
of the site (the replica) with the same code.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from newscrawl.extract.encoding import decode_html
from newscrawl.extract.urls import article_id, site_hosts, strip_tracking
from newscrawl.items import Article, RawCapture
from newscrawl.pages import ArticlePage, FeedPage, ListingPage, NotAnArticle, SitemapPage
from newscrawl.pages.listing import Entry
from newscrawl.profiles.model import Profile
from newscrawl.signals import article_gone

logger = logging.getLogger(__name__)

ARTICLE_PRIORITY = 10  # finish articles before opening more listing pages: bounded memory
GONE_STATUSES = (404, 410)  # an article that answers these was removed by the site


def utc_now_iso() -> str:
    """The current UTC time as ISO 8601 with a ``Z``, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class ProfileSpider(scrapy.Spider):
    """Crawl one site described by a :class:`~newscrawl.profiles.Profile`."""

    profile: ClassVar[Profile]

    def __init__(self, *args: Any, base_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = (base_url or self.profile.base_url).rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL with a host, not {base_url!r}")
        self.hosts = site_hosts(self.profile, self.base_url)
        self.allowed_domains = sorted(self.hosts)
        self._requested: set[str] = set()
        self._listed: set[str] = set()

    # -- start -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        discovery = self.profile.discovery
        for path in discovery.listings:
            yield Request(self.base_url + path, callback=self.parse_listing, cb_kwargs={"page": 1})
        for path in discovery.feeds:
            yield Request(self.base_url + path, callback=self.parse_feed)
        for path in discovery.sitemaps:
            yield Request(self.base_url + path, callback=self.parse_sitemap)

    # -- navigation --------------------------------------------------------------------------

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"newscrawl/{key}", count)

    def article_request(self, url: str, date_raw: str | None = None) -> Request | None:
        """A request for an article URL, or None if it is not an article or already requested."""
        url = strip_tracking(url)
        source_id = article_id(url, self.profile, self.hosts)
        if source_id is None:
            return None
        if source_id in self._requested:
            self._inc("article/duplicate_link")
            return None
        self._requested.add(source_id)
        self._inc("article/requested")
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            cb_kwargs={"date_raw": date_raw, "source_id": source_id},
            meta={"handle_httpstatus_list": list(GONE_STATUSES)},
        )

    def _follow(self, entries: list[Entry]) -> Iterator[Request]:
        for entry in entries:
            request = self.article_request(entry.url, entry.date_raw)
            if request is not None:
                yield request

    def parse_listing(self, response: Response, page: int) -> Iterator[Request]:
        assert isinstance(response, TextResponse)
        self._inc("listing/pages")
        listing = ListingPage(response.url, response.text, self.profile)
        links = [link for link in listing.links() if article_id(link, self.profile, self.hosts)]
        keys = {article_id(link, self.profile, self.hosts) for link in links}
        fresh = keys - self._listed
        self._listed |= keys  # type: ignore[arg-type]
        yield from self._follow([Entry(link) for link in links])
        if not fresh:
            # An empty page, or one holding only items this listing already showed
            # (the listing shifted under us): the end of the listing.
            logger.info("Listing ends at %s (no new items)", response.url)
            return
        limit = self.profile.discovery.max_listing_pages
        next_url = listing.next_page()
        if next_url and (limit is None or page < limit):
            yield Request(next_url, callback=self.parse_listing, cb_kwargs={"page": page + 1})

    def parse_feed(self, response: Response) -> Iterator[Request]:
        entries = FeedPage(response.url, response.body).entries()
        self._inc("feed/entries", len(entries))
        yield from self._follow(entries)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        sitemap = SitemapPage(response.url, response.body)
        if sitemap.is_index:
            for url in sitemap.sitemaps():
                yield Request(url, callback=self.parse_sitemap)
            return
        entries = sitemap.entries()
        self._inc("sitemap/entries", len(entries))
        yield from self._follow(entries)

    # -- articles ----------------------------------------------------------------------------

    def parse_article(self, response: Response, source_id: str, date_raw: str | None = None) -> Iterator[Article]:
        if response.status in GONE_STATUSES:
            self._gone(response, source_id)
            return
        content_type = response.headers.get("Content-Type")
        encoding, html = decode_html(response.body, content_type.decode("latin-1") if content_type else None)
        page = ArticlePage(response.url, html, self.profile, self.base_url)
        try:
            item = page.to_item(fetched_at=utc_now_iso())
        except NotAnArticle as exc:
            self._inc("extract/not_article")
            logger.warning("Not an article: %s (%s)", response.url, exc)
            return
        except Exception:
            self._inc("extract/failed")
            logger.exception("Extraction failed: %s", response.url)
            return
        if page.lang_mismatch():
            self._inc("lang/mismatch")
            logger.warning("Page language %r differs from profile language %r: %s", page.page_lang, self.profile.lang, response.url)
        if item.published_raw is None and date_raw:
            item.published_raw = date_raw
            self._inc("dates/from_feed")
        item.capture = RawCapture(
            url=response.url,
            status=response.status,
            headers={k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()},
            body=response.body,
            encoding=encoding,
        )
        self._inc("article/extracted")
        yield item

    def _gone(self, response: Response, source_id: str) -> None:
        """The site removed the article: nothing is extracted; a known one gets a tombstone."""
        self._inc(f"article/http_error/{response.status}")
        logger.warning("Article answered HTTP %s: %s", response.status, response.url)
        self.crawler.signals.send_catch_log(
            article_gone,
            site=self.profile.site,
            lang=self.profile.lang,
            source_id=source_id,
            url=response.url,
            status=response.status,
        )

    def article_failed(self, failure: Failure) -> None:
        """Count and log an article that could not be fetched; nothing is stored for it."""
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        if response is not None:
            self._inc(f"article/http_error/{response.status}")
            logger.warning("Article answered HTTP %s: %s", response.status, request.url)
        else:
            self._inc(f"article/error/{failure.type.__name__ if failure.type else 'unknown'}")
            logger.warning("Article fetch failed: %s (%s)", request.url, failure.getErrorMessage())
