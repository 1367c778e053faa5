"""Writing a crawl's batches: articles, their revisions and captures, near-duplicate links, and
the gone observations that make tombstones (``store.record_gone``).

A :class:`BatchWriter` writes one batch per transaction, so a batch lands whole or not at all.
The persist pipeline runs it in a writer process (``newscrawl.workers``; the functions at the end
of this module) or, with ``NEWSCRAWL_DB_WRITER_PROCESS = False``, in the crawl's own process.
It never migrates: it opens a :class:`~newscrawl.db.session.DatabaseTarget` that the crawl's
``Archive`` extension has upgraded, with its own engine (an engine can't cross a process).

A batch that fails for a reason that may go away by itself (the connection broke or was refused,
the server is shutting down or starting up, a lock or serialization conflict, SQLite's "database
is locked": :func:`transient_reason`) raises :class:`TransientWriteError`, a plain exception that
crosses the process boundary; the pipeline writes the same batch again after a pause. Any other
error (a constraint violation, a bad value) is raised as it is, and fails the batch at once.

Writing a batch again is safe even when the first attempt committed and only the
acknowledgement was lost (``TransientWriteError.commit_unknown``): articles are upserted on their
key, and a record whose content hash is its article's latest revision's writes no revision (nor
capture), so the second attempt finds its articles ``unchanged`` and writes nothing twice; a
gone observation already stored is not stored again, and one of an article already removed
changes nothing. Only the counts of that second attempt
differ: :meth:`BatchWriter.write` with ``after_lost_commit`` counts a record whose latest revision
is this very fetch (same article, same ``fetched_at``, same hash) as ``new``/``changed`` again.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from newscrawl.db.models import Article as ArticleRow
from newscrawl.db.models import Revision
from newscrawl.db.neardup import link_near_duplicates
from newscrawl.db.session import DatabaseTarget, make_engine, make_sessionmaker, safe_url
from newscrawl.db.store import StoreResult, parse_utc, record_gone, save_articles
from newscrawl.items import Article
from newscrawl.removal import DEFAULT_MIN_INTERVAL_HOURS, GoneObservation

__all__ = [
    "BatchResult",
    "BatchWriter",
    "TransientWriteError",
    "close_worker",
    "init_worker",
    "transient_reason",
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


#: PostgreSQL error classes (SQLSTATE's first two characters) that may pass by themselves:
#: connection exceptions, transaction rollbacks (serialization failure, deadlock), insufficient
#: resources (too many connections, disk full), operator intervention (the server is shutting down
#: or starting up, the query was cancelled).
_PG_TRANSIENT_CLASSES = frozenset({"08", "40", "53", "57"})
#: ... and single states: lock_not_available; but not database_dropped.
_PG_TRANSIENT_STATES = frozenset({"55P03"})
_PG_PERMANENT_STATES = frozenset({"57P04"})
#: SQLite's messages for another connection holding the lock beyond the busy timeout.
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "database is busy")
#: libpq's messages for a connection refused for good: the server answers, but the database, the
#: role or the permission is not there. They come without SQLSTATE (the connection never opened),
#: so only the text tells them from a server that is down; libpq writes them in English unless
#: the server's lc_messages says otherwise.
_PG_PERMANENT_MESSAGES = ("does not exist", "authentication failed", "no pg_hba.conf entry")


def transient_reason(exc: BaseException) -> str | None:
    """Why *exc* may pass if the batch is written again later (one line), or None if it won't.

    Transient: a connection SQLAlchemy found broken (``DBAPIError.connection_invalidated``); a
    psycopg ``OperationalError`` without SQLSTATE (libpq's own: connection refused, server closed
    the connection; but not a database or role that does not exist) or of a class in
    :data:`_PG_TRANSIENT_CLASSES`; SQLite's "database is locked".
    Everything else (constraint violations, data errors, programming errors) is permanent.
    """
    orig: BaseException = exc
    if isinstance(exc, DBAPIError):
        orig = exc.orig if isinstance(exc.orig, BaseException) else exc
        if exc.connection_invalidated:
            return _one_line(orig) or "the database connection was lost"
    if isinstance(orig, sqlite3.OperationalError):
        message = str(orig)
        return message if any(text in message.lower() for text in _SQLITE_TRANSIENT) else None
    if isinstance(orig, psycopg.OperationalError):
        state = orig.sqlstate
        if state is None and any(text in str(orig) for text in _PG_PERMANENT_MESSAGES):
            return None
        if (
            state is None
            or state in _PG_TRANSIENT_STATES
            or (state[:2] in _PG_TRANSIENT_CLASSES and state not in _PG_PERMANENT_STATES)
        ):
            return _one_line(orig) or type(orig).__name__
    return None


def _unanswered(exc: BaseException) -> bool:
    """Whether *exc* is a connection that broke without the server's answer (no SQLSTATE).

    A COMMIT that fails so may have been carried out; one the server answered with an error was not.
    """
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, psycopg.Error):
        return orig.sqlstate is None
    return False


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


class TransientWriteError(Exception):
    """A batch failed for a reason that may pass (:func:`transient_reason`); write it again later.

    Its transaction rolled back, unless *commit_unknown*: the connection broke while the batch
    was committing, so the server may have committed it without telling us. Either way writing
    the same batch again stores nothing twice (see the module docstring).
    """

    def __init__(self, reason: str, commit_unknown: bool = False) -> None:
        super().__init__(reason, commit_unknown)
        self.reason = reason
        self.commit_unknown = commit_unknown

    def __str__(self) -> str:
        if self.commit_unknown:
            return f"{self.reason} (while committing: the batch may be stored)"
        return self.reason


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
        self.engine = make_engine(target.url, check=False)
        self.sessions = make_sessionmaker(self.engine)
        self.neardup_threshold = neardup_threshold
        self.tombstone_interval = tombstone_interval

    def write(
        self,
        articles: Sequence[Article],
        gone: Sequence[GoneObservation],
        after_lost_commit: bool = False,
    ) -> BatchResult:
        """Upsert *articles* (``store.save_articles``), then store the *gone* observations
        (``store.record_gone``: evidence, and the tombstones it completes), in one transaction.

        Raises :class:`TransientWriteError` when the failure may pass (the connections are
        dropped, so that the next attempt opens new ones), any other exception as it is. Pass
        *after_lost_commit* when writing a batch again whose previous attempt failed with
        ``commit_unknown``, so that the articles it stored count as they would have.
        """
        committing = False
        try:
            with self.sessions() as session:
                result = self._write(session, articles, gone, after_lost_commit)
                committing = True
                session.commit()
        except Exception as exc:
            reason = transient_reason(exc)
            if reason is None:
                raise
            self.engine.dispose()
            unknown = committing and _unanswered(exc)
            raise TransientWriteError(reason, commit_unknown=unknown) from exc
        return result

    def _write(
        self,
        session: Session,
        articles: Sequence[Article],
        gone: Sequence[GoneObservation],
        after_lost_commit: bool,
    ) -> BatchResult:
        observed = removed = 0
        links = None
        stored = save_articles(session, articles)
        if after_lost_commit and stored.unchanged:
            _recount_own_revisions(session, articles, stored)
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


def _recount_own_revisions(
    session: Session, articles: Sequence[Article], stored: StoreResult
) -> None:
    """Count as written the articles whose latest revision is this batch's own fetch.

    After a lost commit acknowledgement, the first attempt may have stored the batch: the
    second finds those articles ``unchanged``. A latest revision with the record's fetch time
    and content hash is that fetch's (a fetch time is the response's own); it is ``new`` if it
    is the article's only revision, ``restored`` if it restored the article, else ``changed``.
    """
    just_written = {revision.article_id for revision in stored.revisions}
    wanted: dict[tuple[str, str, str], tuple[datetime | None, str | None]] = {
        (record.site, record.lang, record.source_id): (
            parse_utc(record.fetched_at, "fetched_at"),
            record.content_hash,
        )
        for record in articles
    }
    latest = session.execute(
        select(
            ArticleRow.id,
            ArticleRow.site,
            ArticleRow.lang,
            ArticleRow.source_id,
            Revision.kind,
            Revision.fetched_at,
            Revision.content_hash,
        )
        .join(Revision, Revision.id == ArticleRow.latest_revision_id)
        .where(tuple_(ArticleRow.site, ArticleRow.lang, ArticleRow.source_id).in_(list(wanted)))
    ).all()
    own = {
        article_id: kind
        for article_id, site, lang, source_id, kind, fetched_at, content_hash in latest
        if article_id not in just_written
        and kind in ("content", "restored")
        and (fetched_at, content_hash) == wanted[(site, lang, source_id)]
    }
    if not own:
        return
    revisions: dict[int, int] = dict(
        session.execute(
            select(Revision.article_id, func.count())
            .where(Revision.article_id.in_(list(own)))
            .group_by(Revision.article_id)
        ).all()
    )
    for article_id, kind in own.items():
        stored.unchanged -= 1
        if kind == "restored":
            stored.restored += 1
        elif revisions.get(article_id) == 1:
            stored.new += 1
        else:
            stored.changed += 1
    logger.info(
        "A batch written again after a lost commit acknowledgement: %d of its articles had been "
        "stored by the first attempt",
        len(own),
    )


# -- in a writer process (newscrawl.workers) -----------------------------------------------------

_worker: BatchWriter | None = None
#: Why init_worker could not open the database (e.g. it was dropped after the crawl started).
_init_error: Exception | None = None


def init_worker(
    target: DatabaseTarget, neardup_threshold: float | None, tombstone_interval: timedelta
) -> None:
    """Initializer of a writer process: open its engine.

    A failure is kept and raised by each write, so that every batch fails with the database's
    own reason; raised here, it would break the pool with an anonymous ``BrokenProcessPool``.
    """
    global _worker, _init_error
    try:
        _worker = BatchWriter(target, neardup_threshold, tombstone_interval)
    except Exception as exc:  # noqa: BLE001 - re-raised by every write_in_worker
        _init_error = exc


def write_in_worker(
    articles: Sequence[Article], gone: Sequence[GoneObservation], after_lost_commit: bool = False
) -> BatchResult:
    if _worker is None:
        if _init_error is not None:
            raise _init_error
        raise RuntimeError("writer process used before init_worker()")
    return _worker.write(articles, gone, after_lost_commit)


def close_worker() -> None:
    """Close the writer process's connections (before the pool stops it)."""
    if _worker is not None:
        _worker.close()
