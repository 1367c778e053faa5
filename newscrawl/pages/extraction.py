"""One article response in, one extraction out: the unit of work of ``pipelines.extract``.

:func:`extract_article` is a pure function of (profile, url, body, content type), so the extract
pipeline can run it in the crawl's process or in an extract worker process (``newscrawl.workers``)
and get the same result. What the pipeline counts and logs (missing fields, a language mismatch,
a page that is not an article) comes back as data, because a worker process has no crawler stats.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    decoded with.
    """

    encoding: str
    missing: tuple[str, ...]
    page_lang: str | None
    lang_mismatch: bool
    item: Article | None = None
    not_article: str | None = None


def extract_article(
    profile: Profile,
    base_url: str,
    url: str,
    body: bytes,
    content_type: str | None,
    fetched_at: str,
) -> PageExtraction:
    """Decode *body* and extract the article; other exceptions than NotAnArticle propagate."""
    encoding, html = decode_html(body, content_type)
    page = ArticlePage(url, html, profile, base_url)
    found = (page.title, page.paragraphs, page.published_raw)
    missing = tuple(name for name, value in zip(HEALTH_FIELDS, found, strict=True) if not value)
    item: Article | None = None
    not_article: str | None = None
    try:
        item = page.to_item(fetched_at=fetched_at)
    except NotAnArticle as exc:
        not_article = str(exc)
    return PageExtraction(
        encoding=encoding,
        missing=missing,
        page_lang=page.page_lang,
        lang_mismatch=page.lang_mismatch(),
        item=item,
        not_article=not_article,
    )


# -- in an extract worker process (newscrawl.workers) -------------------------------------------

_worker_site: tuple[Profile, str] | None = None


def init_worker(profile: Profile, base_url: str) -> None:
    """Initializer of an extract worker: the site every later call extracts for."""
    global _worker_site
    _worker_site = (profile, base_url)


def extract_in_worker(
    url: str, body: bytes, content_type: str | None, fetched_at: str
) -> PageExtraction:
    """:func:`extract_article` for the site given to :func:`init_worker`."""
    if _worker_site is None:
        raise RuntimeError("extract worker used before init_worker()")
    profile, base_url = _worker_site
    return extract_article(profile, base_url, url, body, content_type, fetched_at)
