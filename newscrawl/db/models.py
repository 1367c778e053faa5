"""SQLAlchemy 2.0 declarative models: articles, their revisions and the raw HTTP captures.

The schema itself is created and changed only by the Alembic migrations in
``newscrawl/db/migrations/``; these classes must stay in step with them (a test compares both).

- ``Article``: one row per (site, lang, source_id), never deleted. ``removed_at`` is a tombstone.
- ``Revision``: one row per distinct content seen for an article, plus a ``removed`` revision per
  tombstone and a ``restored`` revision when a removed article comes back.
- ``Capture``: the HTTP response a revision was extracted from, body compressed (Zstandard; zlib in older rows).
- ``RemovalEvidence``: each fetch that found an article gone (404, 410, a redirect to the home
  page or a listing), linked to the ``removed`` revision it supports once there is enough of it
  (``newscrawl.removal``).
- ``Fingerprint`` and ``LshBand``: MinHash signatures and their LSH band keys, so that
  near-duplicate look-ups are index look-ups, not scans of the archive.
- ``CrawlRun`` and ``CrawlLock``: the record of every scheduled run, and the lock that keeps two
  runs of one site from overlapping (across hosts that share the database).
- ``Delivery``: which revision each downstream consumer has received (exactly-once export).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from newscrawl.db.compression import compress_body, decompress_body
from newscrawl.removal import REASONS

__all__ = [
    "NAMING_CONVENTION",
    "REVISION_KINDS",
    "Article",
    "Base",
    "Capture",
    "CrawlLock",
    "CrawlRun",
    "Delivery",
    "Fingerprint",
    "LshBand",
    "RemovalEvidence",
    "Revision",
    "UTCDateTime",
    "capture_values",
]

#: Constraint and index names, so that Alembic migrations can refer to them by a stable name.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Allowed values of ``Revision.kind``.
REVISION_KINDS = ("content", "removed", "restored")
#: The kinds of revision that carry the article's text (a removal has none).
CONTENT_KINDS = ("content", "restored")


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always stores and returns aware UTC datetimes.

    PostgreSQL keeps the instant (``timestamptz``); SQLite has no time zone type, so values are
    stored as naive UTC and given ``tzinfo=UTC`` back when read. Naive values are refused.
    """

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: newscrawl stores aware UTC datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


intpk = Annotated[int, mapped_column(primary_key=True)]
sha256_hex = Annotated[str, mapped_column(String(64))]


class Base(DeclarativeBase):
    """Declarative base: naming convention and the Python → SQL type map."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(),
        dict: JSON(),
        list: JSON(),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
        list[Any]: JSON(),
        list[str]: JSON(),
    }


class Article(Base):
    """An article of one site in one language, identified by the site's own id."""

    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("site", "lang", "source_id"),)

    id: Mapped[intpk]
    site: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(String(64))
    canonical_url: Mapped[str] = mapped_column(Text, index=True)
    #: The URL the article was last fetched from.
    url: Mapped[str] = mapped_column(Text, index=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    #: Tombstone: when the site stopped serving the article (None while it is live).
    removed_at: Mapped[datetime | None]
    latest_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True)
    )
    #: Near-duplicate link to the article this one copies (filled by a later dedup pass).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    #: Validators of the last 200 response, for conditional re-fetches (If-None-Match / -Modified-Since).
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)

    revisions: Mapped[list[Revision]] = relationship(
        back_populates="article",
        foreign_keys="Revision.article_id",
        order_by="Revision.id",
    )
    latest_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[latest_revision_id], post_update=True
    )

    @property
    def key(self) -> str:
        """The ``site:lang:source_id`` reference of the article."""
        return f"{self.site}:{self.lang}:{self.source_id}"

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.key}>"


class Revision(Base):
    """One state of an article: its content at a fetch, or a tombstone/restoration marker."""

    __tablename__ = "revisions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ({})".format(", ".join(f"'{k}'" for k in REVISION_KINDS)), name="kind"
        ),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    fetched_at: Mapped[datetime]
    url: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]]
    #: ISO 8601 as exported: with the site's offset, or ``YYYY-MM-DD`` for a date-only string.
    published_at: Mapped[str | None] = mapped_column(String(40))
    published_at_utc: Mapped[datetime | None]
    published_raw: Mapped[str | None] = mapped_column(Text)
    #: ``{lang: url}`` of the other-language versions the page links.
    alternates: Mapped[dict[str, str]]
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    #: The profile layout that read the page (``default`` without ``[[layouts]]``), ``generic``
    #: when generic extraction did instead; NULL for revisions stored before schema 0005.
    layout: Mapped[str | None] = mapped_column(String(64))
    #: How much this revision changed the article (0..1, ``newscrawl.changes.score``); 1 for a
    #: tombstone; None for a first revision (and for revisions older than migration 0006).
    significance: Mapped[float | None] = mapped_column(Float)
    #: Why it scored what it did, e.g. ``["title changed", "number changed: 120 → 150"]``.
    change_reasons: Mapped[list[str] | None]
    #: The compact word-level diff against the revision before (``newscrawl.changes.diff``).
    diff: Mapped[dict[str, Any] | None]
    #: The texts of the profile's volatile regions in this revision (``[volatile]``).
    volatile: Mapped[list[str] | None]

    article: Mapped[Article] = relationship(back_populates="revisions", foreign_keys=[article_id])
    capture: Mapped[Capture | None] = relationship()

    def __repr__(self) -> str:
        return f"<Revision {self.id} {self.kind} article={self.article_id}>"


