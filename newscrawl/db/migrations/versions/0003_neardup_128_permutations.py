"""Near-duplicate index: rebuild the fingerprints and LSH band keys with 128 permutations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

``newscrawl.extract.neardup`` went from 64 MinHash permutations in 16 bands of 4 values to 128
permutations in 16 bands of 6: stored signatures and band keys of the old layout can no longer
be compared with new ones. No table changes. The upgrade deletes every ``lsh_bands`` row and
re-fingerprints each article that had a fingerprint, from its latest revision's title, lead and
body (what the index last saw), with the installed ``newscrawl.extract.neardup`` (pure code: no
ORM models, which may describe a later schema). ``articles.duplicate_of_id`` links are kept as
they were decided. It reads the archive in chunks of :data:`CHUNK` articles.

The downgrade deletes the fingerprints and band keys (the old code then indexes new content only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Articles re-fingerprinted per round trip.
CHUNK = 500

_articles = sa.table("articles", sa.column("id"), sa.column("latest_revision_id"))
_revisions = sa.table(
    "revisions",
    sa.column("id"),
    sa.column("content_hash"),
    sa.column("title"),
    sa.column("lead"),
    sa.column("body"),
)
_fingerprints = sa.table(
    "fingerprints", sa.column("article_id"), sa.column("content_hash"), sa.column("signature")
)
_lsh_bands = sa.table("lsh_bands", sa.column("article_id"), sa.column("band_key"))


def upgrade() -> None:
    from newscrawl.extract.neardup import fingerprint

    connection = op.get_bind()
    connection.execute(sa.delete(_lsh_bands))
    after = -1
    while True:
        rows = connection.execute(
            sa.select(
                _fingerprints.c.article_id,
                _revisions.c.content_hash,
                _revisions.c.title,
                _revisions.c.lead,
                _revisions.c.body,
            )
            .join(_articles, _articles.c.id == _fingerprints.c.article_id)
            .join(_revisions, _revisions.c.id == _articles.c.latest_revision_id)
            .where(_fingerprints.c.article_id > after)
            .order_by(_fingerprints.c.article_id)
            .limit(CHUNK)
        ).all()
        if not rows:
            break
        ids = [row.article_id for row in rows]
        after = ids[-1]
        connection.execute(sa.delete(_fingerprints).where(_fingerprints.c.article_id.in_(ids)))
        fingerprints: list[dict[str, Any]] = []
        bands: list[dict[str, Any]] = []
        for row in rows:
            fp = fingerprint(row.title, row.lead, row.body)
            if fp is None:
                continue
            fingerprints.append(
                {
                    "article_id": row.article_id,
                    "content_hash": row.content_hash,
                    "signature": fp.packed(),
                }
            )
            bands += [{"article_id": row.article_id, "band_key": key} for key in fp.bands]
        if fingerprints:
            connection.execute(sa.insert(_fingerprints), fingerprints)
            connection.execute(sa.insert(_lsh_bands), bands)
    # Fingerprints of articles without a latest revision (none are written) would be stale.
    connection.execute(
        sa.delete(_fingerprints).where(
            ~sa.exists().where(_lsh_bands.c.article_id == _fingerprints.c.article_id)
        )
    )


def downgrade() -> None:
    op.execute(sa.delete(_lsh_bands))
    op.execute(sa.delete(_fingerprints))
