"""Writing articles: batch upserts, revisions when content changes, removal evidence and tombstones.

The caller owns the transaction, so that a batch commits as a whole or not at all::

    with Session.begin() as session:
        result = save_articles(session, articles)

The seam is typed: a batch is a sequence of ``newscrawl.items.Article`` values, each with its
``RawCapture`` or none, as the persist pipeline hands them to the writer. Nothing is made up for a
missing value: a record without its key, URL, canonical URL, title or content hash, or a capture without its URL
or with a status that is no HTTP status, is refused (``ValueError``, ``TypeError``) before anything is written.
Date-times follow one rule: aware only. The Article's ISO 8601 strings (``fetched_at``,
``published_at_utc``) are read by :func:`parse_utc`, which refuses a string without an offset,
and ``now``/``at`` must be aware datetimes.

Per batch :func:`save_articles` runs one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` of
the articles (on SQLite an executemany of one cached statement, which SQLAlchemy sends as
multi-row ``VALUES``: a statement built from a batch's values would be compiled anew for every
batch, which cost the writer 0.17 ms per article), one ``SELECT`` of the latest content hashes, one
multi-row ``INSERT ... RETURNING`` each for the new captures and revisions, and one ``UPDATE``
of ``articles.latest_revision_id`` (an executemany on SQLite). All are Core statements: the ORM
unit of work is not used for a batch. On PostgreSQL the article upsert and the ``UPDATE`` send
one array per column (``newscrawl.db.bulk``) rather than a statement, or a ``VALUES`` list, per
row.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Integer, Table, bindparam, case, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from newscrawl.changes.score import Snapshot, change_columns, removal
from newscrawl.db.bulk import as_columns, unnest_insert, unnest_rows
from newscrawl.db.models import Article, Base, Capture, RemovalEvidence, Revision, capture_values
from newscrawl.db.upsert import UpsertInsert
from newscrawl.items import Article as ArticleItem
from newscrawl.items import RawCapture
from newscrawl.removal import GoneObservation, removal_confirmed

__all__ = [
    "GoneOutcome",
    "SavedRevision",
    "StoreResult",
    "parse_utc",
    "record_gone",
    "save_articles",
]

logger = logging.getLogger(__name__)

#: The fields a record can't be stored without (an empty string counts as missing).
_REQUIRED_FIELDS = ("site", "lang", "source_id", "url", "canonical_url", "title", "content_hash")

_Key = tuple[str, str, str]

_ARTICLES = Base.metadata.tables["articles"]
_REVISIONS = Base.metadata.tables["revisions"]
_CAPTURES = Base.metadata.tables["captures"]


@dataclass(frozen=True, slots=True)
class SavedRevision:
    """A revision :func:`save_articles` wrote: its id and what the near-duplicate index reads."""

    id: int
    article_id: int
    kind: str
    content_hash: str
    title: str
    lead: str | None
    body: str


@dataclass
class StoreResult:
    """What a batch did: counts of articles by outcome.

    ``save_articles`` never sets ``removed``; it is there for callers that also count the
    tombstones written with :func:`record_gone` in the same batch. ``revisions`` are the
    revisions the batch wrote (kinds ``content`` and ``restored``), e.g. for the near-duplicate
    index (``newscrawl.db.neardup``).
    """

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    restored: int = 0
    removed: int = 0
    revisions: list[SavedRevision] = field(default_factory=list, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class _Row:
    """A record, validated and converted to the column types."""

    key: _Key
    url: str
    canonical_url: str
    seen_at: datetime
    revision: dict[str, Any]
    capture: RawCapture | None
    #: HTTP validators of the response, for conditional re-fetches.
    etag: str | None = None
    last_modified: str | None = None


def save_articles(
    session: Session,
    records: Sequence[ArticleItem],
    *,
    now: datetime | None = None,
) -> StoreResult:
    """Upsert *records* (Article items) and record their new revisions.

    An article is keyed by (site, lang, source_id); a key given twice in one batch keeps the
    last record. ``url``, ``canonical_url`` and ``last_seen_at`` are always updated. A revision
    (with its capture, if the record has one) is written when the article is new, when its
    content hash differs from its latest revision's, or when the article had been removed
    (a ``restored`` revision, which clears ``removed_at``). ``first_seen_at``/``last_seen_at``
    are the record's ``fetched_at``, else *now* (an aware datetime; default: the current UTC
    time). A record's ``capture`` (``RawCapture``) is stored with its revision.

    Raises ``ValueError`` before anything is written for a record without site, lang,
    source_id, url, canonical_url, title or content_hash, with a date-time that is not ISO 8601 with an offset,
    or with a capture that has no URL or an impossible HTTP status; and for a naive *now*.
    ``TypeError`` for a capture whose status is no integer or whose body is no bytes.
    """
    now = _aware(now, "now") if now is not None else datetime.now(UTC)
    rows: dict[_Key, _Row] = {}
    for index, record in enumerate(records):
        row = _prepare(record, index, now)
        rows[row.key] = row
    result = StoreResult()
    if not rows:
        return result

    state = _upsert_articles(session, list(rows.values()))
    latest_ids = [latest for _, _, latest in state.values() if latest is not None]
    latest_hashes: dict[int, str] = {}
    if latest_ids:
        latest_hashes = dict(
            session.execute(
                select(Revision.id, Revision.content_hash).where(Revision.id.in_(latest_ids))
            ).all()
        )

    pending: list[tuple[_Row, int, str]] = []
    for key, row in rows.items():
        article_id, removed_at, latest_id = state[key]
        if removed_at is not None:
            kind = "restored"
            result.restored += 1
        elif latest_id is None:
            kind = "content"
            result.new += 1
        elif latest_hashes.get(latest_id) != row.revision["content_hash"]:
            kind = "content"
            result.changed += 1
        else:
            result.unchanged += 1
            continue
        pending.append((row, article_id, kind))

    if pending:
        _score_changes(session, pending, {key: latest for key, (_, _, latest) in state.items()})
        result.revisions = _insert_revisions(session, pending)
        latest = [{"b_id": r.article_id, "b_revision": r.id} for r in result.revisions]
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_PG_SET_LATEST, as_columns(latest, ("b_id", "b_revision")))
        else:
            session.execute(_SET_LATEST, latest)
    _expire_articles(session, {article_id for article_id, _, _ in state.values()})
    logger.debug("Saved %d articles: %s", len(rows), result)
    return result


_PREVIOUS_COLUMNS = (
    Revision.id,
    Revision.title,
    Revision.lead,
    Revision.body,
    Revision.published_at,
    Revision.volatile,
)


def _score_changes(
    session: Session, pending: list[tuple[_Row, int, str]], latest: dict[_Key, int | None]
) -> None:
    """Fill the change columns of each pending revision against the article's latest revision.

    One ``SELECT`` of the previous revisions' text, for the changed and restored articles only
    (a restored article's latest revision is its tombstone, which carries the last content).
    """
    previous_ids = [latest[row.key] for row, _, _ in pending if latest[row.key] is not None]
    previous: dict[int, Snapshot] = {}
    if previous_ids:
        for rid, title, lead, body, published_at, volatile in session.execute(
            select(*_PREVIOUS_COLUMNS).where(Revision.id.in_(previous_ids))
        ):
            previous[rid] = Snapshot(title, lead, body, published_at, volatile or ())
    for row, _, _ in pending:
        latest_id = latest[row.key]
        old = previous.get(latest_id) if latest_id is not None else None
        new = row.revision
        row.revision.update(
            change_columns(
                old,
                Snapshot(
                    new["title"], new["lead"], new["body"], new["published_at"], new["volatile"] or ()
                ),
            )
        )


GoneOutcome = Literal["unknown", "already_removed", "recorded", "removed"]


def record_gone(
    session: Session, observation: GoneObservation, *, min_interval: timedelta
) -> GoneOutcome:
    """Store a gone observation of a stored article; tombstone it when the evidence suffices.

    The rule is :func:`newscrawl.removal.removal_confirmed`: the observations made after the
    article's ``last_seen_at`` (its last live fetch), this one included, are at least two, the
    first and the last at least *min_interval* apart. Then the tombstone is written: a
    ``removed`` revision at the last observation's time that carries the previous content (so
    history and content-hash comparisons stay meaningful) and a body-less capture holding the
    observation's status and final URL; ``removed_at`` is set; and those observations are linked
    to it (``removal_evidence.revision_id``).

    Returns ``"unknown"`` (no such article; nothing stored), ``"already_removed"`` (it has a
    tombstone; nothing stored), ``"recorded"`` (stored, not enough yet) or ``"removed"``.
    An observation already stored (same article, time, reason and URL) is not stored again.
    Raises ``ValueError`` for an ``observed_at`` without an offset. Rows are never deleted.
    """
    at = parse_utc(observation.observed_at, "observed_at")
    if at is None:
        raise ValueError("a gone observation needs its observed_at")
    article = session.scalars(
        select(Article)
        .where(
            Article.site == observation.site,
            Article.lang == observation.lang,
            Article.source_id == observation.source_id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if article is None:
        return "unknown"
    if article.removed_at is not None:
        return "already_removed"
    # The same observation stored already: a batch written again after its commit's answer was
    # lost (newscrawl.db.writer). Counted once, or a repeat would pass for a second fetch.
    repeated = session.scalar(
        select(RemovalEvidence.id).where(
            RemovalEvidence.article_id == article.id,
            RemovalEvidence.observed_at == at,
            RemovalEvidence.reason == observation.reason,
            RemovalEvidence.url == observation.url,
        )
    )
    if repeated is None:
        session.add(
            RemovalEvidence(
                article_id=article.id,
                reason=observation.reason,
                status=observation.status,
                observed_at=at,
                url=observation.url,
                final_url=observation.final_url,
            )
        )
        session.flush()
    pending = session.scalars(
        select(RemovalEvidence).where(
            RemovalEvidence.article_id == article.id,
            RemovalEvidence.revision_id.is_(None),
            RemovalEvidence.observed_at > article.last_seen_at,
        )
    ).all()
    if not removal_confirmed([row.observed_at for row in pending], min_interval):
        return "recorded"
    last = max(pending, key=lambda row: (row.observed_at, row.id))
    revision = _tombstone(session, article, last)
    for row in pending:
        row.revision_id = revision.id
    session.flush()
    return "removed"


def _tombstone(session: Session, article: Article, last: RemovalEvidence) -> Revision:
    """Write *article*'s ``removed`` revision at the time of the *last* observation."""
    previous = (
        session.get(Revision, article.latest_revision_id)
        if article.latest_revision_id is not None
        else None
    )
    revision = Revision(
        article_id=article.id,
        kind="removed",
        fetched_at=last.observed_at,
        url=article.url,
        content_hash=previous.content_hash if previous else "",
        title=previous.title if previous else "",
        lead=previous.lead if previous else None,
        body=previous.body if previous else "",
        tags=list(previous.tags) if previous else [],
        published_at=previous.published_at if previous else None,
        published_at_utc=previous.published_at_utc if previous else None,
        published_raw=previous.published_raw if previous else None,
        alternates=dict(previous.alternates) if previous else {},
        layout=previous.layout if previous else None,
        volatile=list(previous.volatile or []) if previous else None,
        **_removal_columns(),
        capture=Capture.from_response(last.final_url, last.status, {}, b"", last.observed_at),
    )
    session.add(revision)
    session.flush()
    article.removed_at = last.observed_at
    article.latest_revision_id = revision.id
    session.flush()
    return revision


