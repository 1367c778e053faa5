"""``newscrawl extract``: run a crawl's extraction (``pages.extraction``) on saved HTML files.

No network. Prints one JSON record per file, with the fields of the JSON lines export; a file
that can't be extracted gets a record with ``file`` and ``error`` and the exit code is 1.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newscrawl.cli._errors import fetch_time, http_url, zone_name
from newscrawl.cli._sites import load_site_profiles, resolve_site, single_profile
from newscrawl.clock import utc_now_iso
from newscrawl.items import EXPORT_FIELDS
from newscrawl.pages import NotAnArticle
from newscrawl.pages.extraction import extract_article, saved_page
from newscrawl.profiles import Profile
from newscrawl.profiles.model import Article, Discovery


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("extract")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--profile",
        metavar="SITE",
        help="site profile to use: a profile name, or a domain that one profile serves "
        "(default: generic extraction)",
    )
    parser.add_argument(
        "--url",
        type=http_url,
        help="the URL the page was saved from (default: its rel=canonical or og:url)",
    )
    parser.add_argument(
        "--tz", default="UTC", type=zone_name, help="time zone for generic extraction (default: UTC)"
    )
    parser.add_argument(
        "--fetched-at",
        type=fetch_time,
        metavar="WHEN",
        help="when the page was fetched (a date or an ISO 8601 time, UTC without an offset): "
        "picks the profile's layouts valid then (default: now)",
    )
    parser.set_defaults(func=run)


def generic_profile(url: str, lang: str | None, timezone: str) -> Profile:
    """A profile for pages of an unknown site: generic extraction, the URL path as the id."""
    host = urlsplit(url).hostname or "unknown"
    # model_construct: built in code, not from a file, so the file rules (a canonical path
    # starting with '/', a discovery source) don't apply.
    return Profile.model_construct(
        name="generic",
        site=host.removeprefix("www."),
        lang=lang or "und",
        timezone=timezone,
        base_url=f"{urlsplit(url).scheme or 'https'}://{host}",
        article=Article.model_construct(url_patterns=(re.compile(r"^(?P<id>/.*)$"),), canonical_path="{id}"),
        discovery=Discovery.model_construct(),
    )


def extract_file(
    path: Path, profile: Profile | None, url: str | None, timezone: str, fetched_at: str | None = None
) -> dict[str, Any]:
    """The export record for one saved page (raises ValueError or NotAnArticle).

    A saved file has no response headers (no Content-Type), no feed date and no crawl base
    URL: the page's own URL's origin is the base. *fetched_at* (default: now) chooses the
    profile's layouts.
    """
    body = path.read_bytes()
    if not url or profile is None:
        declared = saved_page(body)
        url = url or declared.url
        if not url:
            raise ValueError("cannot tell the page's URL; pass --url")
        if profile is None:
            profile = generic_profile(url, declared.lang, timezone)
    parts = urlsplit(url)
    found = extract_article(
        profile, f"{parts.scheme}://{parts.netloc}", url, body, None, fetched_at or utc_now_iso()
    )
    if found.not_article is not None:
        raise NotAnArticle(found.not_article)
    if found.item is None:
        raise ValueError(f"dropped: {found.dropped}")
    return {name: getattr(found.item, name) for name in EXPORT_FIELDS}


def run(args: argparse.Namespace) -> int:
    profile = None
    if args.profile:
        choice = resolve_site(args.profile, load_site_profiles())
        profile = single_profile(choice, "--profile takes one")
    status = 0
    for path in args.files:
        try:
            record = extract_file(path, profile, args.url, args.tz, args.fetched_at)
        except (OSError, ValueError, NotAnArticle) as exc:
            record = {"file": str(path), "error": str(exc)}
            status = 1
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return status
