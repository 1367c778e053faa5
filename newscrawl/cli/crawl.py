"""``newscrawl crawl``: crawl one or more sites, each in its own process.

One Scrapy process can't run two crawls one after another, so ``--all`` starts one
``scrapy crawl`` per profile. For a single site, ``scrapy crawl <site>`` is the same thing.
"""

from __future__ import annotations

import argparse
import sys

from newscrawl.profiles import load_profiles
from newscrawl.runner import run_crawl


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("crawl", help="crawl sites, each in its own process")
    parser.add_argument("sites", nargs="*", metavar="SITE", help="profile names")
    parser.add_argument("--all", action="store_true", help="crawl every profile")
    parser.add_argument("--database-url", help="overrides NEWSCRAWL_DATABASE_URL")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    profiles = load_profiles()
    sites = sorted(profiles) if args.all else args.sites
    unknown = [s for s in sites if s not in profiles]
    if not sites or unknown:
        problem = f"unknown site(s): {', '.join(unknown)}" if unknown else "name sites or use --all"
        print(f"newscrawl crawl: {problem}; known: {', '.join(sorted(profiles))}", file=sys.stderr)
        return 2
    settings = dict(item.split("=", 1) for item in args.set if "=" in item)
    failed = []
    for site in sites:
        result = run_crawl(site, database_url=args.database_url, settings=settings, capture_log=False)
        print(f"{site}: exit {result.returncode}, {result.stat('newscrawl/article/extracted')} articles, {result.seconds:.1f}s")
        if result.returncode != 0:
            failed.append(site)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
