"""The publication date of a page that has no date selector, from the evidence the page gives.

Generic extraction (``pages.generic``) asks :func:`find_date` for the date of a page of a site
without a date selector. The candidates are read with newscrawl's own parser
(``extract.dates.parse_date``: English, Persian, Dari, Jalali, numeric forms, Persian digits,
``ب.ظ``/``ق.ظ``, ``AM``/``PM``), in the site's zone, in this order of evidence:

1. ``json-ld``: ``datePublished`` of the page's JSON-LD (an ``...Article``/``BlogPosting`` node
   first, then any node);
2. ``meta``: ``article:published_time`` and the similar meta tags of :data:`META_KEYS`, in that
   order; ``itemprop="datePublished"`` on a ``<meta>`` or ``<time>``;
3. ``time``: the first ``<time datetime>`` inside the article (``<article>``, ``<main>``, or the
   whole page when it has neither), outside the excluded regions below;
4. ``visible``: the date line nearest the headline (the ``<h1>``): the short text elements from a
   few elements before it to :data:`_AFTER_HEADLINE` elements after it, nearest first;
5. ``label``: a short line anywhere in the page that names itself the publication date
   ("Published 4 June 2024", "Datum 28.04.2023", ``تاریخ انتشار: ...``; :data:`_LABEL`), first
   in the page's order, for a page whose date line is not near its headline;
6. ``url``: a ``/2020/06/22/`` or ``2020-06-22`` date in the URL's path.

The first kind that gives a date decides. Never read: text in a copyright line (``©``,
"copyright", ``کلیه حقوق``), an "updated"/"modified" line, a print edition's line (below), a link (a related article's date),
a photo's caption (``<figure>``, ``<figcaption>``, a caption or picture box: the day the photo
was taken), and any element inside a region whose class or id names a header, nav, footer,
sidebar, related or "most read" box, comments, or a clock/"today" widget
(:data:`_EXCLUDED_REGION`): a site's "today's date" in its header is not the article's.

Disagreement: a date the page shows in the article's header (the ``visible`` candidate) is
never contradicted. When the deciding candidate (json-ld, meta or time) falls on another day
than the visible one, read both in the site's zone and in the candidate's own offset, the finder
gives no date and says so (``FoundDate.conflict``): no date is better than a wrong one, and the
caller counts it. One exception, where the page itself says what its header's date is: a
newspaper's header often shows the date of the print edition the article appears in, and the
article went online the evening before. When a line of the page names that day as an edition's
(``Erschienen in der Ausgabe vom 18.05.2026``, "appeared in print on", "print edition"; see
:data:`_EDITION`) and the deciding candidate falls on that day or the day before, the two do not
disagree and the deciding candidate's time is kept. The deciding candidate's time and offset are kept (a ``2020-06-22T20:30:00Z``
meta tag on a Tehran site is 2020-06-23 00:00 there, not the UTC day).

When no candidate answers, the caller may fall back to htmldate (``pages.generic`` does, through
trafilatura): ``FoundDate.raw`` is None without a conflict.

Hand-written rather than htmldate: htmldate reads a copyright year or a header's "today" as the
date, gives the UTC day of a UTC timestamp, and cannot read Jalali dates with Persian month
names and ``ب.ظ``; the candidates it would find are the same page parts, read here with the
parser every profile uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from lxml import etree

from newscrawl.extract.dates import Calendar, ParsedDate, parse_date

__all__ = ["META_KEYS", "Evidence", "FoundDate", "find_date"]

Evidence = Literal["json-ld", "meta", "time", "visible", "label", "url"]

#: Meta tags that carry the publication time, in order of preference (lower case; ``property``
#: or ``name`` attribute).
META_KEYS: Final = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "date",
)

_JSONLD_ARTICLE_TYPE = re.compile(r"(Article|BlogPosting|Report)$")

#: Regions of a page whose dates are not the article's (matched on class and id).
_EXCLUDED_REGION: Final = re.compile(
    r"(?<![a-z])(header|masthead|top-?bar|nav|navbar|menu|footer|sidebar|side-bar|aside|related|"
    r"recommend|more-?news|most-?(read|viewed|popular)|popular|latest|trending|teaser|widget|"
    r"comment|clock|today|current-?date|date-?now|time-?now|weather|ticker|"
    r"caption|figure|photo|picture|pic-?box|gallery|slideshow)",
    re.IGNORECASE,
)
_EXCLUDED_TAGS: Final = frozenset(
    {"header", "nav", "footer", "aside", "a", "figure", "figcaption", "script", "style"}
)
#: A line that names a copyright or an update, not the publication.
_NOT_PUBLICATION: Final = re.compile(
    r"©|\(c\)|copyright|all rights reserved|کلیه حقوق|كليه حقوق|تمامی حقوق|حقوق این|"
    r"updated|modified|aktualisiert|geändert|mis à jour|actualizado|aggiornato|"
    r"به[\u200c ]?روز|بروز|ویرایش",
    re.IGNORECASE,
)
#: A line that names the publication date: the label, then the date (``label`` evidence).
_LABEL: Final = re.compile(
    r"^(?:published|publication date|posted|date|datum|veröffentlicht|publié|publicado|"
    r"pubblicato|yayın tarihi|yayınlanma tarihi|تاریخ انتشار|تاريخ النشر|تاریخ|تاريخ|"
    r"انتشار|منتشر شده)(?:\s+(?:on|am|le|el|il))?\s*[:：]?\s*\S",
    re.IGNORECASE,
)
#: A line that names a print edition's date: the header's date of a newspaper's article is
#: often its edition's, a day after the article went online.
_EDITION: Final = re.compile(
    r"ausgabe vom|printausgabe|print-ausgabe|gedruckten ausgabe|print edition|in print on|"
    r"appears? in print|appeared in print|édition du|édition papier|edición impresa|"
    r"edizione del|edizione cartacea|نسخه چاپی",
    re.IGNORECASE,
)
#: Characters read after an edition's label for its date.
_EDITION_DATE_SPAN: Final = 80
#: How many days before its edition's date an article may go online.
_EDITION_LEAD_DAYS: Final = 1
#: The most words without a digit (a month's name, a weekday, a byline's name) in a line that is
#: a date; a longer line is a sentence that names a date, not the article's date line.
_DATE_LINE_WORDS: Final = 4
#: The longest text taken for a date line: longer is a paragraph.
_MAX_LINE: Final = 120
#: How many elements before and after the headline are searched for its date line.
_BEFORE_HEADLINE: Final = 12
_AFTER_HEADLINE: Final = 40
_URL_DATE: Final = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<sep>[/_-])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?!\d)"
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """The finder's answer: the date string to read (``raw``) and where it came from.

    ``raw`` is None when no candidate answered (``evidence`` None too) or when the candidates
    disagreed (``conflict`` true: the deciding candidate's day is not the day the article's
    header shows).
    """

    raw: str | None
    evidence: Evidence | None = None
    conflict: bool = False


@dataclass(frozen=True, slots=True)
class _Candidate:
    raw: str
    parsed: ParsedDate
    evidence: Evidence


def find_date(
    root: etree._Element,
    url: str,
    zone: str | ZoneInfo,
    *,
    formats: Sequence[str] = (),
    calendar: Calendar = "auto",
) -> FoundDate:
    """The publication date of the page *root* (an lxml HTML tree) at *url*; see the module."""

    def read(raw: str | None, evidence: Evidence) -> _Candidate | None:
        if not raw or not raw.strip():
            return None
        parsed = parse_date(raw.strip(), zone, formats=formats, calendar=calendar)
        return _Candidate(raw.strip(), parsed, evidence) if parsed else None

    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    headline = next((i for i, el in enumerate(elements) if el.tag == "h1"), None)
    article = _headline_region(elements[headline]) if headline is not None else frozenset()
    visible = _first(read(text, "visible") for text in _headline_lines(elements, headline, article))
    sources: tuple[tuple[Evidence, list[str]], ...] = (
        ("json-ld", _jsonld_dates(root)),
        ("meta", _meta_dates(root)),
        ("time", _article_times(root, article)),
    )
    strong = _first(read(raw, evidence) for evidence, raws in sources for raw in raws)
    if strong is not None:
        if (
            visible is not None
            and _is_date_line(visible.raw)
            and not _same_day(strong, visible)
            and not _before_its_edition(strong, visible, _edition_days(elements, read))
        ):
            return FoundDate(raw=None, conflict=True)
        return FoundDate(raw=strong.raw, evidence=strong.evidence)
    best = (
        visible
        or _first(read(text, "label") for text in _labelled_lines(elements, article))
        or read(_url_date(url), "url")
    )
    return FoundDate(raw=None) if best is None else FoundDate(raw=best.raw, evidence=best.evidence)


def _first(candidates: Iterator[_Candidate | None]) -> _Candidate | None:
    return next((candidate for candidate in candidates if candidate is not None), None)


def _days(candidate: _Candidate) -> set[date]:
    """The candidate's calendar day in the site's zone and, for a timestamp, in its own offset."""
    value = candidate.parsed.value
    if not isinstance(value, datetime):
        return {value}
    days = {value.date()}
    try:
        own = datetime.fromisoformat(candidate.raw)
    except ValueError:
        return days
    days.add(own.date())
    return days


def _before_its_edition(strong: _Candidate, visible: _Candidate, editions: set[date]) -> bool:
    """True when the visible date is a print edition's and *strong* falls on that day or up to
    :data:`_EDITION_LEAD_DAYS` before it (see the module docstring)."""
    days = _days(visible) & editions
    return any(
        0 <= (edition - day).days <= _EDITION_LEAD_DAYS for edition in days for day in _days(strong)
    )


def _edition_days(
    elements: list[etree._Element], read: Callable[[str | None, Evidence], _Candidate | None]
) -> set[date]:
    """The days that lines of the page name as a print edition's (:data:`_EDITION`)."""
    days: set[date] = set()
    for element in elements:
        if element.tag in ("html", "head", "body", "script", "style"):
            continue
        text = _text(element)
        match = _EDITION.search(text)
        # the innermost such line: the <div>, not the article that holds it
        if match is None or any(
            isinstance(inner.tag, str) and _EDITION.search(_text(inner))
            for inner in element.iterchildren()
        ):
            continue
        edition = read(text[match.start() : match.start() + _EDITION_DATE_SPAN], "visible")
        if edition is not None:
            days |= _days(edition)
    return days


