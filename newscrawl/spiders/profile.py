"""ProfileSpider: walks a site's listings, feeds and sitemaps to its article pages.

The spider only navigates; the page objects in ``newscrawl.pages`` extract. One subclass per
site profile is made by ``newscrawl.spiderloader``; ``-a base_url=…`` points it at another copy
of the site (the replica) with the same code.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DontCloseSpider,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
)
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.internet import error as net_error
from twisted.python.failure import Failure

from newscrawl import stats as stats_keys
from newscrawl.clock import utc_now_iso
from newscrawl.extensions.archive import Archive
from newscrawl.extract.urls import article_id, site_hosts, site_origins, strip_tracking
from newscrawl.incremental import IncrementalState
from newscrawl.items import ArticleResponse
from newscrawl.middlewares import RequestGivenUp
from newscrawl.pages import FeedPage, ListingPage, SitemapPage
from newscrawl.pages.listing import Entry, NotASitemap, SitemapTooLarge
from newscrawl.profiles.model import Profile
from newscrawl.removal import (
    GONE_STATUSES,
    GoneObservation,
    GoneReason,
    is_challenge,
    redirect_reason,
    status_reason,
)
from newscrawl.signals import article_gone

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

ARTICLE_PRIORITY = 10  # finish articles before opening more listing pages: bounded memory
NOT_MODIFIED = 304  # the answer to a conditional re-fetch of an unchanged article


#: At most this many distinct source failure messages are kept in the stats.
MAX_SOURCE_ERRORS = 10


def source_failure(failure: Failure, url: str) -> tuple[str, str]:
    """Why fetching *url* failed: the ``newscrawl/source/failed/`` member and a message naming the
    cause (``HTTP 404 on /en/news``, ``DNS lookup failed for nosuch.invalid`` ...)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    error = failure.value
    response = getattr(error, "response", None)
    if isinstance(error, HttpError) and response is not None:
        return f"http_{response.status}", f"HTTP {response.status} on {path}"
    if isinstance(error, CannotResolveHostError | net_error.DNSLookupError):
        return "dns", f"DNS lookup failed for {parts.hostname}"
    if isinstance(error, DownloadConnectionRefusedError | net_error.ConnectionRefusedError):
        return "connection_refused", f"connection refused by {parts.netloc}"
    if isinstance(
        error, DownloadTimeoutError | net_error.TimeoutError | net_error.TCPTimedOutError
    ):
        return "timeout", f"timed out fetching {path} from {parts.netloc}"
    if isinstance(error, RequestGivenUp):
        return error.cause, f"{error.kind} ({error.cause}) on {path}"
    name = type(error).__name__
    return name, f"{name} on {path}: {failure.getErrorMessage()}"