def _removal_columns() -> dict[str, Any]:
    change = removal()
    return {"significance": change.score, "change_reasons": change.reasons, "diff": change.diff}


def _prepare(record: ArticleItem, index: int, now: datetime) -> _Row:
    missing = [name for name in _REQUIRED_FIELDS if not getattr(record, name)]
    if missing:
        raise ValueError(f"record {index} has no {', '.join(missing)}")
    assert record.title is not None and record.content_hash is not None  # checked just above
    fetched_at = parse_utc(record.fetched_at, f"record {index}: fetched_at") or now
    revision = {
        "fetched_at": fetched_at,
        "url": record.url,
        "content_hash": record.content_hash,
        "title": record.title,
        "lead": record.lead,
        "body": record.body,
        "tags": list(record.tags),
        "published_at": record.published_at,
        "published_at_utc": parse_utc(
            record.published_at_utc, f"record {index}: published_at_utc"
        ),
        "published_raw": record.published_raw,
        "alternates": dict(record.alternates),
        "layout": record.layout,
        "volatile": list(record.volatile) or None,
    }
    capture = record.capture
    if capture is not None:
        _check_capture(capture, index)
    return _Row(
        key=(record.site, record.lang, record.source_id),
        url=record.url,
        canonical_url=record.canonical_url,
        seen_at=fetched_at,
        revision=revision,
        capture=capture,
        etag=_header(capture, "etag"),
        last_modified=_header(capture, "last-modified"),
    )


