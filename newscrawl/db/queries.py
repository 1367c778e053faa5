"""Read-only queries used by the command line and by tests."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newscrawl.db.models import Article, Revision

__all__ = ["count_articles", "find_article", "parse_key", "revisions"]

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


def count_articles(session: Session, site: str | None = None) -> int:
    """How many articles are stored (removed ones included), for one site or all."""
    stmt = select(func.count()).select_from(Article)
    if site is not None:
        stmt = stmt.where(Article.site == site)
    return session.scalar(stmt) or 0
