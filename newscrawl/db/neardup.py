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

Cost (``python -m bench.neardup_growth``, ict_en replica, SQLite, CPU per article; 2026-12): the
candidates' signatures are read without a join and unpacked at once, each entry's candidates are
compared in one numpy matrix operation, only matched candidates' links are read, and rows are
written with Core statements: 30 µs per candidate before, about 3 µs now. With the 128-value,
6-row layout of ``newscrawl.extract.neardup`` the candidates per batch of 200 fell from 905 to 175
at 4,000 stored articles and from 8,668 to 1,732 at 20,000, and the cost from 0.59 to 0.41 ms and
from 1.46 to 0.59 ms. What still grows is SQLite's work on ``lsh_bands`` (16 random-key index
inserts and look-ups per article: about 0.2 ms per article at 20,000 stored, 0.1 at 4,000),
not the verification.

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

import numpy as np
import numpy.typing as npt
from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from newscrawl.db.bulk import as_columns, unnest_insert
from newscrawl.db.models import Article, Base, Fingerprint, LshBand
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

_ARTICLES = Base.metadata.tables["articles"]
_FINGERPRINTS = Base.metadata.tables["fingerprints"]
_LSH_BANDS = Base.metadata.tables["lsh_bands"]


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
    links, stored_links = _decide(session, entries, threshold)
    # Only links that change are written: a new article has none, so most batches update nothing.
    changed = {aid: target for aid, target in links.items() if stored_links.get(aid) != target}
    _write(session, entries, changed)
    result = LinkResult(indexed=len(entries), links=links)
    logger.debug("Near-duplicates: %d indexed, %d linked", result.indexed, result.linked)
    return result


def _decide(
    session: Session, entries: list[_Entry], threshold: float
) -> tuple[dict[int, int | None], dict[int, int | None]]:
    """Each entry's link, in ascending id order (earlier entries of the batch count too), and the
    stored links of the entries and their matches (one query for both)."""
    keys = {key for entry in entries if entry.fingerprint for key in entry.fingerprint.bands}
    by_key: dict[str, list[int]] = {}
    for chunk in _chunks(sorted(keys)):
        rows = session.execute(
            select(LshBand.band_key, LshBand.article_id).where(LshBand.band_key.in_(chunk))
        )
        for key, article_id in rows:
            by_key.setdefault(key, []).append(article_id)
    # Later entries of the batch see earlier ones as stored articles: entries are decided in
    # ascending id order and only lower ids are candidates, so indexing them all now is the same.
    batch = [entry for entry in entries if entry.fingerprint is not None]
    stored_ids = sorted({article_id for ids in by_key.values() for article_id in ids})
    signatures, row_of = _signatures(session, stored_ids, batch)
    for entry in batch:
        assert entry.fingerprint is not None
        for key in entry.fingerprint.bands:
            by_key.setdefault(key, []).append(entry.article_id)
    matches: dict[int, list[int]] = {}
    for entry in batch:
        assert entry.fingerprint is not None
        article_id = entry.article_id
        candidates = sorted(
            {
                cid
                for key in entry.fingerprint.bands
                for cid in by_key[key]
                if cid < article_id and cid in row_of
            }
        )
        if candidates:
            matches[article_id] = _matching(
                signatures, row_of, candidates, entry.fingerprint.signature, threshold
            )
    in_batch = {entry.article_id for entry in entries}
    stored = _stored_links(
        session, sorted({cid for found in matches.values() for cid in found} | in_batch)
    )
    # An entry's stored link is replaced by its decision before any later entry can match it:
    # only lower ids are candidates, and entries are decided in ascending id order.
    links = dict(stored)
    decided: dict[int, int | None] = {}
    for entry in entries:
        decided[entry.article_id] = _target(matches.get(entry.article_id, ()), links)
        links[entry.article_id] = decided[entry.article_id]
    return decided, stored


def _matching(
    signatures: npt.NDArray[np.uint32],
    row_of: dict[int, int],
    candidates: list[int],
    signature: Signature,
    threshold: float,
) -> list[int]:
    """The *candidates* (ascending ids) whose similarity to *signature* is at least *threshold*.

    One matrix comparison for all of them; the same figures as ``neardup.similarity`` per pair.
    """
    if signatures.shape[1] != len(signature):
        return []
    rows = signatures[[row_of[cid] for cid in candidates]]
    equal = np.count_nonzero(rows == signature, axis=1)
    similar = equal / float(len(signature)) >= threshold
    return [cid for cid, hit in zip(candidates, similar.tolist(), strict=True) if hit]