def _check_capture(capture: RawCapture, index: int) -> None:
    if not capture.url:
        raise ValueError(f"record {index}: its capture has no url")
    # bool is an int too, and True is no status.
    if not isinstance(capture.status, int) or isinstance(capture.status, bool):
        raise TypeError(f"record {index}: capture status {capture.status!r} is not an integer")
    if not 100 <= capture.status <= 599:
        raise ValueError(f"record {index}: capture status {capture.status} is not an HTTP status")
    if not isinstance(capture.body, bytes):
        raise TypeError(f"record {index}: capture body is {type(capture.body).__name__}, not bytes")


def _header(capture: RawCapture | None, name: str) -> str | None:
    """A response header of a capture, looked up case-insensitively."""
    if capture is None:
        return None
    for key, value in capture.headers.items():
        if key.lower() == name:
            return value
    return None


def _upsert_articles(
    session: Session, rows: list[_Row]
) -> dict[_Key, tuple[int, datetime | None, int | None]]:
    """Insert or update the articles; map each key to (id, removed_at, latest_revision_id)."""
    values = [
        {
            "site": row.key[0],
            "lang": row.key[1],
            "source_id": row.key[2],
            "url": row.url,
            "canonical_url": row.canonical_url,
            "first_seen_at": row.seen_at,
            "last_seen_at": row.seen_at,
            "etag": row.etag,
            "last_modified": row.last_modified,
        }
        for row in rows
    ]
    if session.get_bind().dialect.name == "postgresql":
        results = [session.execute(_PG_UPSERT, as_columns(values, _ARTICLE_COLUMNS))]
    else:
        # An executemany of one cached statement: SQLAlchemy sends it as multi-row VALUES
        # ("insertmanyvalues"), but compiles it once per process rather than once per batch.
        results = [session.execute(_SQLITE_UPSERT, values)]
    state: dict[_Key, tuple[int, datetime | None, int | None]] = {}
    for result in results:
        for article_id, site, lang, source_id, removed_at, latest_id in result:
            state[(site, lang, source_id)] = (article_id, removed_at, latest_id)
    return state


