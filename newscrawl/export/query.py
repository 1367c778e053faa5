"""The streaming ``SELECT`` behind ``newscrawl export``: filters, rows, and rows → records.

Two selections share the filters of :class:`ExportFilter` (site, language, a time range on the
publication or the fetch time, tombstones):

- :func:`latest_select`: one row per article, its latest *content* revision (kind ``content``
  or ``restored``). For a tombstoned article (only with ``include_removed``) that is the last
  content it had before removal, not the ``removed`` marker revision.
- :func:`pending_select`: the revisions a consumer has not received yet, in revision id order,
  one keyset page at a time (see :mod:`newscrawl.export.consumer`): content revisions, and every
  tombstone (``removed`` revision) whatever ``include_removed`` says.

A record about a tombstone (a ``removed`` revision, or the last content of a removed article)
carries ``removal_evidence``: the gone observations the tombstone rests on
(:func:`removal_evidence`, one query per such record: tombstones are few); other records have
null there. A ``removed`` record's ``removed_at`` is its own time (the article may have been
restored since); otherwise ``removed_at`` is the article's.

Rows are always read with ``execution_options(yield_per=YIELD_PER)``: SQLAlchemy then fetches
``YIELD_PER`` rows at a time (a server-side cursor on PostgreSQL, ``stream_results``), so memory
stays constant however large the archive is. :func:`iter_latest` is that loop.

The time range is half-open, ``since <= t < until``. A bare date stands for midnight UTC at the
start of that day for ``since`` and at its end for ``until``, so ``--since 2024-03-01 --until
2024-03-01`` is that whole day. ``by="published"`` compares ``published_at_utc``, which is null
for a date-only or missing publication date: such revisions never match a published range.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    SQLColumnExpression,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from newscrawl.db.compression import decompress_body
from newscrawl.db.models import (
    CONTENT_KINDS,
    Article,
    Capture,
    Delivery,
    RemovalEvidence,
    Revision,
)
from newscrawl.items import EXPORT_FIELDS, RawCapture

__all__ = [
    "CONTENT_KINDS",
    "RECORD_FIELDS",
    "YIELD_PER",
    "ExportFilter",
    "capture_from_row",
    "change_from_row",
    "count_latest",
    "count_pending",
    "iso_z",
    "iter_latest",
    "latest_select",
    "parse_bound",
    "pending_select",
    "record_from_row",
    "removal_evidence",
    "row_evidence",
]

#: Rows fetched per round trip (and held in memory at once) while streaming.
YIELD_PER = 1000

#: The fields of an exported record, in order: the JSON lines item fields plus five of the archive.
RECORD_FIELDS: tuple[str, ...] = (
    *EXPORT_FIELDS,
    "revision_id",
    "revision_kind",
    "removed_at",
    "duplicate_of",
    "removal_evidence",
)

TimeBasis = Literal["published", "archived"]


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which articles (or revisions) to export; the defaults export every live article."""

    sites: Sequence[str] = ()
    langs: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    by: TimeBasis = "published"
    include_removed: bool = False
    #: Only revisions scored at least this (``revisions.significance``; first revisions have no
    #: score and never match): the changes, for ``newscrawl notify``.
    min_significance: float | None = None


def parse_bound(value: str, *, end: bool) -> datetime:
    """A ``--since``/``--until`` value as an aware UTC datetime (raises ``ValueError``).

    ``YYYY-MM-DD`` is midnight UTC at the start of the day, or at its end when *end* is true.
    An ISO 8601 date-time keeps its offset; one without an offset is taken as UTC.
    """
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start + timedelta(days=1) if end else start
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date or an ISO 8601 date-time "
            "(expected YYYY-MM-DD or e.g. 2024-03-01T10:00:00+03:30)"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso_z(value: datetime | None) -> str | None:
    """An aware datetime as UTC ISO 8601 with ``Z`` (seconds, plus a fraction if it has one)."""
    if value is None:
        return None
    value = value.astimezone(UTC).replace(tzinfo=None)
    timespec = "microseconds" if value.microsecond else "seconds"
    return value.isoformat(timespec=timespec) + "Z"


_Duplicate = aliased(Article, name="duplicate")
_Content = aliased(Revision, name="content_revision")