def _is_date_line(text: str) -> bool:
    """True for a line that is a date: at most :data:`_DATE_LINE_WORDS` words without a digit
    besides a publication label (``5 June 2024``, ``By Jane Roe, 5 June 2024``, ``Datum
    28.04.2023``), not a sentence that names a date ("reported on the radio on 26.08.2024")."""
    label = _LABEL.match(text)
    rest = text[label.end() - 1 :] if label else text  # the match ends on the date's first char
    words = [
        w for w in rest.split() if any(c.isalpha() for c in w) and not any(c.isdigit() for c in w)
    ]
    return len(words) <= _DATE_LINE_WORDS


def _same_day(strong: _Candidate, visible: _Candidate) -> bool:
    return bool(_days(strong) & _days(visible))


# -- the candidates, in the page's order -----------------------------------------------------


def _jsonld_dates(root: etree._Element) -> list[str]:
    articles: list[str] = []
    others: list[str] = []
    for script in root.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        for node in _walk(data):
            value = node.get("datePublished")
            if not isinstance(value, str):
                continue
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            is_article = any(isinstance(k, str) and _JSONLD_ARTICLE_TYPE.search(k) for k in kinds)
            (articles if is_article else others).append(value)
    return articles + others


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """The JSON-LD objects in *data*: the top level, lists, ``@graph`` and nested objects."""
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _walk(value)


