"""Helpers shared by the test packages (import as ``tests.helpers``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newscrawl.db.testing import create_pg_database, drop_pg_database

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """An empty database on ``backend``; PostgreSQL is the real server and is never skipped."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'newscrawl.sqlite3'}"
        return
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)