def _columns(with_capture: bool, with_change: bool = False) -> list[Any]:
    columns: list[Any] = [
        Revision.url,
        Article.canonical_url,
        Article.site,
        Article.lang,
        Article.source_id,
        Revision.title,
        Revision.lead,
        Revision.body,
        Revision.tags,
        Revision.published_at,
        Revision.published_at_utc,
        Revision.published_raw,
        Revision.alternates,
        Revision.fetched_at,
        Revision.content_hash,
        Revision.layout,
        Revision.id.label("revision_id"),
        Revision.kind.label("revision_kind"),
        case((Revision.kind == "removed", Revision.fetched_at), else_=Article.removed_at).label(
            "removed_at"
        ),
        _Duplicate.canonical_url.label("duplicate_of"),
        # The tombstone the record is about: the removed revision itself, or a removed
        # article's current one.
        case(
            (Revision.kind == "removed", Revision.id),
            (Article.removed_at.is_not(None), Article.latest_revision_id),
            else_=None,
        ).label("tombstone_id"),
    ]
    if with_change:
        columns += [Revision.significance, Revision.change_reasons, Revision.diff]
    if with_capture:
        columns += [
            Capture.url.label("capture_url"),
            Capture.status.label("capture_status"),
            Capture.headers.label("capture_headers"),
            Capture.body.label("capture_body"),
            Capture.encoding.label("capture_encoding"),
        ]
    return columns


def _where(filters: ExportFilter, *, tombstones: bool = False) -> list[ColumnElement[bool]]:
    """The filters' conditions; with *tombstones*, ``removed`` revisions match too (always)."""
    content: ColumnElement[bool] = Revision.kind.in_(CONTENT_KINDS)
    if not filters.include_removed:
        content = and_(content, Article.removed_at.is_(None))
    conditions: list[ColumnElement[bool]] = [
        or_(content, Revision.kind == "removed") if tombstones else content
    ]
    if filters.sites:
        conditions.append(Article.site.in_(list(filters.sites)))
    if filters.langs:
        conditions.append(Article.lang.in_(list(filters.langs)))
    when = Revision.published_at_utc if filters.by == "published" else Revision.fetched_at
    if filters.min_significance is not None:
        conditions.append(Revision.significance >= filters.min_significance)
    if filters.since is not None:
        conditions.append(when >= filters.since)
    if filters.until is not None:
        conditions.append(when < filters.until)
    return conditions


def _latest_content_id(filters: ExportFilter) -> SQLColumnExpression[Any]:
    """The id of an article's latest content revision, as a join condition's right-hand side.

    A live article's ``latest_revision_id`` is its latest content revision; a tombstoned one
    points at its ``removed`` marker, so its last content revision is looked up instead.
    """
    if not filters.include_removed:
        return Article.latest_revision_id
    last_content = (
        select(func.max(_Content.id))
        .where(_Content.article_id == Article.id, _Content.kind.in_(CONTENT_KINDS))
        .correlate(Article)
        .scalar_subquery()
    )
    return case((Article.removed_at.is_(None), Article.latest_revision_id), else_=last_content)


def latest_select(filters: ExportFilter, *, with_capture: bool = False) -> Select[Any]:
    """One row per matching article: its latest content revision, in article id order."""
    stmt = (
        select(*_columns(with_capture))
        .select_from(Article)
        .join(Revision, Revision.id == _latest_content_id(filters))
        .outerjoin(_Duplicate, _Duplicate.id == Article.duplicate_of_id)
    )
    if with_capture:
        stmt = stmt.outerjoin(Capture, Capture.id == Revision.capture_id)
    return stmt.where(*_where(filters)).order_by(Article.id)


def _undelivered(consumer: str) -> ColumnElement[bool]:
    return ~exists().where(Delivery.consumer == consumer, Delivery.revision_id == Revision.id)


def pending_select(
    filters: ExportFilter,
    consumer: str,
    *,
    after_id: int = 0,
    limit: int | None = None,
    with_capture: bool = False,
    with_change: bool = False,
) -> Select[Any]:
    """Revisions not yet delivered to *consumer*, ids above *after_id*, in id order: content
    revisions and tombstones; *with_change* adds their ``significance``, ``change_reasons`` and
    ``diff``."""
    stmt = (
        select(*_columns(with_capture, with_change))
        .select_from(Revision)
        .join(Article, Article.id == Revision.article_id)
        .outerjoin(_Duplicate, _Duplicate.id == Article.duplicate_of_id)
    )
    if with_capture:
        stmt = stmt.outerjoin(Capture, Capture.id == Revision.capture_id)
    stmt = stmt.where(
        *_where(filters, tombstones=True), Revision.id > after_id, _undelivered(consumer)
    )
    stmt = stmt.order_by(Revision.id)
    return stmt.limit(limit) if limit is not None else stmt


