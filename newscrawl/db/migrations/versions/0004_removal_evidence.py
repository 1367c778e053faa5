"""Removal evidence: every fetch that found an article gone, and the tombstone it supports.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

A tombstone (a ``removed`` revision) is now written only on evidence (``newscrawl.removal``).
The upgrade creates ``removal_evidence`` and gives each tombstone written before it (on a single
404 or 410) the one observation it was made on: its capture's status (``not_found`` for 404,
``gone`` for 410), the revision's time and URL, the capture's URL as the final URL. Such a
tombstone keeps standing; its export shows the single observation it rests on.

The downgrade drops the table.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_revisions = sa.table(
    "revisions",
    sa.column("id"),
    sa.column("article_id"),
    sa.column("kind"),
    sa.column("fetched_at"),
    sa.column("url"),
    sa.column("capture_id"),
)
_captures = sa.table("captures", sa.column("id"), sa.column("status"), sa.column("url"))


def upgrade() -> None:
    evidence = op.create_table(
        "removal_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('not_found', 'gone', 'redirect_home', 'redirect_listing')",
            name=op.f("ck_removal_evidence_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_removal_evidence_article_id_articles")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revisions.id"],
            name=op.f("fk_removal_evidence_revision_id_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removal_evidence")),
    )
    op.create_index(
        op.f("ix_removal_evidence_article_id"), "removal_evidence", ["article_id"], unique=False
    )
    op.create_index(
        op.f("ix_removal_evidence_revision_id"), "removal_evidence", ["revision_id"], unique=False
    )
    assert evidence is not None
    status = sa.func.coalesce(_captures.c.status, 404)
    op.execute(
        sa.insert(evidence).from_select(
            ["article_id", "revision_id", "reason", "status", "observed_at", "url", "final_url"],
            sa.select(
                _revisions.c.article_id,
                _revisions.c.id,
                sa.case((status == 410, "gone"), else_="not_found"),
                status,
                _revisions.c.fetched_at,
                _revisions.c.url,
                sa.func.coalesce(_captures.c.url, _revisions.c.url),
            )
            .select_from(_revisions)
            .outerjoin(_captures, _captures.c.id == _revisions.c.capture_id)
            .where(_revisions.c.kind == "removed")
            .order_by(_revisions.c.id),
        )
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_removal_evidence_revision_id"), table_name="removal_evidence")
    op.drop_index(op.f("ix_removal_evidence_article_id"), table_name="removal_evidence")
    op.drop_table("removal_evidence")
