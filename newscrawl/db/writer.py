"""Writing a crawl's batches: articles, their revisions and captures, near-duplicate links, tombstones.

A :class:`BatchWriter` writes one batch per transaction, so a batch lands whole or not at all.
The persist pipeline runs it in a writer process (``newscrawl.workers``; the functions at the end
of this module) or, with ``NEWSCRAWL_DB_WRITER_PROCESS = False``, in the crawl's own process.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newscrawl.db.neardup import link_near_duplicates
from newscrawl.db.session import make_engine, make_sessionmaker
from newscrawl.db.store import mark_removed, save_articles

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
    """Write batches to the database at *database_url* (its schema must be up to date).

    *neardup_threshold* is the minimum similarity of a near-duplicate; None turns the index off.
    """

    def __init__(self, database_url: str, neardup_threshold: float | None) -> None:
        self.engine = make_engine(database_url)
        self.sessions = make_sessionmaker(self.engine)
        self.neardup_threshold = neardup_threshold

    def write(
        self, records: Sequence[Mapping[str, Any]], tombstones: Sequence[Tombstone]
    ) -> BatchResult:
        """Upsert *records* (see ``store.save_articles``) and write *tombstones*, in one transaction."""
        removed = 0
        links = None
        with self.sessions.begin() as session:
            stored = save_articles(session, records)
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


def init_worker(database_url: str, neardup_threshold: float | None) -> None:
    """Initializer of a writer process: open its engine."""
    global _worker
    _worker = BatchWriter(database_url, neardup_threshold)


def write_in_worker(
    records: Sequence[Mapping[str, Any]], tombstones: Sequence[Tombstone]
) -> BatchResult:
    if _worker is None:
        raise RuntimeError("writer process used before init_worker()")
    return _worker.write(records, tombstones)


def close_worker() -> None:
    """Close the writer process's connections (before the pool stops it)."""
    if _worker is not None:
        _worker.close()
