"""Load and validate site profiles from TOML files.

Validation is strict and happens at load time, so a mistake in a profile stops a crawl before
it starts, with a message that names the file, the key and the problem.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cssselect import SelectorError
from parsel.csstranslator import HTMLTranslator

from newscrawl.profiles.model import Boilerplate, DateRules, Discovery, Profile, Selectors

SITES_DIR_ENV = "NEWSCRAWL_SITES_DIR"
SHIPPED_DIR = Path(__file__).parent
CALENDARS = ("auto", "gregorian", "jalali")
STRATEGIES = ("all", "fallback")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_translator = HTMLTranslator()

T = TypeVar("T")


class ProfileError(ValueError):
    """A profile file is missing, unreadable or wrong; the message names file, key and problem."""

    def __init__(self, source: Path | str, key: str | None, problem: str) -> None:
        self.source = str(source)
        self.key = key
        self.problem = problem
        where = f"{source}: key '{key}'" if key else str(source)
        super().__init__(f"{where}: {problem}")


class _Reader:
    """Reads typed values out of one TOML table, remembering which keys were used."""

    def __init__(self, source: Path, table: Mapping[str, Any], prefix: str = "") -> None:
        self.source = source
        self.table = table
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def error(self, name: str, problem: str) -> ProfileError:
        return ProfileError(self.source, self.key(name), problem)

    def get(self, name: str, kind: type[T], default: T | None = None, *, required: bool = False) -> T:
        self.used.add(name)
        if name not in self.table:
            if required:
                raise self.error(name, "is required")
            return default  # type: ignore[return-value]
        value = self.table[name]
        if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
            raise self.error(name, f"must be a {kind.__name__}, not {type(value).__name__}")
        return value

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.get(name, str, default, required=required)
        if value is not None and not value.strip():
            raise self.error(name, "must not be empty")
        return value

    def strings(self, name: str) -> tuple[str, ...]:
        values = self.get(name, list, [])
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise ProfileError(self.source, f"{self.key(name)}[{index}]", "must be a non-empty string")
        return tuple(values)

    def sub(self, name: str) -> _Reader:
        return _Reader(self.source, self.get(name, dict, {}), f"{self.key(name)}.")

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise self.error(unknown[0], "unknown key (misspelt?)")


def _checked(reader: _Reader, name: str, value: T, check: Callable[[T], None]) -> T:
    try:
        check(value)
    except (ValueError, SelectorError, re.error, ZoneInfoNotFoundError) as exc:
        raise reader.error(name, str(exc) or type(exc).__name__) from None
    return value


def _css(reader: _Reader, name: str) -> str | None:
    value = reader.text(name)
    if value is not None:
        _checked(reader, name, value, lambda v: _check_css(v))
    return value


def _check_css(selector: str) -> None:
    try:
        _translator.css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None


def _regex(reader: _Reader, key: str, value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as exc:
        raise reader.error(key, f"invalid regular expression {value!r}: {exc}") from None


def _check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Asia/Tehran)") from None


def _check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http(s) URL with a host, not {url!r}")


def _discovery(reader: _Reader) -> Discovery:
    max_pages = reader.get("max_listing_pages", int)
    if max_pages is not None and max_pages < 1:
        raise reader.error("max_listing_pages", "must be at least 1")
    strategy = reader.get("strategy", str, "all")
    if strategy not in STRATEGIES:
        raise reader.error("strategy", f"must be one of {', '.join(STRATEGIES)}, not {strategy!r}")
    stop_after_known = reader.get("stop_after_known", int, 20)
    if stop_after_known < 1:
        raise reader.error("stop_after_known", "must be at least 1")
    discovery = Discovery(
        listings=reader.strings("listings"),
        listing_links=_css(reader, "listing_links"),
        next_page=_css(reader, "next_page"),
        max_listing_pages=max_pages,
        feeds=reader.strings("feeds"),
        sitemaps=reader.strings("sitemaps"),
        strategy=strategy,
        stop_after_known=stop_after_known,
    )
    for key in ("listings", "feeds", "sitemaps"):
        for value in getattr(discovery, key):
            if not value.startswith("/"):
                raise reader.error(key, f"{value!r} must be a path starting with '/'")
    reader.finish()
    return discovery


def _selectors(reader: _Reader) -> Selectors:
    drop = reader.strings("drop")
    for index, css in enumerate(drop):
        _checked(reader, f"drop[{index}]", css, _check_css)
    selectors = Selectors(
        title=_css(reader, "title"),
        lead=_css(reader, "lead"),
        body=_css(reader, "body"),
        paragraphs=_css(reader, "paragraphs") or "p",
        date=_css(reader, "date"),
        tags=_css(reader, "tags"),
        drop=drop,
    )
    reader.finish()
    return selectors


def _dates(reader: _Reader) -> DateRules:
    pattern = reader.text("pattern")
    rules = DateRules(
        formats=reader.strings("formats"),
        pattern=_regex(reader, "pattern", pattern) if pattern else None,
    )
    reader.finish()
    return rules


def _boilerplate(reader: _Reader) -> Boilerplate:
    patterns = tuple(
        _regex(reader, f"patterns[{i}]", p) for i, p in enumerate(reader.strings("patterns"))
    )
    rules = Boilerplate(
        phrases=reader.strings("phrases"),
        patterns=patterns,
        drop_repeated_title=reader.get("drop_repeated_title", bool, True),
    )
    reader.finish()
    return rules


def _article(reader: _Reader) -> tuple[tuple[re.Pattern[str], ...], str]:
    raw = reader.strings("url_patterns")
    if not raw:
        raise reader.error("url_patterns", "is required: at least one regex with a named group 'id'")
    patterns = tuple(_regex(reader, f"url_patterns[{i}]", p) for i, p in enumerate(raw))
    for index, pattern in enumerate(patterns):
        if "id" not in pattern.groupindex:
            raise reader.error(f"url_patterns[{index}]", "needs a named group (?P<id>...)")
    canonical = reader.text("canonical_path", required=True)
    assert canonical is not None
    if "{id}" not in canonical or not canonical.startswith("/"):
        raise reader.error("canonical_path", "must be a path starting with '/' that contains {id}")
    reader.finish()
    return patterns, canonical


def parse_profile(source: Path, data: Mapping[str, Any]) -> Profile:
    """Validate one profile's TOML data; raise :class:`ProfileError` on the first problem."""
    top = _Reader(source, data)
    name = top.text("name", required=True)
    assert name is not None
    if not _NAME_RE.match(name):
        raise top.error("name", f"{name!r} must be lowercase letters, digits and '_' (it is the spider name)")
    timezone = _checked(top, "timezone", top.text("timezone", required=True) or "", _check_timezone)
    calendar = top.text("calendar", "auto") or "auto"
    if calendar not in CALENDARS:
        raise top.error("calendar", f"must be one of {', '.join(CALENDARS)}, not {calendar!r}")
    base_url = _checked(top, "base_url", top.text("base_url", required=True) or "", _check_base_url)
    url_patterns, canonical_path = _article(top.sub("article"))
    profile = Profile(
        name=name,
        site=top.text("site", required=True) or "",
        lang=top.text("lang", required=True) or "",
        timezone=timezone,
        calendar=calendar,
        base_url=base_url.rstrip("/"),
        domains=top.strings("domains"),
        url_patterns=url_patterns,
        canonical_path=canonical_path,
        discovery=_discovery(top.sub("discovery")),
        selectors=_selectors(top.sub("selectors")),
        dates=_dates(top.sub("dates")),
        boilerplate=_boilerplate(top.sub("boilerplate")),
        source=source,
    )
    top.finish()
    d = profile.discovery
    if not (d.listings or d.feeds or d.sitemaps):
        raise ProfileError(source, "discovery", "needs at least one of listings, feeds or sitemaps")
    return profile


