"""The per-article steps after the page object: clean, dates, content hash, as plain functions.

``pages.extraction.extract_article`` runs them, in this order, for the crawl (in its extract
worker), ``newscrawl extract`` and ``newscrawl reextract`` alike; no pipeline runs them.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from newscrawl.extract.dates import parse_date
from newscrawl.extract.text import (
    clean_lead,
    clean_paragraphs,
    join_paragraphs,
    normalize_text,
    split_paragraphs,
)
from newscrawl.items import Article
from newscrawl.profiles.model import Profile

PERSIAN_LANGS = frozenset({"fa", "prs", "ps"})


class DateStatus(StrEnum):
    PARSED = "parsed"
    DATE_ONLY = "date_only"
    MISSING = "missing"
    UNPARSED = "unparsed"


def is_persian(profile: Profile) -> bool:
    return profile.lang.split("-")[0] in PERSIAN_LANGS


def clean_article(item: Article, profile: Profile) -> str | None:
    """Normalise and strip boilerplate in place; return a drop reason, or None to keep it."""
    persian = is_persian(profile)
    rules = profile.boilerplate
    title = normalize_text(item.title, persian=persian) if item.title else None
    item.title = title or None
    item.lead = clean_lead(item.lead, rules, title=title, persian=persian)
    paragraphs = clean_paragraphs(split_paragraphs(item.body), rules, title=title, lead=item.lead, persian=persian)
    item.body = join_paragraphs(paragraphs)
    item.tags = list(dict.fromkeys(t for t in (normalize_text(t, persian=persian) for t in item.tags) if t))
    if item.published_raw:
        item.published_raw = normalize_text(item.published_raw) or None
    if not item.title:
        return "empty_title"
    if not item.body:
        return "empty_body"
    return None


def date_article(item: Article, profile: Profile) -> DateStatus:
    """Fill published_at / published_at_utc from published_raw in the site's zone."""
    if not item.published_raw:
        item.published_at = item.published_at_utc = None
        return DateStatus.MISSING
    parsed = parse_date(item.published_raw, profile.timezone, formats=profile.dates.formats, calendar=profile.calendar)
    if parsed is None:
        item.published_at = item.published_at_utc = None
        return DateStatus.UNPARSED
    item.published_at = parsed.isoformat()
    item.published_at_utc = parsed.utc_isoformat()
    return DateStatus.PARSED if parsed.has_time else DateStatus.DATE_ONLY


_HASH_SLICE = 1 << 20  # characters


def content_hash(item: Article) -> str:
    """sha256 of what makes a revision: title, lead, body and publication date."""
    digest = hashlib.sha256()
    for part in (item.title, item.lead, item.body, item.published_at):
        text = part or ""
        # A slice at a time: the same digest as the whole text's UTF-8, without a copy of it.
        for start in range(0, len(text), _HASH_SLICE):
            digest.update(text[start : start + _HASH_SLICE].encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()

