"""Writing a crawl's batches: articles, their revisions and captures, near-duplicate links, and
the gone observations that make tombstones (``store.record_gone``).

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
from datetime import timedelta

from newscrawl.db.neardup import link_near_duplicates
from newscrawl.db.session import DatabaseTarget, make_engine, make_sessionmaker, safe_url
from newscrawl.db.store import record_gone, save_articles
from newscrawl.items import Article
from newscrawl.removal import DEFAULT_MIN_INTERVAL_HOURS, GoneObservation

__all__ = [
    "BatchResult",
    "BatchWriter",
    "close_worker",
    "init_worker",
    "write_in_worker",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What one batch did. ``indexed``/``linked`` are None when the near-duplicate index is off."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    restored: int = 0
    #: Gone observations stored as evidence, and tombstones they completed.
    gone_observed: int = 0
    removed: int = 0
    indexed: int | None = None
    linked: int | None = None


class BatchWriter:
    """Write batches to the database *target* (whose schema the crawl's Archive made current).

    *neardup_threshold* is the minimum similarity of a near-duplicate; None turns the index off.
    *tombstone_interval* is ``NEWSCRAWL_TOMBSTONE_MIN_INTERVAL`` (``store.record_gone``).
    """

    def __init__(
        self,
        target: DatabaseTarget,
        neardup_threshold: float | None,
        tombstone_interval: timedelta = timedelta(hours=DEFAULT_MIN_INTERVAL_HOURS),
    ) -> None:
        if not target.schema_current:
            raise ValueError(
                f"{safe_url(target.url)}: the writer never migrates; open the database through "
                "the Archive extension (newscrawl.extensions.archive) first"
            )
        self.engine = make_engine(target.url)
        self.sessions = make_sessionmaker(self.engine)
        self.neardup_threshold = neardup_threshold
        self.tombstone_interval = tombstone_interval

    def write(self, articles: Sequence[Article], gone: Sequence[GoneObservation]) -> BatchResult:
        """Upsert *articles* (``store.save_articles``), then store the *gone* observations
        (``store.record_gone``: evidence, and the tombstones it completes), in one transaction."""
        observed = removed = 0
        links = None
        with self.sessions.begin() as session:
            stored = save_articles(session, articles)
            if self.neardup_threshold is not None and stored.revisions:
                links = link_near_duplicates(
                    session, stored.revisions, threshold=self.neardup_threshold
                )
            for observation in gone:
                outcome = record_gone(session, observation, min_interval=self.tombstone_interval)
                observed += outcome in ("recorded", "removed")
                removed += outcome == "removed"
        indexed = linked = None
        if self.neardup_threshold is not None:
            indexed, linked = (links.indexed, links.linked) if links is not None else (0, 0)
        return BatchResult(
            new=stored.new,
            changed=stored.changed,
            unchanged=stored.unchanged,
            restored=stored.restored,
            gone_observed=observed,
            removed=removed,
            indexed=indexed,
            linked=linked,
        )

    def close(self) -> None:
        self.engine.dispose()


# -- in a writer process (newscrawl.workers) -----------------------------------------------------

_worker: BatchWriter | None = None


def init_worker(
    target: DatabaseTarget, neardup_threshold: float | None, tombstone_interval: timedelta
) -> None:
    """Initializer of a writer process: open its engine."""
    global _worker
    _worker = BatchWriter(target, neardup_threshold, tombstone_interval)


def write_in_worker(articles: Sequence[Article], gone: Sequence[GoneObservation]) -> BatchResult:
    if _worker is None:
        raise RuntimeError("writer process used before init_worker()")
    return _worker.write(articles, gone)


def close_worker() -> None:
    """Close the writer process's connections (before the pool stops it)."""
    if _worker is not None:
        _worker.close()
