"""The stats keys newscrawl sets and reads, defined once.

Components write them (``crawler.stats.inc_value(stats.ARTICLE_EXTRACTED)``); the run health check
(:mod:`newscrawl.health.check`), the run record (:mod:`newscrawl.extensions.runs`) and the CLI read
them with :func:`count` and :meth:`Family.members`, never by rebuilding a key from a string. A
*family* is a prefix whose members are named at run time (a drop reason, an HTTP status, a field).
The key names are an interface: the README lists them, and the stats file and run records keep them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

PREFIX: Final = "newscrawl/"


@dataclass(frozen=True)
class Family:
    """Keys ``<prefix><member>``, e.g. ``newscrawl/clean/dropped/empty_body``."""

    prefix: str

    def key(self, member: object) -> str:
        """The key of one member (an HTTP status, a reason, a field name ...)."""
        return f"{self.prefix}{member}"

    def members(self, stats: Mapping[str, Any]) -> dict[str, int]:
        """``{member: count}`` of the members set in *stats* with a non-zero count, sorted."""
        found = {k[len(self.prefix) :]: count(stats, k) for k in stats if k.startswith(self.prefix)}
        return {member: value for member, value in sorted(found.items()) if value}


def count(stats: Mapping[str, Any], key: str) -> int:
    """The number under *key* (0 when unset or not a number)."""
    value = stats.get(key, 0)
    return int(value) if isinstance(value, int | float) else 0


# --- article pages: fetched, extracted, skipped --------------------------------------------
ARTICLE_REQUESTED: Final = "newscrawl/article/requested"
ARTICLE_EXTRACTED: Final = "newscrawl/article/extracted"
ARTICLE_DUPLICATE_LINK: Final = "newscrawl/article/duplicate_link"
ARTICLE_SKIPPED_KNOWN: Final = "newscrawl/article/skipped_known"
ARTICLE_NOT_MODIFIED: Final = "newscrawl/article/not_modified"
ARTICLE_CONDITIONAL: Final = "newscrawl/article/conditional"
ARTICLE_HTTP_ERROR: Final = Family("newscrawl/article/http_error/")
ARTICLE_ERROR: Final = Family("newscrawl/article/error/")
#: Gone observations by reason (``newscrawl.removal.REASONS``), and challenge pages.
ARTICLE_GONE: Final = Family("newscrawl/article/gone/")
ARTICLE_CHALLENGE: Final = "newscrawl/article/challenge"

# --- pages the downloader middlewares gave up (newscrawl.middlewares.accounting) ---------------
# lost: the page could not be had in this crawl (cut, rate limited, redirected away or in a loop),
# the next crawl tries again; refused: the page itself is unacceptable (too large). Members are
# the causes (``partial``, ``too_large``, ...); ``page`` is any other page (listing, feed, sitemap).
ARTICLE_LOST: Final = Family("newscrawl/article/lost/")
ARTICLE_REFUSED: Final = Family("newscrawl/article/refused/")
PAGE_LOST: Final = Family("newscrawl/page/lost/")
PAGE_REFUSED: Final = Family("newscrawl/page/refused/")

# --- navigation (the spider) ---------------------------------------------------------------
DISCOVERY: Final = Family("newscrawl/discovery/")
#: Sources requested: the first page of each listing, each feed and sitemap (the start requests).
SOURCE_REQUESTED: Final = "newscrawl/source/requested"
#: Sources that could not be fetched, by cause: ``http_<status>``, ``dns``, ``connection_refused``,
#: ``timeout`` or the exception's name.
SOURCE_FAILED: Final = Family("newscrawl/source/failed/")
#: What went wrong with them, one message each (a list: ``HTTP 404 on /en/news``).
SOURCE_ERRORS: Final = "newscrawl/source/errors"
LISTING_PAGES: Final = "newscrawl/listing/pages"
LISTING_STOPPED_AT_KNOWN: Final = "newscrawl/listing/stopped_at_known"
FEED_ENTRIES: Final = "newscrawl/feed/entries"
SITEMAP: Final = Family("newscrawl/sitemap/")

# --- extraction (pipelines.extract) ---------------------------------------------------------
FIELDS_CHECKED: Final = "newscrawl/fields/checked"
FIELDS_MISSING: Final = Family("newscrawl/fields/missing/")
EXTRACT_NOT_ARTICLE: Final = "newscrawl/extract/not_article"
EXTRACT_FAILED: Final = "newscrawl/extract/failed"
LANG_MISMATCH: Final = "newscrawl/lang/mismatch"
CLEAN_OK: Final = "newscrawl/clean/ok"
CLEAN_DROPPED: Final = Family("newscrawl/clean/dropped/")
DATES: Final = Family("newscrawl/dates/")
DATES_FROM_FEED: Final = DATES.key("from_feed")
#: Generic extraction: the date finder's evidence (``dates/found_by/<evidence>``, or htmldate),
#: and pages whose candidates disagreed, left without a date (``dates/conflict``).
DATES_FOUND_BY: Final = Family("newscrawl/dates/found_by/")
DATES_CONFLICT: Final = DATES.key("conflict")
#: Article pages read by each layout of the profile (``[[layouts]]`` names; ``default`` without).
LAYOUT_READ: Final = Family("newscrawl/layout/read/")
#: Article pages no layout read and generic extraction did (archived with ``layout = "generic"``).
LAYOUT_FALLBACK_GENERIC: Final = "newscrawl/layout/fallback_generic"
#: For the article pages no layout read: ``<layout>/<field>``, each field a layout tried missed.
LAYOUT_FAILED: Final = Family("newscrawl/layout/failed/")
ENCODING_DETECTED: Final = "newscrawl/encoding/detected"
ENCODING_REPLACEMENT_CHARS: Final = "newscrawl/encoding/replacement_chars"
ENCODING_PAGES_WITH_REPLACEMENT_CHARS: Final = "newscrawl/encoding/pages_with_replacement_chars"

# --- dedup and persist ----------------------------------------------------------------------
DEDUP_UNIQUE: Final = "newscrawl/dedup/unique"
DEDUP_DUPLICATE: Final = "newscrawl/dedup/duplicate"
PERSIST: Final = Family("newscrawl/persist/")
PERSIST_NEW: Final = PERSIST.key("new")
PERSIST_CHANGED: Final = PERSIST.key("changed")
PERSIST_UNCHANGED: Final = PERSIST.key("unchanged")
PERSIST_FAILED: Final = PERSIST.key("failed")
PERSIST_FAILED_TOMBSTONES: Final = PERSIST.key("failed_tombstones")
#: Why the first refused batch was refused: one line (the driver's message, no SQL, no password).
PERSIST_ERROR: Final = PERSIST.key("error")
PERSIST_RETRIED: Final = PERSIST.key("retried")
PERSIST_COMMIT_UNKNOWN: Final = PERSIST.key("commit_unknown")
#: Set when the crawl writes a feed (FEEDS, -O): the feed's articles the database refused.
PERSIST_FEED_NOT_STORED: Final = PERSIST.key("feed_not_stored")

# --- the run's verdicts ---------------------------------------------------------------------
HEALTH_STATUS: Final = "newscrawl/health/status"
HEALTH_PROBLEMS: Final = "newscrawl/health/problems"
HEALTH_MESSAGE: Final = "newscrawl/health/message"
RUN_ID: Final = "newscrawl/run/id"
RUN_STATUS: Final = "newscrawl/run/status"
RUN_MESSAGE: Final = "newscrawl/run/message"
#: The signal (``SIGTERM``, ``SIGINT``) that came during start-up and was held until the crawl ran
#: (extensions.startup).
SHUTDOWN_HELD: Final = "newscrawl/shutdown/held"

# --- the site lock (extensions.runs) --------------------------------------------------------
LOCK_RENEWED: Final = "newscrawl/lock/renewed"
#: Set (1) when another run holds the site's lock: the crawl is refused, its feeds left alone.
LOCK_REFUSED: Final = "newscrawl/lock/refused"
#: Locks taken over from another run, by why: ``expired`` or ``dead`` (its process is gone).
LOCK_TAKEN_OVER: Final = Family("newscrawl/lock/taken_over/")

# Change feeds at the end of a crawl (extensions/changefeed.py): files written, or a failure.
FEEDS_WRITTEN: Final = "newscrawl/feeds/written"
FEEDS_FAILED: Final = "newscrawl/feeds/failed"
