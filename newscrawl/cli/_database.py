"""Opening an existing newscrawl database for a read or maintenance command, with clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from newscrawl.cli._errors import CommandError
from newscrawl.db.errors import DatabaseConfigError
from newscrawl.db.migrate import current_revision, head_revision
from newscrawl.db.session import make_engine, safe_url, sqlite_path

__all__ = ["CommandError", "existing_database"]


@contextmanager
def existing_database(url: str, *, require_head: bool = False) -> Iterator[Engine]:
    """An engine on an existing database that has the newscrawl schema, disposed afterwards.

    Raises :class:`CommandError`: exit 1 for a missing SQLite file, a database without the schema
    (or, with ``require_head``, behind the newest migration) or a database error; exit 2 for a
    URL that is wrong in itself. Nothing is created: these commands only read or maintain.
    """
    try:
        path = sqlite_path(url)
        if path is not None and not path.exists():
            raise CommandError(f"no database at {path}")
        engine = make_engine(url)
    except DatabaseConfigError as exc:
        raise CommandError(str(exc), 2) from None
    try:
        revision = current_revision(engine)
        if revision is None:
            raise CommandError(f"{safe_url(url)} has no newscrawl schema (run `newscrawl db upgrade` or a crawl first)")
        if require_head and revision != head_revision():
            raise CommandError(
                f"{safe_url(url)} is at schema revision {revision}, not {head_revision()} (run `newscrawl db upgrade`)"
            )
        yield engine
    except SQLAlchemyError as exc:
        raise CommandError(f"reading {safe_url(url)}: {exc}") from None
    finally:
        engine.dispose()