def freeze_startup_objects() -> None:
    """Collect once, then move every object alive now to the GC's permanent generation.

    By the time the spider starts, the process holds well over a hundred thousand long-lived
    objects (Scrapy, Twisted, SQLAlchemy, numpy, the profiles, the database engine). Each full
    collection of the cyclic GC walks all of them, and the crawl's churn of responses, trees and
    items triggers one every hundred pages or so: on a 3,000-article replica crawl the collector
    took about a quarter of the crawl's CPU, and the freeze cut its time by three quarters. Frozen
    objects are never walked again (nor freed: only startup objects are frozen, and they live as
    long as the process). ``NEWSCRAWL_GC_FREEZE = False`` turns it off.
    """
    gc.collect()
    gc.freeze()


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
        # scheme + host + port: the same host on another port is another site
        self.origins = site_origins(self.profile, self.base_url)
        self._requested: set[str] = set()
        self._listed: set[str] = set()
        self._known_listed = 0
        self.incremental: IncrementalState | None = None
        # With the "fallback" strategy, the sources not tried yet, in order.
        self._fallbacks = self.profile.discovery.sources()

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The profile's ``max_page_size`` becomes the crawl's ``DOWNLOAD_MAXSIZE``.

        Set at "spider" priority, as ``custom_settings`` would be (Scrapy deprecates the
        ``download_maxsize`` spider attribute): it replaces the project default, and ``-s
        DOWNLOAD_MAXSIZE=…`` on the command line still overrides it. Every reader of the setting
        follows: the HTTP handler (declared and streamed sizes), ``HttpCompressionMiddleware``
        (inflated size), gzipped sitemaps and newscrawl's ``too_large`` accounting.
        """
        super().update_settings(settings)
        profile: Profile | None = getattr(cls, "profile", None)
        if profile is not None and profile.max_page_size is not None:
            settings.set("DOWNLOAD_MAXSIZE", profile.max_page_size, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    # -- start -------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        if self.crawler.settings.getbool("NEWSCRAWL_GC_FREEZE", True):
            freeze_startup_objects()
        settings = self.crawler.settings
        # The spider is made before the extensions: the Archive (the crawl's database, None when
        # storage is off) can be looked up here, not in from_crawler.
        incremental = settings.getbool("NEWSCRAWL_INCREMENTAL")
        archive = self.crawler.get_extension(Archive) if incremental else None
        if archive is not None:
            revisit = timedelta(days=settings.getfloat("NEWSCRAWL_REVISIT_DAYS", 14))
            self.incremental = IncrementalState.load(
                archive.sessions, self.profile.site, self.profile.lang, revisit
            )
            logger.info(
                "Incremental crawl: %d articles already archived", len(self.incremental.known)
            )
        if self.profile.discovery.strategy == "fallback":
            for request in self._next_source():
                yield request
            return
        for kind, paths in self.profile.discovery.sources():
            for request in self._source_requests(kind, paths):
                yield request

    def _source_requests(self, kind: str, paths: tuple[str, ...]) -> list[Request]:
        callbacks: dict[str, Any] = {
            "listing": self.parse_listing,
            "feed": self.parse_feed,
            "sitemap": self.parse_sitemap,
        }
        kwargs = {"page": 1} if kind == "listing" else {}
        self._inc(stats_keys.SOURCE_REQUESTED, len(paths))
        return [
            Request(
                self.base_url + path,
                callback=callbacks[kind],
                errback=self.source_failed,
                cb_kwargs=kwargs,
            )
            for path in paths
        ]

    def source_failed(self, failure: Failure) -> None:
        """Count and log a listing, feed or sitemap that could not be fetched (the run health
        check fails a run whose every source failed, and names why)."""
        request = failure.request  # type: ignore[attr-defined]
        cause, message = source_failure(failure, request.url)
        self._inc(stats_keys.SOURCE_FAILED.key(cause))
        assert self.crawler.stats is not None
        errors = list(self.crawler.stats.get_value(stats_keys.SOURCE_ERRORS) or [])
        if message not in errors and len(errors) < MAX_SOURCE_ERRORS:
            self.crawler.stats.set_value(stats_keys.SOURCE_ERRORS, [*errors, message])
        logger.error("Source failed: %s (%s)", message, request.url)

    def _next_source(self) -> list[Request]:
        """Requests of the next fallback source, or none when every source was tried."""
        if not self._fallbacks:
            return []
        kind, paths = self._fallbacks.pop(0)
        logger.info("Discovering articles through the %s source(s): %s", kind, ", ".join(paths))
        self._inc(stats_keys.DISCOVERY.key(kind))
        return self._source_requests(kind, paths)

    def spider_idle(self) -> None:
        """With the fallback strategy, try the next source while none found an article."""
        if self.profile.discovery.strategy != "fallback" or self._requested:
            return
        requests = self._next_source()
        if not requests:
            return
        assert self.crawler.engine is not None
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    # -- navigation --------------------------------------------------------------------------

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key, count)

    def article_request(self, url: str, date_raw: str | None = None) -> Request | None:
        """A request for an article URL, or None if it is not an article or already requested."""
        url = strip_tracking(url)
        source_id = article_id(url, self.profile, self.origins)
        if source_id is None:
            return None
        if source_id in self._requested:
            self._inc(stats_keys.ARTICLE_DUPLICATE_LINK)
            return None
        self._requested.add(source_id)
        headers: dict[str, str] = {}
        if self.incremental is not None:
            plan = self.incremental.plan(source_id)
            if not plan.fetch:
                self._inc(stats_keys.ARTICLE_SKIPPED_KNOWN)
                return None
            headers.update(plan.headers)
            if headers:
                self._inc(stats_keys.ARTICLE_CONDITIONAL)
        self._inc(stats_keys.ARTICLE_REQUESTED)
        # dont_filter: the spider requests each article once (``_requested``), and a removed
        # article that redirects to a listing or the home page, already fetched, must still
        # reach parse_article (a gone observation), not the scheduler's duplicate filter.
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            priority=ARTICLE_PRIORITY,
            dont_filter=True,
            headers=headers or None,
            cb_kwargs={"date_raw": date_raw, "source_id": source_id},
            meta={"handle_httpstatus_list": [*GONE_STATUSES, NOT_MODIFIED]},
        )

    def _follow(self, entries: list[Entry]) -> Iterator[Request]:
        for entry in entries:
            request = self.article_request(entry.url, entry.date_raw)
            if request is not None:
                yield request

    def parse_listing(self, response: Response, page: int) -> Iterator[Request]:
        assert isinstance(response, TextResponse)
        self._inc(stats_keys.LISTING_PAGES)
        listing = ListingPage(response.url, response.text, self.profile)
        ids = {link: article_id(link, self.profile, self.origins) for link in listing.links()}
        keys = {key for key in ids.values() if key}
        fresh = keys - self._listed
        self._listed |= keys
        yield from self._follow([Entry(link) for link, key in ids.items() if key])
        if not fresh:
            # An empty page, or one holding only items this listing already showed
            # (the listing shifted under us): the end of the listing.
            logger.info("Listing ends at %s (no new items)", response.url)
            return
        if self.incremental is not None:
            self._known_listed += sum(1 for key in fresh if self.incremental.is_known(key))
            if self._known_listed >= self.profile.discovery.stop_after_known:
                logger.info(
                    "Listing stops at %s: %d archived articles met",
                    response.url,
                    self._known_listed,
                )
                self._inc(stats_keys.LISTING_STOPPED_AT_KNOWN)
                return
        limit = self.profile.discovery.max_listing_pages
        next_url = listing.next_page()
        if next_url and (limit is None or page < limit):
            yield Request(next_url, callback=self.parse_listing, cb_kwargs={"page": page + 1})

    def parse_feed(self, response: Response) -> Iterator[Request]:
        entries = FeedPage(response.url, response.body).entries()
        self._inc(stats_keys.FEED_ENTRIES, len(entries))
        yield from self._follow(entries)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """Follow a sitemap index's children and a sitemap's articles (``robots.txt``: its sitemaps).

        Like Scrapy's ``SitemapSpider``: a gzipped sitemap is decompressed up to
        ``DOWNLOAD_MAXSIZE`` (the spider's ``download_maxsize`` or the request's meta override it)
        and refused past it, and one that grows past ``DOWNLOAD_WARNSIZE`` is logged.
        """
        if urlsplit(response.url).path.endswith("/robots.txt"):
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                yield Request(url, callback=self.parse_sitemap)
            return
        max_size, warn_size = self._sitemap_sizes(response)
        try:
            sitemap = SitemapPage(response.url, response.body, max_size=max_size)
        except SitemapTooLarge as exc:
            self._inc(stats_keys.SITEMAP.key("refused"))
            logger.warning("Sitemap refused: %s: %s", response.url, exc)
            return
        except NotASitemap as exc:
            self._inc(stats_keys.SITEMAP.key("invalid"))
            logger.warning("Not a sitemap: %s: %s", response.url, exc)
            return
        self._inc(stats_keys.SITEMAP.key("pages"))
        if sitemap.gzipped:
            self._inc(stats_keys.SITEMAP.key("gzipped"))
            assert sitemap.compressed_size is not None
            if sitemap.compressed_size < warn_size <= sitemap.size:
                logger.warning(
                    "Sitemap %s is %d B after decompression, more than DOWNLOAD_WARNSIZE (%d B)",
                    response.url,
                    sitemap.size,
                    warn_size,
                )
        if sitemap.errors:
            self._inc(stats_keys.SITEMAP.key("malformed"))
            logger.warning(
                "Malformed sitemap %s (%d XML errors, first: %s); reading what could be parsed",
                response.url,
                len(sitemap.errors),
                sitemap.errors[0],
            )
        if sitemap.is_index:
            for url in sitemap.sitemaps():
                yield Request(url, callback=self.parse_sitemap)
            return
        entries = sitemap.entries()
        self._inc(stats_keys.SITEMAP.key("entries"), len(entries))
        yield from self._follow(entries)

    def _sitemap_sizes(self, response: Response) -> tuple[int, int]:
        """The (max, warn) decompressed sizes of a sitemap, as ``SitemapSpider`` reads them."""
        settings = self.crawler.settings
        max_size = getattr(self, "download_maxsize", settings.getint("DOWNLOAD_MAXSIZE"))
        warn_size = getattr(self, "download_warnsize", settings.getint("DOWNLOAD_WARNSIZE"))
        return (
            int(response.meta.get("download_maxsize", max_size)),
            int(response.meta.get("download_warnsize", warn_size)),
        )

    # -- articles ----------------------------------------------------------------------------

    def parse_article(
        self, response: Response, source_id: str, date_raw: str | None = None
    ) -> Iterator[ArticleResponse]:
        """Hand the article page to the pipelines (``ExtractPipeline`` extracts it).

        A challenge page is dropped; an answer that looks like a removal (``newscrawl.removal``)
        is sent as a gone observation instead.
        """
        if response.status == NOT_MODIFIED:
            self._inc(stats_keys.ARTICLE_NOT_MODIFIED)
            return
        headers = {
            k.decode("latin-1"): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        if is_challenge(headers, response.body):
            self._inc(stats_keys.ARTICLE_CHALLENGE)
            logger.warning(
                "Article answered a challenge page (HTTP %s), nothing stored: %s",
                response.status,
                response.url,
            )
            return
        gone = self._gone_reason(response)
        if gone is not None:
            self._gone(response, source_id, *gone)
            return
        yield ArticleResponse(
            url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            source_id=source_id,
            date_raw=date_raw,
            fetched_at=utc_now_iso(),
        )

    def _gone_reason(self, response: Response) -> tuple[GoneReason, int] | None:
        """(reason, status) when the answer is evidence of a removal, else None."""
        reason = status_reason(response.status)
        if reason is not None:
            return reason, response.status
        if not response.meta.get("redirect_urls"):
            return None
        reason = redirect_reason(
            response.url, self.base_url, self.profile.lang, self.profile.discovery.listings
        )
        if reason is None:
            return None
        # The first redirect's status; a <meta refresh> has none (Scrapy notes "meta refresh").
        first = next(iter(response.meta.get("redirect_reasons") or []), None)
        return reason, first if isinstance(first, int) else response.status

    def _gone(self, response: Response, source_id: str, reason: GoneReason, status: int) -> None:
        """The article looks removed: nothing is extracted; a stored one gets the observation."""
        if reason in ("not_found", "gone"):
            self._inc(stats_keys.ARTICLE_HTTP_ERROR.key(response.status))
        self._inc(stats_keys.ARTICLE_GONE.key(reason))
        requested = next(iter(response.meta.get("redirect_urls") or []), response.url)
        if requested == response.url:
            logger.warning("Article answered HTTP %s: %s", response.status, response.url)
        else:
            logger.warning("Article redirected (%s) to %s: %s", status, response.url, requested)
        self.crawler.signals.send_catch_log(
            article_gone,
            observation=GoneObservation(
                site=self.profile.site,
                lang=self.profile.lang,
                source_id=source_id,
                reason=reason,
                status=status,
                url=requested,
                final_url=response.url,
                observed_at=utc_now_iso(),
            ),
        )

    def article_failed(self, failure: Failure) -> None:
        """Count and log an article that could not be fetched; nothing is stored for it."""
        if isinstance(failure.value, RequestGivenUp):
            return  # counted and logged by the middleware that gave it up
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        if response is not None:
            self._inc(stats_keys.ARTICLE_HTTP_ERROR.key(response.status))
            logger.warning("Article answered HTTP %s: %s", response.status, request.url)
        else:
            self._inc(stats_keys.ARTICLE_ERROR.key(failure.type.__name__ if failure.type else 'unknown'))
            logger.warning("Article fetch failed: %s (%s)", request.url, failure.getErrorMessage())