def _on_conflict(
    insert_articles: UpsertInsert,
) -> ReturningInsert[int, str, str, str, datetime | None, int | None]:
    """The upsert of :func:`_upsert_articles`: what a conflict updates, and what it returns."""
    excluded = insert_articles.excluded
    upsert = insert_articles.on_conflict_do_update(
        index_elements=[_ARTICLES.c.site, _ARTICLES.c.lang, _ARTICLES.c.source_id],
        set_={
            "url": excluded.url,
            "canonical_url": excluded.canonical_url,
            "etag": excluded.etag,
            "last_modified": excluded.last_modified,
            "last_seen_at": case(
                (excluded.last_seen_at > _ARTICLES.c.last_seen_at, excluded.last_seen_at),
                else_=_ARTICLES.c.last_seen_at,
            ),
        },
    )
    return upsert.returning(
        _ARTICLES.c.id,
        _ARTICLES.c.site,
        _ARTICLES.c.lang,
        _ARTICLES.c.source_id,
        _ARTICLES.c.removed_at,
        _ARTICLES.c.latest_revision_id,
    )


_ARTICLE_COLUMNS = (
    "site",
    "lang",
    "source_id",
    "url",
    "canonical_url",
    "first_seen_at",
    "last_seen_at",
    "etag",
    "last_modified",
)
#: PostgreSQL: a batch's articles as one statement, whatever its size (``newscrawl.db.bulk``).
_PG_UPSERT = _on_conflict(unnest_insert(_ARTICLES, *_ARTICLE_COLUMNS))
_SQLITE_UPSERT = _on_conflict(sqlite.insert(_ARTICLES))
_LATEST = unnest_rows({"b_id": Integer(), "b_revision": Integer()}).subquery()
_PG_SET_LATEST = (
    update(_ARTICLES)
    .where(_ARTICLES.c.id == _LATEST.c.b_id)
    .values(latest_revision_id=_LATEST.c.b_revision, removed_at=None)
)
_SET_LATEST = (
    update(_ARTICLES)
    .where(_ARTICLES.c.id == bindparam("b_id"))
    .values(latest_revision_id=bindparam("b_revision"), removed_at=None)
)