def _target(matches: Sequence[int], links: dict[int, int | None]) -> int | None:
    """The lowest matching original, else the original of the lowest matching duplicate."""
    for candidate in matches:
        if links.get(candidate) is None:
            return candidate
    return links[matches[0]] if matches else None


def _stored_hashes(session: Session, ids: list[int]) -> dict[int, str]:
    """The content hash each article's stored fingerprint was made from."""
    return _column_by_id(session, Fingerprint.article_id, Fingerprint.content_hash, ids)


def _stored_links(session: Session, ids: list[int]) -> dict[int, int | None]:
    """``duplicate_of_id`` of the stored articles *ids*."""
    return _column_by_id(session, Article.id, Article.duplicate_of_id, ids)


def _column_by_id(
    session: Session,
    key: InstrumentedAttribute[int],
    column: InstrumentedAttribute[_T],
    ids: list[int],
) -> dict[int, _T]:
    """``{id: column}`` of the rows whose *key* is in *ids*."""
    values: dict[int, _T] = {}
    for chunk in _chunks(ids):
        for row_id, value in session.execute(select(key, column).where(key.in_(chunk))):
            values[row_id] = value
    return values


def _signatures(
    session: Session, ids: list[int], batch: list[_Entry]
) -> tuple[npt.NDArray[np.uint32], dict[int, int]]:
    """One matrix of the signatures of the stored *ids* and of the *batch*, and each id's row.

    The packed signatures are joined and unpacked at once; a stored signature of another
    length (made with other parameters) is left out, as ``neardup.similarity`` gives it 0.0.
    """
    width = 8 * neardup.NUM_PERM
    packed: list[bytes] = []
    row_of: dict[int, int] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Fingerprint.article_id, Fingerprint.signature).where(
                Fingerprint.article_id.in_(chunk)
            )
        )
        for article_id, data in rows:
            if len(data) == width:
                row_of[article_id] = len(packed)
                packed.append(bytes(data))
    for entry in batch:
        assert entry.fingerprint is not None
        row_of[entry.article_id] = len(packed)
        packed.append(entry.fingerprint.packed())
    signatures = neardup.unpack(b"".join(packed)).reshape(len(packed), neardup.NUM_PERM)
    return signatures, row_of


def _write(session: Session, entries: list[_Entry], links: dict[int, int | None]) -> None:
    """Insert the fingerprints and band keys, set *links* (Core statements: no ORM bookkeeping)."""
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
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_PG_INSERT_FINGERPRINTS, as_columns(fingerprints, _FINGERPRINT_COLUMNS))
            session.execute(_PG_INSERT_BANDS, as_columns(bands, _BAND_COLUMNS))
        else:
            session.execute(insert(_FINGERPRINTS), fingerprints)
            session.execute(insert(_LSH_BANDS), bands)
    if links:
        session.execute(
            update(_ARTICLES)
            .where(_ARTICLES.c.id == bindparam("b_id"))
            .values(duplicate_of_id=bindparam("b_target")),
            [{"b_id": article_id, "b_target": target} for article_id, target in links.items()],
        )
    for state in session.identity_map.all_states():
        if state.class_ is Article and state.key is not None and state.key[1][0] in links:
            obj = state.obj()
            if obj is not None:
                session.expire(obj, ["duplicate_of_id"])


_FINGERPRINT_COLUMNS = ("article_id", "content_hash", "signature")
_BAND_COLUMNS = ("article_id", "band_key")
#: PostgreSQL: all the rows in one statement (``newscrawl.db.bulk``).
_PG_INSERT_FINGERPRINTS = unnest_insert(_FINGERPRINTS, *_FINGERPRINT_COLUMNS)
_PG_INSERT_BANDS = unnest_insert(_LSH_BANDS, *_BAND_COLUMNS)


def _chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(values), IN_CHUNK_SIZE):
        yield values[start : start + IN_CHUNK_SIZE]
