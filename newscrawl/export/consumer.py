"""``newscrawl export --consumer NAME``: deliver every revision and tombstone to a consumer once.

A consumer (a downstream archive, named by the operator) receives every revision of kind
``content`` or ``restored`` that matches the filters, and every tombstone (kind ``removed``, with
its ``removal_evidence``), that is not in the ``deliveries`` table for it yet, in revision id
order; all of them, not only each article's latest. Each delivered
revision gets a row ``(consumer, revision_id, delivered_at)``.

The work is done in batches of ``batch_size`` revisions, one transaction each:

1. (PostgreSQL) take a transaction-scoped advisory lock for the consumer, so that two exports
   for the same consumer running at once take turns batch by batch instead of both sending
   the same revisions;
2. read the next page of undelivered revisions (keyset: ids above the last one sent), streamed
   with ``yield_per``, and write each record to the output;
3. flush the output (``fsync`` for a regular file);
4. insert the batch's delivery rows and commit.

Guarantee: **at least once, exactly once except at a crash**. Delivery rows are committed only
after the batch's output has been flushed, so a revision is never recorded as delivered without
having been written: nothing is ever lost. If the process dies (or the output fails, or the
commit fails) after some of a batch was written but before its commit, that whole batch is
delivered again by the next export for the consumer, so the consumer may see those records twice
and should de-duplicate on ``revision_id`` (at most ``batch_size`` records per crash). Without
crashes, every revision reaches the consumer exactly once, however many crawls and exports
alternate. Revisions of a tombstoned article stay pending (not lost) until the article is
restored or an export passes ``include_removed``, while the tombstone itself is delivered at
once (a consumer learns of every deletion); revisions outside a ``since``/``until`` range
stay pending likewise.

On SQLite two exports for one consumer at the same time are not serialised: one of them may fail
with "database is locked" (nothing it wrote is recorded, so it is simply delivered again later).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from newscrawl.db.models import Delivery
from newscrawl.db.upsert import dialect_insert
from newscrawl.export.query import (
    YIELD_PER,
    ExportFilter,
    capture_from_row,
    change_from_row,
    pending_select,
    record_from_row,
    row_evidence,
)
from newscrawl.export.writers import RecordWriter

__all__ = ["DEFAULT_BATCH_SIZE", "MAX_CONSUMER_LENGTH", "export_for_consumer"]

#: Revisions per transaction: the most a crash can make a consumer receive twice.
DEFAULT_BATCH_SIZE = 1000
#: ``deliveries.consumer`` is a VARCHAR(128).
MAX_CONSUMER_LENGTH = 128


def _lock_key(consumer: str) -> int:
    digest = hashlib.sha256(f"newscrawl-export:{consumer}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def export_for_consumer(
    sessions: sessionmaker[Session],
    consumer: str,
    filters: ExportFilter,
    writer: RecordWriter,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    now: Callable[[], datetime] | None = None,
) -> int:
    """Write *consumer*'s undelivered revisions to *writer*, record them; return how many.

    See the module docstring for the delivery guarantee. *progress* is called with the number
    of records written since its last call; *now* gives ``delivered_at`` (default: UTC now).
    """
    if not consumer or len(consumer) > MAX_CONSUMER_LENGTH:
        raise ValueError(f"a consumer name has 1 to {MAX_CONSUMER_LENGTH} characters")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    clock = now or (lambda: datetime.now(UTC))
    # A writer that delivers changes (newscrawl.changes.webhook) gets each one's score too.
    with_change = bool(getattr(writer, "needs_change", False))
    total = 0
    after_id = 0
    while True:
        with sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _lock_key(consumer)}
                )
            stmt = pending_select(
                filters,
                consumer,
                after_id=after_id,
                limit=batch_size,
                with_capture=writer.needs_capture,
                with_change=with_change,
            ).execution_options(yield_per=min(batch_size, YIELD_PER))
            delivered: list[int] = []
            for row in session.execute(stmt):
                record = record_from_row(row, row_evidence(session, row))
                if with_change:
                    record = {**record, **change_from_row(row)}
                capture = capture_from_row(row) if writer.needs_capture else None
                writer.write(record, capture)
                delivered.append(record["revision_id"])
                if progress is not None and len(delivered) % 100 == 0:
                    progress(100)
            if not delivered:
                break
            writer.flush()
            at = clock()
            insert = dialect_insert(session, Delivery).on_conflict_do_nothing(
                index_elements=[Delivery.consumer, Delivery.revision_id]
            )
            session.execute(
                insert,
                [
                    {"consumer": consumer, "revision_id": revision_id, "delivered_at": at}
                    for revision_id in delivered
                ],
            )
        if progress is not None and len(delivered) % 100:
            progress(len(delivered) % 100)
        total += len(delivered)
        after_id = delivered[-1]
        if len(delivered) < batch_size:
            break
    return total
