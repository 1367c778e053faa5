"""The Science ministry's English site (msrt.ir/en): ``msrt_en``, a differently built CMS.

URL scheme:
    ``/`` and ``/en``                      home page
    ``/en/news?page=N``                    listing, 15 per page: ``div.news-archive > div.archive-item``
                                           (``a.archive-title``, ``div.archive-date``, ``div.archive-summary``),
                                           pager ``nav.pager`` with ``a.pager-prev`` / ``a.pager-next``
    ``/en/news/{id}/{lowercase-slug-}``    article (also ``/{id}``, ``/{id}/`` and any slug)
    ``/sitemap.xml``                       index: ``/sitemap-news.xml`` (Google News, newest 1,000) and
                                           ``/sitemap-articles-{k}.xml.gz`` (1,000 articles each, newest
                                           first; gzipped, ``application/x-gzip``, as government sites
                                           serve them; ``/sitemap-articles-{k}.xml`` is the same, plain)
    ``/en/news/comment/{id}``              comment form target (records hits); NO RSS feed.
Article: ``div.article-view > h1``, ``div.date-info`` (``21 March 2019 | 00:00 Code : {id} {Category}``),
``div.summary`` (lead), ``div.content > p`` (body), ``div.tags > a``; sidebar ``div.most-visited`` items
carry their own dates in ``span.mv-date``.
"""

from __future__ import annotations

import gzip
from html import escape
from urllib.parse import quote

from aiohttp import web

from newscrawl_replica.datefmt import w3c
from newscrawl_replica.model import ArticleSpec
from newscrawl_replica.sites import chrome
from newscrawl_replica.sites.base import TEXT_UTF8, XML_UTF8, Page, SiteBase, query_int
from newscrawl_replica.sites.feeds import UrlEntry, sitemap_index, urlset
from newscrawl_replica.sites.render import body_paragraphs, share_links
from newscrawl_replica.state import ReplicaState

PAGE_SIZE = 15
SITEMAP_CHUNK = 1000
NEWS_SITEMAP_SIZE = 1000
GZIP = "application/x-gzip"
SITE_TITLE = "Ministry of Science, Research and Technology"

_MENU = (
    ("About MSRT", ("Minister", "Deputies", "Organizational Chart", "History", "Contact")),
    ("Study in Iran", ("Universities", "Admission", "Scholarships", "Tuition Fees", "Visa", "Dormitories",
                       "Persian Language Centers")),
    ("Research", ("Research Centers", "Science Parks", "Journals", "Research Funding", "Ethics")),
    ("International", ("Scientific Cooperation", "Agreements", "Joint Programs", "Events", "Partners")),
    ("Institutions", ("Public Universities", "Research Institutes", "Technology Parks", "Foundations")),
    ("Media", ("News", "Press Releases", "Photos", "Videos", "Publications")),
)  # fmt: skip
_FOOTER = (
    ("Useful Links", (("Study in Iran", "https://studyiniran.ir/"), ("ISC", "https://isc.ac/"),
                      ("INSF", "https://insf.org/"), ("Iran Science Portal", "https://www.irandoc.ac.ir/"))),
    ("MSRT", (("Home", "/en"), ("News", "/en/news"), ("Institutions", "/en/page/24/institutions"),
              ("Sitemap", "/sitemap.xml"), ("فارسی", "/fa"))),
    ("Contact", (("Contact Us", "/en/page/5/contact"), ("Public Relations", "/en/page/41/public-relations"),
                 ("Complaints", "/en/page/42/complaints"))),
)  # fmt: skip


_UNIVERSITIES = (
    "University of Tehran", "Sharif University of Technology", "Amirkabir University of Technology",
    "Isfahan University of Technology", "Shiraz University", "Ferdowsi University of Mashhad",
    "University of Tabriz", "Iran University of Science and Technology", "Allameh Tabatabai University",
    "Kharazmi University", "Shahid Beheshti University", "Tarbiat Modares University", "University of Isfahan",
    "K. N. Toosi University of Technology", "Razi University", "University of Guilan", "Yazd University",
    "Urmia University", "Shahid Chamran University of Ahvaz", "University of Kurdistan", "Bu-Ali Sina University",
    "University of Mazandaran", "Semnan University", "University of Zanjan", "Persian Gulf University",
    "University of Birjand", "Vali-e-Asr University of Rafsanjan", "Shahrekord University", "Arak University",
    "University of Sistan and Baluchestan",
)  # fmt: skip


