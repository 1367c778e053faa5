"""Deletions that can be defended: what counts as evidence that a site removed an article.

A tombstone is written only on evidence (``db.store.record_gone``): at least two *gone
observations* of the article, made at least ``NEWSCRAWL_TOMBSTONE_MIN_INTERVAL`` hours apart
(default :data:`DEFAULT_MIN_INTERVAL_HOURS`), both after the article was last fetched live. One
404 is never enough: a site may answer 404 for a minute while it deploys.

A gone observation (:class:`GoneObservation`, :data:`REASONS`) is one fetch of the article that
answered

- ``not_found``: HTTP 404, or ``gone``: HTTP 410;
- ``redirect_home``: a redirect (3xx or ``<meta refresh>``) that ends on the site's home page: the
  root of the crawled base URL or of the profile's language (``/``, ``/en``, ``/en/``);
- ``redirect_listing``: a redirect that ends on one of the profile's listing pages (its path,
  any query: a listing's page 2 too).

Never evidence: 403, 429, 5xx, timeouts and other download errors (the spider's errback; nothing is
recorded), and a *challenge page* (:func:`is_challenge`), whatever its status. The challenge
check is narrow on purpose, so that an article is never taken for one: Cloudflare's
``cf-mitigated: challenge`` response header, or, in the first :data:`CHALLENGE_SCAN_BYTES` bytes
of the body, one of :data:`CHALLENGE_MARKERS` (the ``<title>`` of Cloudflare's interstitial and
block pages, and its challenge options object). A challenge page is never stored as an article
either: the spider counts it (``newscrawl/article/challenge``) and drops it.

A fetch of the article that is extracted and stored (``articles.last_seen_at`` moves on) shows
that it is live: gone observations made before it no longer count (they stay in the table, linked
to no tombstone). A ``304 Not Modified`` answer is not such a fetch (nothing is stored for it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal
from urllib.parse import urlsplit

__all__ = [
    "CHALLENGE_MARKERS",
    "DEFAULT_MIN_INTERVAL_HOURS",
    "GONE_STATUSES",
    "INTERVAL_SETTING",
    "REASONS",
    "GoneObservation",
    "GoneReason",
    "is_challenge",
    "min_interval",
    "redirect_reason",
    "removal_confirmed",
    "status_reason",
]

GoneReason = Literal["not_found", "gone", "redirect_home", "redirect_listing"]
#: Every reason a fetch is evidence of a removal (``removal_evidence.reason``).
REASONS: Final[tuple[GoneReason, ...]] = ("not_found", "gone", "redirect_home", "redirect_listing")

#: The setting: hours between the first and the last gone observation of a tombstone.
INTERVAL_SETTING: Final = "NEWSCRAWL_TOMBSTONE_MIN_INTERVAL"
DEFAULT_MIN_INTERVAL_HOURS: Final = 6.0

#: Bytes of a body searched for :data:`CHALLENGE_MARKERS` (they sit in the page's head).
CHALLENGE_SCAN_BYTES: Final = 16384
#: Lower-case byte strings that only a challenge or block page carries.
CHALLENGE_MARKERS: Final = (
    b"<title>just a moment...</title>",
    b"<title>attention required! | cloudflare</title>",
    b"window._cf_chl_opt",
)


@dataclass(frozen=True, slots=True)
class GoneObservation:
    """One fetch of a stored article that answered as if the site had removed it.

    *url* is the URL requested, *final_url* where the answer came from (after redirects),
    *status* the HTTP status that made it evidence (404, 410, or the first redirect's 3xx; 200
    for a ``<meta refresh>``), *observed_at* an ISO 8601 time with an offset (``...Z``).
    """

    site: str
    lang: str
    source_id: str
    reason: GoneReason
    status: int
    url: str
    final_url: str
    observed_at: str


_STATUS_REASONS: Final[dict[int, GoneReason]] = {404: "not_found", 410: "gone"}
#: The HTTP statuses that are evidence of a removal (the spider lets them reach its callback).
GONE_STATUSES: Final = tuple(_STATUS_REASONS)


def status_reason(status: int) -> GoneReason | None:
    """The reason an HTTP *status* is evidence (404, 410), or None."""
    return _STATUS_REASONS.get(status)


def _path(url: str) -> str:
    return urlsplit(url).path.rstrip("/")


def redirect_reason(
    final_url: str, base_url: str, lang: str, listings: Sequence[str]
) -> GoneReason | None:
    """Whether a redirect that ended at *final_url* points at the home page or a listing.

    *base_url* is the crawled base URL; only its origin's pages count (the redirect middleware
    already gave up redirects off the site). A path under the base URL's path is compared, with
    trailing slashes and the query ignored.
    """
    final, base = urlsplit(final_url), urlsplit(base_url)
    if (final.scheme, final.netloc) != (base.scheme, base.netloc):
        return None
    prefix = base.path.rstrip("/")
    path = _path(final_url)
    if path in (prefix, f"{prefix}/{lang}"):
        return "redirect_home"
    if path in {prefix + listing.rstrip("/") for listing in listings}:
        return "redirect_listing"
    return None


def is_challenge(headers: Mapping[str, str], body: bytes) -> bool:
    """Whether a response is a bot challenge or block page (see the module docstring).

    *headers* are looked up case-insensitively.
    """
    for name, value in headers.items():
        if name.lower() == "cf-mitigated" and value.strip().lower() == "challenge":
            return True
    head = body[:CHALLENGE_SCAN_BYTES].lower()
    return any(marker in head for marker in CHALLENGE_MARKERS)


def removal_confirmed(observed: Sequence[datetime], interval: timedelta) -> bool:
    """Whether gone observations at the times *observed* make a tombstone.

    At least two observations, the first and the last at least *interval* apart.
    """
    return len(observed) >= 2 and max(observed) - min(observed) >= interval


def min_interval(hours: float) -> timedelta:
    """``NEWSCRAWL_TOMBSTONE_MIN_INTERVAL`` (hours, 0 or more) as a timedelta.

    Raises ``ValueError`` naming the setting for a negative or non-finite value.
    """
    if not math.isfinite(hours) or hours < 0:
        raise ValueError(
            f"setting {INTERVAL_SETTING} must be a number of hours, 0 or more, not {hours}"
        )
    return timedelta(hours=hours)
