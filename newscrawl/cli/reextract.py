"""``newscrawl reextract``: rebuild stored articles from their raw captures, with no network.

Runs the crawl's extraction (``pages.extraction.extract_article``: page object, clean and date
steps, content hash) with the current profiles (including ``NEWSCRAWL_SITES_DIR``) on each
article's latest captured response and stores a new revision where the content
changed (see :mod:`newscrawl.reextract`). Prints the counts and every failure with its URL.
Exit status: 0 when the run completed (failures are reported, not fatal), 1 for a database
without the schema or a read/write error, 2 for a bad URL, profile or option.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli._sites import load_site_profiles, resolve_site, single_profile
from newscrawl.cli.db import add_database_url_argument
from newscrawl.db.neardup import DEFAULT_THRESHOLD
from newscrawl.db.session import database_url, make_sessionmaker
from newscrawl.profiles import Profile
from newscrawl.reextract import ReextractResult, SiteFilter, reextract, site_filter

__all__ = ["format_result", "register", "run"]

_PROG = "newscrawl reextract"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``reextract`` sub-command."""
    parser = sub.add_parser(
        "reextract",
        description=(
            "Re-run the crawl's extraction (page object, cleaning, dates) on the stored captures "
            "(no network); store a new revision for every article whose content changed."
        ),
    )
    parser.add_argument(
        "--site",
        metavar="S",
        help="only this site: a profile name (ict_en: that language) or a domain "
        "(ict.gov.ir: every language)",
    )
    add_database_url_argument(parser)
    parser.add_argument(
        "--neardup-threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        metavar="J",
        help=f"near-duplicate similarity for changed articles (default: {DEFAULT_THRESHOLD})",
    )
    parser.add_argument(
        "--no-neardup",
        action="store_true",
        help="leave the near-duplicate index alone",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Re-extract the stored articles; print the counts and the failures."""
    if not args.no_neardup and not 0.0 < args.neardup_threshold <= 1.0:
        print(f"{_PROG}: error: --neardup-threshold must be in (0, 1]", file=sys.stderr)
        return 2
    profiles = load_site_profiles()
    only = _only(args.site, profiles) if args.site else None
    url = database_url(args.database_url)
    try:
        with existing_database(url) as engine:
            result = reextract(
                make_sessionmaker(engine),
                profiles,
                only=only,
                neardup_threshold=None if args.no_neardup else args.neardup_threshold,
            )
    except CommandError as exc:
        return exc.report(_PROG)
    print("\n".join(format_result(result)))
    return 0


def _only(value: str, profiles: Mapping[str, Profile]) -> SiteFilter:
    """``--site``: a profile name is its site in its language; a domain, its site in every one."""
    choice = resolve_site(value, profiles)
    if choice.named:
        return site_filter(choice.value, profiles)
    if len(choice.sites) > 1:
        single_profile(choice, "its profiles are different sites")
    return SiteFilter(choice.sites[0])


def format_result(result: ReextractResult) -> list[str]:
    """The lines ``newscrawl reextract`` prints."""
    counts = (
        f"examined {result.examined}, updated {result.updated}, "
        f"unchanged {result.unchanged}, failed {result.failed}"
    )
    lines = [counts]
    if result.neardup_indexed:
        lines.append(
            f"near-duplicates: {result.neardup_indexed} re-indexed, {result.neardup_linked} linked"
        )
    lines.extend(f"failed: {failure.url}: {failure.reason}" for failure in result.failures)
    return lines