def load_profile(path: Path) -> Profile:
    """Read and validate one profile file."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ProfileError(path, None, f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, None, f"not valid TOML: {exc}") from None
    return parse_profile(path, data)


def _profile_files(extra_dir: str | None) -> Iterable[Path]:
    yield from sorted(SHIPPED_DIR.glob("*.toml"))
    if extra_dir:
        directory = Path(extra_dir)
        if not directory.is_dir():
            raise ProfileError(directory, SITES_DIR_ENV, "is not a directory")
        yield from sorted(directory.glob("*.toml"))


def load_profiles(extra_dir: str | None = None) -> dict[str, Profile]:
    """Load the shipped profiles plus those in ``extra_dir`` (default: ``$NEWSCRAWL_SITES_DIR``).

    A profile in ``extra_dir`` with the name of a shipped one replaces it, so a user can adjust a
    shipped profile without editing the package.
    """
    if extra_dir is None:
        extra_dir = os.environ.get(SITES_DIR_ENV) or None
    profiles: dict[str, Profile] = {}
    for path in _profile_files(extra_dir):
        profile = load_profile(path)
        profiles[profile.name] = profile
    return profiles


@cache
def _cached_profiles(extra_dir: str | None) -> dict[str, Profile]:
    return load_profiles(extra_dir)


def profile_by_name(name: str, extra_dir: str | None = None) -> Profile:
    """Return one profile by name (cached per directory); KeyError lists the known names."""
    if extra_dir is None:
        extra_dir = os.environ.get(SITES_DIR_ENV) or None
    profiles = _cached_profiles(extra_dir)
    try:
        return profiles[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; known: {', '.join(sorted(profiles))}") from None
