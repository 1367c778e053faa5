"""A site profile: these pydantic models are the schema of the TOML files.

Every table forbids unknown keys and is frozen; enumerations are ``Literal`` types. Checks that
pydantic has no type for (CSS selectors, IANA zones, regexes with an ``id`` group) are small
validators here whose ``ValueError`` message is the problem a user reads.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import SelectorError
from parsel.csstranslator import HTMLTranslator
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from newscrawl.extract.dates import Calendar  # the profile's calendar is the date parser's

#: "all": use every source at once; "fallback": listings, else feeds, else sitemaps.
Strategy = Literal["all", "fallback"]
SourceKind = Literal["listing", "feed", "sitemap"]

_translator = HTMLTranslator()
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _css(selector: str) -> str:
    try:
        _translator.css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None
    return selector


def _regex(value: object) -> object:
    """Compile a string (a compiled pattern passes through; other types fail as not a pattern)."""
    if not isinstance(value, str):
        return value
    _not_blank(value)
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {value!r}: {exc}") from None


def _site_path(value: str) -> str:
    if not value.startswith("/"):
        raise ValueError(f"{value!r} must be a path starting with '/'")
    return value


def _spider_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise ValueError(f"{name!r} must be lowercase letters, digits and '_' (it is the spider name)")
    return name


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Tehran)") from None
    return name


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http(s) URL with a host, not {url!r}")
    return url.rstrip("/")


def _canonical_path(path: str) -> str:
    if "{id}" not in path or not path.startswith("/"):
        raise ValueError("must be a path starting with '/' that contains {id}")
    return path


def _id_group(pattern: re.Pattern[str]) -> re.Pattern[str]:
    if "id" not in pattern.groupindex:
        raise ValueError("needs a named group (?P<id>...)")
    return pattern


def _some_patterns(patterns: tuple[re.Pattern[str], ...]) -> tuple[re.Pattern[str], ...]:
    if not patterns:
        raise ValueError("needs at least one regex with a named group (?P<id>...)")
    return patterns


#: The units a size may be written in (binary ones only: "MB" would be ambiguous).
SIZE_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$")
#: The smallest page-size cap a profile may set: below it every page would be refused, and a bare
#: ``max_page_size = 32`` (bytes) is almost surely "32 MiB" with the unit forgotten.
MIN_PAGE_SIZE = 1024


def _byte_size(value: object) -> int:
    """A size in bytes, from an integer (bytes) or a string such as ``"32 MiB"``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    wanted = 'a size: an integer number of bytes, or a string such as "32 MiB" (units: B, KiB, MiB, GiB)'
    if not isinstance(value, str):
        # pydantic reports a ValueError as the key's problem (a TypeError would escape); the value as TOML writes it
        raise ValueError(f"must be {wanted}, not {json.dumps(value, default=str)}")  # noqa: TRY004
    match = _SIZE_RE.match(value)
    if not match or match[2] not in SIZE_UNITS:
        raise ValueError(f"{value!r} is not {wanted}")
    return round(float(match[1]) * SIZE_UNITS[match[2]])


def _page_size(size: int) -> int:
    if size < MIN_PAGE_SIZE:
        raise ValueError(
            f"must be at least 1 KiB ({MIN_PAGE_SIZE} bytes), not {size} bytes;"
            ' a size with a unit is a string, e.g. "32 MiB"'
        )
    return size


Text = Annotated[StrictStr, AfterValidator(_not_blank)]
Css = Annotated[Text, AfterValidator(_css)]
SitePath = Annotated[Text, AfterValidator(_site_path)]
Regex = Annotated[re.Pattern[str], BeforeValidator(_regex)]
AtLeastOne = Annotated[StrictInt, Field(ge=1)]
PageSize = Annotated[StrictInt, BeforeValidator(_byte_size), AfterValidator(_page_size)]


