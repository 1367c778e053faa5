"""``newscrawl demo``: crawl the offline replica into output/ and summarise.

Starts the replica on free loopback ports, crawls every site that has both a profile and a
replica with the real spiders and pipelines, writes ``newscrawl.sqlite3`` and ``articles.jsonl``,
prints a summary and stops the server.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from newscrawl import stats as keys
from newscrawl.cli._sites import check_names, load_site_profiles, profile_names, resolve_sites
from newscrawl.db.queries import count_articles
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.runner import CrawlResult, run_crawl
from newscrawl_replica.generate import SITE_NAMES
from newscrawl_replica.loopback import LOOPBACK_SETTINGS
from newscrawl_replica.process import ReplicaProcess


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("demo")
    parser.add_argument("--output-dir", type=Path, default=Path("output"), help="where to write (default: output/)")
    parser.add_argument("--articles", type=int, default=200, help="articles per replica site (default: 200)")
    parser.add_argument(
        "--site",
        action="append",
        metavar="SITE",
        help="crawl only this site (repeatable; a profile name or a domain; default: all)",
    )
    parser.set_defaults(func=run)


def _summary_line(result: CrawlResult) -> str:
    dropped = keys.CLEAN_DROPPED.members(result.stats)
    errors = keys.ARTICLE_HTTP_ERROR.members(result.stats)
    parts = [
        f"{result.spider:10}",
        f"extracted {result.stat('newscrawl/article/extracted')}",
        f"new {result.stat('newscrawl/persist/new')}",
        f"changed {result.stat('newscrawl/persist/changed')}",
        f"unchanged {result.stat('newscrawl/persist/unchanged')}",
        f"no date {result.stat('newscrawl/dates/missing')}",
    ]
    if dropped:
        parts.append("dropped " + ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())))
    if errors:
        parts.append("HTTP errors " + ", ".join(f"{k} {v}" for k, v in sorted(errors.items())))
    parts.append(f"{result.seconds:.1f}s")
    return "  ".join(parts)


def run(args: argparse.Namespace) -> int:
    profiles = load_site_profiles()
    chosen = None
    if args.site:
        chosen = profile_names(resolve_sites(args.site, profiles))
        check_names(chosen, SITE_NAMES, "the replica has no copy of it; it has")
    out: Path = args.output_dir
    out.mkdir(parents=True, exist_ok=True)
    database = out / "newscrawl.sqlite3"
    database_url = f"sqlite:///{database.resolve()}"
    feed = out / "articles.jsonl"
    feed.unlink(missing_ok=True)
    started = time.monotonic()
    results: list[CrawlResult] = []
    with ReplicaProcess(articles=args.articles, sites=chosen) as replica:
        sites = [name for name in replica.urls if name in profiles]
        print(f"Replica running: {', '.join(f'{s} {replica.urls[s]}' for s in sites)}")
        for site in sites:
            result = run_crawl(
                site,
                base_url=replica.urls[site],
                feed=None,
                database_url=database_url,
                settings={**LOOPBACK_SETTINGS, "LOG_LEVEL": "WARNING", "FEEDS": _feed_setting(feed)},
            )
            results.append(result)
            print(_summary_line(result))
            if result.returncode != 0:
                print(result.log[-4000:])
                print(f"crawl of {site} failed (exit {result.returncode})")
                return 1
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            stored = count_articles(session)
    finally:
        engine.dispose()
    lines = sum(1 for _ in feed.open(encoding="utf-8")) if feed.exists() else 0
    print(
        f"\n{stored} articles stored from {len(results)} sites in {time.monotonic() - started:.1f}s\n"
        f"  database:    {database}\n  JSON lines:  {feed} ({lines} records)"
    )
    return 0


def _feed_setting(feed: Path) -> str:
    """A FEEDS setting that appends to ``feed``, so every site's crawl lands in one file."""
    return json.dumps({str(feed.resolve()): {"format": "jsonlines", "overwrite": False, "encoding": "utf-8"}})