def count_latest(session: Session, filters: ExportFilter) -> int:
    """How many records :func:`latest_select` gives (for a progress bar's total)."""
    stmt = (
        select(func.count())
        .select_from(Article)
        .join(Revision, Revision.id == _latest_content_id(filters))
        .where(*_where(filters))
    )
    return session.scalar(stmt) or 0


def count_pending(session: Session, filters: ExportFilter, consumer: str) -> int:
    """How many revisions :func:`pending_select` gives in all (for a progress bar's total)."""
    stmt = (
        select(func.count())
        .select_from(Revision)
        .join(Article, Article.id == Revision.article_id)
        .where(*_where(filters, tombstones=True), _undelivered(consumer))
    )
    return session.scalar(stmt) or 0


def record_from_row(
    row: Row[Any], evidence: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The export record of a row of :func:`latest_select` or :func:`pending_select`.

    *evidence* is the row's ``removal_evidence`` (:func:`row_evidence`), None for a live one.
    """
    data = row._mapping
    record: dict[str, Any] = {
        "url": data["url"],
        "canonical_url": data["canonical_url"],
        "site": data["site"],
        "lang": data["lang"],
        "source_id": data["source_id"],
        "title": data["title"],
        "lead": data["lead"],
        "body": data["body"],
        "tags": list(data["tags"] or []),
        "published_at": data["published_at"],
        "published_at_utc": iso_z(data["published_at_utc"]),
        "published_raw": data["published_raw"],
        "alternates": dict(data["alternates"] or {}),
        "fetched_at": iso_z(data["fetched_at"]),
        "content_hash": data["content_hash"],
        "layout": data["layout"],
        "revision_id": data["revision_id"],
        "revision_kind": data["revision_kind"],
        "removed_at": iso_z(data["removed_at"]),
        "duplicate_of": data["duplicate_of"],
        "removal_evidence": evidence,
    }
    return record


def removal_evidence(session: Session, tombstone_id: int) -> list[dict[str, Any]]:
    """The gone observations a tombstone (``removed`` revision) rests on, oldest first."""
    rows = session.execute(
        select(
            RemovalEvidence.reason,
            RemovalEvidence.status,
            RemovalEvidence.observed_at,
            RemovalEvidence.url,
            RemovalEvidence.final_url,
        )
        .where(RemovalEvidence.revision_id == tombstone_id)
        .order_by(RemovalEvidence.observed_at, RemovalEvidence.id)
    )
    return [
        {
            "reason": reason,
            "status": status,
            "observed_at": iso_z(observed_at),
            "url": url,
            "final_url": final_url,
        }
        for reason, status, observed_at, url, final_url in rows
    ]


def row_evidence(session: Session, row: Row[Any]) -> list[dict[str, Any]] | None:
    """The ``removal_evidence`` of an export row: its tombstone's, or None for a live article."""
    tombstone_id = row._mapping["tombstone_id"]
    return removal_evidence(session, tombstone_id) if tombstone_id is not None else None


def change_from_row(row: Row[Any]) -> dict[str, Any]:
    """The change of a row of :func:`pending_select` with ``with_change``."""
    data = row._mapping
    return {
        "significance": data["significance"],
        "change_reasons": list(data["change_reasons"] or []),
        "diff": data["diff"],
    }


def capture_from_row(row: Row[Any]) -> RawCapture | None:
    """The revision's HTTP capture (body decompressed), or None if it has none or wasn't selected."""
    data = row._mapping
    if "capture_status" not in data or data["capture_status"] is None:
        return None
    return RawCapture(
        url=data["capture_url"],
        status=int(data["capture_status"]),
        headers=dict(data["capture_headers"] or {}),
        body=decompress_body(data["capture_body"]) if data["capture_body"] else b"",
        encoding=data["capture_encoding"],
    )


def iter_latest(
    session: Session, filters: ExportFilter, *, with_capture: bool = False
) -> Iterator[tuple[dict[str, Any], RawCapture | None]]:
    """Stream ``(record, capture)`` for every matching article, ``YIELD_PER`` rows at a time."""
    stmt = latest_select(filters, with_capture=with_capture).execution_options(yield_per=YIELD_PER)
    for row in session.execute(stmt):
        record = record_from_row(row, row_evidence(session, row))
        yield record, capture_from_row(row) if with_capture else None
