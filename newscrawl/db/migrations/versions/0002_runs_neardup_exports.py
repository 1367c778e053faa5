"""Near-duplicate fingerprints, crawl runs and locks, export deliveries, HTTP validators.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'finished', 'failed', 'aborted')", name=op.f("ck_crawl_runs_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_index(op.f("ix_crawl_runs_site"), "crawl_runs", ["site"], unique=False)
    op.create_table(
        "crawl_locks",
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"], name=op.f("fk_crawl_locks_run_id_crawl_runs")),
        sa.PrimaryKeyConstraint("site", name=op.f("pk_crawl_locks")),
    )
    op.create_table(
        "fingerprints",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_fingerprints_article_id_articles")),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_fingerprints")),
    )
    op.create_table(
        "lsh_bands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band_key", sa.String(length=48), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name=op.f("fk_lsh_bands_article_id_articles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lsh_bands")),
    )
    op.create_index(op.f("ix_lsh_bands_article_id"), "lsh_bands", ["article_id"], unique=False)
    op.create_index(op.f("ix_lsh_bands_band_key"), "lsh_bands", ["band_key"], unique=False)
    op.create_table(
        "deliveries",
        sa.Column("consumer", sa.String(length=128), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"], name=op.f("fk_deliveries_revision_id_revisions")),
        sa.PrimaryKeyConstraint("consumer", "revision_id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("etag", sa.Text(), nullable=True))
        batch.add_column(sa.Column("last_modified", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("last_modified")
        batch.drop_column("etag")
    op.drop_table("deliveries")
    op.drop_index(op.f("ix_lsh_bands_band_key"), table_name="lsh_bands")
    op.drop_index(op.f("ix_lsh_bands_article_id"), table_name="lsh_bands")
    op.drop_table("lsh_bands")
    op.drop_table("fingerprints")
    op.drop_table("crawl_locks")
    op.drop_index(op.f("ix_crawl_runs_site"), table_name="crawl_runs")
    op.drop_table("crawl_runs")
