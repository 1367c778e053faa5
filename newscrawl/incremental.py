"""Incremental crawls: what to fetch again when most of a site is already archived.

With ``NEWSCRAWL_INCREMENTAL`` on, a crawl

- stops paging a listing once it has met ``[discovery] stop_after_known`` archived articles
  (listings are newest first, so what follows is older and archived too);
- fetches an archived article again only while it is in the revisit window (published, or first
  archived, within ``NEWSCRAWL_REVISIT_DAYS`` days), to catch recent edits;
- makes such a re-fetch conditional (``If-None-Match`` / ``If-Modified-Since`` from the last
  200 response), so an unchanged page costs a 304 and no parsing.

Articles the site removed (tombstoned) are fetched again only in the window, like the others.
The spider loads the archive's view once, in ``start()``, from the crawl's database (the
``Archive`` extension's sessions, :mod:`newscrawl.extensions.archive`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from newscrawl.db.queries import KnownArticle, known_articles

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do with one article link."""

    fetch: bool
    headers: Mapping[str, str]


SKIP = Plan(False, {})
FETCH = Plan(True, {})


class IncrementalState:
    """The archive's view of one site, loaded once at the start of a crawl."""

    def __init__(self, known: Mapping[str, KnownArticle], revisit: timedelta, now: datetime | None = None) -> None:
        self.known = known
        self.horizon = (now or datetime.now(UTC)) - revisit

    @classmethod
    def load(
        cls, sessions: sessionmaker[Session], site: str, lang: str, revisit: timedelta
    ) -> IncrementalState:
        """The archived articles of *site* in *lang*, read with one of *sessions*."""
        with sessions() as session:
            return cls(known_articles(session, site, lang), revisit)

    def is_known(self, source_id: str) -> bool:
        return source_id in self.known

    def plan(self, source_id: str) -> Plan:
        """Fetch new articles; re-fetch archived ones in the window, conditionally; skip the rest."""
        article = self.known.get(source_id)
        if article is None:
            return FETCH
        reference = article.published_at_utc or article.first_seen_at
        if reference < self.horizon:
            return SKIP
        headers = {}
        if article.etag and not article.removed:
            headers["If-None-Match"] = article.etag
        if article.last_modified and not article.removed:
            headers["If-Modified-Since"] = article.last_modified
        return Plan(True, headers)
