"""Request handling shared by the replica sites: article status codes, conditional GET, caching, 404s.

A site module subclasses :class:`SiteBase`, fills in its furniture (``style``, ``script``,
``header_html``, ``footer_html``) and implements :meth:`SiteBase.add_routes` and
:meth:`SiteBase.render_article`.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from html import escape
from typing import Any

from aiohttp import web

from newscrawl_replica.datefmt import http_date
from newscrawl_replica.model import ArticleSpec, SiteData
from newscrawl_replica.state import Page, ReplicaState

__all__ = ["HTML_UTF8", "RSS_UTF8", "TEXT_UTF8", "XML_UTF8", "Page", "SiteBase", "query_int"]

HTML_UTF8 = "text/html; charset=utf-8"
XML_UTF8 = "application/xml; charset=utf-8"
RSS_UTF8 = "application/rss+xml; charset=utf-8"
TEXT_UTF8 = "text/plain; charset=utf-8"


def not_modified(request: web.Request, etag: str, modified_at: Any) -> bool:
    """Whether the conditional headers of ``request`` match (If-None-Match wins over If-Modified-Since)."""
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = request.headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return bool(modified_at.replace(microsecond=0) <= since)
    return False


def query_int(request: web.Request, name: str, default: int, minimum: int = 0) -> int:
    """An integer query parameter; junk or out-of-range values give ``default``."""
    raw = request.query.get(name, "")
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value >= minimum else default


class SiteBase:
    """One replica site bound to its state."""

    lang_attr = "en"
    direction = "ltr"
    site_title = ""
    not_found_text = "Page not found"

    def __init__(self, state: ReplicaState) -> None:
        self.state = state
        self.style = ""
        self.script = ""
        self.header_html = ""
        self.footer_html = ""

    @property
    def site(self) -> SiteData:
        """The site's current data."""
        return self.state.site

    def add_routes(self, app: web.Application) -> None:
        """Register the site's routes."""
        raise NotImplementedError

    def render_article(self, art: ArticleSpec, origin: str, variant: str) -> str:
        """The article page in the default template (``variant``: "" or "print")."""
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def origin(request: web.Request) -> str:
        """``scheme://host:port`` the client used: absolute URLs in feeds and share links."""
        return f"{request.scheme}://{request.host}"

    def cached(self, key: tuple[Any, ...], build: Callable[[], Page]) -> Page:
        """A rendered page from the state's LRU, built on a miss."""
        page = self.state.cache.get(key)
        if page is None:
            page = build()
            self.state.cache.put(key, page)
        return page

    @staticmethod
    def respond(
        page: Page, status: int = 200, headers: dict[str, str] | None = None
    ) -> web.Response:
        """A response carrying ``page``."""
        all_headers = {"Content-Type": page.content_type}
        if headers:
            all_headers.update(headers)
        return web.Response(body=page.body, status=status, headers=all_headers)

    def html(
        self, build: Callable[[], str], key: tuple[Any, ...], status: int = 200
    ) -> web.Response:
        """A cached UTF-8 HTML page."""
        page = self.cached(key, lambda: Page(build().encode("utf-8"), HTML_UTF8))
        return self.respond(page, status=status)

    def document(self, title: str, body: str, head_extra: str = "") -> str:
        """A full HTML document with the site's furniture around ``body``."""
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang_attr}" dir="{self.direction}"><head>'
            f'<meta charset="utf-8"><title>{escape(title)}</title>{head_extra}'
            f"<style>{self.style}</style><script>{self.script}</script></head>\n<body>"
            f"{self.header_html}\n{body}\n{self.footer_html}</body></html>\n"
        )

    def not_found(self) -> web.Response:
        """The site's 404 page."""
        return self.html(
            lambda: self.document(
                f"{self.not_found_text} | {self.site_title}",
                f'<div class="notice"><h1>404</h1><p>{escape(self.not_found_text)}</p></div>',
            ),
            ("404",),
            status=404,
        )

    @staticmethod
    def server_error() -> web.Response:
        """A bare 500 page, as a failing CMS shows it."""
        body = b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
        body += b"<body><h1>Internal Server Error</h1></body></html>"
        return web.Response(body=body, status=500, headers={"Content-Type": HTML_UTF8})

    async def serve_article(
        self, request: web.Request, aid: int, variant: str = ""
    ) -> web.Response:
        """An article page: 404 when deleted or gone, 500 once for flaky ones, 304 when unchanged."""
        art = self.state.article(aid)
        if art is None or not self.state.is_live(art):
            return self.not_found()
        if self.state.take_flaky(art):
            return self.server_error()
        etag = self.state.etag(art)
        modified_at = self.state.modified(art)
        headers = {
            "ETag": etag,
            "Last-Modified": http_date(modified_at),
            "Cache-Control": "no-cache",
        }
        if not_modified(request, etag, modified_at):
            return web.Response(status=304, headers=headers)
        origin = self.origin(request)
        page = self.cached(
            ("article", aid, variant, origin), lambda: self.article_page(art, origin, variant)
        )
        return self.respond(page, headers=headers)

    def warm(self, origin: str) -> int:
        """Render every live article and the navigation pages for ``origin`` into the cache.

        For benchmarks: a warm server answers from memory, so that it is not the bottleneck.
        Use with an unbounded cache (``ReplicaState(cache_limit=None)``). Returns the number of
        pages rendered. A control API change clears the cache as usual (pages then render on demand).
        """
        count = 0
        for art in self.state.visible:
            if self.state.is_live(art):
                key = ("article", art.id, "", origin)
                self.cached(key, lambda art=art: self.article_page(art, origin, ""))  # type: ignore[misc]
                count += 1
        return count + self.warm_navigation(origin)

    def warm_navigation(self, origin: str) -> int:
        """Render the site's listing pages and feeds into the cache (sites override this)."""
        return 0

    def article_page(self, art: ArticleSpec, origin: str, variant: str) -> Page:
        """Render and encode an article in the current template."""
        if self.state.template == "redesign":
            from newscrawl_replica.sites.redesign import render_redesign

            return self.encode(art, render_redesign(self, art))
        return self.encode(art, self.render_article(art, origin, variant))

    @staticmethod
    def charset_meta(art: ArticleSpec) -> str:
        """The charset declaration of an article page (meta http-equiv for the windows-1256 one)."""
        if art.encoding == "cp1256_meta_only":
            return '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
        return '<meta charset="utf-8">'

    def encode(self, art: ArticleSpec, html: str) -> Page:
        """Bytes and Content-Type of an article page (sites with encoding quirks override this)."""
        return Page(html.encode("utf-8"), HTML_UTF8)

    async def comment(self, request: web.Request) -> web.Response:
        """The comment form's target: counts the hit (any method) and answers 200."""
        self.state.comment_hits += 1
        return web.Response(text="OK", content_type="text/plain")
