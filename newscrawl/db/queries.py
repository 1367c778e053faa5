"""Read-only queries: the command line's, the tests' and those of a crawl's components.

In a crawl the components get their sessions from the ``Archive`` extension
(:mod:`newscrawl.extensions.archive`) and query through these functions (the run records'
queries are in :mod:`newscrawl.db.runs`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newscrawl.db.models import Article, RemovalEvidence, Revision

__all__ = [
    "KnownArticle",
    "changes",
    "count_articles",
    "find_article",
    "known_articles",
    "live_source_ids",
    "parse_key",
    "revisions",
]

_KEY_RE = re.compile(r"^(?P<site>[^:/\s]+):(?P<lang>[^:/\s]+):(?P<source_id>[^:/\s]+)$")


def parse_key(ref: str) -> tuple[str, str, str] | None:
    """Split a ``site:lang:source_id`` reference, or return None if *ref* is not one."""
    match = _KEY_RE.match(ref.strip())
    if match is None:
        return None
    return match["site"], match["lang"], match["source_id"]


def find_article(session: Session, ref: str) -> Article | None:
    """The article *ref* names: ``site:lang:source_id``, a canonical URL or a fetched URL.

    URLs are looked up as canonical URL first, then as the article's last fetched URL, then as
    the URL of any of its revisions. When several articles match, the oldest one wins.
    """
    ref = ref.strip()
    key = parse_key(ref)
    if key is not None:
        site, lang, source_id = key
        return session.scalars(
            select(Article).where(
                Article.site == site, Article.lang == lang, Article.source_id == source_id
            )
        ).one_or_none()
    for column in (Article.canonical_url, Article.url):
        article = session.scalars(
            select(Article).where(column == ref).order_by(Article.id).limit(1)
        ).first()
        if article is not None:
            return article
    return session.scalars(
        select(Article)
        .join(Revision, Revision.article_id == Article.id)
        .where(Revision.url == ref)
        .order_by(Article.id)
        .limit(1)
    ).first()


def revisions(session: Session, article_id: int) -> list[Revision]:
    """The revisions of an article, oldest first."""
    return list(
        session.scalars(
            select(Revision).where(Revision.article_id == article_id).order_by(Revision.id)
        )
    )


def removal_evidence(session: Session, revision_id: int) -> list[RemovalEvidence]:
    """The gone observations the tombstone *revision_id* rests on, oldest first."""
    return list(
        session.scalars(
            select(RemovalEvidence)
            .where(RemovalEvidence.revision_id == revision_id)
            .order_by(RemovalEvidence.observed_at, RemovalEvidence.id)
        )
    )


def count_articles(session: Session, site: str | None = None) -> int:
    """How many articles are stored (removed ones included), for one site or all."""
    stmt = select(func.count()).select_from(Article)
    if site is not None:
        stmt = stmt.where(Article.site == site)
    return session.scalar(stmt) or 0


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """What an incremental crawl needs to know about an archived article."""

    source_id: str
    etag: str | None
    last_modified: str | None
    published_at_utc: datetime | None
    first_seen_at: datetime
    removed: bool


def known_articles(session: Session, site: str, lang: str) -> dict[str, KnownArticle]:
    """Every archived article of a site and language, by source id (one indexed query)."""
    rows = session.execute(
        select(
            Article.source_id,
            Article.etag,
            Article.last_modified,
            Revision.published_at_utc,
            Article.first_seen_at,
            Article.removed_at,
        )
        .outerjoin(Revision, Revision.id == Article.latest_revision_id)
        .where(Article.site == site, Article.lang == lang)
    )
    return {
        source_id: KnownArticle(source_id, etag, modified, published, first_seen, removed is not None)
        for source_id, etag, modified, published, first_seen, removed in rows
    }


def live_source_ids(session: Session, site: str, lang: str) -> list[str]:
    """Source ids of a site's stored articles that have no tombstone, least recently seen first."""
    return list(
        session.scalars(
            select(Article.source_id)
            .where(Article.site == site, Article.lang == lang, Article.removed_at.is_(None))
            .order_by(Article.last_seen_at, Article.id)
        )
    )


def changes(
    session: Session,
    *,
    sites: Sequence[str] = (),
    langs: Sequence[str] = (),
    since: datetime | None = None,
    min_score: float = 0.0,
    limit: int | None = None,
) -> list[tuple[Revision, Article]]:
    """Scored revisions (edits, restorations, tombstones), newest first, with their articles.

    Only revisions with a significance of at least *min_score* (an article's first revision has
    none, so it is never a change); *since* compares the fetch time (inclusive).
    """
    stmt = (
        select(Revision, Article)
        .join(Article, Article.id == Revision.article_id)
        .where(Revision.significance.is_not(None), Revision.significance >= min_score)
    )
    if sites:
        stmt = stmt.where(Article.site.in_(list(sites)))
    if langs:
        stmt = stmt.where(Article.lang.in_(list(langs)))
    if since is not None:
        stmt = stmt.where(Revision.fetched_at >= since)
    stmt = stmt.order_by(Revision.fetched_at.desc(), Revision.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(revision, article) for revision, article in session.execute(stmt)]
