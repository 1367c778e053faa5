"""The Afghan Ministry of Information and Culture (moic.gov.af/dr): ``moic_dr``, a Drupal site in Dari.

URL scheme:
    ``/`` and ``/dr``                       home page
    ``/dr/news?start=N``                    listing, 10 per page (offset pagination): ``div.view-news
                                            div.views-row`` (``.views-field-title a``, ``.views-field-created``,
                                            ``.views-field-body``); next page ``a.pager__item--next``
                                            with ``href="?start=N+10"``
    ``/dr/node/{nid}``                      article; the alias ``/index.php/dr/node/{nid}`` serves the same
                                            page (rel=canonical -> ``/dr/node/{nid}``)
    ``/dr/rss.xml``                         RSS 2.0, newest 20
    ``/dr/news/comment/{nid}``              comment form target (records hits)
Article: ``div.node--type-article``: ``h1.page-header > span`` title, ``div.field--name-created`` date
(``سه‌شنبه ۱۴۰۳/۱۱/۳۰ - ۱۰:۵۵``, Asia/Kabul), ``div.field--name-field-lead``, ``div.field--name-body > p``,
``div.field--name-field-tags a``. The header shows TODAY (``span.today-date``) and the sidebar
``div.block-latest-news`` lists the newest articles with their own dates; neither is the article date.
The sidebar links use the ``/index.php/`` alias.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from aiohttp import web

from newscrawl_replica import model as m
from newscrawl_replica.datefmt import rfc822
from newscrawl_replica.model import ArticleSpec
from newscrawl_replica.sites import chrome
from newscrawl_replica.sites.base import RSS_UTF8, TEXT_UTF8, Page, SiteBase, query_int
from newscrawl_replica.sites.feeds import FeedItem, rss
from newscrawl_replica.sites.render import body_paragraphs
from newscrawl_replica.state import ReplicaState

PAGE_SIZE = 10
FEED_SIZE = 20
LATEST_SIZE = 5
BASIC_PAGE_LIMIT = 1000  # /dr/node/{nid} below this (menu targets) are basic pages, not articles
SITE_TITLE = "وزارت اطلاعات و فرهنگ"

_MENU = (
    ("درباره وزارت", ("تاریخچه", "ساختار تشکیلاتی", "رهبری وزارت", "ریاست‌ها", "تماس با ما")),
    ("فرهنگ", ("میراث فرهنگی", "آرشیف ملی", "کتابخانه‌های عامه", "موزیم ملی", "هنرهای زیبا")),
    ("رسانه‌ها", ("نشرات", "رسانه‌های چاپی", "رادیو و تلویزیون", "آژانس باختر", "جواز رسانه‌ها")),
    ("گردشگری", ("جاذبه‌های گردشگری", "ویزای گردشگری", "راهنمای سفر", "هتل‌ها")),
    ("اسناد", ("قوانین", "مقررره‌ها", "گزارش‌ها", "پلان‌ها", "اعلان‌ها", "داوطلبی‌ها")),
    ("چندرسانه‌ای", ("گزارش تصویری", "ویدیوها", "اطلاعیه‌ها", "مصاحبه‌ها")),
)  # fmt: skip
_FOOTER = (
    ("پیوندها", (("آژانس باختر", "https://www.bakhtarnews.af/"), ("آرشیف ملی", "/dr/node/12"),
                 ("موزیم ملی", "/dr/node/13"), ("ریاست جمهوری", "https://president.gov.af/"))),
    ("دسترسی سریع", (("صفحه نخست", "/dr"), ("اخبار", "/dr/news"), ("آر اس اس", "/dr/rss.xml"),
                     ("تماس با ما", "/dr/node/5"))),
)  # fmt: skip


_PROVINCES = (
    "بدخشان", "بادغیس", "بغلان", "بلخ", "بامیان", "دایکندی", "فراه", "فاریاب", "غزنی", "غور", "هلمند",
    "هرات", "جوزجان", "کابل", "کندهار", "کاپیسا", "خوست", "کنر", "کندز", "لغمان", "لوگر", "میدان وردک",
    "ننگرهار", "نیمروز", "نورستان", "ارزگان", "پکتیا", "پکتیکا", "پنجشیر", "پروان", "سمنگان", "سرپل",
    "تخار", "زابل",
)  # fmt: skip


class MoicSite(SiteBase):
    """moic_dr."""

    lang_attr = "fa-AF"
    direction = "rtl"
    site_title = SITE_TITLE
    not_found_text = "صفحه مورد نظر پیدا نشد"

    def __init__(self, state: ReplicaState) -> None:
        super().__init__(state)
        self.style = chrome.stylesheet("#1b6b3a", True, "Tahoma,'B Nazanin',sans-serif")
        self.script = chrome.script("moic-dr", "باقیمانده: ")
        sections = [
            (label, [(t, f"/dr/node/{30 + 10 * i + j}") for j, t in enumerate(items)])
            for i, (label, items) in enumerate(_MENU)
        ]
        self.header_html = (
            '<div class="dialog-off-canvas-main-canvas"><header class="navbar"><div class="region region-header">'
            f'<div class="block-date"><span class="today-date">{escape(self.site.today)}</span></div>'
            f'<a class="logo navbar-btn" href="/dr">{escape(SITE_TITLE)}</a>'
            f"{chrome.menu(sections, 'menu--main')}</div></header>"
        )
        self.footer_html = (
            f'<footer class="footer container">{chrome.link_columns(_FOOTER)}'
            f'<div class="copyright">© {escape(SITE_TITLE)}</div></footer></div>'
        )

        self._provinces = (
            '<div class="block block-provinces"><h2 class="block-title">ریاست‌های ولایتی</h2><ul>'
            + "".join(
                f'<li><a href="/dr/node/{200 + i}">ریاست اطلاعات و فرهنگ ولایت {escape(p)}</a></li>'
                for i, p in enumerate(_PROVINCES)
            )
            + "</ul></div>"
        )

    def add_routes(self, app: web.Application) -> None:
        """Register the Drupal routes."""
        app.router.add_get("/", self.home)
        app.router.add_get("/dr", self.home)
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_get("/dr/news", self.listing)
        app.router.add_get("/dr/rss.xml", self.feed)
        app.router.add_route("*", "/dr/news/comment/{id}", self.comment)
        app.router.add_get(r"/dr/node/{id:\d+}", self.article)
        app.router.add_get(r"/index.php/dr/node/{id:\d+}", self.article)
        app.router.add_get("/dr/taxonomy/term/{tag}", self.tag_page)

    async def article(self, request: web.Request) -> web.Response:
        """``/dr/node/{nid}`` and ``/index.php/dr/node/{nid}``; nids below 1000 are basic pages."""
        nid = int(request.match_info["id"])
        if nid < BASIC_PAGE_LIMIT and self.state.article(nid) is None:
            return self.html(lambda: self._basic_page(nid), ("page", nid))
        return await self.serve_article(request, nid)

    async def robots(self, request: web.Request) -> web.Response:
        """Drupal's robots.txt."""
        text = (
            "User-agent: *\nDisallow: /admin/\nDisallow: /comment/reply/\nDisallow: /search/\n"
            "Disallow: /user/\nDisallow: /index.php/admin/\nDisallow: /_replica/\n"
        )
        return web.Response(text=text, headers={"Content-Type": TEXT_UTF8})

    async def home(self, request: web.Request) -> web.Response:
        """Home page."""
        return self.html(lambda: self.document(SITE_TITLE, self._latest(8)), ("home",))

    async def listing(self, request: web.Request) -> web.Response:
        """``/dr/news?start=N``."""
        start = query_int(request, "start", 0, minimum=0)
        return self.html(lambda: self._listing(start), ("listing", start))

    async def tag_page(self, request: web.Request) -> web.Response:
        """Taxonomy term pages (tags)."""
        tag = request.match_info["tag"]
        return self.html(
            lambda: self.document(
                f"{tag} | {SITE_TITLE}", f'<h1 class="page-header">{escape(tag)}</h1>'
            ),
            ("tag", tag),
        )

    async def feed(self, request: web.Request) -> web.Response:
        """``/dr/rss.xml``."""
        origin = self.origin(request)

        def build() -> Page:
            tz = self.site.tz
            items = (
                FeedItem(
                    title=a.title,
                    link=f"{origin}{a.path}",
                    description=a.lead,
                    pub_date=None if m.NO_DATE in a.flags else rfc822(a.local_time, tz),
                    guid=f"{a.id} at {origin}",
                )
                for a in self.state.visible[:FEED_SIZE]
            )
            xml = rss(
                SITE_TITLE, f"{origin}/dr", "آخرین اخبار وزارت اطلاعات و فرهنگ", "fa-AF", items
            )
            return Page(xml.encode(), RSS_UTF8)

        return self.respond(self.cached(("rss", origin), build))

    # -- rendering --------------------------------------------------------------------------

    def _basic_page(self, nid: int) -> str:
        return self.document(
            f"{SITE_TITLE} | {nid}",
            f'<div class="node node--type-page"><h1 class="page-header"><span>{escape(SITE_TITLE)}</span></h1>'
            '<div class="field field--name-body"><p>این صفحه در حال به‌روزرسانی است.</p></div></div>',
            f'<link rel="canonical" href="/dr/node/{nid}">',
        )

    def _created(self, art: ArticleSpec, css: str) -> str:
        return (
            f'<span class="{css}">{escape(art.date_raw)}</span>' if art.date_raw is not None else ""
        )

    def _latest(self, count: int = LATEST_SIZE) -> str:
        rows = "".join(
            f'<div class="views-row"><a href="/index.php{escape(a.path)}">{escape(a.title)}</a>'
            f"{self._created(a, 'views-field-created')}</div>"
            for a in self.state.visible[:count]
        )
        return (
            '<div class="block block-views block-latest-news"><h2 class="block-title">آخرین اخبار</h2>'
            f'<div class="view-content">{rows}</div></div>'
        )

    def _listing(self, start: int) -> str:
        visible = self.state.visible
        rows = "\n".join(
            f'<div class="views-row"><h3 class="views-field-title"><a href="{escape(a.listing_path)}">'
            f"{escape(a.title)}</a></h3>"
            + (f'<div class="views-field-created">{escape(a.date_raw)}</div>' if a.date_raw else "")
            + f'<div class="views-field-body">{escape(a.lead)}</div></div>'
            for a in visible[start : start + PAGE_SIZE]
        )
        pager = []
        if start > 0:
            pager.append(
                f'<li class="pager__item pager__item--previous"><a class="pager__item--previous" '
                f'href="?start={max(0, start - PAGE_SIZE)}">‹ قبلی</a></li>'
            )
        if start + PAGE_SIZE < len(visible):
            pager.append(
                f'<li class="pager__item pager__item--next"><a class="pager__item--next" '
                f'href="?start={start + PAGE_SIZE}">بعدی ›</a></li>'
            )
        body = (
            '<h1 class="page-header">اخبار</h1><div class="view view-news"><div class="view-content">\n'
            f'{rows}\n</div><nav class="pager"><ul class="pager__items">{"".join(pager)}</ul></nav></div>'
        )
        return self.document(f"اخبار | {SITE_TITLE}", body)

    def render_article(self, art: ArticleSpec, origin: str, variant: str) -> str:
        """The Drupal node page (see the module docstring)."""
        title = escape(art.title)
        when = art.local_time
        created = (
            f'<div class="field field--name-created field--type-created">{escape(art.date_raw)}</div>'
            if art.date_raw is not None
            else ""
        )
        tags = "".join(
            f'<div class="field--item"><a href="/dr/taxonomy/term/{quote(t, safe="")}">{escape(t)}</a></div>'
            for t in art.tags
        )
        paragraphs = "".join(body_paragraphs(art))
        node = (
            f'<div class="node node--type-article node--view-mode-full" data-history-node-id="{art.id}">'
            f'<h1 class="page-header"><span>{title}</span></h1>{created}'
            f'<div class="field field--name-field-image"><img src="/sites/default/files/{when:%Y-%m}/{art.id}.jpg"'
            f' alt="{title}"><span class="caption">{escape(art.caption)}</span></div>'
            f'<div class="field field--name-field-lead">{escape(art.lead)}</div>'
            f'<div class="field field--name-body field--type-text-with-summary">{paragraphs}</div>'
            f'<div class="field field--name-field-tags field--items">{tags}</div></div>'
        )
        comments = (
            f'<section class="comments"><h2>نظر جدید</h2><form action="/dr/news/comment/{art.id}" method="post">'
            '<input name="name"><span class="form-required">نام الزامی است</span>'
            '<input name="email"><span class="form-required">ایمیل الزامی است</span>'
            '<textarea name="comment"></textarea><button type="submit">ذخیره</button></form></section>'
        )
        return (
            f'<!DOCTYPE html>\n<html lang="fa-AF" dir="rtl"><head><meta charset="utf-8">'
            f"<title>{title} | {escape(SITE_TITLE)}</title>"
            f'<link rel="canonical" href="{escape(art.path)}"><link rel="shortlink" href="{escape(art.path)}">'
            '<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">'
            f"<style>{self.style}</style><script>{self.script}</script></head>\n"
            f'<body class="path-node page-node-type-article">{self.header_html}\n'
            f'<div class="main-container container"><div class="row"><section class="col-sm-9">'
            f'<div class="region region-content">{node}\n{comments}</div></section>\n'
            f'<aside class="col-sm-3">{self._latest()}{self._provinces}</aside></div></div>\n{self.footer_html}</body></html>\n'
        )
