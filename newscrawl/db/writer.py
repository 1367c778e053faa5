"""Writing a crawl's batches: articles, their revisions and captures, near-duplicate links, tombstones.

A :class:`BatchWriter` writes one batch per transaction, so a batch lands whole or not at all.
The persist pipeline runs it in a writer process (``newscrawl.workers``; the functions at the end
of this module) or, with ``NEWSCRAWL_DB_WRITER_PROCESS = False``, in the crawl's own process.
It never migrates: it opens a :class:`~newscrawl.db.session.DatabaseTarget` that the crawl's
``Archive`` extension has upgraded, with its own engine (an engine can't cross a process).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newscrawl.db.neardup import link_near_duplicates
from newscrawl.db.session import DatabaseTarget, make_engine, make_sessionmaker, safe_url
from newscrawl.db.store import mark_removed, save_articles
from newscrawl.items import Article

__all__ = [
    "BatchResult",
    "BatchWriter",
    "Tombstone",
    "close_worker",
    "init_worker",
    "write_in_worker",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Tombstone:
    """An article the site removed (answered *status*), seen at *at*."""

    site: str
    lang: str
    source_id: str
    status: int
    at: datetime


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one batch did. ``indexed``/``linked`` are None when the near-duplicate index is off."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    restored: int = 0
    removed: int = 0
    indexed: int | None = None
    linked: int | None = None


class BatchWriter:
    """Write batches to the database *target* (whose schema the crawl's Archive made current).

    *neardup_threshold* is the minimum similarity of a near-duplicate; None turns the index off.
    """

    def __init__(self, target: DatabaseTarget, neardup_threshold: float | None) -> None:
        if not target.schema_current:
            raise ValueError(
                f"{safe_url(target.url)}: the writer never migrates; open the database through "
                "the Archive extension (newscrawl.extensions.archive) first"
            )
        self.engine = make_engine(target.url)
        self.sessions = make_sessionmaker(self.engine)
        self.neardup_threshold = neardup_threshold

    def write(self, articles: Sequence[Article], tombstones: Sequence[Tombstone]) -> BatchResult:
        """Upsert *articles* (see ``store.save_articles``) and write *tombstones*, in one transaction."""
        removed = 0
        links = None
        with self.sessions.begin() as session:
            stored = save_articles(session, articles)
            if self.neardup_threshold is not None and stored.revisions:
                links = link_near_duplicates(
                    session, stored.revisions, threshold=self.neardup_threshold
                )
            for gone in tombstones:
                removed += mark_removed(
                    session,
                    site=gone.site,
                    lang=gone.lang,
                    source_id=gone.source_id,
                    status=gone.status,
                    at=gone.at,
                )
        indexed = linked = None
        if self.neardup_threshold is not None:
            indexed, linked = (links.indexed, links.linked) if links is not None else (0, 0)
        return BatchResult(
            new=stored.new,
            changed=stored.changed,
            unchanged=stored.unchanged,
            restored=stored.restored,
            removed=removed,
            indexed=indexed,
            linked=linked,
        )

    def close(self) -> None:
        self.engine.dispose()


# -- in a writer process (newscrawl.workers) -----------------------------------------------------

_worker: BatchWriter | None = None
#: Why init_worker could not open the database (e.g. it was dropped after the crawl started).
_init_error: Exception | None = None


def init_worker(target: DatabaseTarget, neardup_threshold: float | None) -> None:
    """Initializer of a writer process: open its engine.

    A failure is kept and raised by each write, so that every batch fails with the database's
    own reason; raised here, it would break the pool with an anonymous ``BrokenProcessPool``.
    """
    global _worker, _init_error
    try:
        _worker = BatchWriter(target, neardup_threshold)
    except Exception as exc:  # noqa: BLE001 - re-raised by every write_in_worker
        _init_error = exc


def write_in_worker(articles: Sequence[Article], tombstones: Sequence[Tombstone]) -> BatchResult:
    if _worker is None:
        if _init_error is not None:
            raise _init_error
        raise RuntimeError("writer process used before init_worker()")
    return _worker.write(articles, tombstones)


def close_worker() -> None:
    """Close the writer process's connections (before the pool stops it)."""
    if _worker is not None:
        _worker.close()
