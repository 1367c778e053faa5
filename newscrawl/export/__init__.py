"""Exports for downstream archives: stream articles from the database as JSON lines, CSV or WARC.

The command is ``newscrawl export`` (:mod:`newscrawl.cli.export`); the pieces are:

- :mod:`newscrawl.export.query`: the filters (:class:`ExportFilter`) and the streaming
  ``SELECT`` (``yield_per``: a server-side cursor on PostgreSQL), rows → records;
- :mod:`newscrawl.export.writers`: JSON lines and CSV writers (:class:`RecordWriter`);
- :mod:`newscrawl.export.warc`: WARC 1.1 response + metadata records (:class:`WarcWriter`);
- :mod:`newscrawl.export.consumer`: ``--consumer``: every revision once per consumer.

A record has the fields of :data:`newscrawl.items.EXPORT_FIELDS` plus ``revision_id``,
``revision_kind``, ``removed_at``, ``duplicate_of`` and ``removal_evidence`` (:data:`RECORD_FIELDS`;
a consumer also receives tombstones, records of kind ``removed``); its JSON Schema
is ``newscrawl/schemas/article.schema.json`` (:func:`newscrawl.schemas.article_schema`).

Without a consumer, :func:`export_latest` writes one record per article (its latest content
revision) in one read-only transaction. Memory use does not grow with the archive: rows are
fetched ``YIELD_PER`` at a time and written out at once.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from newscrawl.export.consumer import DEFAULT_BATCH_SIZE, export_for_consumer
from newscrawl.export.query import (
    RECORD_FIELDS,
    ExportFilter,
    count_latest,
    count_pending,
    iter_latest,
    parse_bound,
)
from newscrawl.export.writers import FORMATS, CsvWriter, JsonLinesWriter, RecordWriter

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FORMATS",
    "RECORD_FIELDS",
    "CsvWriter",
    "ExportFilter",
    "JsonLinesWriter",
    "RecordWriter",
    "count_latest",
    "count_pending",
    "export_for_consumer",
    "export_latest",
    "parse_bound",
]

#: Records between two calls of a progress callback.
PROGRESS_STEP = 100


def export_latest(
    sessions: sessionmaker[Session],
    filters: ExportFilter,
    writer: RecordWriter,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write each matching article's latest content revision to *writer*; return how many.

    The writer is flushed at the end, not closed. *progress* is called with the number of
    records written since its previous call.
    """
    count = 0
    with sessions() as session:
        for record, capture in iter_latest(session, filters, with_capture=writer.needs_capture):
            writer.write(record, capture)
            count += 1
            if progress is not None and count % PROGRESS_STEP == 0:
                progress(PROGRESS_STEP)
    writer.flush()
    if progress is not None and count % PROGRESS_STEP:
        progress(count % PROGRESS_STEP)
    return count