def _meta_dates(root: etree._Element) -> list[str]:
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key in META_KEYS and content and key not in found:
            found[key] = content
    ordered = [found[key] for key in META_KEYS if key in found]
    for element in root.iterfind(".//*[@itemprop='datePublished']"):
        if element.tag != "meta":
            value = element.get("datetime") or element.get("content") or _text(element)
            if value:
                ordered.append(value)
    return ordered


def _article_times(root: etree._Element, article: frozenset[etree._Element]) -> list[str]:
    scope = root.find(".//article")
    if scope is None:
        scope = root.find(".//main")
    return [
        value
        for element in (root if scope is None else scope).iter("time")
        if (value := element.get("datetime")) and not _excluded(element, article)
    ]


def _headline_lines(
    elements: list[etree._Element], headline: int | None, article: frozenset[etree._Element]
) -> Iterator[str]:
    """Short text elements around the first ``<h1>``, nearest first (after it, then before)."""
    if headline is None:
        return
    after = elements[headline + 1 : headline + 1 + _AFTER_HEADLINE]
    before = elements[max(0, headline - _BEFORE_HEADLINE) : headline][::-1]
    for element in [*after, *before]:
        if element in article or _excluded(element, article):
            continue
        text = _text(element)
        if (
            text
            and len(text) <= _MAX_LINE
            and not _NOT_PUBLICATION.search(text)
            and not _EDITION.search(text)
        ):
            yield text


def _labelled_lines(
    elements: list[etree._Element], article: frozenset[etree._Element]
) -> Iterator[str]:
    """Short lines that begin with a publication label (:data:`_LABEL`), in the page's order;
    of a line and the lines inside it, the innermost."""
    for element in elements:
        if element in article or element.tag in ("html", "head", "body"):
            continue
        text = _text(element)
        if (
            text
            and len(text) <= _MAX_LINE
            and _LABEL.match(text)
            and not _NOT_PUBLICATION.search(text)
            and not _excluded(element, article)
            # the innermost such line: the <li>, not the list that holds it and the next <li>
            and not any(_LABEL.match(_text(inner)) for inner in element.iterdescendants())
        ):
            yield text


def _url_date(url: str) -> str | None:
    match = _URL_DATE.search(urlsplit(url).path)
    if match is None:
        return None
    return f"{match['y']}-{int(match['m']):02d}-{int(match['d']):02d}"


# -- page regions -----------------------------------------------------------------------------


def _text(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _headline_region(headline: etree._Element) -> frozenset[etree._Element]:
    """The headline's ancestors: the article's own regions, never excluded (an article's
    ``<header>`` or ``class="article-header"`` holds its date line)."""
    return frozenset(headline.iterancestors())


def _excluded(element: etree._Element, article: frozenset[etree._Element]) -> bool:
    """True inside a region whose dates are not the article's (see the module docstring)."""
    node: etree._Element | None = element
    while node is not None:
        if not isinstance(node.tag, str) or node in article:
            return False
        if node.tag in _EXCLUDED_TAGS:
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and _EXCLUDED_REGION.search(marks):
            return True
        node = node.getparent()
    return False