def _insert_revisions(
    session: Session, pending: list[tuple[_Row, int, str]]
) -> list[SavedRevision]:
    """Insert the captures and revisions of *pending* (row, article id, kind); return them.

    Core ``INSERT ... RETURNING`` statements, not the ORM unit of work: SQLAlchemy sends each as
    few multi-row statements ("insertmanyvalues") and ``sort_by_parameter_order`` gives the new
    ids back in the order of the rows. The unit of work's bookkeeping was about a tenth of the
    writer's CPU (profile in bench/profiles/before.md).
    """
    captures = [
        _capture_values(row.capture, row) for row, _, _ in pending if row.capture is not None
    ]
    capture_ids = iter(_insert_returning_ids(session, _CAPTURES, captures))
    values = [
        {
            "article_id": article_id,
            "kind": kind,
            **row.revision,
            "capture_id": next(capture_ids) if row.capture is not None else None,
        }
        for row, article_id, kind in pending
    ]
    ids = _insert_returning_ids(session, _REVISIONS, values)
    return [
        SavedRevision(
            id=revision_id,
            article_id=value["article_id"],
            kind=value["kind"],
            content_hash=value["content_hash"],
            title=value["title"],
            lead=value["lead"],
            body=value["body"],
        )
        for revision_id, value in zip(ids, values, strict=True)
    ]


def _insert_returning_ids(
    session: Session, table: Table, rows: list[dict[str, Any]]
) -> Sequence[int]:
    """Insert *rows* into *table*; the new ids, in the order of *rows*."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return session.execute(statement, rows).scalars().all()


def _capture_values(capture: RawCapture, row: _Row) -> dict[str, Any]:
    return capture_values(
        url=capture.url,
        status=capture.status,
        headers=dict(capture.headers),
        body_bytes=capture.body,
        fetched_at=row.seen_at,
        encoding=capture.encoding,
    )


def _expire_articles(session: Session, article_ids: set[int]) -> None:
    """Expire loaded ``Article`` objects that the Core-level statements above changed."""
    for state in session.identity_map.all_states():
        if state.class_ is Article and state.key is not None and state.key[1][0] in article_ids:
            obj = state.obj()
            if obj is not None:
                session.expire(obj)


def parse_utc(value: str | None, name: str) -> datetime | None:
    """An Article's ISO 8601 date-time string (``...Z`` or with an offset) as an aware UTC datetime.

    None or an empty string is None (no value). A string without an offset is refused like a
    naive datetime (:func:`_aware`): its instant is unknown.
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name}={value!r} is not an ISO 8601 date-time") from exc
    return _aware(parsed, name)


def _aware(value: datetime, name: str) -> datetime:
    """*value* in UTC; a naive datetime is refused (the one rule for date-times here)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}={value!r} is naive; pass an aware UTC datetime")
    return value.astimezone(UTC)
