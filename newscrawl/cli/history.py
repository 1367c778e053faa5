"""``newscrawl history``: an article's revisions, with a word-level diff of what changed.

The article is named by its canonical URL, a URL it was fetched from, or ``site:lang:source_id``.
Each revision is printed on one line (number, kind, fetch time, content hash prefix, title,
published date), then its significance score and reasons, then the word-level diff of its title
and text against the revision before (``newscrawl.changes``): coloured on a terminal, with
``[+inserted+]``, ``{-deleted-}``, ``(~volatile~)`` and ``(=normalisation=)`` markers otherwise
(``--color``). Revisions stored before migration 0006 have no stored diff; theirs is computed
here (without volatile regions, which they did not record).

``--html -o FILE`` writes the history as one self-contained HTML page instead
(``newscrawl.changes.timeline``): the revisions on a timeline coloured by score, each change side
by side, a tombstone with its evidence.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newscrawl.changes.render import Style, render_ops
from newscrawl.changes.score import Change, Snapshot, compare, removal
from newscrawl.changes.timeline import Entry, Evidence, history_page
from newscrawl.cli._database import CommandError, existing_database
from newscrawl.cli.db import add_database_url_argument
from newscrawl.clock import utc_iso
from newscrawl.db.models import CONTENT_KINDS, Article, Revision
from newscrawl.db.queries import find_article, removal_evidence, revisions
from newscrawl.db.session import database_url, make_sessionmaker, safe_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the diffs: auto (on a terminal), always, never (plain markers)",
    )
    parser.add_argument(
        "--html",
        action="store_true",
        help="write a self-contained HTML page (timeline, side-by-side diffs) to -o FILE",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="with --html: the page to write")
    add_database_url_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the history of the article ``args.ref``; 1 if it is unknown."""
    if args.html != bool(args.output):
        print(f"{_PROG}: error: --html and -o FILE go together", file=sys.stderr)
        return 2
    url = database_url(args.database_url)
    try:
        with existing_database(url) as engine, make_sessionmaker(engine)() as session:
            article = find_article(session, args.ref)
            if article is None:
                raise CommandError(
                    f"no article matches {args.ref!r} in {safe_url(url)} "
                    "(give a canonical URL, a fetched URL or site:lang:source_id)"
                )
            if args.html:
                page = history_page(
                    article.latest_revision.title if article.latest_revision else article.key,
                    article.canonical_url,
                    html_entries(session, revisions(session, article.id)),
                )
                Path(args.output).write_text(page, encoding="utf-8")
                return 0
            colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
            lines = format_history(
                article, revisions(session, article.id), style="ansi" if colour else "plain"
            )
    except CommandError as exc:
        return exc.report(_PROG)
    except OSError as exc:
        print(f"{_PROG}: error: writing {args.output}: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def format_history(
    article: Article, history: Sequence[Revision], *, style: Style = "plain"
) -> list[str]:
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
    previous: Revision | None = None
    for number, revision in enumerate(history, start=1):
        lines.append("")
        lines.append(
            f"#{number} {revision.kind:<8} {utc_iso(revision.fetched_at)}  "
            f"{revision.content_hash[:12] or '-':<12}  {revision.title or '(no title)'}  "
            f"[published {revision.published_at or '-'}]"
        )
        change = revision_change(previous, revision)
        if change is not None:
            lines.extend(format_change(change, revision, style))
        previous = revision
    return lines


def html_entries(session: Session, history: Sequence[Revision]) -> list[Entry]:
    """The revisions as the HTML page shows them, with their changes and tombstone evidence."""
    entries = []
    previous: Revision | None = None
    for revision in history:
        evidence = []
        if revision.kind == "removed":
            evidence = [
                Evidence(e.reason, e.status, e.observed_at, e.url, e.final_url)
                for e in removal_evidence(session, revision.id)
            ]
        entries.append(
            Entry(
                kind=revision.kind,
                fetched_at=revision.fetched_at,
                title=revision.title,
                published_at=revision.published_at,
                snapshot=snapshot(revision),
                change=revision_change(previous, revision),
                evidence=evidence,
            )
        )
        if revision.kind in CONTENT_KINDS:
            previous = revision
    return entries


def revision_change(previous: Revision | None, revision: Revision) -> Change | None:
    """*revision*'s change: the stored one, else computed against *previous* (None: first)."""
    if revision.significance is not None and revision.diff is not None:
        return Change(revision.significance, list(revision.change_reasons or []), revision.diff)
    if revision.kind not in CONTENT_KINDS:
        return removal()
    if previous is None:
        return None
    return compare(snapshot(previous), snapshot(revision))


def snapshot(revision: Revision) -> Snapshot:
    """What a change is measured on, from a stored revision."""
    return Snapshot(
        revision.title, revision.lead, revision.body, revision.published_at, revision.volatile or ()
    )


def format_change(change: Change, revision: Revision, style: Style) -> list[str]:
    """The score line and the diff lines of one revision's change."""
    reasons = "; ".join(change.reasons) or "no change"
    lines = [f"  score {change.score:.2f}: {reasons}"]
    if change.diff.get("removed"):
        return lines
    title_ops = change.diff.get("title", [])
    if any("=" not in op for op in title_ops):
        lines.append("  title: " + render_ops(title_ops, revision.title, style))
    if "date" in change.diff:
        old, new = change.diff["date"]
        lines.append(f"  date: {old or '-'} -> {new or '-'}")
    text_ops = change.diff.get("text", [])
    if any("=" not in op for op in text_ops):
        lines.append("  text: " + render_ops(text_ops, snapshot(revision).text, style))
    return lines
