"""``newscrawl history``: an article's revisions, with a unified diff of what changed.

The article is named by its canonical URL, a URL it was fetched from, or ``site:lang:source_id``.
Each revision is printed on one line (number, kind, fetch time, content hash prefix, title,
published date); between consecutive content revisions (kinds ``content`` and ``restored``)
comes a ``difflib.unified_diff`` of the title and body lines.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence

from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli.db import add_database_url_argument
from newscrawl.clock import utc_iso
from newscrawl.db.models import CONTENT_KINDS, Article, Revision
from newscrawl.db.queries import find_article, revisions
from newscrawl.db.session import database_url, make_sessionmaker, safe_url

__all__ = ["format_history", "register", "run"]

_PROG = "newscrawl history"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``history`` sub-command."""
    parser = sub.add_parser(
        "history",
        description="Show the stored revisions of one article and diffs between them.",
    )
    parser.add_argument(
        "ref",
        metavar="ARTICLE",
        help="canonical URL, fetched URL, or site:lang:source_id (e.g. mfa:en:1234)",
    )
    add_database_url_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the history of the article ``args.ref``; 1 if it is unknown."""
    url = database_url(args.database_url)
    try:
        with existing_database(url) as engine, make_sessionmaker(engine)() as session:
            article = find_article(session, args.ref)
            if article is None:
                raise CommandError(
                    f"no article matches {args.ref!r} in {safe_url(url)} "
                    "(give a canonical URL, a fetched URL or site:lang:source_id)"
                )
            lines = format_history(article, revisions(session, article.id))
    except CommandError as exc:
        return exc.report(_PROG)
    print("\n".join(lines))
    return 0


def format_history(article: Article, history: Sequence[Revision]) -> list[str]:
    """The lines that ``newscrawl history`` prints for *article* and its revisions."""
    lines = [
        f"article {article.key} (id {article.id})",
        f"  canonical url: {article.canonical_url}",
        f"  last fetched:  {article.url}",
        f"  first seen {utc_iso(article.first_seen_at)}, last seen {utc_iso(article.last_seen_at)}",
    ]
    if article.removed_at is not None:
        lines.append(f"  removed at {utc_iso(article.removed_at)}")
    lines.append(f"  {len(history)} revision(s)")
    previous: tuple[int, Revision] | None = None
    for number, revision in enumerate(history, start=1):
        lines.append("")
        lines.append(
            f"#{number} {revision.kind:<8} {utc_iso(revision.fetched_at)}  "
            f"{revision.content_hash[:12] or '-':<12}  {revision.title or '(no title)'}  "
            f"[published {revision.published_at or '-'}]"
        )
        if revision.kind not in CONTENT_KINDS:
            continue
        if previous is not None:
            lines.extend(_diff(previous, (number, revision)))
        previous = (number, revision)
    return lines


def _diff(old: tuple[int, Revision], new: tuple[int, Revision]) -> list[str]:
    (old_number, old_revision), (new_number, new_revision) = old, new
    diff = list(
        difflib.unified_diff(
            _text_lines(old_revision),
            _text_lines(new_revision),
            fromfile=f"#{old_number} {utc_iso(old_revision.fetched_at)}",
            tofile=f"#{new_number} {utc_iso(new_revision.fetched_at)}",
            lineterm="",
        )
    )
    if not diff and old_revision.content_hash != new_revision.content_hash:
        return ["(title and body unchanged; the lead or the published date changed)"]
    return diff


def _text_lines(revision: Revision) -> list[str]:
    return [revision.title, "", *revision.body.split("\n")]


