"""``newscrawl notify --webhook URL``: POST each significant change once (``newscrawl.changes.webhook``).

The changes not yet delivered to the URL (consumer ``webhook:<URL>`` in ``deliveries``), oldest
first. Exit 0 when every pending change was delivered, 1 when the endpoint kept failing (the
rest stay pending for the next run).
"""

from __future__ import annotations

import argparse
import sys

from newscrawl.changes.webhook import WebhookError, WebhookWriter, consumer_name
from newscrawl.cli._changes import add_change_arguments, selected_sites
from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli.db import add_database_url_argument
from newscrawl.db.session import database_url, make_sessionmaker
from newscrawl.export.consumer import export_for_consumer
from newscrawl.export.query import ExportFilter

__all__ = ["register", "run"]

_PROG = "newscrawl notify"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``notify`` sub-command."""
    parser = sub.add_parser(
        "notify",
        description="POST each significant change (JSON) to a webhook, once across runs.",
    )
    parser.add_argument("--webhook", required=True, metavar="URL", help="http(s) URL to POST to")
    add_change_arguments(parser)
    parser.add_argument(
        "--attempts", type=int, default=5, metavar="N", help="tries per change (default 5)"
    )
    parser.add_argument(
        "--backoff",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="wait before the second try, doubled for each next one (default 1)",
    )
    add_database_url_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Deliver the pending changes; print how many."""
    if not args.webhook.startswith(("http://", "https://")):
        print(
            f"{_PROG}: error: --webhook must be an http(s) URL, not {args.webhook!r}",
            file=sys.stderr,
        )
        return 2
    if args.attempts < 1 or args.backoff < 0:
        print(
            f"{_PROG}: error: --attempts must be at least 1 and --backoff not negative",
            file=sys.stderr,
        )
        return 2
    url = database_url(args.database_url)
    writer = WebhookWriter(
        args.webhook,
        attempts=args.attempts,
        backoff=args.backoff,
        log=lambda line: print(f"{_PROG}: {line}", file=sys.stderr),
    )
    try:
        with existing_database(url, require_head=True) as engine:
            sessions = make_sessionmaker(engine)
            with sessions() as session:
                sites, langs = selected_sites(session, args.site)
            filters = ExportFilter(
                sites=sites,
                langs=langs,
                include_removed=True,
                min_significance=args.min_score,
            )
            export_for_consumer(
                sessions, consumer_name(args.webhook), filters, writer, batch_size=1
            )
    except CommandError as exc:
        return exc.report(_PROG)
    except WebhookError as exc:
        print(
            f"{_PROG}: {writer.sent} change(s) delivered; {exc}; the rest stay pending",
            file=sys.stderr,
        )
        return 1
    print(f"{writer.sent} change(s) delivered to {args.webhook}")
    return 0
