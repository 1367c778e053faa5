"""Atom feeds of significant changes: one per site and one for everything (``newscrawl feed``).

Written with feedgen (a maintained Atom writer; the XML escaping and the RFC 4287 structure are
its job). Each entry is one scored revision: an edit, a restoration or a removal, with at least
the feed's minimum score. Its id is ``urn:newscrawl:revision:<revision id>`` (stable across
writes: a feed reader shows an entry once), its title the article's title with the kind of
change and the score, its link the article's canonical URL, its updated time the fetch that
found the change, and its content (HTML) the score, the reasons and the word-level diff.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session

from newscrawl.changes.render import render_ops
from newscrawl.changes.score import ALERT_THRESHOLD
from newscrawl.db.models import Article, Revision
from newscrawl.db.queries import changes

__all__ = [
    "ALL_FEED",
    "DEFAULT_LIMIT",
    "entry_html",
    "feed_file_name",
    "write_feed",
    "write_feeds",
]

#: Entries per feed: the newest changes.
DEFAULT_LIMIT = 200

#: The file name of the feed of every site.
ALL_FEED = "all.atom"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def feed_file_name(site: str) -> str:
    """The file a site's feed is written to: ``<site>.atom`` (unsafe characters as ``_``)."""
    return f"{_UNSAFE.sub('_', site)}.atom"


def entry_html(revision: Revision) -> str:
    """An entry's content: the score, the reasons and the diff, as HTML."""
    score = revision.significance or 0.0
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in revision.change_reasons or [])
    parts = [f"<p>Score {score:.2f}</p>", f"<ul>{reasons}</ul>" if reasons else ""]
    diff = revision.diff or {}
    if diff.get("removed"):
        parts.append(
            f"<p>The article was removed. Its last text: {html.escape(revision.title)}</p>"
        )
        return "".join(parts)
    title_ops = diff.get("title", [])
    if any("=" not in op for op in title_ops):
        parts.append(f"<h3>Title</h3><p>{render_ops(title_ops, revision.title, 'html')}</p>")
    if "date" in diff:
        old, new = diff["date"]
        parts.append(f"<p>Date: {html.escape(old or '-')} → {html.escape(new or '-')}</p>")
    text_ops = diff.get("text", [])
    if any("=" not in op for op in text_ops):
        text = f"{revision.lead}\n\n{revision.body}" if revision.lead else revision.body
        parts.append(f"<h3>Text</h3><p>{render_ops(text_ops, text, 'html')}</p>")
    return "".join(parts)


def _entry_title(revision: Revision) -> str:
    what = {"removed": "Removed", "restored": "Restored"}.get(revision.kind, "Edited")
    return f"{what} ({revision.significance or 0:.2f}): {revision.title}"


def write_feed(
    path: Path, title: str, feed_id: str, changes: Iterable[tuple[Revision, Article]]
) -> int:
    """Write the Atom feed of *changes* (newest first) to *path*; return its number of entries.

    The file is replaced atomically (written beside it, then renamed).
    """
    generator = FeedGenerator()
    generator.id(feed_id)
    generator.title(title)
    generator.author({"name": "newscrawl"})
    generator.generator("newscrawl")
    rows: Sequence[tuple[Revision, Article]] = list(changes)
    newest = None
    # feedgen puts the entry added last first in the file: add them oldest first.
    for revision, article in reversed(rows):
        entry = generator.add_entry()
        entry.id(f"urn:newscrawl:revision:{revision.id}")
        entry.title(_entry_title(revision))
        entry.link(href=article.canonical_url)
        entry.updated(revision.fetched_at)
        entry.published(revision.fetched_at)
        entry.category(term=article.site)
        for reason in revision.change_reasons or []:
            entry.category(term=reason.split(":", 1)[0])
        entry.content(entry_html(revision), type="html")
        newest = revision.fetched_at if newest is None else max(newest, revision.fetched_at)
    if newest is not None:
        generator.updated(newest)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    generator.atom_file(str(partial), pretty=True)
    partial.replace(path)
    return len(rows)


def write_feeds(
    session: Session,
    directory: Path,
    *,
    sites: Sequence[str] = (),
    min_score: float = ALERT_THRESHOLD,
    limit: int = DEFAULT_LIMIT,
) -> dict[Path, int]:
    """Write ``<site>.atom`` for each of *sites* (default: every site in the archive) and
    :data:`ALL_FEED` for all of them into *directory*; return each file's number of entries."""
    chosen = list(sites) or list(
        session.scalars(select(Article.site).distinct().order_by(Article.site))
    )
    written: dict[Path, int] = {}
    for site in chosen:
        path = directory / feed_file_name(site)
        rows = changes(session, sites=[site], min_score=min_score, limit=limit)
        written[path] = write_feed(
            path, f"newscrawl: changes on {site}", f"urn:newscrawl:feed:{site}", rows
        )
    rows = changes(session, sites=chosen, min_score=min_score, limit=limit)
    path = directory / ALL_FEED
    written[path] = write_feed(
        path, "newscrawl: changes on every site", "urn:newscrawl:feed:all", rows
    )
    return written
