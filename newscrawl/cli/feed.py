"""``newscrawl feed -o DIR``: Atom feeds of the significant changes (``newscrawl.changes.feed``).

Writes ``DIR/<site>.atom`` for every site (or each ``--site``) and ``DIR/all.atom``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newscrawl.changes.feed import DEFAULT_LIMIT, write_feeds
from newscrawl.cli._changes import add_change_arguments, selected_sites
from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli.db import add_database_url_argument
from newscrawl.db.session import database_url, make_sessionmaker

__all__ = ["register", "run"]

_PROG = "newscrawl feed"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``feed`` sub-command."""
    parser = sub.add_parser(
        "feed", description="Write Atom feeds of significant changes, per site and for all."
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="directory to write to"
    )
    add_change_arguments(parser)
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        metavar="N",
        help=f"newest N changes per feed (default {DEFAULT_LIMIT})",
    )
    add_database_url_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write the feeds; print each file with its number of entries."""
    url = database_url(args.database_url)
    try:
        with (
            existing_database(url, require_head=True) as engine,
            make_sessionmaker(engine)() as session,
        ):
            sites, _ = selected_sites(session, args.site)
            written = write_feeds(
                session, Path(args.output), sites=sites, min_score=args.min_score, limit=args.limit
            )
    except CommandError as exc:
        return exc.report(_PROG)
    except OSError as exc:
        print(f"{_PROG}: error: writing {args.output}: {exc}", file=sys.stderr)
        return 1
    for path, count in written.items():
        print(f"{path}: {count} change(s)")
    return 0
