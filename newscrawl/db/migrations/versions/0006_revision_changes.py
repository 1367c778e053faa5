"""Revision changes: each new revision's word-level diff, significance score and reasons.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Adds four nullable columns to ``revisions`` (``newscrawl.changes``):

- ``significance`` (float, 0..1): how much the revision changed the article, against the
  revision before it; 1 for a tombstone; NULL for an article's first revision and for revisions
  written before this migration (``newscrawl history`` computes those when it shows them);
- ``change_reasons`` (JSON list of strings): why it scored what it did;
- ``diff`` (JSON): the compact word-level diff (``newscrawl.changes.diff``);
- ``volatile`` (JSON list of strings): the texts of the profile's volatile regions in the
  revision, so that the next revision's diff can tell their changes apart.

No backfill: the columns are filled as revisions are written. The downgrade drops them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("significance", "change_reasons", "diff", "volatile")


# Plain ALTER TABLE (SQLite >= 3.35 drops columns itself): a batch operation would copy the
# table, and dropping the old ``revisions`` fails on the foreign keys that point at it.
def upgrade() -> None:
    op.add_column("revisions", sa.Column("significance", sa.Float(), nullable=True))
    op.add_column("revisions", sa.Column("change_reasons", sa.JSON(), nullable=True))
    op.add_column("revisions", sa.Column("diff", sa.JSON(), nullable=True))
    op.add_column("revisions", sa.Column("volatile", sa.JSON(), nullable=True))


def downgrade() -> None:
    for name in reversed(_COLUMNS):
        op.drop_column("revisions", name)
