"""Re-extraction: rebuild stored articles from their raw captures with today's code (no network).

For every article whose latest revision holds content (kind ``content`` or ``restored``) and a
capture, the capture goes through the function a crawl's extract pipeline runs
(``pages.extraction.extract_article``: decoding, page object, clean and date steps, content
hash), with the profile whose site and language are the article's (``profiles.load_profiles()``,
so ``NEWSCRAWL_SITES_DIR`` applies) and what the crawl knew: the base URL of the stored canonical
URL, the captured Content-Type, the revision's fetch time and, for a page showing no date, the
date the revision kept (the crawl's listing or feed date when the page had none). When the content hash differs, a new revision is stored and
becomes the article's latest; when it is equal, nothing is written. Tombstoned articles are
left alone (their latest revision is the tombstone).

A re-extracted revision has kind ``content``: it is a state of the article's content like any
other, so history diffs, exports, deliveries and the content-hash comparison of the next crawl
treat it as such with no special case. What tells it apart is that it reuses the capture (and
keeps the ``fetched_at``) of the revision it was rebuilt from, whereas a crawl always stores a
new capture with a new revision. New content is also fingerprinted for the near-duplicate
index (``newscrawl.db.neardup``).

Articles are processed in id order, in batches of one transaction each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.changes.score import Snapshot, change_columns
from newscrawl.clock import utc_iso
from newscrawl.db.models import CONTENT_KINDS, Article, Capture, Revision
from newscrawl.db.neardup import DEFAULT_THRESHOLD, link_near_duplicates
from newscrawl.items import Article as ArticleItem
from newscrawl.pages.extraction import PageExtraction, extract_article
from newscrawl.profiles import Profile

__all__ = [
    "CONTENT_KINDS",
    "Failure",
    "ReextractResult",
    "SiteFilter",
    "reextract",
    "reextract_capture",
    "site_filter",
]

logger = logging.getLogger(__name__)

#: Revision kinds that hold an article's content (the others are tombstones).
#: Articles per transaction.
BATCH_SIZE = 200


@dataclass(frozen=True, slots=True)
class Failure:
    """An article that could not be re-extracted: the captured URL and why."""

    url: str
    reason: str


@dataclass
class ReextractResult:
    """Counts of a run: articles examined, updated (new revision), unchanged, failed."""

    examined: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    #: Articles near-duplicate links were recomputed for / found to be copies.
    neardup_indexed: int = 0
    neardup_linked: int = 0

    @property
    def failed(self) -> int:
        """How many articles failed."""
        return len(self.failures)


@dataclass(frozen=True, slots=True)
class SiteFilter:
    """Which articles to re-extract: a site, optionally one language of it."""

    site: str
    lang: str | None = None


def site_filter(value: str, profiles: Mapping[str, Profile]) -> SiteFilter:
    """``--site``: a profile name (``ict_en``: its site and language) or a site (``ict.gov.ir``)."""
    profile = profiles.get(value)
    if profile is not None:
        return SiteFilter(profile.site, profile.lang)
    return SiteFilter(value)


def reextract(
    sessions: sessionmaker[Session],
    profiles: Mapping[str, Profile],
    *,
    only: SiteFilter | None = None,
    neardup_threshold: float | None = DEFAULT_THRESHOLD,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[ReextractResult], None] | None = None,
) -> ReextractResult:
    """Re-extract every stored article (or those of *only*) from its latest capture.

    *neardup_threshold* None leaves the near-duplicate index alone. *progress* is called after
    each committed batch.
    """
    by_site = _profiles_by_site(profiles)
    result = ReextractResult()
    for ids in _id_batches(sessions, only, batch_size):
        with sessions.begin() as session:
            _batch(session, ids, by_site, result, neardup_threshold)
        if progress is not None:
            progress(result)
    return result


def reextract_capture(
    article: Article, revision: Revision, capture: Capture, profile: Profile
) -> PageExtraction:
    """What a crawl's extraction would make of *capture* now (``pages.extraction``).

    The base URL is the origin of the stored canonical URL, which a crawl puts on its own base
    URL: so the page is read with the hosts the crawl accepted (a replica's loopback port, say).
    Raises what extraction raises (other than ``NotAnArticle``, which the result reports).
    """
    headers = {name.lower(): value for name, value in (capture.headers or {}).items()}
    parts = urlsplit(article.canonical_url)
    return extract_article(
        profile,
        f"{parts.scheme}://{parts.netloc}",
        capture.url,
        capture.raw_body(),
        headers.get("content-type"),
        utc_iso(revision.fetched_at),
        revision.published_raw,
    )


def _batch(
    session: Session,
    ids: list[int],
    by_site: Mapping[tuple[str, str], Profile],
    result: ReextractResult,
    neardup_threshold: float | None,
) -> None:
    rows = session.execute(
        select(Article, Revision, Capture)
        .join(Revision, Revision.id == Article.latest_revision_id)
        .join(Capture, Capture.id == Revision.capture_id)
        .where(Article.id.in_(ids))
        .order_by(Article.id)
    ).all()
    new_revisions: list[Revision] = []
    for article, revision, capture in rows:
        result.examined += 1
        profile = by_site.get((article.site, article.lang))
        if profile is None:
            result.failures.append(
                Failure(
                    capture.url, f"no profile for site {article.site} and language {article.lang}"
                )
            )
            continue
        try:
            found = reextract_capture(article, revision, capture, profile)
        except Exception as exc:  # any extraction error is reported per article, as in a crawl
            logger.debug("Re-extraction failed: %s", capture.url, exc_info=True)
            result.failures.append(Failure(capture.url, f"{type(exc).__name__}: {exc}"))
            continue
        item = found.item
        if item is None:
            if found.not_article is not None:
                reason = f"NotAnArticle: {found.not_article}"
            else:
                reason = f"dropped: {found.dropped}"
            result.failures.append(Failure(capture.url, reason))
            continue
        if item.content_hash == revision.content_hash:
            result.unchanged += 1
            continue
        new_revisions.append(_revision(article, revision, item))
    if new_revisions:
        session.add_all(new_revisions)
        session.flush()
        session.execute(
            update(Article),
            [{"id": r.article_id, "latest_revision_id": r.id} for r in new_revisions],
        )
        result.updated += len(new_revisions)
        if neardup_threshold is not None:
            links = link_near_duplicates(session, new_revisions, threshold=neardup_threshold)
            result.neardup_indexed += links.indexed
            result.neardup_linked += links.linked


def _revision(article: Article, previous: Revision, item: ArticleItem) -> Revision:
    """The new revision: the item's content, the previous revision's fetch and capture."""
    published_utc = item.published_at_utc
    before = Snapshot(
        previous.title, previous.lead, previous.body, previous.published_at, previous.volatile or ()
    )
    after = Snapshot(item.title or "", item.lead, item.body, item.published_at, item.volatile)
    return Revision(
        **change_columns(before, after),
        volatile=list(item.volatile) or None,
        article_id=article.id,
        kind="content",
        fetched_at=previous.fetched_at,
        url=previous.url,
        content_hash=item.content_hash or "",
        title=item.title or "",
        lead=item.lead,
        body=item.body,
        tags=list(item.tags),
        published_at=item.published_at,
        published_at_utc=datetime.fromisoformat(published_utc) if published_utc else None,
        published_raw=item.published_raw,
        alternates=dict(item.alternates),
        capture_id=previous.capture_id,
        layout=item.layout,
    )


def _id_batches(
    sessions: sessionmaker[Session], only: SiteFilter | None, batch_size: int
) -> Iterator[list[int]]:
    """Ids of the live articles whose latest revision is content, in batches (keyset paging)."""
    last = 0
    while True:
        stmt = (
            select(Article.id)
            .join(Revision, Revision.id == Article.latest_revision_id)
            .where(
                Article.id > last,
                Article.removed_at.is_(None),
                Revision.kind.in_(CONTENT_KINDS),
                Revision.capture_id.is_not(None),
            )
            .order_by(Article.id)
            .limit(batch_size)
        )
        if only is not None:
            stmt = stmt.where(Article.site == only.site)
            if only.lang is not None:
                stmt = stmt.where(Article.lang == only.lang)
        with sessions() as session:
            ids = list(session.scalars(stmt))
        if not ids:
            return
        yield ids
        last = ids[-1]


def _profiles_by_site(profiles: Mapping[str, Profile]) -> dict[tuple[str, str], Profile]:
    """(site, lang) -> profile; when two profiles share both, the first by name wins."""
    by_site: dict[tuple[str, str], Profile] = {}
    for name in sorted(profiles):
        profile = profiles[name]
        by_site.setdefault((profile.site, profile.lang), profile)
    return by_site


