"""``newscrawl extract``: run a profile's extraction and the pipelines on saved HTML files.

No network. Prints one JSON record per file, with the fields of the JSON lines export; a file
that can't be extracted gets a record with ``file`` and ``error`` and the exit code is 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector

from newscrawl.extract.article import process_article
from newscrawl.extract.encoding import decode_html
from newscrawl.items import EXPORT_FIELDS
from newscrawl.pages import ArticlePage, NotAnArticle
from newscrawl.profiles import Profile, profile_by_name
from newscrawl.profiles.model import Article, Discovery
from newscrawl.spiders.profile import utc_now_iso


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("extract", help="extract articles from saved HTML files (no network)")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--profile", help="site profile to use (default: generic extraction)")
    parser.add_argument("--url", help="the URL the page was saved from (default: its rel=canonical or og:url)")
    parser.add_argument("--tz", default="UTC", help="time zone for generic extraction (default: UTC)")
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


def _page_url(html: str) -> str | None:
    root = Selector(text=html)
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        value = root.xpath(xpath).get()
        if value and urlsplit(value.strip()).scheme in ("http", "https"):
            return value.strip()
    return None


def extract_file(path: Path, profile: Profile | None, url: str | None, timezone: str) -> dict[str, Any]:
    """The export record for one saved page (raises ValueError or NotAnArticle)."""
    _, html = decode_html(path.read_bytes())
    url = url or _page_url(html)
    if not url:
        raise ValueError("cannot tell the page's URL; pass --url")
    if profile is None:
        lang = Selector(text=html).xpath("/html/@lang").get()
        profile = generic_profile(url, lang.split("-")[0].lower() if lang else None, timezone)
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    item = ArticlePage(url, html, profile, base).to_item(fetched_at=utc_now_iso())
    reason = process_article(item, profile)
    if reason:
        raise ValueError(f"dropped: {reason}")
    return {name: getattr(item, name) for name in EXPORT_FIELDS}


def run(args: argparse.Namespace) -> int:
    try:
        profile = profile_by_name(args.profile) if args.profile else None
    except KeyError as exc:
        print(f"newscrawl extract: {exc.args[0]}", file=sys.stderr)
        return 2
    status = 0
    for path in args.files:
        try:
            record = extract_file(path, profile, args.url, args.tz)
        except (OSError, ValueError, NotAnArticle) as exc:
            record = {"file": str(path), "error": str(exc)}
            status = 1
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return status