class _Table(BaseModel):
    """One TOML table: unknown keys are errors, and the parsed profile can't be changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Article(_Table):
    """``[article]``: which URLs are articles and what their id and canonical URL are."""

    #: Matched against a URL's path; the named group ``id`` is the article's id; first match wins.
    url_patterns: Annotated[
        tuple[Annotated[Regex, AfterValidator(_id_group)], ...], AfterValidator(_some_patterns)
    ]
    canonical_path: Annotated[Text, AfterValidator(_canonical_path)]


class Discovery(_Table):
    """How the spider finds article URLs: listings, feeds and sitemaps, in any combination."""

    listings: tuple[SitePath, ...] = ()
    listing_links: Css | None = None
    next_page: Css | None = None
    max_listing_pages: AtLeastOne | None = None
    feeds: tuple[SitePath, ...] = ()
    sitemaps: tuple[SitePath, ...] = ()
    strategy: Strategy = "all"
    #: Incremental crawls stop paging a listing after meeting this many archived articles.
    stop_after_known: AtLeastOne = 20

    @model_validator(mode="after")
    def _has_a_source(self) -> Self:
        if not self.sources():
            raise ValueError("needs at least one of listings, feeds or sitemaps")
        return self

    def sources(self) -> list[tuple[SourceKind, tuple[str, ...]]]:
        """The configured sources, in fallback order: (kind, paths)."""
        found: list[tuple[SourceKind, tuple[str, ...]]] = [
            ("listing", self.listings),
            ("feed", self.feeds),
            ("sitemap", self.sitemaps),
        ]
        return [(kind, paths) for kind, paths in found if paths]


class Selectors(_Table):
    """CSS selectors for the article fields; an empty profile falls back to generic extraction."""

    title: Css | None = None
    lead: Css | None = None
    body: Css | None = None
    paragraphs: Css = "p"
    date: Css | None = None
    tags: Css | None = None
    drop: tuple[Css, ...] = ()

    @property
    def generic(self) -> bool:
        """True when the profile gives no body selector, so generic extraction is used."""
        return self.body is None


#: A layout's name: it is stored with every revision it reads and named in stats keys.
LAYOUT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: The name of the implicit layout of a profile without ``[[layouts]]`` (its ``[selectors]``).
DEFAULT_LAYOUT = "default"
#: The layout name recorded for an article that no layout read and generic extraction did.
GENERIC_LAYOUT = "generic"


def _layout_name(name: str) -> str:
    if not LAYOUT_NAME_RE.match(name):
        raise ValueError(f"{name!r} must be letters, digits, '_', '.' or '-' (it names stats keys)")
    if name == GENERIC_LAYOUT:
        raise ValueError(f"{name!r} is reserved for articles no layout read (the generic fallback)")
    return name


def _plain_date(value: object) -> object:
    """A TOML date (``2017-01-01``) or an ISO date string; a date-time is refused, not truncated."""
    if isinstance(value, datetime):
        raise ValueError(  # noqa: TRY004 (pydantic reports a ValueError as the key's problem)
            f"must be a date such as 2024-03-01, not the date-time {value.isoformat()}"
        )
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"must be a date such as 2024-03-01, not {value!r}") from None
    if not isinstance(value, date):
        raise ValueError(f"must be a date such as 2024-03-01, not {json.dumps(value, default=str)}")  # noqa: TRY004
    return value


Day = Annotated[date, BeforeValidator(_plain_date)]


class Layout(Selectors):
    """``[[layouts]]``: one named selector set, with an optional window of fetch dates.

    ``since`` (included) and ``until`` (excluded) are dates in the site's time zone, compared
    with the day a page was fetched; a layout without them is valid at any time. The layouts
    valid at a page's fetch time are tried in the file's order (see :meth:`Profile.layouts_at`).
    """

    name: Annotated[Text, AfterValidator(_layout_name)]
    since: Day | None = None
    until: Day | None = None

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError(
                f"layout {self.name!r}: until ({self.until}) must be after since ({self.since})"
            )
        return self

    def valid_on(self, day: date) -> bool:
        """True when *day* (a fetch day in the site's zone) is inside the layout's window."""
        return (self.since is None or self.since <= day) and (self.until is None or day < self.until)


def _distinct_layouts(layouts: tuple[Layout, ...]) -> tuple[Layout, ...]:
    seen: set[str] = set()
    for layout in layouts:
        if layout.name in seen:
            raise ValueError(f"two layouts are named {layout.name!r}; each needs its own name")
        seen.add(layout.name)
    return layouts


class DateRules(_Table):
    """How the date string is cut out of its element and read."""

    formats: tuple[Text, ...] = ()
    pattern: Regex | None = None


class Boilerplate(_Table):
    """Text-level cleaning rules applied by the clean pipeline."""

    phrases: tuple[Text, ...] = ()
    patterns: tuple[Regex, ...] = ()
    drop_repeated_title: StrictBool = True


class Volatile(_Table):
    """``[volatile]``: regions whose changes never count (view counters, "updated" stamps).

    Their text stays in the article; a diff marks its changes volatile and they add nothing to
    a change's score (``newscrawl.changes``).
    """

    #: CSS selectors of volatile elements; their texts are recorded at extraction.
    selectors: tuple[Css, ...] = ()
    #: Regexes searched in the extracted title, lead and body; every match is volatile.
    patterns: tuple[Regex, ...] = ()


class Profile(_Table):
    """One site: identity, discovery, URL rules, selectors, dates and boilerplate."""

    name: Annotated[Text, AfterValidator(_spider_name)]
    site: Text
    lang: Text
    timezone: Annotated[Text, AfterValidator(_timezone)]
    base_url: Annotated[Text, AfterValidator(_base_url)]
    calendar: Calendar = "auto"
    domains: tuple[Text, ...] = ()
    #: A file in NEWSCRAWL_SITES_DIR that reuses a shipped profile's name must say so.
    override: StrictBool = False
    #: The site's download size cap in bytes (``DOWNLOAD_MAXSIZE`` for its crawls); None: the setting's.
    max_page_size: PageSize | None = None
    article: Article
    discovery: Discovery
    selectors: Selectors = Field(default_factory=Selectors)
    #: Selector sets for the site's layouts over the years; none: ``selectors`` is the one layout.
    layouts: Annotated[tuple[Layout, ...], AfterValidator(_distinct_layouts)] = ()
    dates: DateRules = Field(default_factory=DateRules)
    boilerplate: Boilerplate = Field(default_factory=Boilerplate)
    volatile: Volatile = Field(default_factory=Volatile)
    # Not a key of the file: the file it was read from (validation context "source").
    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _remember_source(self, info: ValidationInfo) -> Self:
        if isinstance(info.context, dict):
            self._source = info.context.get("source")
        return self

    @field_validator("layouts")
    @classmethod
    def _selectors_or_layouts(cls, layouts: tuple[Layout, ...], info: ValidationInfo) -> tuple[Layout, ...]:
        selectors = info.data.get("selectors")
        if layouts and selectors is not None and selectors != Selectors():
            raise ValueError(
                "give the selectors in [selectors] or in [[layouts]], not both"
                " (a profile with layouts reads every page through them)"
            )
        return layouts

    @cached_property
    def all_layouts(self) -> tuple[Layout, ...]:
        """Every layout in order; a profile without ``[[layouts]]`` has one, ``default``."""
        if self.layouts:
            return self.layouts
        return (Layout.model_construct(name=DEFAULT_LAYOUT, **dict(self.selectors)),)

    def layouts_at(self, fetched_at: str | datetime | None) -> tuple[Layout, ...]:
        """The layouts valid at a page's fetch time (UTC ``...Z``, or aware), in the file's order.

        The fetch time's day in the site's zone is compared with each window. A time that is
        missing or unreadable keeps every layout (tried in order).
        """
        layouts = self.all_layouts
        if all(layout.since is None and layout.until is None for layout in layouts):
            return layouts
        day = _fetch_day(fetched_at, self.timezone)
        if day is None:
            return layouts
        return tuple(layout for layout in layouts if layout.valid_on(day))

    @property
    def source(self) -> Path | None:
        """The file the profile was read from (None for a profile built in code)."""
        return self._source

    @property
    def url_patterns(self) -> tuple[re.Pattern[str], ...]:
        return self.article.url_patterns

    @property
    def canonical_path(self) -> str:
        return self.article.canonical_path

    @property
    def hosts(self) -> frozenset[str]:
        """Host names that belong to the site (the base URL's host and the declared domains)."""
        host = urlsplit(self.base_url).hostname or ""
        return frozenset({host, *self.domains})


def _fetch_day(fetched_at: str | datetime | None, timezone: str) -> date | None:
    """The day of *fetched_at* in *timezone*; None when it is missing or not a date-time."""
    if isinstance(fetched_at, str):
        try:
            fetched_at = datetime.fromisoformat(fetched_at)
        except ValueError:
            return None
    if fetched_at is None:
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    return fetched_at.astimezone(ZoneInfo(timezone)).date()