class MsrtSite(SiteBase):
    """msrt_en."""

    site_title = SITE_TITLE
    not_found_text = "The page you requested could not be found."

    def __init__(self, state: ReplicaState) -> None:
        super().__init__(state)
        self.style = chrome.stylesheet("#7a1f2b", False, "Roboto,Helvetica,Arial,sans-serif")
        self.script = chrome.script("msrt-en", "Characters left: ")
        sections = [
            (label, chrome.numbered("/en/page", items, 20 + 10 * i))
            for i, (label, items) in enumerate(_MENU)
        ]
        self.header_html = (
            f'<div id="wrapper"><div class="top-header"><span class="date-today">{escape(self.site.today)}'
            f'</span> <a href="/fa" hreflang="fa">فارسی</a></div>'
            f'<div class="logo"><a href="/en">{escape(SITE_TITLE)}</a></div>'
            f"{chrome.menu(sections, 'navbar')}"
        )
        self.footer_html = (
            f'<footer class="footer">{chrome.link_columns(_FOOTER)}'
            f'<div class="copyright">All rights reserved for the {escape(SITE_TITLE)}.</div></footer></div>'
        )

        links = chrome.numbered("/en/page", _UNIVERSITIES, 100)
        self._links_box = (
            '<div class="links-box"><h3>Universities</h3><ul>'
            + "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for t, h in links)
            + "</ul></div>"
        )

    def add_routes(self, app: web.Application) -> None:
        """Register the MSRT routes."""
        app.router.add_get("/", self.home)
        app.router.add_get("/en", self.home)
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_get("/en/news", self.listing)
        app.router.add_route("*", "/en/news/comment/{id}", self.comment)
        app.router.add_get(r"/en/news/{id:\d+}{rest:(/.*)?}", self.article)
        app.router.add_get(r"/en/page/{n:\d+}/{slug}", self.static_page)
        app.router.add_get("/en/tag/{tag}", self.static_page)
        app.router.add_get("/sitemap.xml", self.sitemap_index)
        app.router.add_get("/sitemap-news.xml", self.news_sitemap)
        app.router.add_get(r"/sitemap-articles-{k:\d+}.xml", self.sitemap)
        app.router.add_get(r"/sitemap-articles-{k:\d+}.xml.gz", self.sitemap)

    async def article(self, request: web.Request) -> web.Response:
        """``/en/news/{id}[/slug]``."""
        return await self.serve_article(request, int(request.match_info["id"]))

    async def robots(self, request: web.Request) -> web.Response:
        """robots.txt."""
        text = (
            "User-agent: *\nDisallow: /en/search\nDisallow: /_replica/\n"
            f"Sitemap: {self.origin(request)}/sitemap.xml\n"
        )
        return web.Response(text=text, headers={"Content-Type": TEXT_UTF8})

    async def home(self, request: web.Request) -> web.Response:
        """Home page."""
        return self.html(self._home, ("home",))

    async def listing(self, request: web.Request) -> web.Response:
        """``/en/news?page=N``."""
        page = query_int(request, "page", 1, minimum=1)
        return self.html(lambda: self._listing(page), ("listing", page))

    async def static_page(self, request: web.Request) -> web.Response:
        """Menu targets."""
        path = request.path
        title = path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ").title()
        return self.html(
            lambda: self.document(
                f"{title} - {SITE_TITLE}", f'<div class="page-view"><h1>{escape(title)}</h1></div>'
            ),
            ("static", path),
        )

    def _chunks(self) -> list[list[ArticleSpec]]:
        v = self.state.visible
        return [v[i : i + SITEMAP_CHUNK] for i in range(0, len(v), SITEMAP_CHUNK)] or [[]]

    async def sitemap_index(self, request: web.Request) -> web.Response:
        """The sitemap index."""
        origin = self.origin(request)
        tz = self.site.tz
        entries: list[tuple[str, str | None]] = []
        for k, chunk in enumerate(self._chunks(), start=1):
            lastmod = w3c(chunk[0].local_time, tz) if chunk else None
            entries.append((f"{origin}/sitemap-articles-{k}.xml.gz", lastmod))
        entries.insert(0, (f"{origin}/sitemap-news.xml", entries[0][1]))
        return self.respond(Page(sitemap_index(entries).encode(), XML_UTF8))

    async def news_sitemap(self, request: web.Request) -> web.Response:
        """Google News sitemap of the newest dated articles."""
        origin = self.origin(request)

        def build() -> Page:
            tz = self.site.tz
            entries = (
                UrlEntry(
                    f"{origin}{a.path}", None, (SITE_TITLE, "en", w3c(a.local_time, tz), a.title)
                )
                for a in self.state.visible[:NEWS_SITEMAP_SIZE]
                if a.date_raw is not None
            )
            return Page(urlset(entries, news=True).encode(), XML_UTF8)

        return self.respond(self.cached(("news-sitemap", origin), build))

    async def sitemap(self, request: web.Request) -> web.Response:
        """``/sitemap-articles-{k}.xml``, and gzipped as ``/sitemap-articles-{k}.xml.gz``."""
        k = int(request.match_info["k"])
        chunks = self._chunks()
        if not 1 <= k <= len(chunks):
            return self.not_found()
        origin = self.origin(request)
        tz = self.site.tz

        def build() -> Page:
            entries = (
                UrlEntry(f"{origin}{a.path}", None if a.date_raw is None else w3c(a.local_time, tz))
                for a in chunks[k - 1]
            )
            return Page(urlset(entries).encode(), XML_UTF8)

        page = self.cached(("sitemap", k, origin), build)
        if request.path.endswith(".gz"):
            # mtime=0: the same bytes on every run (the replica is deterministic).
            page = self.cached(
                ("sitemap.gz", k, origin), lambda: Page(gzip.compress(page.body, mtime=0), GZIP)
            )
        return self.respond(page)

    # -- rendering --------------------------------------------------------------------------

    def _home(self) -> str:
        items = "".join(
            f'<li><a href="{escape(a.path)}">{escape(a.title)}</a></li>'
            for a in self.state.visible[:8]
        )
        body = (
            f'<div class="latest-news"><h2>Latest News</h2><ul>{items}</ul>'
            f'<a class="more" href="/en/news">More news</a></div>'
        )
        return self.document(SITE_TITLE, body)

    def _listing(self, page: int) -> str:
        visible = self.state.visible
        pages = max(1, -(-len(visible) // PAGE_SIZE))
        start = (page - 1) * PAGE_SIZE
        items = "\n".join(
            f'<div class="archive-item"><a class="archive-title" href="{escape(a.listing_path)}">'
            f"{escape(a.title)}</a>"
            + (f'<div class="archive-date">{escape(a.date_raw)}</div>' if a.date_raw else "")
            + f'<div class="archive-summary">{escape(a.lead)}</div></div>'
            for a in visible[start : start + PAGE_SIZE]
        )
        nav = []
        if page > 1:
            nav.append(
                f'<a class="pager-prev" rel="prev" href="/en/news?page={page - 1}">« Previous</a>'
            )
        nav.append(f'<span class="pager-current">Page {page} of {pages}</span>')
        if start + PAGE_SIZE < len(visible):
            nav.append(
                f'<a class="pager-next" rel="next" href="/en/news?page={page + 1}">Next »</a>'
            )
        body = (
            f'<div class="news-archive"><h2>News</h2>\n{items}\n</div>\n'
            f'<nav class="pager">{" ".join(nav)}</nav>'
        )
        return self.document(f"News - {SITE_TITLE}", body)

    def _most_visited(self) -> str:
        visible = self.state.visible
        if not visible:
            return ""
        picks = sorted({(7 * k + 3) % len(visible) for k in range(1, 6)})
        items = "".join(
            f'<li><a href="{escape(visible[i].path)}">{escape(visible[i].title)}</a>'
            + (
                f'<span class="mv-date">{escape(visible[i].date_raw or "")}</span>'
                if visible[i].date_raw
                else ""
            )
            + "</li>"
            for i in picks
        )
        return f'<div class="most-visited"><h3>Most visited</h3><ul>{items}</ul></div>'

    def render_article(self, art: ArticleSpec, origin: str, variant: str) -> str:
        """The MSRT article page (see the module docstring)."""
        title = escape(art.title)
        date_part = f"{escape(art.date_raw)} " if art.date_raw is not None else ""
        tags = "".join(f'<a href="/en/tag/{quote(t, safe="")}">{escape(t)}</a>' for t in art.tags)
        when = art.local_time
        article = (
            f'<div class="article-view"><h1>{title}</h1>'
            f'<div class="date-info">{date_part}Code : {art.id} {escape(art.category)}</div>'
            f'<div class="summary">{escape(art.lead)}</div>'
            f'<div class="image"><img src="/files/en/news/{when.year}/{when.month}/{when.day}/{art.id}_1.jpg" '
            f'alt="{title}"></div>'
            f'<div class="content">{"".join(body_paragraphs(art))}</div>'
            f'<div class="tags">{tags}</div>'
            f"{share_links('Share:', origin + art.path, 'share-box')}"
            '<div class="print-send"><a href="#" onclick="window.print()">Print</a></div></div>'
        )
        comments = (
            f'<div class="comment-box"><h4>Comments</h4><form action="/en/news/comment/{art.id}" method="post">'
            '<label>Full name</label><input name="name"><span class="error">Please enter your name</span>'
            '<label>Email</label><input name="email"><span class="error">Please enter a valid email</span>'
            '<textarea name="comment" maxlength="1000"></textarea><button type="submit">Submit</button>'
            "</form></div>"
        )
        return (
            f'<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8">'
            f"<title>{title} - {escape(SITE_TITLE)}</title>"
            f'<link rel="canonical" href="{escape(art.path)}">'
            f'<meta name="description" content="{escape(art.lead)}">'
            f"<style>{self.style}</style><script>{self.script}</script></head>\n<body>{self.header_html}\n"
            f'<div class="container"><div class="row"><main class="col-main">{article}\n{comments}</main>\n'
            f'<aside class="sidebar">{self._most_visited()}<div class="calendar"><h3>Calendar</h3>'
            f"<p>{escape(self.site.today)}</p></div>{self._links_box}</aside></div></div>\n"
            f"{self.footer_html}</body></html>\n"
        )
