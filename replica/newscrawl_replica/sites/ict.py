"""The ICT ministry sites (ict.gov.ir): ``ict_en`` (English) and ``ict_fa`` (Persian), one markup.

URL scheme (``{L}`` is ``en`` or ``fa``):
    ``/`` and ``/{L}/home``                  home page
    ``/{L}/news`` and ``/{L}/news?page=N``   listing, 20 per page, ``ul.news-list > li.news-list-item``
    ``/{L}/news/{id}/{Slug}``                article (also ``/{id}``, ``/{id}/``, any slug, and the print view
                                             ``/{L}/news/{id}/print/{Slug}``)
    ``/{L}/news/rss``                        RSS 2.0, newest 50, links carry ``?utm_source=rss``
    ``/sitemap.xml``                         index of ``/sitemap-news-1.xml`` and ``/sitemap-news-2.xml``
    ``/{L}/news/comment/{id}``               comment form target (records hits)
    ``/{L}/tags/{tag}``                      tag page; ``/{L}/page/{n}/{slug}`` static pages; ``/robots.txt``
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from aiohttp import web

from newscrawl_replica import model as m
from newscrawl_replica.datefmt import arabic_letters, rfc822, w3c
from newscrawl_replica.model import ArticleSpec
from newscrawl_replica.sites import chrome
from newscrawl_replica.sites.base import (
    HTML_UTF8,
    RSS_UTF8,
    TEXT_UTF8,
    XML_UTF8,
    Page,
    SiteBase,
    query_int,
)
from newscrawl_replica.sites.feeds import FeedItem, UrlEntry, rss, sitemap_index, urlset
from newscrawl_replica.sites.render import body_paragraphs, share_links
from newscrawl_replica.state import ReplicaState

PAGE_SIZE = 20
FEED_SIZE = 50


@dataclass(frozen=True, slots=True)
class IctStrings:
    """The words of one language version."""

    lang: str
    direction: str
    site_title: str
    home: str
    news: str
    share: str
    tags: str
    related: str
    comment_title: str
    name_required: str
    email_required: str
    counter: str
    comment_required: str
    send: str
    read_more: str
    next: str
    prev: str
    latest: str
    all_news: str
    not_found: str
    print_label: str
    feed_description: str
    menu: tuple[tuple[str, tuple[str, ...]], ...]
    footer: tuple[tuple[str, tuple[chrome.Link, ...]], ...]
    copyright: str
    font: str


EN = IctStrings(
    lang="en",
    direction="ltr",
    site_title="Ministry of ICT",
    home="Home",
    news="News",
    share="Share:",
    tags="Tags:",
    related="Related news",
    comment_title="Send your comment",
    name_required="Sender name is required",
    email_required="Email is required",
    counter="Characters left: 500",
    comment_required="Comment is required",
    send="Send",
    read_more="Read more:",
    next="Next",
    prev="Previous",
    latest="Latest news",
    all_news="All news",
    not_found="The requested page was not found.",
    print_label="Print",
    feed_description="News of the Ministry of Information and Communications Technology",
    menu=(
        (
            "About the Ministry",
            (
                "Minister's Biography",
                "Deputies",
                "Organizational Chart",
                "History",
                "Affiliated Organizations",
                "Provincial Offices",
                "Contact Us",
                "Job Opportunities",
                "Strategic Plan",
            ),
        ),
        (
            "News",
            (
                "Latest News",
                "Minister's News",
                "International News",
                "Press Releases",
                "Photo Gallery",
                "Video Gallery",
                "Interviews",
                "Infographics",
                "News Archive",
            ),
        ),
        (
            "Services",
            (
                "E-Government Portal",
                "Postal Services",
                "Domain Registration",
                "Licensing",
                "Complaints 195",
                "Open Data",
                "Tenders",
                "Electronic Services Catalog",
            ),
        ),
        (
            "Laws and Regulations",
            (
                "Laws",
                "Bylaws",
                "Directives",
                "Standards",
                "Approvals of the Council",
                "Spectrum Regulations",
                "Consumer Rights",
                "Data Protection",
            ),
        ),
        (
            "International Affairs",
            (
                "Bilateral Cooperation",
                "Multilateral Organizations",
                "ITU",
                "UPU",
                "APT",
                "ECO",
                "RCC",
                "Memoranda of Understanding",
            ),
        ),
        (
            "Digital Economy",
            (
                "National Information Network",
                "Smart Government",
                "Start-ups",
                "Digital Skills",
                "Rural ICT",
                "Space Programme",
                "Cyber Security",
                "Innovation Centres",
            ),
        ),
        (
            "Statistics",
            (
                "ICT Indicators",
                "Broadband Penetration",
                "Mobile Subscribers",
                "Internet Traffic",
                "Postal Statistics",
                "Annual Report",
                "Surveys",
            ),
        ),
    ),
    footer=(
        (
            "Affiliated Organizations",
            (
                ("Information Technology Organization", "https://www.ito.gov.ir/"),
                ("Telecommunication Infrastructure Company", "https://www.tic.ir/"),
                ("Iran Space Agency", "https://www.isa.ir/"),
                ("Iran Post", "https://www.post.ir/"),
                ("Communications Regulatory Authority", "https://www.cra.ir/"),
                ("ICT Research Institute", "https://www.itrc.ac.ir/"),
                ("Telecommunication Company of Iran", "https://www.tci.ir/"),
            ),
        ),
        (
            "Quick Links",
            (
                ("Home", "/en/home"),
                ("News", "/en/news"),
                ("RSS", "/en/news/rss"),
                ("Affiliated Links", "/en/more/links/affiliated"),
                ("Sitemap", "/sitemap.xml"),
                ("Contact Us", "/en/page/7/Contact-Us"),
                ("Persian", "/fa/home"),
            ),
        ),
        (
            "Government",
            (
                ("President", "https://www.president.ir/en/"),
                ("Government Portal", "https://www.dolat.ir/"),
                ("Ministry of Foreign Affairs", "https://en.mfa.ir/"),
                ("Statistical Centre of Iran", "https://www.amar.org.ir/english"),
                ("National Portal", "https://iran.gov.ir/"),
            ),
        ),
        (
            "Follow Us",
            (
                ("Telegram", "https://t.me/ictgovir"),
                ("Instagram", "https://www.instagram.com/ict.gov.ir/"),
                ("X", "https://twitter.com/ict_gov_ir"),
                ("Aparat", "https://www.aparat.com/ict.gov.ir"),
            ),
        ),
    ),
    copyright=(
        "Ministry of Information and Communications Technology, Shariati Street, Tehran. "
        "All rights reserved. Copyright 2026."
    ),
    font="Tahoma,Arial,sans-serif",
)

FA = IctStrings(
    lang="fa",
    direction="rtl",
    site_title="وزارت ارتباطات و فناوری اطلاعات",
    home="صفحه اصلی",
    news="اخبار",
    share="اشتراک‌گذاری:",
    tags="برچسب‌ها:",
    related="اخبار مرتبط",
    comment_title="ارسال نظر",
    name_required="نام فرستنده الزامی است",
    email_required="ایمیل الزامی است",
    counter="تعداد کاراکتر باقیمانده: ۵۰۰",
    comment_required="متن نظر الزامی است",
    send="ارسال",
    read_more="بیشتر بخوانید:",
    next="بعدی",
    prev="قبلی",
    latest="آخرین اخبار",
    all_news="همه اخبار",
    not_found="صفحه مورد نظر یافت نشد.",
    print_label="چاپ",
    feed_description="اخبار وزارت ارتباطات و فناوری اطلاعات",
    menu=(
        (
            "درباره وزارتخانه",
            (
                "زندگی‌نامه وزیر",
                "معاونان",
                "ساختار سازمانی",
                "تاریخچه",
                "سازمان‌های وابسته",
                "ادارات کل استان‌ها",
                "تماس با ما",
                "فرصت‌های شغلی",
                "برنامه راهبردی",
            ),
        ),
        (
            "اخبار",
            (
                "آخرین اخبار",
                "اخبار وزیر",
                "اخبار بین‌الملل",
                "اطلاعیه‌ها",
                "گزارش تصویری",
                "گزارش ویدئویی",
                "گفت‌وگوها",
                "اینفوگرافیک",
                "آرشیو اخبار",
            ),
        ),
        (
            "خدمات",
            (
                "درگاه دولت الکترونیک",
                "خدمات پستی",
                "ثبت دامنه",
                "صدور پروانه",
                "سامانه ۱۹۵",
                "داده‌های باز",
                "مناقصه‌ها",
                "فهرست خدمات الکترونیکی",
            ),
        ),
        (
            "قوانین و مقررات",
            (
                "قوانین",
                "آیین‌نامه‌ها",
                "دستورالعمل‌ها",
                "استانداردها",
                "مصوبات شورا",
                "مقررات طیف",
                "حقوق مصرف‌کنندگان",
                "حفاظت از داده",
            ),
        ),
        (
            "امور بین‌الملل",
            (
                "همکاری‌های دوجانبه",
                "سازمان‌های چندجانبه",
                "اتحادیه بین‌المللی مخابرات",
                "اتحادیه جهانی پست",
                "اکو",
                "تفاهم‌نامه‌ها",
            ),
        ),
        (
            "اقتصاد دیجیتال",
            (
                "شبکه ملی اطلاعات",
                "دولت هوشمند",
                "استارتاپ‌ها",
                "مهارت‌های دیجیتال",
                "ارتباطات روستایی",
                "برنامه فضایی",
                "امنیت فضای مجازی",
                "مراکز نوآوری",
            ),
        ),
        (
            "آمار",
            (
                "شاخص‌های فاوا",
                "ضریب نفوذ پهنای باند",
                "مشترکان تلفن همراه",
                "ترافیک اینترنت",
                "آمار پستی",
                "گزارش سالانه",
            ),
        ),
    ),
    footer=(
        (
            "سازمان‌های وابسته",
            (
                ("سازمان فناوری اطلاعات ایران", "https://www.ito.gov.ir/"),
                ("شرکت ارتباطات زیرساخت", "https://www.tic.ir/"),
                ("سازمان فضایی ایران", "https://www.isa.ir/"),
                ("شرکت ملی پست", "https://www.post.ir/"),
                ("سازمان تنظیم مقررات و ارتباطات رادیویی", "https://www.cra.ir/"),
                ("پژوهشگاه ارتباطات و فناوری اطلاعات", "https://www.itrc.ac.ir/"),
            ),
        ),
        (
            "دسترسی سریع",
            (
                ("صفحه اصلی", "/fa/home"),
                ("اخبار", "/fa/news"),
                ("آر اس اس", "/fa/news/rss"),
                ("نقشه سایت", "/sitemap.xml"),
                ("English", "/en/home"),
            ),
        ),
        (
            "پیوندهای دولتی",
            (
                ("پایگاه اطلاع‌رسانی ریاست جمهوری", "https://www.president.ir/fa/"),
                ("پایگاه اطلاع‌رسانی دولت", "https://www.dolat.ir/"),
                ("مرکز آمار ایران", "https://www.amar.org.ir/"),
                ("درگاه ملی خدمات دولت هوشمند", "https://my.gov.ir/"),
            ),
        ),
        (
            "ما را دنبال کنید",
            (
                ("تلگرام", "https://t.me/ictgovir"),
                ("اینستاگرام", "https://www.instagram.com/ict.gov.ir/"),
                ("آپارات", "https://www.aparat.com/ict.gov.ir"),
            ),
        ),
    ),
    copyright="نشانی: تهران، خیابان شریعتی، وزارت ارتباطات و فناوری اطلاعات. کلیه حقوق محفوظ است.",
    font="Vazirmatn,Tahoma,sans-serif",
)


class IctSite(SiteBase):
    """ict_en or ict_fa."""

    def __init__(self, state: ReplicaState, strings: IctStrings) -> None:
        super().__init__(state)
        s = self.s = strings
        self.lang_attr = s.lang
        self.direction = s.direction
        self.site_title = s.site_title
        self.not_found_text = s.not_found
        self.prefix = f"/{s.lang}"
        self.style = chrome.stylesheet("#0b5394", s.direction == "rtl", s.font)
        self.script = chrome.script(f"ict-{s.lang}", s.counter.rsplit(" ", 1)[0] + " ")
        sections = [
            (label, chrome.numbered(f"{self.prefix}/page", items, 10 + 20 * i))
            for i, (label, items) in enumerate(s.menu)
        ]
        self.header_html = (
            f'<header class="site-header"><div class="today">{escape(self.site.today)}</div>'
            f"{chrome.menu(sections)}</header>"
        )
        self.footer_html = (
            f'<footer class="site-footer">{chrome.link_columns(s.footer)}'
            f'<div class="copyright">{escape(s.copyright)}</div></footer>'
        )
        self._tail = f"<style>{self.style}</style><script>{self.script}</script></head>\n<body>"

    # -- routes -----------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        """Register the ICT routes."""
        p = self.prefix
        app.router.add_get("/", self.home)
        app.router.add_get(f"{p}/home", self.home)
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_get(f"{p}/news", self.listing)
        app.router.add_get(f"{p}/news/rss", self.feed)
        app.router.add_route("*", f"{p}/news/comment/{{id}}", self.comment)
        app.router.add_get(p + r"/news/{id:\d+}{rest:(/.*)?}", self.article)
        app.router.add_get(f"{p}/tags/{{tag}}", self.tag_page)
        app.router.add_get(p + r"/page/{n:\d+}/{slug}", self.static_page)
        app.router.add_get(f"{p}/more/links/affiliated", self.static_page)
        app.router.add_get(f"{p}/search", self.static_page)
        app.router.add_get("/sitemap.xml", self.sitemap_index)
        app.router.add_get(r"/sitemap-news-{n:[12]}.xml", self.sitemap)

    async def article(self, request: web.Request) -> web.Response:
        """``/{L}/news/{id}[/…]``: the article, or its print view under ``/print/``."""
        rest = request.match_info["rest"]
        variant = "print" if rest.startswith("/print/") or rest == "/print" else ""
        return await self.serve_article(request, int(request.match_info["id"]), variant)

    async def robots(self, request: web.Request) -> web.Response:
        """robots.txt: search and the control API are disallowed."""
        text = (
            f"User-agent: *\nDisallow: {self.prefix}/search\nDisallow: /_replica/\n"
            f"Sitemap: {self.origin(request)}/sitemap.xml\n"
        )
        return web.Response(text=text, headers={"Content-Type": TEXT_UTF8})

    async def home(self, request: web.Request) -> web.Response:
        """The home page: a few latest articles and a link to the listing."""
        return self.html(self._home, ("home",))

    async def listing(self, request: web.Request) -> web.Response:
        """``/{L}/news?page=N``."""
        page = query_int(request, "page", 1, minimum=1)
        return self.html(lambda: self._listing(page), ("listing", page))

    async def tag_page(self, request: web.Request) -> web.Response:
        """``/{L}/tags/{tag}``: the newest 20 articles with the tag."""
        tag = request.match_info["tag"]
        if tag not in self.site.by_tag:
            return self.not_found()
        return self.html(lambda: self._tag(tag), ("tag", tag))

    async def static_page(self, request: web.Request) -> web.Response:
        """Menu targets: a small static page."""
        path = request.path
        return self.html(lambda: self._static(path), ("static", path))

    async def feed(self, request: web.Request) -> web.Response:
        """RSS 2.0 of the newest 50 articles."""
        origin = self.origin(request)
        page = self.cached(("rss", origin), lambda: Page(self._rss(origin).encode(), RSS_UTF8))
        return self.respond(page)

    async def sitemap_index(self, request: web.Request) -> web.Response:
        """``/sitemap.xml``: the index of the two news sitemaps."""
        origin = self.origin(request)
        newest = self.state.visible[0].local_time if self.state.visible else None
        lastmod = w3c(newest, self.site.tz) if newest else None
        xml = sitemap_index((f"{origin}/sitemap-news-{n}.xml", lastmod) for n in (1, 2))
        return self.respond(Page(xml.encode(), XML_UTF8))

    async def sitemap(self, request: web.Request) -> web.Response:
        """``/sitemap-news-{1,2}.xml``: the newer and the older half of the articles."""
        n = int(request.match_info["n"])
        origin = self.origin(request)
        page = self.cached(
            ("sitemap", n, origin), lambda: Page(self._sitemap(n, origin).encode(), XML_UTF8)
        )
        return self.respond(page)

    def warm_navigation(self, origin: str) -> int:
        """Every listing page and the RSS feed (see :meth:`SiteBase.warm`)."""
        pages = max(1, -(-len(self.state.visible) // PAGE_SIZE))
        for page in range(1, pages + 1):
            key = ("listing", page)
            self.cached(key, lambda page=page: Page(self._listing(page).encode("utf-8"), HTML_UTF8))  # type: ignore[misc]
        self.cached(("rss", origin), lambda: Page(self._rss(origin).encode(), RSS_UTF8))
        return pages + 1

    # -- rendering --------------------------------------------------------------------------

    def _date_span(self, art: ArticleSpec) -> str:
        if art.date_raw is None:
            return ""
        return f'<span class="news-date">{escape(art.date_raw)}</span>'

    def _breadcrumb(self, *items: str) -> str:
        s = self.s
        crumbs = [f'<a href="{self.prefix}/home">{escape(s.home)}</a>', *items]
        return f'<div class="breadcrumb">{" » ".join(crumbs)}</div>'

    def _home(self) -> str:
        s = self.s
        items = "".join(
            f'<li><a href="{escape(a.listing_path)}">{escape(a.title)}</a> {self._date_span(a)}</li>'
            for a in self.state.visible[:6]
        )
        body = (
            f'<h2 class="page-title">{escape(s.site_title)}</h2><section class="latest-news">'
            f'<h3>{escape(s.latest)}</h3><ul class="home-news">{items}</ul>'
            f'<a class="more" href="{self.prefix}/news">{escape(s.all_news)}</a></section>'
        )
        return self.document(s.site_title, body)

    def _items(self, arts: list[ArticleSpec]) -> str:
        return "\n".join(
            f'<li class="news-list-item"><a class="news-link" href="{escape(a.listing_path)}">'
            f"{escape(a.title)}</a>{self._date_span(a)}"
            f'<p class="news-summary">{escape(a.lead)}</p></li>'
            for a in arts
        )

    def _listing(self, page: int) -> str:
        s = self.s
        visible = self.state.visible
        start = (page - 1) * PAGE_SIZE
        arts = visible[start : start + PAGE_SIZE]
        nav = []
        if page > 1:
            nav.append(
                f'<a class="prev" href="{self.prefix}/news?page={page - 1}">{escape(s.prev)}</a>'
            )
        nav.append(f'<span class="current">{page}</span>')
        if start + PAGE_SIZE < len(visible):
            nav.append(
                f'<a class="next" href="{self.prefix}/news?page={page + 1}">{escape(s.next)}</a>'
            )
        body = (
            f"{self._breadcrumb(f'<span>{escape(s.news)}</span>')}\n"
            f'<h2 class="page-title">{escape(s.news)}</h2>\n'
            f'<ul class="news-list">{self._items(arts)}</ul>\n'
            f'<div class="pagination">{" ".join(nav)}</div>'
        )
        return self.document(f"{s.news} | {s.site_title}", body)

    def _tag(self, tag: str) -> str:
        s = self.s
        ids = set(self.site.by_tag.get(tag, ()))
        arts = [a for a in self.state.visible if a.id in ids][:PAGE_SIZE]
        body = (
            f"{self._breadcrumb(f'<span>{escape(tag)}</span>')}\n"
            f'<h2 class="page-title">{escape(tag)}</h2>\n<ul class="tag-list">{self._items(arts)}</ul>'
        )
        return self.document(f"{tag} | {s.site_title}", body)

    def _static(self, path: str) -> str:
        title = path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        body = (
            f"{self._breadcrumb(f'<span>{escape(title)}</span>')}\n"
            f'<h2 class="page-title">{escape(title)}</h2><div class="static-page">'
            f"<p>{escape(self.s.site_title)}</p></div>"
        )
        return self.document(f"{title} | {self.s.site_title}", body)

    def _rss(self, origin: str) -> str:
        s = self.s
        tz = self.site.tz
        items = (
            FeedItem(
                title=a.title,
                link=f"{origin}{a.path}?utm_source=rss",
                description=a.lead,
                pub_date=None if m.NO_DATE in a.flags else rfc822(a.local_time, tz),
                guid=f"{self.site.name}-{a.id}",
            )
            for a in self.state.visible[:FEED_SIZE]
        )
        return rss(f"{s.site_title} - {s.news}", f"{origin}{self.prefix}/news", s.feed_description,
                   s.lang, items)  # fmt: skip

    def _sitemap(self, n: int, origin: str) -> str:
        visible = self.state.visible
        half = (len(visible) + 1) // 2
        chunk = visible[:half] if n == 1 else visible[half:]
        tz = self.site.tz
        return urlset(
            UrlEntry(f"{origin}{a.path}", None if a.date_raw is None else w3c(a.local_time, tz))
            for a in chunk
        )

    def render_article(self, art: ArticleSpec, origin: str, variant: str) -> str:
        """The ICT article page (see the module docstring of newscrawl_replica.sites.ict)."""
        s = self.s
        title = escape(art.title)
        head = [
            f'<!DOCTYPE html>\n<html lang="{s.lang}" dir="{s.direction}"><head>',
            self.charset_meta(art),
            f"<title>{title} | {escape(s.site_title)}</title>\n",
            f'<link rel="canonical" href="{escape(art.path)}">\n',
        ]
        if art.alternate:
            lang, href = art.alternate
            head.append(f'<link rel="alternate" hreflang="{lang}" href="{escape(href)}">\n')
        head.append(f'<meta property="og:title" content="{title}">')
        block = self._article_block(art, origin)
        if variant == "print":
            return "".join(
                [
                    *head,
                    f"<style>{self.style}</style></head>\n",
                    (
                        f'<body class="print-view"><div class="print-box"><a href="#" '
                        f'onclick="window.print()">{escape(s.print_label)}</a></div>\n{block}\n</body></html>\n'
                    ),
                ]
            )
        return "".join(
            [
                *head,
                self._tail,
                self.header_html,
                "\n",
                self._breadcrumb(
                    f'<a href="{self.prefix}/news">{escape(s.news)}</a>', f"<span>{title}</span>"
                ),
                f'\n<h2 class="page-title">{title}</h2>\n',
                block,
                "\n",
                self._related(art),
                "\n",
                self._comments(art),
                "\n",
                self.footer_html,
                "</body></html>\n",
            ]
        )

    def _article_block(self, art: ArticleSpec, origin: str) -> str:
        s = self.s
        title = escape(art.title)
        body: list[str] = []
        if art.title_in_body:
            body.append(f"<p><strong>{title}</strong></p>")
        body.extend(body_paragraphs(art))
        if art.inline_related is not None:
            rel = self.site.by_id.get(art.inline_related)
            if rel is not None:
                body.append(
                    f'<div class="inline-related">{escape(s.read_more)} '
                    f'<a href="{escape(rel.path)}">{escape(rel.title)}</a></div>'
                )
        body.append(share_links(s.share, origin + art.path))
        parts = [
            f'<article class="news-item" id="news-{art.id}">\n',
            f'<h1 class="news-title">{title}</h1>\n',
            f'<div class="news-lead">{escape(art.lead)}</div>\n',
            (
                f'<figure class="news-photo"><img src="/images/news/{art.id}.jpg" alt="{title}">'
                f"<figcaption>{escape(art.caption)}</figcaption></figure>\n"
            ),
            '<div class="news-body">\n',
            "\n".join(body),
            "\n</div>\n",
        ]
        if art.date_raw is not None:
            parts.append(f'<div class="news-date">{escape(art.date_raw)}</div>\n')
        tags = " ".join(
            f'<a href="{self.prefix}/tags/{quote(t, safe="")}">{escape(t)}</a>' for t in art.tags
        )
        parts.append(f'<div class="news-tags"><span>{escape(s.tags)}</span> {tags}</div>\n')
        parts.append("</article>")
        return "".join(parts)

    def _related(self, art: ArticleSpec) -> str:
        items = []
        for rid in art.related:
            rel = self.site.by_id.get(rid)
            if rel is not None:
                items.append(
                    f'<li><a href="{escape(rel.path)}">{escape(rel.title)}</a> {self._date_span(rel)}</li>'
                )
        return (
            f'<section class="related-news"><h3>{escape(self.s.related)}</h3>'
            f"<ul>{''.join(items)}</ul></section>"
        )

    def _comments(self, art: ArticleSpec) -> str:
        s = self.s
        return (
            f'<section class="comments"><h3>{escape(s.comment_title)}</h3>'
            f'<form action="{self.prefix}/news/comment/{art.id}" method="post">\n'
            f'<input name="name"><span class="field-validation">{escape(s.name_required)}</span>\n'
            f'<input name="email"><span class="field-validation">{escape(s.email_required)}</span>\n'
            f'<textarea name="comment" maxlength="500"></textarea><span class="counter">'
            f"{escape(s.counter)}</span>\n"
            f'<span class="field-validation">{escape(s.comment_required)}</span>'
            f'<button type="submit">{escape(s.send)}</button></form></section>'
        )

    def encode(self, art: ArticleSpec, html: str) -> Page:
        """UTF-8, except for the ict_fa encoding edge cases (see generate.py)."""
        if art.encoding == "cp1256_meta_only":
            legacy = arabic_letters(html).translate(_LEGACY_DIGITS)
            return Page(legacy.encode("cp1256", errors="xmlcharrefreplace"), "text/html")
        if art.encoding == "utf8_bom":
            return Page(b"\xef\xbb\xbf" + html.encode("utf-8"), "text/html")
        if art.encoding == "wrong_header_charset":
            return Page(html.encode("utf-8"), "text/html; charset=windows-1256")
        return Page(html.encode("utf-8"), HTML_UTF8)


_LEGACY_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
