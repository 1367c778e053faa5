"""Generic extraction for profiles that give no selectors.

Library choice: trafilatura for the title and body; the date is newscrawl's own date finder's
(``extract.datefinder``: JSON-LD, meta tags, ``<time>``, the date line under the headline, the
URL, read with the profile's parser and zone), and htmldate's (through trafilatura) only when
the finder finds no candidate at all; when the finder's candidates disagree there is no date. It is maintained, has the best published
scores among open-source main-text extractors and handles Persian pages. Its output is then
cleaned by our own clean step (``extract.article.clean_article``), as every profile's is. A page
trafilatura finds no text in may carry it in a script (a client-rendered page): the body is then
``extract.embedded``'s, and the htmldate fallback reads the page's metadata.

How it is called was chosen on a benchmark of real pages (``python -m bench.extraction``, figures
in ``bench/profiles/extraction.md``): trafilatura's default settings, tables included, given the
page's HTML to parse itself rather than our lxml tree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import trafilatura
from lxml import html as lxml_html
from parsel import Selector

from newscrawl.extract.datefinder import Evidence, find_date
from newscrawl.extract.embedded import MIN_BODY, embedded_body
from newscrawl.extract.text import normalize_text
from newscrawl.pages._html import first_string, xpath
from newscrawl.profiles.model import Profile


@dataclass(frozen=True, slots=True)
class Options:
    """How trafilatura is called (the benchmark tries other values)."""

    favor_precision: bool = False
    include_tables: bool = True
    #: Give trafilatura the page as HTML text to parse itself (True) or our parsed tree.
    reparse: bool = True


#: The settings generic extraction uses; ``bench.extraction`` swaps them to compare variants.
OPTIONS = Options()


@dataclass(slots=True)
class GenericFields:
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    #: The date string to read with the profile's parser (the finder's candidate as the page
    #: gives it, or htmldate's ``YYYY-MM-DD``).
    date: str | None = None
    #: Where the date came from: a finder's evidence, or ``"htmldate"``.
    date_evidence: Evidence | Literal["htmldate"] | None = None
    #: The finder's candidates disagreed, so the page gets no date.
    date_conflict: bool = False


def extract(root: Selector, url: str, profile: Profile) -> GenericFields:
    """Title, body paragraphs and date of a page (dated in *profile*'s zone and calendar)."""
    found = find_date(
        root.root, url, profile.timezone, formats=profile.dates.formats, calendar=profile.calendar
    )
    fields = _trafilatura(root, url)
    if sum(map(len, fields.paragraphs)) < MIN_BODY:
        # A client-rendered page: its text is in a script, not in the markup trafilatura reads
        # (which may hold a "loading" line or a <noscript> notice at most).
        embedded = embedded_body(root.root)
        if embedded:
            fields.paragraphs = embedded
            fields.date = fields.date or _metadata_date(root, url)
    if found.raw is not None or found.conflict:
        fields.date, fields.date_evidence = found.raw, found.evidence
        fields.date_conflict = found.conflict
    elif fields.date:
        fields.date_evidence = "htmldate"
    return fields


#: htmldate's extensive search reads a copyright line's year as 1 January of that year; its
#: fallback is the page's markup only (the date finder has read the rest already).
_DATE_PARAMS = trafilatura.settings.set_date_params(extensive=False)


def _source(root: Selector) -> Any:
    if OPTIONS.reparse:
        # trafilatura's own parser (comments and processing instructions removed, its repairs)
        # reads the page better than a tree parsed for our selectors; the tree is serialised
        # back because the page object keeps only the tree, not the decoded text.
        return lxml_html.tostring(root.root, encoding="unicode")
    return root.root


def _metadata_date(root: Selector, url: str) -> str | None:
    """htmldate's date through trafilatura's metadata, for a page trafilatura found no text in."""
    metadata = trafilatura.extract_metadata(
        _source(root), default_url=url, date_config=_DATE_PARAMS
    )
    return metadata.date or None


def _trafilatura(root: Selector, url: str) -> GenericFields:
    options = OPTIONS
    document = trafilatura.bare_extraction(
        _source(root),
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=options.include_tables,
        favor_precision=options.favor_precision,
        date_extraction_params=_DATE_PARAMS,
    )
    if not isinstance(document, trafilatura.settings.Document):
        return GenericFields(title=fallback_title(root))
    text = document.text or ""
    paragraphs = [p for p in (normalize_text(line) for line in text.split("\n")) if p]
    title = normalize_text(document.title) if document.title else None
    return GenericFields(
        title=title or fallback_title(root), paragraphs=paragraphs, date=document.date or None
    )


# -- the title when trafilatura gives none ---------------------------------------------------

# A site name joined to the headline in <title>: "Site - Headline", "Headline | Site", also with
# an en or em dash, "::", "»" or "«". A hyphen counts only with spaces around it (a word such as
# "e-mail" is not a separator).
_SEPARATOR_RE = re.compile(r"\s+(?:[-|–—»«·•]|::)\s+|\s*[|»«]\s*")
_NOT_WORD_RE = re.compile(r"\W+")
#: Longest end segment taken for a site name when the page does not name its site.
_SITE_NAME_MAX_WORDS = 4


def fallback_title(root: Selector) -> str | None:
    """The headline from og:title, the JSON-LD headline or ``<title>``, site name stripped.

    Hand-written: trafilatura gives no title for these pages, and this is the order of
    evidence a page offers (its sharing title, its structured data, its window title).
    """
    site = first_string(xpath(root, "//meta[@property='og:site_name']/@content"))
    host = first_string(xpath(root, "//meta[@property='og:url']/@content"))
    names = [name for name in (site, _host_label(host)) if name]
    candidates = [
        first_string(xpath(root, "//meta[@property='og:title']/@content")),
        _jsonld_headline(root),
        first_string(xpath(root, "//head/title/text()"))
        or first_string(xpath(root, "//title/text()")),
    ]
    for candidate in candidates:
        title = strip_site_name(normalize_text(candidate), names) if candidate else ""
        if title:
            return title
    return None


def _host_label(url: str | None) -> str | None:
    if not url:
        return None
    host = re.sub(r"^[a-z]+://", "", url.strip()).split("/")[0].split(":")[0].lower()
    labels = host.removeprefix("www.").split(".")
    return labels[0] if labels and labels[0] else None


def _jsonld_headline(root: Selector) -> str | None:
    for script in xpath(root, "//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for node in _walk(data):
            headline = node.get("headline")
            if isinstance(headline, str) and headline.strip():
                return headline
    return None


def _walk(data: Any) -> list[dict[str, Any]]:
    """The JSON-LD objects in *data*: the top level, lists and ``@graph``."""
    if isinstance(data, list):
        return [node for item in data for node in _walk(item)]
    if isinstance(data, dict):
        return [data, *_walk(data.get("@graph", []))]
    return []


def _key(text: str) -> str:
    return _NOT_WORD_RE.sub("", text).casefold()


def strip_site_name(title: str, site_names: list[str] | tuple[str, ...] = ()) -> str:
    """*title* without the site name joined to it (``Site - Headline``, ``Headline | Site``).

    A segment at either end that is one of *site_names* (or contains it, or is contained in
    it: ``derstandard`` and ``DER STANDARD``) goes. When no name matches, a short last segment
    (at most four words), else a short first one, is taken for the site's name, if the rest is
    longer. A title with no separator is returned as it is.
    """
    parts = [part.strip() for part in _SEPARATOR_RE.split(title)]
    parts = [part for part in parts if part]
    if len(parts) < 2:
        return title.strip()
    keys = [_key(name) for name in site_names if _key(name)]

    def is_site(part: str) -> bool:
        key = _key(part)
        return bool(key) and any(key == name or name in key or key in name for name in keys)

    if is_site(parts[-1]):
        return _rejoin(title, parts[:-1])
    if is_site(parts[0]):
        return _rejoin(title, parts[1:])
    for index in (-1, 0):
        end = parts[index]
        rest = parts[:-1] if index == -1 else parts[1:]
        if len(end.split()) <= _SITE_NAME_MAX_WORDS and len(end) < sum(map(len, rest)):
            return _rejoin(title, rest)
    return title.strip()


def _rejoin(title: str, parts: list[str]) -> str:
    """The span of *title* from the first to the last of *parts* (its own separators kept)."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if 0 <= start < end else " ".join(parts)
