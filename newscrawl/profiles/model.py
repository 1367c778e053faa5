"""Typed, validated form of a site profile (what the TOML files describe)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class Discovery:
    """How the spider finds article URLs: listings, feeds and sitemaps, in any combination."""

    listings: tuple[str, ...] = ()
    listing_links: str | None = None
    next_page: str | None = None
    max_listing_pages: int | None = None
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    #: "all": use every source at once; "fallback": listings, else feeds, else sitemaps.
    strategy: str = "all"
    #: Incremental crawls stop paging a listing after meeting this many archived articles.
    stop_after_known: int = 20

    def sources(self) -> list[tuple[str, tuple[str, ...]]]:
        """The configured sources, in fallback order: (kind, paths)."""
        found = [("listing", self.listings), ("feed", self.feeds), ("sitemap", self.sitemaps)]
        return [(kind, paths) for kind, paths in found if paths]


@dataclass(frozen=True, slots=True)
class Selectors:
    """CSS selectors for the article fields; an empty profile falls back to generic extraction."""

    title: str | None = None
    lead: str | None = None
    body: str | None = None
    paragraphs: str = "p"
    date: str | None = None
    tags: str | None = None
    drop: tuple[str, ...] = ()

    @property
    def generic(self) -> bool:
        """True when the profile gives no body selector, so generic extraction is used."""
        return self.body is None


@dataclass(frozen=True, slots=True)
class DateRules:
    """How the date string is cut out of its element and read."""

    formats: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """Text-level cleaning rules applied by the clean pipeline."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    drop_repeated_title: bool = True


@dataclass(frozen=True, slots=True)
class Profile:
    """One site: identity, discovery, URL rules, selectors, dates and boilerplate."""

    name: str
    site: str
    lang: str
    timezone: str
    base_url: str
    url_patterns: tuple[re.Pattern[str], ...]
    canonical_path: str
    calendar: str = "auto"
    domains: tuple[str, ...] = ()
    discovery: Discovery = field(default_factory=Discovery)
    selectors: Selectors = field(default_factory=Selectors)
    dates: DateRules = field(default_factory=DateRules)
    boilerplate: Boilerplate = field(default_factory=Boilerplate)
    source: Path | None = None

    @property
    def hosts(self) -> frozenset[str]:
        """Host names that belong to the site (the base URL's host and the declared domains)."""
        host = urlsplit(self.base_url).hostname or ""
        return frozenset({host, *self.domains})
