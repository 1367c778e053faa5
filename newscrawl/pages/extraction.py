"""One article page in, one extraction out: the only extraction path for a page.

:func:`extract_article` decodes the body, builds the page object, and runs the clean and date
steps and the content hash on the Article (``extract.article``); nothing else in newscrawl does
any of these for an article page. Its three callers are the crawl's extract pipeline
(``pipelines.extract``, here or in an extract worker process, ``newscrawl.workers``),
``newscrawl reextract`` (``newscrawl.reextract``) and ``newscrawl extract`` (``cli.extract``).

It is a pure function of its arguments, so a worker process gives what the crawl's own process
gives. What the crawl counts and logs comes back as data (:class:`PageExtraction`), because a
worker process has no crawler stats: a page that is not an article, the health fields the HTML
lacks, a language mismatch, the encoding (and whether it was detected), the U+FFFD replacement
characters left in the stored text, the clean step's drop reason, the date step's status,
whether the feed's date stood in, and which layout read the page (or how the layouts failed).

Layouts (``[[layouts]]`` of the profile; one, ``default``, for a profile without them): the ones
valid at the page's fetch time are tried in order (:meth:`Profile.layouts_at`), and the first
that reads both a title and a body reads the page. When none does, the page is read by generic
extraction (``layout = "generic"``) only if it looks like a redesign and generic extraction
gives an article: no layout found its body element on the page, and generic extraction gives a
title and at least :data:`FALLBACK_MIN_BODY` characters of body. Otherwise the first layout
reads it, as a profile with one layout always did: a page without a title is not an article, a
page with an empty body is dropped by the clean step. A page whose layout's body element is
there (empty or not) has the layout's structure: it is a page that lacks the content (a soft
404, an empty article), not a redesign, and generic extraction would only archive its furniture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from newscrawl.changes.volatile import volatile_spans
from newscrawl.extract.article import DateStatus, clean_article, content_hash, date_article
from newscrawl.extract.encoding import count_replacement_chars, decode_html, decode_html_checked
from newscrawl.extract.text import join_paragraphs
from newscrawl.items import Article
from newscrawl.pages.article import ArticlePage, NotAnArticle
from newscrawl.profiles.model import GENERIC_LAYOUT, Layout, Profile, Selectors

__all__ = [
    "FALLBACK_MIN_BODY",
    "HEALTH_FIELDS",
    "LAYOUT_FIELDS",
    "PageExtraction",
    "SavedPage",
    "extract_article",
    "extract_in_worker",
    "init_worker",
    "saved_page",
]

#: The fields whose absence run health counts (``fields/missing/<name>``), in this order.
HEALTH_FIELDS = ("title", "body", "date")
#: The fields a layout must read for it to read the page.
LAYOUT_FIELDS = ("title", "body")
#: The shortest body (characters of text, before cleaning) the generic fallback archives: a soft
#: 404 or an error page in a new design reads as a title and a line or two.
FALLBACK_MIN_BODY = 200


@dataclass(frozen=True, slots=True)
class PageExtraction:
    """What one article page gave.

    ``item`` is the cleaned, dated and hashed Article (``content_hash`` set), or None: when the
    page is not an article (``not_article`` says why) or when the clean step dropped it
    (``dropped`` is its reason, e.g. ``empty_body``). ``missing`` names the health fields the
    HTML lacks, found before extraction, so that a page without a title still tells whether its
    body and date were there. ``encoding`` is the charset the body was decoded with;
    ``encoding_detected`` is true when the page declared none and it was detected (guided by the
    profile's language). ``replacement_chars`` counts the U+FFFD replacement characters in the
    item's stored text (title, lead and body; 0 without an item): bytes that were not text in
    that encoding.
    ``date_status`` is the date step's outcome (None when the item was not dated: not an article
    or dropped). ``date_from_feed`` is true when the page has no date and the one the caller
    passed (a listing's, feed's or sitemap's) was used.
    ``layout`` is the name of the layout that read the page (its title and body), ``generic``
    when the generic fallback did, None when none did. ``layout_failures`` is, when no layout
    of the profile read the page, each (layout, field) of the layouts tried that the layout
    could not read (``title``, ``body``), in order; ``missing`` is then the generic fallback's,
    or the first layout's when there was no fallback.
    """

    encoding: str
    missing: tuple[str, ...]
    page_lang: str | None
    lang_mismatch: bool
    item: Article | None = None
    not_article: str | None = None
    dropped: str | None = None
    date_status: DateStatus | None = None
    date_from_feed: bool = False
    encoding_detected: bool = False
    replacement_chars: int = 0
    #: Generic extraction: where the date came from (``extract.datefinder``), and whether its
    #: candidates disagreed (then the page has no date of its own).
    date_evidence: str | None = None
    date_conflict: bool = False
    layout: str | None = None
    layout_failures: tuple[tuple[str, str], ...] = ()

    @property
    def fallback_generic(self) -> bool:
        """True when no layout of the profile read the page and generic extraction did."""
        return self.layout == GENERIC_LAYOUT


def extract_article(
    profile: Profile,
    base_url: str,
    url: str,
    body: bytes,
    content_type: str | None,
    fetched_at: str,
    date_raw: str | None = None,
) -> PageExtraction:
    """Decode *body*, extract the article, clean it, date it and hash it.

    The callers differ only in what they know about the page, and pass it here:

    - *base_url* is the site's base the article's ``canonical_url`` is put on, and whose host
      counts as the site's (with the profile's hosts). A crawl passes its own (the spider's
      ``-a base_url``, else the profile's), ``reextract`` the base of the stored canonical URL
      (the base the crawl used), ``newscrawl extract`` the origin of the page's URL (there is no
      crawl).
    - *content_type* is the response's Content-Type header (its charset is a hint for decoding);
      a saved file has none (None: the body's BOM, meta charset or a UTF-8 check decide).
    - *fetched_at* is the fetch time (UTC ``...Z``): the response's, the stored revision's, or
      now.
    - *date_raw* stands in for the page's date when the page shows none: a crawl passes the
      date its listing, feed or sitemap gave, ``reextract`` the stored revision's
      ``published_raw`` (the date the crawl kept), ``newscrawl extract`` nothing.

    Exceptions other than NotAnArticle propagate.
    """
    decoded = decode_html_checked(body, content_type, lang=profile.lang)
    encoding, encoding_detected = decoded.encoding, decoded.detected
    parsed = ArticlePage(url, decoded.text, profile, base_url)
    # The page's memory is its tree from here on: its decoded text, as large as the page or up to
    # four times larger, goes now, and the tree before cleaning and hashing copy the body.
    del decoded
    read, layout, failures = _read_with_layouts(parsed, profile.layouts_at(fetched_at))
    page = read or parsed
    del parsed
    found = (page.title, page.paragraphs, page.published_raw) if read else (None, None, None)
    missing = tuple(name for name, value in zip(HEALTH_FIELDS, found, strict=True) if not value)
    page_lang, lang_mismatch = page.page_lang, page.lang_mismatch()

    def outcome(**steps: Any) -> PageExtraction:
        return PageExtraction(
            encoding=encoding,
            encoding_detected=encoding_detected,
            missing=missing,
            page_lang=page_lang,
            lang_mismatch=lang_mismatch,
            layout=layout,
            layout_failures=failures,
            **steps,
        )

    if read is None:
        return outcome(not_article=f"no layout of profile {profile.name} is valid at {fetched_at}")
    try:
        item = page.to_item(fetched_at=fetched_at)
    except NotAnArticle as exc:
        return outcome(not_article=str(exc))
    found_by = {"date_evidence": page.date_evidence, "date_conflict": page.date_conflict}
    selected = page.volatile_texts
    del page, found
    item.layout = layout
    from_feed = False
    if item.published_raw is None and date_raw:
        item.published_raw = date_raw
        from_feed = True
        found_by["date_evidence"] = None
    reason = clean_article(item, profile)
    if reason:
        return outcome(dropped=reason, date_from_feed=from_feed)
    status = date_article(item, profile)
    item.content_hash = content_hash(item)
    item.volatile = volatile_spans(
        selected, profile.volatile.patterns, (item.title, item.lead, item.body)
    )
    return outcome(
        item=item,
        date_status=status,
        date_from_feed=from_feed,
        replacement_chars=count_replacement_chars(item.title, item.lead, item.body),
        **found_by,
    )


def _read_with_layouts(
    parsed: ArticlePage, layouts: tuple[Layout, ...]
) -> tuple[ArticlePage | None, str | None, tuple[tuple[str, str], ...]]:
    """The page read by the first of *layouts* that reads its title and body (see the module).

    Returns the page object to build the item from (None when no layout is valid at the
    page's fetch time and the generic fallback gives no article), the name of the layout that
    read it (``generic`` for the fallback; None when none did) and, when no layout read it,
    each (layout, field) that failed.
    """
    try:
        parsed.source_id  # noqa: B018 (a page that is no article of the site is no layout's failure)
    except NotAnArticle:
        return (parsed.with_selectors(layouts[0]) if layouts else parsed), None, ()
    tried: list[ArticlePage] = []
    failures: list[tuple[str, str]] = []
    for index, layout in enumerate(layouts):
        page = parsed.with_selectors(layout, keep_tree=index < len(layouts) - 1)
        read = {"title": bool(page.title), "body": bool(page.paragraphs)}
        if all(read.values()):
            return page, layout.name, ()
        tried.append(page)
        failures += [(layout.name, name) for name in LAYOUT_FIELDS if not read[name]]
    if not any(page.selectors.generic or page.body_found for page in tried):
        fallback = parsed.with_selectors(Selectors())
        if fallback.title and len(join_paragraphs(fallback.paragraphs)) >= FALLBACK_MIN_BODY:
            return fallback, GENERIC_LAYOUT, tuple(failures)
    # As with one layout: the first one's reading (no title: not an article; no body: dropped).
    return (tried[0] if tried else None), None, tuple(failures)


@dataclass(frozen=True, slots=True)
class SavedPage:
    """What ``newscrawl extract`` reads from a saved page before it can extract it."""

    #: The page's own URL (``rel=canonical``, else ``og:url``), when it gives an absolute one.
    url: str | None
    #: The primary subtag of ``<html lang>``, lower case, when the page declares one.
    lang: str | None


def saved_page(body: bytes, content_type: str | None = None) -> SavedPage:
    """The URL and language a saved page declares, decoded as :func:`extract_article` does.

    ``newscrawl extract`` needs them to choose the URL and the generic profile it then calls
    :func:`extract_article` with.
    """
    _, html = decode_html(body, content_type)
    root = Selector(text=html)
    url = None
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        value = (root.xpath(xpath).get() or "").strip()
        if value and urlsplit(value).scheme in ("http", "https"):
            url = value
            break
    lang = root.xpath("/html/@lang").get()
    return SavedPage(url=url, lang=lang.split("-")[0].lower() if lang else None)


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
