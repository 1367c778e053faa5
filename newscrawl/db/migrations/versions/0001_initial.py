"""Initial schema: articles, captures, revisions.

Revision ID: 0001
Revises:
Create Date: 2025-11-28

``articles.latest_revision_id`` and ``revisions.article_id`` reference each other, so the
foreign key from articles to revisions is added after both tables exist (a batch operation,
which on SQLite recreates the still empty ``articles`` table).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the three tables, their indexes and constraints."""
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("canonical_url", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("latest_revision_id", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint(
            "site", "lang", "source_id", name=op.f("uq_articles_site_lang_source_id")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["articles.id"],
            name=op.f("fk_articles_duplicate_of_id_articles"),
        ),
    )
    op.create_index(op.f("ix_articles_canonical_url"), "articles", ["canonical_url"])
    op.create_index(op.f("ix_articles_url"), "articles", ["url"])

    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("encoding", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
    )

    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.String(length=40), nullable=True),
        sa.Column("published_at_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_raw", sa.Text(), nullable=True),
        sa.Column("alternates", sa.JSON(), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        sa.CheckConstraint(
            "kind IN ('content', 'removed', 'restored')", name=op.f("ck_revisions_kind")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_revisions_article_id_articles")
        ),
        sa.ForeignKeyConstraint(
            ["capture_id"], ["captures.id"], name=op.f("fk_revisions_capture_id_captures")
        ),
    )
    op.create_index(op.f("ix_revisions_article_id"), "revisions", ["article_id"])

    with op.batch_alter_table("articles") as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_articles_latest_revision_id_revisions"),
            "revisions",
            ["latest_revision_id"],
            ["id"],
        )


def downgrade() -> None:
    """Drop the three tables."""
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_articles_latest_revision_id_revisions"), type_="foreignkey"
        )
    op.drop_index(op.f("ix_revisions_article_id"), table_name="revisions")
    op.drop_table("revisions")
    op.drop_table("captures")
    op.drop_index(op.f("ix_articles_url"), table_name="articles")
    op.drop_index(op.f("ix_articles_canonical_url"), table_name="articles")
    op.drop_table("articles")
