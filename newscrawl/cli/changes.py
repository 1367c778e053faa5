"""``newscrawl changes``: the significant edits and deletions, newest first.

One line per change: fetch time, score, kind, the article's ``site:lang:source_id``, its title,
then the reasons. ``--since`` compares the fetch time that found the change.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from newscrawl.cli._changes import add_change_arguments, selected_sites
from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli.db import add_database_url_argument
from newscrawl.clock import utc_iso
from newscrawl.db.queries import changes
from newscrawl.db.session import database_url, make_sessionmaker
from newscrawl.export.query import parse_bound

__all__ = ["register", "run"]

_PROG = "newscrawl changes"


def _since(value: str) -> datetime:
    try:
        return parse_bound(value, end=False)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``changes`` sub-command."""
    parser = sub.add_parser(
        "changes",
        description="List the significant edits and deletions of stored articles, newest first.",
    )
    add_change_arguments(parser)
    parser.add_argument(
        "--since", type=_since, metavar="WHEN", help="found on or after this date or date-time"
    )
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="at most N changes")
    add_database_url_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the changes ``args`` selects."""
    url = database_url(args.database_url)
    try:
        with (
            existing_database(url, require_head=True) as engine,
            make_sessionmaker(engine)() as session,
        ):
            sites, langs = selected_sites(session, args.site)
            rows = changes(
                session,
                sites=sites,
                langs=langs,
                since=args.since,
                min_score=args.min_score,
                limit=args.limit,
            )
            lines = [
                f"{utc_iso(revision.fetched_at)}  {revision.significance or 0:.2f}  "
                f"{revision.kind:<8} {article.key}  {revision.title}\n"
                f"    {'; '.join(revision.change_reasons or [])}"
                for revision, article in rows
            ]
    except CommandError as exc:
        return exc.report(_PROG)
    print("\n".join(lines) if lines else "no changes")
    return 0
