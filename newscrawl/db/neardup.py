"""Near-duplicate index: fingerprints, LSH band look-ups and ``articles.duplicate_of_id`` links.

Runs inside the caller's transaction, after the batch's revisions are written::

    with Session.begin() as session:
        result = save_articles(session, records)
        link_near_duplicates(session, result.revisions, threshold=0.5)

For each article whose latest content is new (its ``fingerprints.content_hash`` differs), the
MinHash fingerprint of its title, lead and body (``newscrawl.extract.neardup``) replaces the
stored one and its LSH band keys replace its rows in ``lsh_bands``. The look-up is one indexed
``band_key IN (...)`` query per batch, never a scan of the archive: only articles sharing at
least one band with a new one are candidates, and a candidate matches when the similarity of
the stored signatures is at least *threshold*.

An article is linked to the earliest (lowest id) matching article that is not itself a
duplicate; when all its matches are duplicates, to the original they are linked to. Only
earlier articles (lower ids) are considered, so the first copy stays the original and links
never form cycles. An article whose new content matches nothing gets ``duplicate_of_id = None``.
Articles that link to an article whose content later changes keep their link.

On PostgreSQL the look-up takes a transaction-level advisory lock, so that the batches of
concurrent crawls (one process per site) see each other's committed bands instead of missing
a cross-site copy that two uncommitted transactions would both not see. SQLite serialises
writers by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from newscrawl.db.models import Article, Fingerprint, LshBand
from newscrawl.extract import neardup
from newscrawl.extract.neardup import Signature

__all__ = ["DEFAULT_THRESHOLD", "LinkResult", "RevisionText", "link_near_duplicates"]

logger = logging.getLogger(__name__)

#: Default minimum estimated Jaccard similarity of a copy (measured: tests/unit/test_neardup.py).
DEFAULT_THRESHOLD = 0.5
#: Values per ``IN (...)`` list.
IN_CHUNK_SIZE = 900
#: Key of the PostgreSQL advisory lock that serialises look-ups ("ndup" in ASCII).
_PG_LOCK_KEY = 0x6E647570

_T = TypeVar("_T")


class RevisionText(Protocol):
    """What the index reads from a revision (a ``Revision`` row has all of it)."""

    @property
    def article_id(self) -> int: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def lead(self) -> str | None: ...
    @property
    def body(self) -> str: ...


@dataclass
class LinkResult:
    """What a call did: articles (re)fingerprinted and their links (None: an original)."""

    indexed: int = 0
    links: dict[int, int | None] = field(default_factory=dict)

    @property
    def linked(self) -> int:
        """How many of the indexed articles are near-duplicates of an earlier one."""
        return sum(1 for target in self.links.values() if target is not None)


@dataclass(slots=True)
class _Entry:
    article_id: int
    content_hash: str
    fingerprint: neardup.Fingerprint | None


def link_near_duplicates(
    session: Session, revisions: Iterable[RevisionText], *, threshold: float = DEFAULT_THRESHOLD
) -> LinkResult:
    """Fingerprint the new content of *revisions*' articles, index it and set their links.

    A revision whose content hash equals its article's stored fingerprint (e.g. a ``restored``
    revision) is skipped: nothing is hashed twice. When an article has several revisions here,
    the last one counts. Raises ``ValueError`` for a threshold outside (0, 1].
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"near-duplicate threshold must be in (0, 1], not {threshold}")
    latest = {revision.article_id: revision for revision in revisions}
    if not latest:
        return LinkResult()
    stored = _stored_hashes(session, sorted(latest))
    entries = [
        _Entry(
            article_id,
            revision.content_hash,
            neardup.fingerprint(revision.title, revision.lead, revision.body),
        )
        for article_id, revision in sorted(latest.items())
        if stored.get(article_id) != revision.content_hash
    ]
    if not entries:
        return LinkResult()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    ids = [entry.article_id for entry in entries]
    for chunk in _chunks(ids):
        session.execute(delete(LshBand).where(LshBand.article_id.in_(chunk)))
        session.execute(delete(Fingerprint).where(Fingerprint.article_id.in_(chunk)))
    links = _decide(session, entries, threshold)
    _write(session, entries, links)
    result = LinkResult(indexed=len(entries), links=links)
    logger.debug("Near-duplicates: %d indexed, %d linked", result.indexed, result.linked)
    return result


