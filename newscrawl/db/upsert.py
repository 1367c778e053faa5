"""The dialect's ``INSERT ... ON CONFLICT``: the one place that picks SQLite or PostgreSQL.

SQLAlchemy has no backend-agnostic upsert (see "ORM upsert" in its DML guide), so callers build
``dialect_insert(session, Model).values(rows)`` and then add ``on_conflict_do_update(...)`` or
``on_conflict_do_nothing(...)``; both dialects' ``Insert`` share that API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects import postgresql, sqlite

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["UpsertInsert", "dialect_insert"]

UpsertInsert = postgresql.Insert | sqlite.Insert


def dialect_insert(session: Session, model: type[Any]) -> UpsertInsert:
    """An ``INSERT`` for *model* in the dialect of the database *session* is bound to."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no INSERT ... ON CONFLICT support for the {name!r} dialect")
