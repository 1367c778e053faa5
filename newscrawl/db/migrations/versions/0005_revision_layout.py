"""Revision layout: which layout of the site's profile read each revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

A profile may hold several layouts (``[[layouts]]``, ``newscrawl.profiles.model.Layout``); the
extraction records the one that read the page: its name, ``default`` for a profile without
layouts, or ``generic`` when no layout read it and generic extraction did. The upgrade adds
the nullable column ``revisions.layout``; revisions written before it keep NULL (not known).

The downgrade drops the column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("revisions", sa.Column("layout", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite since 3.35): a batch rebuild of the table would drop
    # it while other tables' foreign keys point at it.
    op.drop_column("revisions", "layout")
