"""Data model of the replica: one :class:`ArticleSpec` per article, one :class:`SiteData` per site.

The generator (:mod:`newscrawl_replica.generate`) builds these; the server renders them and the tests use
them as ground truth. Nothing here knows about HTML or HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from random import Random

# Flags that mark special articles (see the tables in generate.py for the fixed ids).
NO_DATE = "no_date"  # the page shows no date line at all (and its RSS item has no pubDate)
EMPTY_BODY = "empty_body"  # lead present, body has no paragraphs
GONE = "gone"  # answers 404 but is still linked from the listing
FLAKY = "flaky"  # answers 500 on its first request, 200 afterwards
SEED = "seed"  # the real article text from the seed file (ict_en 27012)
DST = "dst"  # pinned date inside Tehran summer time (+04:30)
NO_DST = "no_dst"  # pinned summer date in a year without DST (+03:30: 2006-2007, 2023-)
STD = "std"  # pinned date outside summer time (+03:30)
FOLD = "fold"  # wall-clock time that happened twice (end of DST)
GAP = "gap"  # wall-clock time that never happened (start of DST)
TITLE_ONCE = "title_once"  # (documentation only) the real page showed the title once
VARIANT = "variant"  # the listing links this article through a non-canonical URL (see listing_path)
PAIRED = "paired"  # has an other-language version (see ArticleSpec.alternate)
ENCODING = "encoding"  # served with an encoding edge case (see ArticleSpec.encoding)
ARABIC_LETTERS = "arabic_letters"  # Persian date line written with Arabic yeh/kaf (دي, ارديبهشت)
RLM = "rlm"  # the date line is wrapped in RIGHT-TO-LEFT MARKs
MIXED_DIGITS = "mixed_digits"  # the date line mixes Persian (۰-۹) and Arabic-Indic (٠-٩) digits


@dataclass(frozen=True, slots=True)
class InlineMarkup:
    """An inline element the renderer wraps around ``phrase`` in paragraph ``paragraph``.

    ``tag`` is ``"em"``, ``"strong"`` or ``"a"`` (then ``href`` is set). The text content of the
    paragraph does not change, so ``ArticleSpec.paragraphs`` stays the ground truth.
    """

    paragraph: int
    phrase: str
    tag: str
    href: str = ""


@dataclass(slots=True)
class ArticleSpec:
    """One article as the replica serves it.

    ``paragraphs`` is the body without the lead. The generator passes ``body`` as a function that
    makes the paragraphs on first access (deterministically), so a 20,000-article site is generated
    in about a second; read and assign ``paragraphs``, never ``body``. ``date_raw`` is the date line exactly as the page
    shows it (None: no date line). ``local_time`` is the naive wall-clock time in the site's zone
    that the date line was made from; it also orders the listing, even when ``date_raw`` is None.
    ``path`` is the canonical, percent-encoded path; ``listing_path`` the href the listing uses.
    ``alternate`` is ``(lang, path)`` of the other-language version: the path is on the OTHER
    replica site (ict_en <-> ict_fa), so a spider resolves it against that site's base URL.
    """

    id: int
    slug: str
    title: str
    lead: str
    body: list[str] | Callable[[], list[str]]
    date_raw: str | None
    tags: list[str]
    lang: str
    caption: str
    local_time: datetime
    path: str
    listing_path: str = ""
    flags: frozenset[str] = frozenset()
    related: tuple[int, ...] = ()
    alternate: tuple[str, str] | None = None
    category: str = ""
    inline_related: int | None = None
    title_in_body: bool = False
    markup_plan: tuple[int, str, str] | None = None  # (random seed, tag, href): see ``markup``
    encoding: str = ""  # "", "cp1256_meta_only", "utf8_bom" or "wrong_header_charset"
    version: int = 0  # bumped by every edit through the control API

    def __post_init__(self) -> None:
        if not self.listing_path:
            self.listing_path = self.path

    @property
    def paragraphs(self) -> list[str]:
        """The body paragraphs (without the lead)."""
        body = self.body
        if not isinstance(body, list):
            body = self.body = body()
        return body

    @paragraphs.setter
    def paragraphs(self, value: list[str]) -> None:
        self.body = list(value)

    @property
    def has_body(self) -> bool:
        """Whether the body has paragraphs (without generating them)."""
        return not isinstance(self.body, list) or bool(self.body)

    @property
    def markup(self) -> tuple[InlineMarkup, ...]:
        """Inline elements of the body: a 2-4 word phrase of one paragraph, picked by ``markup_plan``."""
        paragraphs = self.paragraphs
        if self.markup_plan is None or not paragraphs:
            return ()
        key, tag, href = self.markup_plan
        rng = Random(key)
        p = int(rng.random() * len(paragraphs))
        words = paragraphs[p].split(" ")
        k = min(len(words), 2 + int(rng.random() * 3))
        start = int(rng.random() * (len(words) - k + 1))
        return (InlineMarkup(p, " ".join(words[start : start + k]), tag, href),)

    @property
    def text(self) -> str:
        """Lead and body joined like the archive's ``body`` plus lead: paragraphs split by a blank line."""
        return "\n\n".join([p for p in [self.lead, *self.paragraphs] if p])


@dataclass(slots=True)
class SiteData:
    """Everything one replica site serves.

    ``articles`` is ordered newest first (by ``local_time``, then id). ``by_id`` and ``by_tag`` are
    lookups over the same objects. ``today`` is the fixed "today" string of the page header.
    """

    name: str
    lang: str
    tz: str
    seed: int
    articles: list[ArticleSpec]
    today: str
    specials: dict[int, frozenset[str]] = field(default_factory=dict)
    by_id: dict[int, ArticleSpec] = field(default_factory=dict)
    by_tag: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild ``by_id`` and ``by_tag`` after ``articles`` changed."""
        self.by_id = {a.id: a for a in self.articles}
        by_tag: dict[str, list[int]] = {}
        for art in self.articles:
            for tag in art.tags:
                by_tag.setdefault(tag, []).append(art.id)
        self.by_tag = by_tag

    def with_flag(self, flag: str) -> list[ArticleSpec]:
        """The articles carrying ``flag``, newest first."""
        return [a for a in self.articles if flag in a.flags]

    def next_id(self) -> int:
        """The id the site would give its next article."""
        return max(self.by_id) + 1 if self.by_id else 1