class Capture(Base):
    """A raw HTTP response, kept so that extraction can be re-run later."""

    __tablename__ = "captures"

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[int]
    headers: Mapped[dict[str, str]]
    #: The response body, compressed (``newscrawl.db.compression``); read it with :meth:`raw_body`.
    body: Mapped[bytes] = mapped_column(LargeBinary)
    #: sha256 hex of the uncompressed body.
    body_sha256: Mapped[sha256_hex]
    fetched_at: Mapped[datetime]
    encoding: Mapped[str | None] = mapped_column(String(64))

    @classmethod
    def from_response(
        cls,
        url: str,
        status: int,
        headers: Mapping[str, str],
        body_bytes: bytes,
        fetched_at: datetime,
        encoding: str | None = None,
    ) -> Capture:
        """Build a capture from a response, compressing its body."""
        return cls(**capture_values(url, status, headers, body_bytes, fetched_at, encoding))

    def raw_body(self) -> bytes:
        """The uncompressed response body."""
        return decompress_body(self.body)

    def __repr__(self) -> str:
        return f"<Capture {self.id} {self.status} {self.url}>"


def capture_values(
    url: str,
    status: int,
    headers: Mapping[str, str],
    body_bytes: bytes,
    fetched_at: datetime,
    encoding: str | None = None,
) -> dict[str, Any]:
    """The column values of a ``captures`` row for a response: its body compressed and hashed."""
    return {
        "url": url,
        "status": status,
        "headers": dict(headers),
        "body": compress_body(body_bytes),
        "body_sha256": hashlib.sha256(body_bytes).hexdigest(),
        "fetched_at": fetched_at,
        "encoding": encoding,
    }


class RemovalEvidence(Base):
    """One fetch that found an article gone: the evidence a tombstone is written on.

    Never deleted. ``revision_id`` is the ``removed`` revision (the tombstone) it supports, or
    None while the evidence is not enough yet (or no longer counts: the article was fetched live
    after it). See :mod:`newscrawl.removal` for what counts.
    """

    __tablename__ = "removal_evidence"
    __table_args__ = (
        CheckConstraint(
            "reason IN ({})".format(", ".join(f"'{k}'" for k in REASONS)), name="reason"
        ),
    )

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), index=True)
    #: ``not_found``, ``gone``, ``redirect_home`` or ``redirect_listing``.
    reason: Mapped[str] = mapped_column(String(32))
    #: 404, 410, or the redirect's status (200 for a ``<meta refresh>``).
    status: Mapped[int]
    observed_at: Mapped[datetime]
    #: The URL requested.
    url: Mapped[str] = mapped_column(Text)
    #: Where the answer came from, after redirects.
    final_url: Mapped[str] = mapped_column(Text)


class Fingerprint(Base):
    """The MinHash signature of an article's latest content (one row per article)."""

    __tablename__ = "fingerprints"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    #: The revision content the signature was computed from.
    content_hash: Mapped[sha256_hex]
    #: MinHash hash values, packed as little-endian unsigned 64-bit integers.
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class LshBand(Base):
    """One LSH band key of an article's signature; equal keys make near-duplicate candidates."""

    __tablename__ = "lsh_bands"
    __table_args__ = (Index(None, "band_key"),)

    id: Mapped[intpk]
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    #: ``<band number>:<hash of the band's values>``.
    band_key: Mapped[str] = mapped_column(String(48))


#: Allowed values of ``CrawlRun.status``.
RUN_STATUSES = ("running", "finished", "failed", "aborted")


class CrawlRun(Base):
    """One run of one site's crawl: when, where, how it ended and what it counted."""

    __tablename__ = "crawl_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ({})".format(", ".join(f"'{k}'" for k in RUN_STATUSES)), name="status"
        ),
    )

    id: Mapped[intpk]
    site: Mapped[str] = mapped_column(String(64), index=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    #: pages, new, changed, unchanged, duplicates, dropped ({reason: n}), errors ({kind: n}).
    counts: Mapped[dict[str, Any]]
    message: Mapped[str | None] = mapped_column(Text)


class CrawlLock(Base):
    """The lock held by the running crawl of a site; it expires unless renewed."""

    __tablename__ = "crawl_locks"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class Delivery(Base):
    """A revision delivered to a downstream consumer by ``newscrawl export --consumer``."""

    __tablename__ = "deliveries"

    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), primary_key=True)
    delivered_at: Mapped[datetime]