def _decide(session: Session, entries: list[_Entry], threshold: float) -> dict[int, int | None]:
    """Each entry's link, in ascending id order (earlier entries of the batch count too)."""
    keys = {key for entry in entries if entry.fingerprint for key in entry.fingerprint.bands}
    by_key: dict[str, set[int]] = {}
    for chunk in _chunks(sorted(keys)):
        rows = session.execute(
            select(LshBand.band_key, LshBand.article_id).where(LshBand.band_key.in_(chunk))
        )
        for key, article_id in rows:
            by_key.setdefault(key, set()).add(article_id)
    stored_ids = {article_id for ids in by_key.values() for article_id in ids}
    signatures, links = _stored_candidates(session, stored_ids)
    decided: dict[int, int | None] = {}
    for entry in entries:
        article_id, fp = entry.article_id, entry.fingerprint
        if fp is None:
            decided[article_id] = None
            continue
        candidates = sorted(
            {cid for key in fp.bands for cid in by_key.get(key, ()) if cid < article_id}
        )
        matches = [
            cid
            for cid in candidates
            if cid in signatures and neardup.similarity(fp.signature, signatures[cid]) >= threshold
        ]
        decided[article_id] = _target(matches, links)
        # Later entries of this batch see this one as a stored article.
        signatures[article_id] = fp.signature
        links[article_id] = decided[article_id]
        for key in fp.bands:
            by_key.setdefault(key, set()).add(article_id)
    return decided


def _target(matches: Sequence[int], links: dict[int, int | None]) -> int | None:
    """The lowest matching original, else the original of the lowest matching duplicate."""
    for candidate in matches:
        if links.get(candidate) is None:
            return candidate
    return links[matches[0]] if matches else None


def _stored_hashes(session: Session, ids: list[int]) -> dict[int, str]:
    """The content hash each article's stored fingerprint was made from."""
    hashes: dict[int, str] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Fingerprint.article_id, Fingerprint.content_hash).where(
                Fingerprint.article_id.in_(chunk)
            )
        )
        for article_id, content_hash in rows:
            hashes[article_id] = content_hash
    return hashes


def _stored_candidates(
    session: Session, ids: set[int]
) -> tuple[dict[int, Signature], dict[int, int | None]]:
    """Signatures and ``duplicate_of_id`` of the stored candidate articles."""
    signatures: dict[int, Signature] = {}
    links: dict[int, int | None] = {}
    for chunk in _chunks(sorted(ids)):
        rows = session.execute(
            select(Fingerprint.article_id, Fingerprint.signature, Article.duplicate_of_id)
            .join(Article, Article.id == Fingerprint.article_id)
            .where(Fingerprint.article_id.in_(chunk))
        )
        for article_id, packed, duplicate_of in rows:
            signatures[article_id] = neardup.unpack(bytes(packed))
            links[article_id] = duplicate_of
    return signatures, links


def _write(session: Session, entries: list[_Entry], links: dict[int, int | None]) -> None:
    fingerprints = [
        {
            "article_id": entry.article_id,
            "content_hash": entry.content_hash,
            "signature": entry.fingerprint.packed(),
        }
        for entry in entries
        if entry.fingerprint is not None
    ]
    bands = [
        {"article_id": entry.article_id, "band_key": key}
        for entry in entries
        if entry.fingerprint is not None
        for key in entry.fingerprint.bands
    ]
    if fingerprints:
        session.execute(insert(Fingerprint), fingerprints)
        session.execute(insert(LshBand), bands)
    session.execute(
        update(Article),
        [{"id": article_id, "duplicate_of_id": target} for article_id, target in links.items()],
    )
    for state in session.identity_map.all_states():
        if state.class_ is Article and state.key is not None and state.key[1][0] in links:
            obj = state.obj()
            if obj is not None:
                session.expire(obj, ["duplicate_of_id"])


def _chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(values), IN_CHUNK_SIZE):
        yield values[start : start + IN_CHUNK_SIZE]
