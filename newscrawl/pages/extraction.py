"""One article response in, one extraction out: the unit of work of ``pipelines.extract``.

:func:`extract_article` is a pure function of (profile, url, body, content type), so the extract
pipeline can run it in the crawl's process or in an extract worker process (``newscrawl.workers``)
and get the same result. It also runs the clean and date steps on the Article
(``extract.article.run_steps``), so that a worker does that CPU work too; the clean, dates and
dedup pipelines then count and log the outcomes the Article carries (``Article.steps``). What the
pipelines count and log (missing fields, a language mismatch, a page that is not an article, the
steps' outcomes) comes back as data, because a worker process has no crawler stats.
"""

from __future__ import annotations

from dataclasses import dataclass

from newscrawl.extract.article import run_steps
from newscrawl.extract.encoding import decode_html
from newscrawl.items import Article
from newscrawl.pages.article import ArticlePage, NotAnArticle
from newscrawl.profiles.model import Profile

__all__ = ["PageExtraction", "extract_article", "extract_in_worker", "init_worker"]

#: The fields whose absence run health counts (``fields/missing/<name>``), in this order.
HEALTH_FIELDS = ("title", "body", "date")


@dataclass(frozen=True, slots=True)
class PageExtraction:
    """What one article page gave.

    ``item`` is None when the page is not an article (``not_article`` says why). ``missing`` names
    the health fields the HTML lacks, found before extraction, so that a page without a title
    still tells whether its body and date were there. ``encoding`` is the charset the body was
    decoded with. ``date_from_feed`` is true when the page has no date and the listing's, feed's
    or sitemap's date was used.
    """

    encoding: str
    missing: tuple[str, ...]
    page_lang: str | None
    lang_mismatch: bool
    item: Article | None = None
    not_article: str | None = None
    date_from_feed: bool = False


def extract_article(
    profile: Profile,
    base_url: str,
    url: str,
    body: bytes,
    content_type: str | None,
    fetched_at: str,
    date_raw: str | None = None,
) -> PageExtraction:
    """Decode *body*, extract the article and run the steps on it (``Article.steps``).

    *date_raw* is the date a listing, feed or sitemap gave for the article: the article's date
    when its page has none. Exceptions other than NotAnArticle propagate.
    """
    encoding, html = decode_html(body, content_type)
    page = ArticlePage(url, html, profile, base_url)
    found = (page.title, page.paragraphs, page.published_raw)
    missing = tuple(name for name, value in zip(HEALTH_FIELDS, found, strict=True) if not value)
    item: Article | None = None
    not_article: str | None = None
    from_feed = False
    try:
        item = page.to_item(fetched_at=fetched_at)
    except NotAnArticle as exc:
        not_article = str(exc)
    else:
        if item.published_raw is None and date_raw:
            item.published_raw = date_raw
            from_feed = True
        item.steps = run_steps(item, profile)
    return PageExtraction(
        encoding=encoding,
        missing=missing,
        page_lang=page.page_lang,
        lang_mismatch=page.lang_mismatch(),
        item=item,
        not_article=not_article,
        date_from_feed=from_feed,
    )


# -- in an extract worker process (newscrawl.workers) -------------------------------------------

_worker_site: tuple[Profile, str] | None = None


def init_worker(profile: Profile, base_url: str) -> None:
    """Initializer of an extract worker: the site every later call extracts for."""
    global _worker_site
    _worker_site = (profile, base_url)


def extract_in_worker(
    url: str, body: bytes, content_type: str | None, fetched_at: str, date_raw: str | None
) -> PageExtraction:
    """:func:`extract_article` for the site given to :func:`init_worker`."""
    if _worker_site is None:
        raise RuntimeError("extract worker used before init_worker()")
    profile, base_url = _worker_site
    return extract_article(profile, base_url, url, body, content_type, fetched_at, date_raw)
